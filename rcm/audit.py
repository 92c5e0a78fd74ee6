"""PHI access log: every detail, list, export and API read of PHI appends one row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

# The reads a request logged, kept so the org middleware can write them again when it rolls a
# failed (4xx) request back: a form shown again with errors still showed the PHI on it.
READS_ATTR = "_rcm_phi_reads"


def phi_access_record(*, request: HttpRequest, action: str, objects: Iterable[Any]) -> None:
    from rcm.models import PhiAccess

    objs = list(objects)
    if not objs:
        return
    row = {
        "user_id": request.user.pk,
        "action": action,
        "object_type": objs[0]._meta.label,
        "object_ids": [str(obj.public_id) for obj in objs],
        "path": request.path[:300],
    }
    PhiAccess.objects.create(**row)
    reads = getattr(request, READS_ATTR, None)
    if reads is None:
        reads = []
        setattr(request, READS_ATTR, reads)
    reads.append(row)


def phi_access_replay(request: HttpRequest) -> None:
    """Write the request's logged reads again (after its transaction was rolled back)."""
    from rcm.models import PhiAccess

    reads = getattr(request, READS_ATTR, None) or []
    if reads:
        PhiAccess.objects.bulk_create([PhiAccess(**row) for row in reads])
