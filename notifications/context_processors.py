from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from rcm.tenancy.context import current_org_id


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count: counted once, and only when a page shows it (lazy)."""
    org = getattr(request, "org", None)
    if getattr(request, "membership", None) is None or org is None:
        return {}

    @cache
    def count() -> int:
        if current_org_id() != org.pk:  # e.g. an error page rendered after the org closed
            return 0
        from notifications.selectors import unread_count

        return unread_count(user=request.user)

    return {"notification_unread": count}
