"""PHI access log: every detail, list, export and API read of PHI appends one row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest


def phi_access_record(*, request: HttpRequest, action: str, objects: Iterable[Any]) -> None:
    from rcm.models import PhiAccess

    objs = list(objects)
    if not objs:
        return
    PhiAccess.objects.create(
        user_id=request.user.pk,
        action=action,
        object_type=objs[0]._meta.label,
        object_ids=[str(obj.public_id) for obj in objs],
        path=request.path[:300],
    )
