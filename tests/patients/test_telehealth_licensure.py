"""Telehealth: the rendering clinician's license must be valid in the state where the patient
is at the time of service (REFERENCE.md §14, NGS telehealth FAQ). The session records that
state; it defaults to the patient's address state."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.coding_bridge import preview_for
from patients.services.clinical import session_record
from tests import factories

START = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def video(in_org_a):
    patient = factories.patient(state="OR")
    factories.coverage(patient_obj=patient)
    provider = factories.licensed(factories.provider(), "OR")

    def record(**facts):
        base = dict(
            patient=patient,
            kind="individual",
            rendering_provider=provider,
            modality="video",
            patient_location="home",
            starts_at=START,
            ends_at=START + datetime.timedelta(minutes=53),
        )
        return session_record(actor=None, **{**base, **facts})

    return {"patient": patient, "provider": provider, "record": record}


def test_the_patients_state_defaults_to_their_address_and_the_license_there_counts(video):
    session = video["record"]()
    assert session.patient_state == "OR"
    result = preview_for(session_like=session)
    assert result.billable and any(
        "licensed where the patient was (OR)" in r for r in result.reasons
    )


def test_a_patient_in_another_state_needs_a_license_there(video):
    result = preview_for(session_like=video["record"](patient_state="WA"))
    assert not result.billable
    assert "No license or compact privilege in WA on Nov 2, 2026" in result.errors[-1]


def test_a_lapsed_license_in_the_patients_state_blocks_the_service(video):
    from credentialing.services import license_add

    license_add(
        provider=video["provider"],
        state="CA",
        number="CA-1",
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2026, 10, 31),
    )
    result = preview_for(session_like=video["record"](patient_state="CA"))
    assert not result.billable and "In CA, where the service was" in result.errors[-1]


def test_telehealth_without_any_state_is_refused(in_org_a):
    patient = factories.patient(state="")
    with pytest.raises(ValidationError) as refused:
        session_record(
            actor=None,
            patient=patient,
            kind="individual",
            rendering_provider=factories.provider(),
            modality="video",
            patient_location="home",
            starts_at=START,
            ends_at=START + datetime.timedelta(minutes=53),
        )
    assert "Record the state the patient was in" in refused.value.message_dict["patient_state"][0]


def test_an_in_person_session_is_not_asked_for_a_state(in_org_a):
    session = session_record(
        actor=None,
        patient=factories.patient(state=""),
        kind="individual",
        rendering_provider=factories.provider(),
        facility=factories.facility(),
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=53),
    )
    assert session.patient_state == ""


def test_a_compact_privilege_in_the_patients_state_counts(in_org_a):
    from credentialing.services import license_add, privilege_record

    patient = factories.patient(state="WA")
    factories.coverage(patient_obj=patient)
    provider = factories.provider(license_type="psychologist", credentials="PhD")
    home = license_add(
        provider=provider,
        state="OR",
        number="PSY-1",
        license_type="psychologist",
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2030, 1, 1),
    )
    session = session_record(
        actor=None,
        patient=patient,
        kind="individual",
        rendering_provider=provider,
        modality="video",
        patient_location="home",
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=53),
    )
    assert not preview_for(session_like=session).billable
    privilege_record(
        provider=provider,
        home_license=home,
        compact="psypact",
        state="WA",
        number="APIT-7",
        effective_on=datetime.date(2026, 1, 1),
    )
    assert preview_for(session_like=session).billable


@pytest.mark.parametrize(
    ("telehealth", "billable"),
    [
        ({}, False),
        ({"license_exception_states": ["WA"]}, True),
        ({"license_exception_states": ["ID"]}, False),
        ({"any_state_license": True}, True),
    ],
)
def test_payer_licensure_exceptions_are_data(in_org_a, telehealth, billable):
    patient = factories.patient(state="WA")
    payer = factories.payer(name=f"Plan {telehealth}", telehealth=telehealth)
    factories.coverage(patient_obj=patient, payer_obj=payer)
    provider = factories.licensed(factories.provider(), "OR")
    session = session_record(
        actor=None,
        patient=patient,
        kind="individual",
        rendering_provider=provider,
        modality="video",
        patient_location="home",
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=53),
    )
    assert preview_for(session_like=session).billable is billable
