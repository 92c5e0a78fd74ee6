"""The services inside a program day (group psychotherapy, individual psychotherapy, activity
therapy...): recorded with the day or set on it later. Payers that bill a PHP/IOP day service by
service (Medicare, REFERENCE.md §14) bill a line for each; per-diem payers ignore them.

Rows are mappings of `kind`, `minutes` and optionally `rendering_provider` (a Provider).
`patients.services.sessions` records them with the day (`session_record(services=...)`) or
replaces them (`program_day_services_set`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from coding import ServiceKind
from coding.types import PROGRAM_SERVICE_LABELS
from patients.models import ProgramDayService, Session
from rcm.fielderrors import FieldErrors

FIELD = "services"
ROW_FIELDS = ("kind", "minutes", "rendering_provider")
MAX_DAY_MINUTES = 24 * 60


def _row_errors(row: Mapping[str, Any]) -> list[str]:
    extra = sorted(set(row) - set(ROW_FIELDS))
    if extra:
        return [f"unknown field(s) {', '.join(extra)}."]
    found = []
    if row.get("kind") not in PROGRAM_SERVICE_LABELS:
        found.append(f"unknown service kind {row.get('kind')!r}.")
    minutes = row.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 1440:
        found.append("minutes must be a whole number from 1 to 1440.")
    return found


def _check_fits(session: Session, rows: Sequence[Mapping[str, Any]], errors: FieldErrors) -> None:
    """The day's services happen inside the time the patient attended."""
    total = sum(r["minutes"] for r in rows if isinstance(r.get("minutes"), int))
    attended = session.attended_minutes
    if attended is not None and total > attended:
        errors.add(
            FIELD, f"The services add up to {total} min, more than the {attended} min attended."
        )


def program_service_rows(
    session: Session, services: Sequence[Mapping[str, Any]], errors: FieldErrors
) -> list[ProgramDayService]:
    """Unsaved rows for `services` of `session`; problems land on `errors` under "services"."""
    if services and session.kind != ServiceKind.PROGRAM_DAY:
        errors.add(FIELD, "Only a program day has services inside it.")
        return []
    rows = []
    for n, row in enumerate(services, start=1):
        if not isinstance(row, Mapping):
            errors.add(FIELD, f"Service {n}: must be an object with kind and minutes.")
            continue
        for message in _row_errors(row):
            errors.add(FIELD, f"Service {n}: {message}")
        rows.append(row)
    if not errors.errors.get(FIELD):
        _check_fits(session, rows, errors)
    return [
        ProgramDayService(
            kind=row["kind"],
            minutes=row["minutes"],
            rendering_provider=row.get("rendering_provider"),
            position=n,
        )
        for n, row in enumerate(rows)
    ]


def program_services_save(session: Session, rows: Sequence[ProgramDayService]) -> None:
    for row in rows:
        row.session = session
    ProgramDayService.objects.bulk_create(rows)
