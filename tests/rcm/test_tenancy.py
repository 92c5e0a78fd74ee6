"""Both tenancy walls, each proven alone: the ORM scope and PostgreSQL row-level security."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from patients.models import Patient
from rcm.celery import app as celery_app
from rcm.models import Membership, Organization
from rcm.tenancy import NoActiveOrg, current_org, org_context
from rcm.tenancy.models import CrossOrgWrite, TenantModel
from rcm.tenancy.rls import tenant_tables
from tests import factories


def _org_fk_models() -> list[type]:
    return [
        m
        for m in apps.get_models()
        if any(
            getattr(f, "related_model", None) is Organization and f.concrete
            for f in m._meta.get_fields()
        )
    ]


def test_every_model_with_an_org_foreign_key_uses_the_tenant_base():
    offenders = [m._meta.label for m in _org_fk_models() if not issubclass(m, TenantModel)]
    assert _org_fk_models(), "expected tenant models"
    assert offenders == []


def test_no_many_to_many_table_between_tenant_models_escapes_the_org_column():
    offenders = [
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        if issubclass(m, TenantModel)
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    assert offenders == []


def test_unique_constraints_on_tenant_models_include_the_org():
    offenders = []
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        for constraint in model._meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and "org" not in fields:
                offenders.append(f"{model._meta.label}:{constraint.name}")
        for together in model._meta.unique_together:
            if "org" not in together:
                offenders.append(f"{model._meta.label}:{together}")
        for field in model._meta.local_fields:
            if field.unique and field.name not in {"id", "public_id"}:
                offenders.append(f"{model._meta.label}.{field.name}")
    assert offenders == []


@pytest.mark.django_db
def test_every_tenant_table_has_row_level_security_enabled_forced_and_a_policy(owner_cursor):
    tables = tenant_tables()
    owner_cursor.execute(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "  (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) "
        "FROM pg_class c WHERE c.relname = ANY(%s)",
        [tables],
    )
    rows = {
        name: (enabled, forced, policies)
        for name, enabled, forced, policies in owner_cursor.fetchall()
    }
    assert set(rows) == set(tables)
    assert {t: v for t, v in rows.items() if v[:2] != (True, True) or v[2] < 1} == {}


@pytest.mark.django_db
def test_the_app_role_is_no_superuser_has_no_bypass_and_owns_no_table():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user"
        )
        assert cur.fetchone() == (False, False, False)
        cur.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db
def test_raw_sql_as_the_app_role_sees_only_the_active_orgs_rows(org_a, org_b):
    with org_context(org_a):
        factories.patient(mrn="A-1")
    with org_context(org_b):
        factories.patient(mrn="B-1")
        factories.patient(mrn="B-2")
    with org_context(org_a), connection.cursor() as cur:
        cur.execute("SELECT mrn FROM patients_patient")  # no WHERE: only RLS filters
        assert [r[0] for r in cur.fetchall()] == ["A-1"]
        cur.execute("SELECT count(*) FROM patients_patient WHERE org_id = %s", [org_b.pk])
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db
def test_raw_sql_cannot_write_a_row_into_another_org(org_a, org_b):
    with org_context(org_a):
        p = factories.patient()
    with org_context(org_a), connection.cursor() as cur:
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            cur.execute("UPDATE patients_patient SET org_id = %s WHERE id = %s", [org_b.pk, p.pk])


@pytest.mark.django_db
def test_with_no_active_org_the_orm_raises_and_raw_sql_sees_nothing(org_a):
    with org_context(org_a):
        factories.patient()
    assert current_org() is None
    with pytest.raises(NoActiveOrg):
        Patient.objects.count()
    with pytest.raises(NoActiveOrg):
        list(Membership.objects.all())
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM patients_patient")
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db
def test_a_task_that_reads_tenant_data_without_an_org_fails_instead_of_returning_rows(org_a):
    with org_context(org_a):
        factories.patient()

    @celery_app.task(name="tests.count_patients_without_org")
    def count_patients() -> int:
        return Patient.objects.count()

    result = count_patients.apply()
    assert result.failed()
    assert isinstance(result.result, NoActiveOrg)


@pytest.mark.django_db
def test_an_org_task_runs_inside_its_org_only(org_a, org_b):
    from rcm.tasks import record_heartbeat

    record_heartbeat.apply(args=[org_a.pk, "k1"]).get()
    from rcm.models import TaskRun

    with org_context(org_a):
        assert TaskRun.objects.filter(key="k1").count() == 1
    with org_context(org_b):
        assert TaskRun.objects.filter(key="k1").count() == 0


@pytest.mark.django_db
def test_saving_a_row_of_another_org_inside_an_org_is_refused(org_a, org_b):
    with org_context(org_a):
        p = factories.patient()
    with org_context(org_b), pytest.raises(CrossOrgWrite):
        p.save()


@pytest.mark.django_db
def test_leaving_an_org_context_restores_the_previous_state_in_python_and_postgres(org_a, org_b):
    def db_org():
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('rcm.org_id', true)")
            return cur.fetchone()[0]

    with org_context(org_a):
        with org_context(org_b):
            assert current_org() == org_b and db_org() == str(org_b.pk)
        assert current_org() == org_a and db_org() == str(org_a.pk)
    assert current_org() is None
    assert db_org() in ("", None)


@pytest.mark.django_db
def test_a_user_sees_their_own_memberships_across_orgs_and_no_one_elses(org_a, org_b):
    from rcm.selectors import memberships_for_user

    biller = factories.member(org_a, role="biller")
    with org_context(org_b):
        Membership.objects.create(user=biller, role="biller")
    factories.member(org_a, role="admin")
    orgs = {m.org.slug for m in memberships_for_user(user=biller)}
    assert orgs == {org_a.slug, org_b.slug}
    assert len(memberships_for_user(user=biller)) == 2
