"""Stored sessions through the coding bridge: crisis minutes of one date add up, a group
attendee's time counts only while the group met, and the Medicare starter profile bills
incident-to services under an eligible supervisor (REFERENCE.md §14)."""

from __future__ import annotations

import datetime

import pytest

from patients.coding_bridge import preview_for
from patients.services.clinical import episode_admit, group_session_record, session_record
from payers.catalog import catalog_install
from tests import factories

DAY = datetime.date(2026, 11, 2)
START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def _at(minutes: int) -> datetime.datetime:
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def clinic(in_org_a):
    payers = {p.name: p for p, _ in catalog_install(org=in_org_a)}
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=payers["Medicare Part B"])
    facility = factories.facility(pos="11")
    episode_admit(
        patient=patient,
        program="mh",
        level="outpatient",
        admit_date=DAY,
        diagnoses=["F33.1"],
        facility=facility,
    )
    return {"patient": patient, "facility": facility, "payers": payers}


def _crisis(clinic, start, minutes, **extra):
    return session_record(
        actor=None,
        patient=clinic["patient"],
        kind="crisis",
        rendering_provider=factories.provider(license_type="lcsw"),
        starts_at=_at(start),
        ends_at=_at(start + minutes),
        **extra,
    )


def test_two_crisis_sessions_on_one_date_are_coded_on_the_days_total(clinic):
    first = _crisis(clinic, 0, 40)
    second = _crisis(clinic, 240, 45)
    assert preview_for(session_like=first).codes == ("90839",)
    later = preview_for(session_like=second)
    assert [(line.code, line.units) for line in later.lines] == [("90840", 1)]
    assert any("40 + 45 = 85 minutes that day" in r for r in later.reasons)


def test_crisis_on_another_date_starts_a_new_day(clinic):
    _crisis(clinic, 0, 40)
    next_day = session_record(
        actor=None,
        patient=clinic["patient"],
        kind="crisis",
        rendering_provider=factories.provider(license_type="lcsw"),
        starts_at=_at(24 * 60),
        ends_at=_at(24 * 60 + 40),
    )
    assert preview_for(session_like=next_day).codes == ("90839",)


def test_medicare_crisis_at_the_patients_home_is_g0017(clinic):
    session = _crisis(clinic, 0, 80, patient_location="home")
    assert preview_for(session_like=session).codes == ("G0017", "G0018")


def test_a_group_attendee_who_came_early_and_stayed_late_counts_the_group_only(clinic):
    payer = factories.payer(
        name="Per-15 plan",
        group_billing={"mode": "per_15min", "code": "H0005", "modifiers": ["HQ"]},
        rounding_rule="cms_8_minute",
    )
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=payer)
    group = group_session_record(
        actor=None,
        facilitator=factories.provider(license_type="lcsw"),
        starts_at=_at(0),
        ends_at=_at(60),
        facility=clinic["facility"],
        attendees=[{"patient": patient, "arrived_at": _at(-20), "departed_at": _at(75)}],
    )
    attendee = group.attendees.get()
    assert attendee.minutes == 95  # what the attendee's own times say
    line = preview_for(session_like=attendee).lines[0]
    assert (line.code, line.units) == ("H0005", 4)  # 60 minutes inside the group


def test_medicare_bills_an_associates_session_under_a_psychologist_not_an_lcsw(clinic):
    def associate_session(supervisor_license):
        return session_record(
            actor=None,
            patient=clinic["patient"],
            kind="individual",
            rendering_provider=factories.provider(license_type="associate"),
            supervising_provider=factories.provider(license_type=supervisor_license),
            starts_at=_at(0),
            ends_at=_at(53),
            facility=clinic["facility"],
        )

    under_psychologist = preview_for(session_like=associate_session("psychologist"))
    assert under_psychologist.billable
    assert under_psychologist.lines[0].billed_provider.value == "supervising"
    under_lcsw = preview_for(session_like=associate_session("lcsw"))
    assert not under_lcsw.billable
    assert "does not pay services billed under a supervising LCSW" in under_lcsw.errors[0]
