from __future__ import annotations

from typing import Any

from rcm.models import Membership
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
