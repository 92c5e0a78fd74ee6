"""Tenant isolation. Wall one: the ORM (scoped managers, org context). Wall two: PostgreSQL
row-level security keyed on `rcm.org_id`, set with SET LOCAL inside the transaction."""

from .context import (
    NoActiveOrg,
    current_org,
    current_org_id,
    org_context,
    require_org,
    user_db_context,
)

__all__ = [
    "NoActiveOrg",
    "current_org",
    "current_org_id",
    "org_context",
    "require_org",
    "user_db_context",
]
