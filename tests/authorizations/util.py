"""Helpers for the authorization tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from authorizations.rules import BilledLine
from authorizations.services import units_consume_for_session
from tests import factories

TODAY = factories.TODAY


def program_day(ns: SimpleNamespace, day: dt.date = TODAY, **fields: Any) -> Any:
    """A completed IOP program day for the fixture's patient."""
    return factories.session(
        patient_obj=ns.patient,
        provider_obj=ns.provider,
        episode=ns.episode,
        kind="program_day",
        service_date=day,
        **fields,
    )


def consume(session: Any, code: str, units: int = 1, **line: Any) -> list[Any]:
    """Consume for one billed line (`line`: modifiers, revenue_code, provider_id)."""
    return units_consume_for_session(session=session, lines=[BilledLine(code, int(units), **line)])


def one(entries: list[Any]) -> Any:
    """The single debit of a consumption."""
    assert len(entries) == 1, entries
    return entries[0]


def use_days(ns: SimpleNamespace, count: int) -> list[Any]:
    """Debit `count` days of the fixture's days authorization: one program day on each of the
    `count` days up to TODAY (a days authorization is debited once per day, REFERENCE.md §14)."""
    return [
        one(consume(program_day(ns, TODAY - dt.timedelta(days=back)), "H0015"))
        for back in range(count)
    ]
