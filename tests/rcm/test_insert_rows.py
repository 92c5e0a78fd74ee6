"""insert_rows (rcm.tenancy.bulk): the rows bulk_create would write, with RLS, defaults,
encryption, foreign keys to objects saved since, and the audit trigger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict

from claims.models import Claim, ClaimEvent
from patients.models import Patient
from rcm.models import ChangeLog
from rcm.tenancy import org_context
from rcm.tenancy.bulk import insert_rows
from rcm.tenancy.models import CrossOrgWrite
from tests import factories

SKIP = {"id", "public_id", "created_at", "updated_at", "control_number"}


def _claim(patient: Any, coverage: Any, n: int, **fields: Any) -> Claim:
    values = dict(
        control_number=f"T{n:010d}",
        kind="837p",
        patient=patient,
        coverage=coverage,
        payer=coverage.payer,
        service_from=dt.date(2026, 10, 1),
        service_to=dt.date(2026, 10, 1),
        diagnoses=["F33.1", "Z63.0"],
        condition_codes=[],
        value_codes=[{"code": "80", "amount": "3"}],
        total_charge=Decimal("180.00"),
        billing={"name": "Clinic", "npi": "1234567893"},
    )
    return Claim(**{**values, **fields})


def _stored(obj: Any) -> dict[str, Any]:
    row = type(obj).objects.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(row).items() if k not in SKIP}


def test_rows_are_stored_as_bulk_create_stores_them(in_org_a: Any) -> None:
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient)
    fast = insert_rows([_claim(patient, coverage, 1), _claim(patient, coverage, 2, part2=True)])
    slow = Claim.objects.bulk_create(
        [_claim(patient, coverage, 3), _claim(patient, coverage, 4, part2=True)]
    )
    assert all(c.pk and not c._state.adding for c in fast)
    assert [_stored(c) for c in fast] == [_stored(c) for c in slow]
    row = Claim.objects.get(pk=fast[0].pk)
    assert row.org_id == in_org_a.pk and row.public_id == fast[0].public_id
    assert row.created_at is not None and row.version == 1 and row.status == "held"


def test_a_foreign_key_to_an_object_saved_since_takes_its_pk(in_org_a: Any) -> None:
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient)
    claim = _claim(patient, coverage, 5)
    event = ClaimEvent(claim=claim, kind=ClaimEvent.Kind.BUILT, to_status="held", data={"a": 1})
    insert_rows([claim])
    insert_rows([event])
    stored = ClaimEvent.objects.get(pk=event.pk)
    assert stored.claim_id == claim.pk and stored.data == {"a": 1}


def test_an_unsaved_related_object_is_refused(in_org_a: Any) -> None:
    patient = factories.patient()
    claim = _claim(patient, factories.coverage(patient_obj=patient), 6)
    with pytest.raises(ValueError, match="unsaved related object 'claim'"):
        insert_rows([ClaimEvent(claim=claim, kind=ClaimEvent.Kind.BUILT, to_status="held")])


def test_phi_is_encrypted_and_searchable_as_save_writes_it(in_org_a: Any) -> None:
    insert_rows(
        [
            Patient(
                mrn=f"B{n}",
                first_name="Dana",
                last_name=f"Okafor{n}",
                date_of_birth=dt.date(1985, 3, n),
                sex="F",
            )
            for n in (1, 2)
        ]
    )
    with connection.cursor() as cur:
        cur.execute("SELECT last_name FROM patients_patient WHERE mrn = 'B1'")
        (stored,) = cur.fetchone()
    assert "Okafor" not in stored
    found = Patient.objects.get(mrn="B2")
    assert (found.last_name, found.date_of_birth) == ("Okafor2", dt.date(1985, 3, 2))


def test_each_row_is_audited_by_the_trigger(in_org_a: Any) -> None:
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient)
    claims = insert_rows([_claim(patient, coverage, n) for n in (7, 8)])
    logged = ChangeLog.objects.filter(table_name="claims_claim", op="INSERT")
    assert set(logged.values_list("row_id", flat=True)) == {c.pk for c in claims}


def test_another_orgs_object_is_refused(org_a: Any, org_b: Any) -> None:
    with org_context(org_b):
        patient = factories.patient()
        claim = _claim(patient, factories.coverage(patient_obj=patient), 9)
        claim.assign_active_org()
    with org_context(org_a), pytest.raises(CrossOrgWrite):
        insert_rows([claim])


def test_row_level_security_checks_the_rows(in_org_a: Any, org_b: Any) -> None:
    patient = factories.patient()
    claim = _claim(patient, factories.coverage(patient_obj=patient), 10)
    claim.org_id = in_org_a.pk
    with connection.cursor() as cur:  # the database's wall alone: another org is active there
        cur.execute("SELECT set_config('rcm.org_id', %s, true)", [str(org_b.pk)])
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        insert_rows([claim])


def test_many_rows_go_in_pages(in_org_a: Any, django_assert_num_queries: Any) -> None:
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient)
    claims = [_claim(patient, coverage, 100 + n) for n in range(5)]
    with django_assert_num_queries(3):
        insert_rows(claims, page=2)
    assert Claim.objects.filter(pk__in=[c.pk for c in claims]).count() == 5
