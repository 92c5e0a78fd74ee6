"""Two workers consuming the last unit at once: the row lock makes the second wait for the first
to commit, then see the units gone, instead of both overdrawing the authorization."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from authorizations.models import UnitLedgerEntry
from authorizations.rules import BilledLine
from authorizations.services import units_consume_for_session
from rcm.tenancy import org_context
from tests import factories

ONE = Decimal("1")


def _rows(org: Any) -> tuple[Any, Any]:
    with org_context(org):
        pat = factories.patient()
        ep = factories.episode(patient_obj=pat, level="iop", admit_date=dt.date(2026, 10, 1))
        factories.authorization(
            coverage_obj=factories.coverage(patient_obj=pat),
            level_of_care="iop",
            codes=["H0015"],
            units_authorized=ONE,
        )
        prov = factories.provider()
        return tuple(
            factories.session(patient_obj=pat, provider_obj=prov, episode=ep, kind="program_day")
            for _ in range(2)
        )


def _in_thread(
    org: Any, session: Any, result: dict[str, Any], hold: threading.Event | None = None
) -> None:
    try:
        with org_context(org):
            result["entries"] = units_consume_for_session(
                session=session, lines=[BilledLine("H0015", 1)]
            )
            result["consumed"] = True
            if hold is not None:
                hold.wait(10)  # keep the transaction (and its row lock) open
    except ValidationError as exc:
        result["error"] = exc
    finally:
        connection.close()


def test_a_second_consumer_waits_for_the_lock_and_then_finds_the_units_gone(committed_db):
    org = factories.organization(slug="lock-a")
    first, second = _rows(org)
    hold, tick = threading.Event(), threading.Event()
    a_result: dict[str, Any] = {}
    b_result: dict[str, Any] = {}
    a = threading.Thread(target=_in_thread, args=(org, first, a_result), kwargs={"hold": hold})
    a.start()
    for _ in range(200):  # until A has consumed (and still holds its transaction open)
        if a_result.get("consumed") or not a.is_alive():
            break
        tick.wait(0.05)
    b = threading.Thread(target=_in_thread, args=(org, second, b_result))
    b.start()
    b.join(0.7)
    blocked = b.is_alive()
    hold.set()
    a.join(10)
    b.join(10)
    assert a_result.get("consumed") and blocked
    assert "units" in b_result["error"].message_dict
    with org_context(org):
        assert UnitLedgerEntry.objects.filter(kind="consume").count() == 1


def _same_day_rows(org: Any) -> tuple[Any, Any]:
    """Two program days of one patient on one date, under a 10-day authorization."""
    with org_context(org):
        pat = factories.patient()
        ep = factories.episode(patient_obj=pat, level="iop", admit_date=dt.date(2026, 10, 1))
        factories.authorization(
            coverage_obj=factories.coverage(patient_obj=pat),
            level_of_care="iop",
            codes=["H0015"],
            unit_type="days",
            units_authorized=Decimal("10"),
        )
        prov = factories.provider()
        return tuple(
            factories.session(patient_obj=pat, provider_obj=prov, episode=ep, kind="program_day")
            for _ in range(2)
        )


def test_two_sessions_of_one_day_consuming_at_once_debit_the_day_once(committed_db):
    """REFERENCE.md §14: a days authorization is consumed once per day. The second consumer
    waits for the first's lock, then finds the day debited and debits nothing."""
    org = factories.organization(slug="lock-day")
    first, second = _same_day_rows(org)
    hold, tick = threading.Event(), threading.Event()
    a_result: dict[str, Any] = {}
    b_result: dict[str, Any] = {}
    a = threading.Thread(target=_in_thread, args=(org, first, a_result), kwargs={"hold": hold})
    a.start()
    for _ in range(200):
        if a_result.get("consumed") or not a.is_alive():
            break
        tick.wait(0.05)
    b = threading.Thread(target=_in_thread, args=(org, second, b_result))
    b.start()
    b.join(0.7)
    blocked = b.is_alive()
    hold.set()
    a.join(10)
    b.join(10)
    assert a_result.get("consumed") and blocked
    assert len(a_result["entries"]) == 1 and b_result["entries"] == []
    with org_context(org):
        assert UnitLedgerEntry.objects.filter(kind="consume").count() == 1
