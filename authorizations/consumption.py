"""Recorded sessions and program days consume authorized units (listens to patients'
`sessions_recorded`, `session_status_changed` and `session_corrected`). What a service is worth
comes from the coding engine, so the ledger counts what will be billed: visits or days count one
per service, 15-minute units come from the payer's rounding rule, hours from attended minutes.
A correction that changes what is billed releases the old debit and consumes anew."""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.models import PriorAuthorization
from authorizations.selectors import authorization_for_service
from authorizations.services import units_consume_for_session
from patients.coding_bridge import level_for, preview_for

log = logging.getLogger(__name__)


def units_for(auth: PriorAuthorization, line_units: int, minutes: int | None) -> Decimal:
    kind = PriorAuthorization.UnitType
    if auth.unit_type == kind.UNITS_15:
        return Decimal(line_units)
    if auth.unit_type == kind.HOURS:
        hours = Decimal(minutes or 0) / Decimal(60)
        return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal(1)  # visits and days: one per service


def _minutes(session: Any) -> int | None:
    return session.attended_minutes if session.attended_minutes is not None else session.minutes


def consume_for_session(session: Any) -> Any:
    """Consume units for one completed session; None when nothing applies or it can't."""
    if session.status != session.Status.COMPLETED:
        return None
    result = preview_for(session_like=session)
    line = result.lines[0] if result.billable and result.lines else None  # one patient a row
    level = level_for(session)
    if line is None or level is None:
        return None
    auth = authorization_for_service(
        patient=session.patient, level=level, code=line.code, on_date=session.service_date
    )
    if auth is None:
        return None
    units = units_for(auth, line.units, _minutes(session))
    if units <= 0:
        return None
    try:
        with transaction.atomic():  # a refusal must not abort the recording transaction
            return units_consume_for_session(session=session, code=line.code, units=units)
    except ValidationError as exc:
        # The session stands; the scrubber will hold its claim. Ids and field names only: the
        # messages carry service dates, authorized spans and auth numbers (PHI).
        fields = sorted(exc.message_dict) if hasattr(exc, "error_dict") else ["__all__"]
        log.info("session %s consumed no units (refused on %s)", session.public_id, fields)
        return None


def on_sessions_recorded(sender: Any, sessions: list[Any], **kwargs: Any) -> None:
    for session in sessions:
        consume_for_session(session)


def on_session_status_changed(sender: Any, session: Any, previous: str, **kwargs: Any) -> None:
    from authorizations.services import units_release_for_session

    if session.status == session.Status.COMPLETED:
        consume_for_session(session)
    elif previous == session.Status.COMPLETED:
        units_release_for_session(session=session)  # a cancelled service gives its units back


def billed(session: Any) -> tuple[Any, ...] | None:
    """What a session's debit depends on (None: it debits nothing). Two states with the same
    answer debit the same units of the same authorization."""
    if session.status != session.Status.COMPLETED:
        return None
    result = preview_for(session_like=session)
    if not (result.billable and result.lines):
        return None
    line = result.lines[0]
    return (
        session.service_date,
        session.episode_id,
        level_for(session),
        line.code,
        line.units,
        _minutes(session),
    )


def on_session_corrected(sender: Any, session: Any, previous: Any, **kwargs: Any) -> None:
    """A correction that changes what is billed (minutes, kind, date, level...) gives the old
    debit back and consumes for the corrected session; other corrections leave the ledger."""
    from authorizations.services import units_release_for_session

    if billed(previous) == billed(session):
        return
    units_release_for_session(session=session)
    consume_for_session(session)
