"""Second wall: row-level security, grants and change-history triggers, kept in step with the
models after every `migrate` (so a new tenant model is covered without writing SQL by hand)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

from .models import TenantModel

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION rcm_current_org() RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('rcm.org_id', true), '')::bigint $$;

CREATE OR REPLACE FUNCTION rcm_current_user() RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('rcm.user_id', true), '')::bigint $$;

CREATE OR REPLACE FUNCTION rcm_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb;
BEGIN
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN row_data := to_jsonb(OLD); ELSE row_data := to_jsonb(NEW); END IF;
    INSERT INTO rcm_changelog
        (org_id, table_name, row_id, op, old_data, new_data, actor_id, txid, changed_at)
    VALUES (
        (row_data->>'org_id')::bigint, TG_TABLE_NAME, (row_data->>'id')::bigint, TG_OP,
        CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
        CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END,
        NULLIF(current_setting('rcm.actor_id', true), '')::bigint,
        txid_current(), clock_timestamp());
    RETURN NULL;
END $$;
"""


def audit_log_tables() -> set[str]:
    return {apps.get_model("rcm", name)._meta.db_table for name in ("ChangeLog", "PhiAccess")}


def append_only_tables() -> set[str]:
    """The audit logs, and every tenant event table that says `append_only = True`."""
    events = {
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, TenantModel) and getattr(m, "append_only", False)
    }
    return audit_log_tables() | events


def tenant_tables() -> list[str]:
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, TenantModel) and not m._meta.proxy and m._meta.managed
    )


def _is_owner(cursor: Any) -> bool:
    cursor.execute(
        "SELECT tableowner = current_user FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'rcm_organization'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def sync_security(using: str = "default") -> bool:
    """Apply grants, RLS policies and audit triggers. Returns False when not run as the owner."""
    app_role = settings.RCM_DB_APP_ROLE
    with connections[using].cursor() as cur:
        if not _is_owner(cur):
            return False
        cur.execute(FUNCTIONS_SQL)
        _grant(cur, app_role)
        for table in tenant_tables():
            _protect(cur, table, audited=table not in audit_log_tables())
        cur.execute(
            "CREATE POLICY rcm_own_membership ON rcm_membership FOR SELECT "
            "USING (user_id = rcm_current_user())"
        )
    return True


def _grant(cur: Any, app_role: str) -> None:
    role = connections["default"].ops.quote_name(app_role)
    cur.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    cur.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {role}")
    for table in append_only_tables():
        cur.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")


def _protect(cur: Any, table: str, *, audited: bool) -> None:
    cur.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    cur.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    cur.execute(f"DROP POLICY IF EXISTS rcm_tenant ON {table}")
    cur.execute(f"DROP POLICY IF EXISTS rcm_own_membership ON {table}")
    cur.execute(
        f"CREATE POLICY rcm_tenant ON {table} "
        "USING (org_id = rcm_current_org()) WITH CHECK (org_id = rcm_current_org())"
    )
    cur.execute(f"DROP TRIGGER IF EXISTS rcm_audit ON {table}")
    if audited:
        cur.execute(
            f"CREATE TRIGGER rcm_audit AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION rcm_audit_change()"
        )
