import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.models import Coverage, Patient
from patients.services.clinical import coverage_add, coverage_end, patient_register
from tests import factories

DOB = datetime.date(1988, 4, 2)


def _coverage(payer, **over):
    data = dict(
        payer=payer,
        member_id="ABC-12345",
        effective_date=datetime.date(2026, 1, 1),
        plan_name="Gold PPO",
        group_number="G100",
    )
    data.update(over)
    return data


def test_registration_with_coverage_creates_both_and_assigns_an_mrn(in_org_a):
    payer = factories.payer()
    patient = patient_register(
        actor=None,
        first_name=" Dana ",
        last_name="Okafor",
        date_of_birth=DOB,
        ssn="123-45-6789",
        coverage=_coverage(payer),
    )
    patient.refresh_from_db()
    assert patient.mrn == "P000001"
    assert (patient.first_name, patient.last_name, patient.ssn) == ("Dana", "Okafor", "123456789")
    cov = patient.coverages.get()
    assert cov.member_id == "ABC-12345" and cov.payer == payer and cov.priority == 1


def test_second_registration_gets_the_next_mrn_and_a_given_mrn_must_be_unique(in_org_a):
    first = patient_register(actor=None, first_name="A", last_name="B", date_of_birth=DOB)
    second = patient_register(actor=None, first_name="C", last_name="D", date_of_birth=DOB)
    assert (first.mrn, second.mrn) == ("P000001", "P000002")
    with pytest.raises(ValidationError) as exc:
        patient_register(
            actor=None, mrn="P000001", first_name="E", last_name="F", date_of_birth=DOB
        )
    assert "mrn" in exc.value.message_dict


def test_failed_registration_saves_neither_patient_nor_coverage(in_org_a):
    payer = factories.payer()
    with pytest.raises(ValidationError) as exc:
        patient_register(
            actor=None,
            first_name="  ",
            last_name="",
            date_of_birth=DOB,
            coverage=_coverage(payer, member_id="bad id!*"),
        )
    errors = exc.value.message_dict
    assert {"first_name", "last_name", "coverage_member_id"} <= set(errors)
    assert Patient.objects.count() == 0 and Coverage.objects.count() == 0


def test_coverage_error_alone_also_rolls_back_the_patient(in_org_a):
    payer = factories.payer()
    with pytest.raises(ValidationError) as exc:
        patient_register(
            actor=None,
            first_name="Dana",
            last_name="Okafor",
            date_of_birth=DOB,
            coverage=_coverage(payer, member_id=""),
        )
    assert "coverage_member_id" in exc.value.message_dict
    assert Patient.objects.count() == 0 and Coverage.objects.count() == 0


def test_future_birth_date_and_bad_ssn_are_field_errors(in_org_a):
    with pytest.raises(ValidationError) as exc:
        patient_register(
            actor=None,
            first_name="A",
            last_name="B",
            ssn="000-12-3456",
            date_of_birth=datetime.date.today() + datetime.timedelta(days=1),
        )
    assert {"date_of_birth", "ssn"} <= set(exc.value.message_dict)


def test_dependent_coverage_needs_the_subscriber(in_org_a):
    payer = factories.payer()
    patient = factories.patient()
    with pytest.raises(ValidationError) as exc:
        coverage_add(patient=patient, **_coverage(payer, relationship="19"))
    assert {"subscriber_first_name", "subscriber_date_of_birth"} <= set(exc.value.message_dict)


def test_overlapping_coverage_of_the_same_priority_is_a_priority_error(in_org_a):
    payer = factories.payer()
    patient = factories.patient()
    coverage_add(patient=patient, **_coverage(payer))
    with pytest.raises(ValidationError) as exc:
        coverage_add(
            patient=patient,
            **_coverage(payer, member_id="ZZ-1", effective_date=datetime.date(2026, 6, 1)),
        )
    assert "Overlaps the primary coverage" in exc.value.message_dict["priority"][0]
    secondary = coverage_add(patient=patient, **_coverage(payer, member_id="ZZ-1", priority=2))
    assert secondary.priority == 2


def test_the_database_constraint_is_reported_as_a_priority_error(in_org_a, monkeypatch):
    from patients.services import registration

    payer = factories.payer()
    patient = factories.patient()
    coverage_add(patient=patient, **_coverage(payer))
    monkeypatch.setattr(registration, "_overlap_message", lambda *a: None)
    with pytest.raises(ValidationError) as exc:
        coverage_add(patient=patient, **_coverage(payer, member_id="ZZ-2"))
    assert "priority" in exc.value.message_dict
    assert Coverage.objects.count() == 1


def test_ending_a_coverage_then_adding_the_next_primary(in_org_a):
    payer = factories.payer()
    patient = factories.patient()
    old = coverage_add(patient=patient, **_coverage(payer))
    with pytest.raises(ValidationError) as exc:
        coverage_end(coverage=old, end_date=datetime.date(2025, 12, 1))
    assert "end_date" in exc.value.message_dict
    coverage_end(coverage=old, end_date=datetime.date(2026, 5, 31))
    new = coverage_add(
        patient=patient,
        **_coverage(payer, member_id="NEW-1", effective_date=datetime.date(2026, 6, 1)),
    )
    assert new.pk and Coverage.objects.filter(patient=patient).count() == 2
