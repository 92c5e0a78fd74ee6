"""What an episode, a coverage and a patient tell a claim: admission and discharge facts
(UB-04 FL13-17), attending and referring providers, occurrence and value codes; the
subscriber's address and sex, MSP type and assignment of benefits; the signature on file.
Bad input gets a clear field error and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from patients.models import Coverage, EpisodeOfCare, Patient
from patients.services.clinical import (
    coverage_add,
    coverage_update,
    episode_admit,
    episode_discharge,
    episode_update,
    patient_register,
    patient_update,
)
from tests import factories

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 1)
REFERRER_NPI = factories.type2_npi(4242)


def _errors(run: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        run()
    return caught.value.message_dict


def _admit(patient: Any = None, **facts: Any) -> EpisodeOfCare:
    return episode_admit(
        patient=patient or factories.patient(),
        program="mh",
        level="php",
        admit_date=DAY,
        diagnoses=["F33.1"],
        **facts,
    )


def test_admission_facts_are_saved_with_the_episode(in_org_a):
    attending = factories.provider(credentials="MD", license_type="psychiatrist")
    episode = _admit(
        admission_hour=14,
        admission_type="2",
        admission_source="d",
        attending_provider=attending,
        referring_provider_name="Dr. Pat Referrer",
        referring_provider_npi=REFERRER_NPI,
        occurrence_codes=[{"code": "11", "date": "2026-09-28"}],
        value_codes=[{"code": "80", "amount": "12"}, {"code": "a1", "amount": 125.5}],
    )
    episode.refresh_from_db()
    assert (episode.admission_hour, episode.admission_type, episode.admission_source) == (
        14,
        "2",
        "D",
    )
    assert episode.attending_provider == attending
    assert episode.occurrence_codes == [{"code": "11", "date": "2026-09-28"}]
    assert episode.value_codes == [
        {"code": "80", "amount": "12"},
        {"code": "A1", "amount": "125.5"},
    ]


@pytest.mark.parametrize(
    ("facts", "field", "words"),
    [
        ({"admission_hour": 24}, "admission_hour", "0 to 23"),
        ({"admission_hour": "noon"}, "admission_hour", "0 to 23"),
        ({"admission_type": "7"}, "admission_type", "not a code"),
        ({"admission_source": "3"}, "admission_source", "not a code"),
        ({"referring_provider_npi": "1234567890"}, "referring_provider_npi", "check digit"),
        ({"referring_provider_npi": REFERRER_NPI}, "referring_provider_name", "name"),
        (
            {"occurrence_codes": [{"code": "1", "date": "2026-09-28"}]},
            "occurrence_codes",
            "2 letters",
        ),
        (
            {"occurrence_codes": [{"code": "11", "date": "28/09/2026"}]},
            "occurrence_codes",
            "YYYY-MM-DD",
        ),
        ({"occurrence_codes": {"code": "11"}}, "occurrence_codes", "a list"),
        (
            {"occurrence_codes": [{"code": "11", "date": "2026-09-28"}] * 2},
            "occurrence_codes",
            "twice",
        ),
        ({"value_codes": [{"code": "80", "amount": "twelve"}]}, "value_codes", "number"),
        ({"value_codes": [{"code": "80", "amount": "1.234"}]}, "value_codes", "2 decimal"),
        (
            {"value_codes": [{"code": "80", "amount": "1"}, {"code": "80", "amount": "2"}]},
            "value_codes",
            "twice",
        ),
        ({"value_codes": [{"code": "8!", "amount": "1"}]}, "value_codes", "2 letters"),
        ({"value_codes": [{"code": "80", "amount": "1"}] * 25}, "value_codes", "at most 24"),
    ],
)
def test_bad_admission_facts_are_refused_and_nothing_is_saved(in_org_a, facts, field, words):
    patient = factories.patient()
    errors = _errors(lambda: _admit(patient, **facts))
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower(), errors[field]
    assert not EpisodeOfCare.objects.filter(patient=patient).exists()


def test_an_inactive_attending_is_refused(in_org_a):
    retired = factories.provider(is_active=False)
    assert "attending_provider" in _errors(lambda: _admit(attending_provider=retired))


def test_discharge_facts_come_with_the_discharge(in_org_a):
    episode = _admit()
    assert "discharge_hour" in _errors(lambda: episode_update(episode=episode, discharge_hour=9))
    errors = _errors(lambda: episode_update(episode=episode, patient_status="01"))
    assert "30 (still a patient)" in errors["patient_status"][0]
    episode = episode_update(episode=episode, patient_status="30")
    episode_discharge(
        episode=episode,
        discharge_date=dt.date(2026, 10, 20),
        discharge_hour=11,
        patient_status="07",
    )
    episode.refresh_from_db()
    assert (episode.discharge_hour, episode.patient_status) == (11, "07")


def test_still_a_patient_is_refused_on_a_discharged_episode(in_org_a):
    episode = _admit()
    errors = _errors(
        lambda: episode_discharge(
            episode=episode, discharge_date=dt.date(2026, 10, 20), patient_status="30"
        )
    )
    assert "still a patient" in errors["patient_status"][0]
    assert EpisodeOfCare.objects.get(pk=episode.pk).status == "active"
    episode_discharge(episode=episode, discharge_date=dt.date(2026, 10, 20))
    assert "patient_status" in _errors(lambda: episode_update(episode=episode, patient_status="30"))
    assert (
        episode_update(episode=episode, patient_status="65", discharge_hour=8).patient_status
        == "65"
    )


def test_a_discharge_clears_still_a_patient_when_no_status_is_given(in_org_a):
    episode = episode_update(episode=_admit(), patient_status="30")
    episode_discharge(episode=episode, discharge_date=dt.date(2026, 10, 20))
    assert EpisodeOfCare.objects.get(pk=episode.pk).patient_status == ""


def test_the_database_keeps_the_discharge_rules_too(in_org_a):
    episode = _admit()
    for bad in ({"discharge_hour": 3}, {"admission_hour": 30}):
        with pytest.raises(IntegrityError), transaction.atomic():
            EpisodeOfCare.objects.filter(pk=episode.pk).update(**bad)
    episode_discharge(episode=episode, discharge_date=dt.date(2026, 10, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeOfCare.objects.filter(pk=episode.pk).update(patient_status="30")


def test_an_update_with_a_bad_fact_saves_none_of_them(in_org_a):
    episode = _admit(admission_type="3")
    errors = _errors(
        lambda: episode_update(episode=episode, admission_type="1", value_codes=[{"code": "8"}])
    )
    assert set(errors) == {"value_codes"}
    assert EpisodeOfCare.objects.get(pk=episode.pk).admission_type == "3"


def test_episode_update_takes_only_claim_facts(in_org_a):
    with pytest.raises(TypeError):
        episode_update(episode=_admit(), admit_date=DAY)


# --- Coverage ---------------------------------------------------------------------------------


def _coverage_data(payer: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "payer": payer,
        "member_id": "ABC123",
        "effective_date": dt.date(2026, 1, 1),
        "relationship": "01",
        "subscriber_first_name": "Jordan",
        "subscriber_last_name": "Rivera",
        "subscriber_date_of_birth": dt.date(1970, 5, 5),
        "subscriber_address_line1": "9 Elm St",
        "subscriber_city": "Portland",
        "subscriber_state": "or",
        "subscriber_postal_code": "97201-1234",
        "subscriber_sex": "f",
    }
    data.update(changes)
    return data


def test_subscriber_details_are_kept_encrypted_and_read_back(in_org_a):
    cov = coverage_add(patient=factories.patient(), **_coverage_data(factories.payer()))
    cov = Coverage.objects.get(pk=cov.pk)
    assert (cov.subscriber_address_line1, cov.subscriber_city) == ("9 Elm St", "Portland")
    assert (cov.subscriber_state, cov.subscriber_postal_code, cov.subscriber_sex) == (
        "OR",
        "97201-1234",
        "F",
    )
    assert cov.assignment_of_benefits is True
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT subscriber_city, subscriber_address_line1 FROM patients_coverage WHERE id = %s",
            [cov.pk],
        )
        stored = cur.fetchone()
    assert "Portland" not in stored[0] and "Elm" not in stored[1]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subscriber_state": "Oregon"}, "subscriber_state"),
        ({"subscriber_postal_code": "9720"}, "subscriber_postal_code"),
        ({"subscriber_sex": "X"}, "subscriber_sex"),
        ({"msp_type": "99"}, "msp_type"),
        ({"msp_type": "12"}, "msp_type"),  # not a Medicare coverage
    ],
)
def test_bad_subscriber_facts_are_refused(in_org_a, changes, field):
    patient = factories.patient()
    errors = _errors(
        lambda: coverage_add(patient=patient, **_coverage_data(factories.payer(), **changes))
    )
    assert field in errors, errors
    assert not Coverage.objects.filter(patient=patient).exists()


def test_an_msp_type_belongs_on_a_medicare_coverage_that_pays_second(in_org_a):
    patient = factories.patient()
    medicare = factories.payer(name="Medicare", kind="medicare", claim_filing_indicator="MB")
    primary = _errors(
        lambda: coverage_add(patient=patient, **_coverage_data(medicare, msp_type="12"))
    )
    assert "not for a primary" in primary["msp_type"][0]
    cov = coverage_add(patient=patient, **_coverage_data(medicare, msp_type="12", priority=2))
    assert cov.msp_type == "12"


def test_a_self_subscriber_keeps_no_separate_subscriber_details(in_org_a):
    cov = coverage_add(
        patient=factories.patient(), **_coverage_data(factories.payer(), relationship="18")
    )
    assert (cov.subscriber_city, cov.subscriber_sex, cov.subscriber_first_name) == ("", "", "")


def test_a_saved_coverage_gets_its_subscriber_facts_and_assignment_edited(in_org_a):
    cov = factories.coverage()
    errors = _errors(
        lambda: coverage_update(coverage=cov, relationship="19", subscriber_city="Bend")
    )
    assert "subscriber_first_name" in errors
    cov = coverage_update(
        coverage=Coverage.objects.get(pk=cov.pk),
        relationship="19",
        subscriber_first_name="Kim",
        subscriber_last_name="Rivera",
        subscriber_date_of_birth=dt.date(1980, 1, 1),
        subscriber_city="Bend",
        assignment_of_benefits=False,
    )
    fresh = Coverage.objects.get(pk=cov.pk)
    assert (fresh.subscriber_city, fresh.assignment_of_benefits) == ("Bend", False)
    with pytest.raises(TypeError):
        coverage_update(coverage=fresh, member_id="NEW1")


# --- Patient ----------------------------------------------------------------------------------


def test_the_signature_on_file_date_is_recorded_and_checked(in_org_a):
    patient = patient_register(
        actor=None,
        first_name="Ana",
        last_name="Lopez",
        date_of_birth="1990-02-02",
        signature_on_file_date="2026-09-30",
    )
    assert Patient.objects.get(pk=patient.pk).signature_on_file_date == dt.date(2026, 9, 30)
    future = dt.date.today() + dt.timedelta(days=3)
    errors = _errors(
        lambda: patient_update(patient=patient, actor=None, signature_on_file_date=future)
    )
    assert "future" in errors["signature_on_file_date"][0]
    assert (
        "YYYY-MM-DD"
        in _errors(
            lambda: patient_update(patient=patient, actor=None, signature_on_file_date="30/09/2026")
        )["signature_on_file_date"][0]
    )
    assert Patient.objects.get(pk=patient.pk).signature_on_file_date == dt.date(2026, 9, 30)
