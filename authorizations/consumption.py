"""Recorded sessions and program days consume authorized units (listens to patients'
`sessions_recorded`, `session_status_changed` and `session_corrected`). What a service bills
comes from the coding engine, every line of it, so the ledger counts what will be billed: each
line debits the authorization that lists it, on the coverage billed that day (REFERENCE.md §14).
A correction that changes what is billed releases the old debit and consumes anew.

A days authorization is debited once per day: when the session holding a day's debit is
cancelled or corrected away, another completed session of that patient on that date (if any)
takes the day over, so the day stays debited until its last service goes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from authorizations.facts import billed_lines, session_minutes
from authorizations.models import PriorAuthorization, UnitLedgerEntry
from authorizations.services import units_consume_for_session, units_release_for_session
from patients.coding_bridge import level_for, preview_for
from patients.models import Session

log = logging.getLogger(__name__)


def lines_of(session: Any) -> tuple[Any, ...]:
    """Every line the session bills (none when it is not billable)."""
    return billed_lines(session, preview_for(session_like=session))


def consume_for_session(
    session: Any, lines: tuple[Any, ...] | None = None
) -> list[UnitLedgerEntry]:
    """Consume units for one completed session; [] when nothing applies or it can't. `lines`:
    what it bills, when the caller coded it already (`lines_of`)."""
    if session.status != session.Status.COMPLETED:
        return []
    lines = lines_of(session) if lines is None else lines
    if not lines:
        return []
    try:
        with transaction.atomic():  # a refusal must not abort the recording transaction
            return units_consume_for_session(session=session, lines=lines)
    except ValidationError as exc:
        # The session stands; the scrubber will hold its claim. Ids and field names only: the
        # messages carry service dates, authorized spans and auth numbers (PHI).
        fields = sorted(exc.message_dict) if hasattr(exc, "error_dict") else ["__all__"]
        log.info("session %s consumed no units (refused on %s)", session.public_id, fields)
        return []


def _days_given_back(released: Iterable[UnitLedgerEntry]) -> set[dt.date]:
    pairs = {(entry.authorization_id, entry.service_date) for entry in released}
    days = set(
        PriorAuthorization.objects.filter(
            pk__in={auth for auth, _ in pairs}, unit_type=PriorAuthorization.UnitType.DAYS
        ).values_list("pk", flat=True)
    )
    return {day for auth, day in pairs if auth in days}


def release_for_session(session: Any) -> set[dt.date]:
    """Give back what the session debits; the dates of the days debits it gave back."""
    return _days_given_back(units_release_for_session(session=session))


def pass_on_days(session: Any, days: set[dt.date]) -> None:
    """The day a released session debited stays debited while another completed session of
    the patient bills it: the first such session (in the day's order) takes the debit over."""
    if not days:
        return
    others = Session.objects.filter(
        patient_id=session.patient_id, service_date__in=days, status=Session.Status.COMPLETED
    ).exclude(pk=session.pk)
    for other in others.order_by("service_date", "starts_at", "pk"):
        consume_for_session(other)


def on_sessions_recorded(sender: Any, sessions: list[Any], **kwargs: Any) -> None:
    for session in sessions:
        consume_for_session(session)


def on_session_status_changed(sender: Any, session: Any, previous: str, **kwargs: Any) -> None:
    if session.status == session.Status.COMPLETED:
        consume_for_session(session)
    elif previous == session.Status.COMPLETED:
        pass_on_days(session, release_for_session(session))  # a cancelled service gives back


def billed(session: Any) -> tuple[Any, ...] | None:
    """What a session's debits depend on (None: it debits nothing). Two states with the same
    answer debit the same units of the same authorizations."""
    if session.status != session.Status.COMPLETED:
        return None
    lines = lines_of(session)
    if not lines:
        return None
    return (
        session.service_date,
        session.episode_id,
        level_for(session),
        lines,
        session_minutes(session),
    )


def on_session_corrected(sender: Any, session: Any, previous: Any, **kwargs: Any) -> None:
    """A correction that changes what is billed (minutes, kind, date, level, provider...) gives
    the old debits back and consumes for the corrected session; other corrections leave the
    ledger. A day the session no longer bills passes to another session of that day."""
    if billed(previous) == billed(session):
        return
    days = release_for_session(session)
    consume_for_session(session)
    pass_on_days(session, days)


def on_program_day_services_changed(sender: Any, session: Any, **kwargs: Any) -> None:
    """New services inside a program day change what a per-service payer bills: the old debit
    is given back and the day consumes for its lines now (a per-diem day bills the same)."""
    days = release_for_session(session)
    consume_for_session(session)
    pass_on_days(session, days)
