from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rcm.permissions import capabilities_of


def org_context(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    caps = capabilities_of(membership.role) if membership else frozenset()
    return {
        "org": getattr(request, "org", None),
        "membership": membership,
        "caps": {cap.value for cap in caps},
    }
