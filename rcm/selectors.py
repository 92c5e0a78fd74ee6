from __future__ import annotations

from typing import Any

from rcm.models import Membership, Organization
from rcm.tenancy import user_db_context


def memberships_for_user(*, user: Any) -> list[Membership]:
    """The user's active memberships across orgs (row-level security shows only their own)."""
    if not user.is_authenticated:
        return []
    with user_db_context(user.pk):
        return list(
            Membership.unscoped_all_orgs_admin_only.select_related("org")
            .filter(user=user, is_active=True)
            .order_by("org__name")
        )


def phi_reads(*, limit: int = 200) -> list[Any]:
    """The active org's most recent PHI reads, newest first (compliance review)."""
    from rcm.models import PhiAccess

    return list(PhiAccess.objects.select_related("user").order_by("-accessed_at")[:limit])


def billing_companies_of(*, user_id: int, exclude_org_id: int | None = None) -> list[Organization]:
    """The outside billing companies (organizations of kind billing_company) the user works for:
    their active memberships there. Row-level security shows a user's memberships in other orgs
    only under `user_db_context`, so this admin-level read asks for that one user's rows."""
    with user_db_context(user_id):
        memberships = (
            Membership.unscoped_all_orgs_admin_only.select_related("org")
            .filter(user_id=user_id, is_active=True, org__kind=Organization.Kind.BILLING_COMPANY)
            .exclude(org_id=exclude_org_id)
            .order_by("org__name")
        )
        return [m.org for m in memberships]
