"""Members with email addresses, and a notify() with test defaults. Call inside org_context."""

from __future__ import annotations

from typing import Any

from notifications.services import notify
from tests import factories


def member(org: Any, role: str = "biller", **kw: Any) -> Any:
    u = factories.member(org, role=role, **kw)
    u.email = f"{u.username}@example.test"
    u.save(update_fields=["email"])
    return u


def alert(org: Any, **kw: Any) -> list[Any]:
    fields = {
        "kind": "denial_deadline",
        "title": "Appeal deadline near: Payer denial (CARC 50)",
        "body": "Claim C1 for Doe, Jane: $150.00 denied",
        "url": f"/o/{org.slug}/denials/",
        "dedupe_key": "d1",
        **kw,
    }
    return notify(**fields)
