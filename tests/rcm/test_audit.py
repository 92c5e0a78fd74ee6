"""Change history from triggers (ORM, bulk and raw SQL) and the append-only audit tables."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from patients.models import Patient
from rcm.models import ChangeLog, PhiAccess
from rcm.tenancy import org_context
from tests import factories


def _history(table: str, row_id: int) -> list[tuple[str, int | None]]:
    return list(
        ChangeLog.objects.filter(table_name=table, row_id=row_id)
        .order_by("id")
        .values_list("op", "actor_id")
    )


@pytest.mark.django_db
def test_orm_bulk_and_raw_sql_changes_all_leave_history_rows_with_the_actor(org_a):
    user = factories.member(org_a, role="intake")
    with org_context(org_a, actor_id=user.pk):
        p = factories.patient(state="CO")
        p.state = "NM"
        p.save()
        Patient.objects.filter(pk=p.pk).update(state="UT")  # bulk update, no save()
        with connection.cursor() as cur:
            cur.execute("UPDATE patients_patient SET state = 'AZ' WHERE id = %s", [p.pk])
        Patient.objects.filter(pk=p.pk).delete()
        ops = _history("patients_patient", p.pk)
        assert ops == [
            ("INSERT", user.pk),
            ("UPDATE", user.pk),
            ("UPDATE", user.pk),
            ("UPDATE", user.pk),
            ("DELETE", user.pk),
        ]
        states = list(
            ChangeLog.objects.filter(table_name="patients_patient", row_id=p.pk, op="UPDATE")
            .order_by("id")
            .values_list("new_data__state", flat=True)
        )
        assert states == ["NM", "UT", "AZ"]


@pytest.mark.django_db
def test_history_keeps_phi_encrypted(in_org_a):
    p = factories.patient(last_name="Hidalgo")
    row = ChangeLog.objects.get(table_name="patients_patient", row_id=p.pk, op="INSERT")
    assert row.new_data["last_name"].startswith("enc1:")
    assert "Hidalgo" not in str(row.new_data)


@pytest.mark.django_db
def test_history_of_one_org_is_invisible_to_another(org_a, org_b):
    with org_context(org_a):
        p = factories.patient()
    with org_context(org_b):
        assert not ChangeLog.objects.filter(row_id=p.pk, table_name="patients_patient").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["rcm_changelog", "rcm_phiaccess"])
@pytest.mark.parametrize(
    "statement", ["UPDATE {t} SET org_id = org_id", "DELETE FROM {t}", "TRUNCATE {t}"]
)
def test_the_app_role_may_not_update_delete_or_truncate_audit_rows(in_org_a, table, statement):
    user = factories.member(in_org_a)
    PhiAccess.objects.create(user=user, action="detail", object_type="x", path="/")
    factories.patient()
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(statement.format(t=table))


@pytest.mark.django_db
def test_the_app_role_may_insert_audit_rows(in_org_a):
    user = factories.member(in_org_a)
    PhiAccess.objects.create(
        user=user, action="export", object_type="patients.Patient", object_ids=["x"], path="/export"
    )
    assert PhiAccess.objects.filter(action="export").count() == 1
