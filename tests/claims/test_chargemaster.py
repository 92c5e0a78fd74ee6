"""The chargemaster: entries checked field by field, no overlapping spans for one code,
revenue code and modifiers (the database refuses them too), end-dating, supersede, and the
in-memory lookup (exact modifiers, then none; revenue code; effective dates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.chargemaster import ChargeLookup, charge_lookup
from claims.chargemaster.selectors import ChargeRow, lookup_order
from claims.chargemaster.services import (
    chargemaster_entry_create,
    chargemaster_entry_end,
    chargemaster_entry_update,
)
from claims.models import ChargemasterEntry
from rcm.tenancy import org_context
from tests import factories

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def _errors(run: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        run()
    return caught.value.message_dict


def _add(**fields: Any) -> ChargemasterEntry:
    fields.setdefault("code", "90837")
    fields.setdefault("amount", "180.00")
    fields.setdefault("effective_from", JAN)
    return chargemaster_entry_create(**fields)


def test_an_entry_is_saved_cleaned_up(in_org_a):
    entry = _add(code=" h0015 ", modifiers=["hq", "GT"], revenue_code="906", amount="$1,250.5")
    entry.refresh_from_db()
    assert (entry.code, entry.revenue_code, entry.modifiers) == ("H0015", "0906", ["GT", "HQ"])
    assert entry.amount == Decimal("1250.50")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"code": "9083"}, "code", "CPT or HCPCS"),
        ({"code": "", "revenue_code": ""}, "code", "code, a revenue code, or both"),
        ({"revenue_code": "90A6"}, "revenue_code", "4 digits"),
        ({"modifiers": ["HQ", "GT", "95", "TF", "U1"]}, "modifiers", "at most 4"),
        ({"modifiers": ["H"]}, "modifiers", "2 capital letters"),
        ({"modifiers": ["HQ", "hq"]}, "modifiers", "twice"),
        ({"code": "", "revenue_code": "1002", "modifiers": ["HQ"]}, "modifiers", "go with"),
        ({"amount": "-1"}, "amount", "negative"),
        ({"amount": "12.345"}, "amount", "2 decimal"),
        ({"amount": "abc"}, "amount", "not an amount"),
        ({"amount": "100000000"}, "amount", "8 digits"),
        ({"effective_from": None}, "effective_from", "first day"),
        ({"effective_from": "01/01/2026"}, "effective_from", "YYYY-MM-DD"),
        ({"effective_to": dt.date(2025, 12, 31)}, "effective_to", "before it starts"),
        ({"description": "x" * 121}, "description", "120"),
    ],
)
def test_bad_entries_are_refused_with_a_field_error_and_nothing_saved(
    in_org_a, fields, field, words
):
    errors = _errors(lambda: _add(**fields))
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower(), errors[field]
    assert not ChargemasterEntry.objects.exists()


def test_overlapping_spans_of_one_code_are_refused_naming_the_other_charge(in_org_a):
    _add(effective_to=dt.date(2026, 6, 30))
    errors = _errors(lambda: _add(amount="190", effective_from=dt.date(2026, 6, 1)))
    assert (
        "Overlaps the 90837 charge of 180.00 effective 2026-01-01 to 2026-06-30"
        in (errors["effective_from"][0])
    )
    assert ChargemasterEntry.objects.count() == 1
    _add(amount="190", effective_from=dt.date(2026, 7, 1))  # the next day is fine
    _add(modifiers=["95"], amount="185")  # other modifiers: another price list row
    _add(revenue_code="0914", amount="170")  # with a revenue code: another row too
    assert ChargemasterEntry.objects.count() == 4


def test_modifier_order_does_not_make_another_row(in_org_a):
    _add(modifiers=["HQ", "GT"])
    assert "effective_from" in _errors(lambda: _add(modifiers=["GT", "HQ"]))


def test_the_database_refuses_an_overlap_the_service_did_not_see(in_org_a):
    _add(modifiers=["HQ", "GT"])
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.charge(modifiers=["GT", "HQ"], effective_from=dt.date(2026, 3, 1))
    factories.charge(modifiers=["GT", "HQ"], effective_from=dt.date(2026, 3, 1), is_active=False)


def test_supersede_ends_the_earlier_open_ended_charge_the_day_before(in_org_a):
    old = _add()
    new = _add(amount="195", effective_from=dt.date(2027, 1, 1), supersede=True)
    old.refresh_from_db()
    assert old.effective_to == dt.date(2026, 12, 31) and new.effective_to is None
    # never a later charge, never one that already ends
    assert "effective_from" in _errors(
        lambda: _add(amount="1", effective_from=dt.date(2026, 6, 1), supersede=True)
    )


def test_end_dating_a_charge(in_org_a):
    entry = _add()
    assert (
        "before it starts"
        in _errors(lambda: chargemaster_entry_end(entry=entry, effective_to=dt.date(2025, 1, 1)))[
            "effective_to"
        ][0]
    )
    chargemaster_entry_end(entry=entry, effective_to=dt.date(2026, 12, 31))
    assert ChargemasterEntry.objects.get(pk=entry.pk).effective_to == dt.date(2026, 12, 31)


def test_an_edit_that_would_overlap_saves_nothing(in_org_a):
    first = _add(effective_to=dt.date(2026, 6, 30))
    second = _add(amount="190", effective_from=dt.date(2026, 7, 1))
    errors = _errors(
        lambda: chargemaster_entry_update(entry=second, effective_from=dt.date(2026, 6, 1))
    )
    assert "effective_from" in errors
    assert ChargemasterEntry.objects.get(pk=second.pk).effective_from == dt.date(2026, 7, 1)
    chargemaster_entry_update(entry=first, is_active=False)
    chargemaster_entry_update(entry=second, effective_from=dt.date(2026, 6, 1))  # now free


# --- Lookup -------------------------------------------------------------------------------------


def _row(code: str, amount: str, mods: tuple[str, ...] = (), rev: str = "", **dates: Any) -> Any:
    start = dates.get("start", JAN)
    return ChargeRow(None, code, rev, tuple(sorted(mods)), Decimal(amount), start, dates.get("end"))


LOOKUP = ChargeLookup(
    [
        _row("90837", "180", end=dt.date(2026, 6, 30)),
        _row("90837", "190", start=dt.date(2026, 7, 1)),
        _row("90837", "185", ("95",)),
        _row("H0015", "300"),
        _row("H0015", "320", ("HQ",)),
        _row("H0015", "310", rev="0906"),
        _row("", "700", rev="1002"),
        _row("", "290", rev="0906"),
    ]
)


@pytest.mark.parametrize(
    ("code", "mods", "rev", "day", "expected"),
    [
        ("90837", (), None, dt.date(2026, 3, 1), "180"),
        ("90837", (), None, dt.date(2026, 7, 1), "190"),
        ("90837", ("95",), None, dt.date(2026, 3, 1), "185"),
        ("90837", ("GT",), None, dt.date(2026, 3, 1), "180"),  # no GT row: the plain one
        ("90837", ("95", "GT"), None, dt.date(2026, 3, 1), "180"),  # not an exact match
        ("90837", (), None, dt.date(2025, 12, 31), None),  # before any charge
        ("h0015", ("hq",), None, dt.date(2026, 3, 1), "320"),
        ("H0015", ("HQ",), "0906", dt.date(2026, 3, 1), "310"),  # revenue code row first
        ("H0015", (), "0905", dt.date(2026, 3, 1), "300"),  # no 0905 row: the code alone
        ("", (), "1002", dt.date(2026, 3, 1), "700"),  # revenue-code-only line
        (None, (), "1002", dt.date(2026, 3, 1), "700"),
        ("S9480", (), "0906", dt.date(2026, 3, 1), "290"),  # an unknown code: its revenue code
        ("S9480", (), None, dt.date(2026, 3, 1), None),
        ("", (), "0132", dt.date(2026, 3, 1), None),
    ],
)
def test_the_lookup_picks_the_most_specific_charge_in_effect(code, mods, rev, day, expected):
    got = LOOKUP.charge(code, mods, rev, day)
    assert got == (Decimal(expected) if expected else None)


def test_the_lookup_order_is_documented_and_has_no_repeats():
    assert lookup_order("H0015", ["HQ"], "0906") == [
        ("H0015", "0906", ("HQ",)),
        ("H0015", "0906", ()),
        ("H0015", "", ("HQ",)),
        ("H0015", "", ()),
        ("", "0906", ()),
    ]
    assert lookup_order("90837", [], None) == [("90837", "", ())]


def test_the_lookup_needs_a_date():
    with pytest.raises(ValueError):
        LOOKUP.charge("90837", (), None, None)


def test_charge_lookup_reads_the_orgs_active_entries_in_one_query(
    org_a, org_b, django_assert_num_queries
):
    with org_context(org_b):
        factories.charge(amount=Decimal("999"))
    with org_context(org_a):
        factories.charge()
        factories.charge(code="90834", amount=Decimal("150"), is_active=False)
        with django_assert_num_queries(1):
            lookup = charge_lookup(org=org_a)
        assert lookup.charge("90837", [], None, JAN) == Decimal("180.00")
        assert lookup.charge("90834", [], None, JAN) is None
        with pytest.raises(ValueError):
            charge_lookup(org=org_b)
