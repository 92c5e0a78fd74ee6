"""A claim line's charge from the chargemaster, resolved in memory.

Which entry prices a line, most specific first (an entry counts when it is active and its
effective span holds the date of service; modifier order does not matter):

1. the line's code with its revenue code and exactly its modifiers
2. the line's code with its revenue code and no modifiers
3. the line's code with no revenue code and exactly its modifiers
4. the line's code with no revenue code and no modifiers
5. the line's revenue code alone (837I lines without HCPCS, e.g. 1002 residential per diem,
   or a revenue-code price list)

A line without a revenue code (837P) stops at 4; a line without a code starts at 5.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from claims.models import ChargemasterEntry
from rcm.tenancy import require_org

Key = tuple[str, str, tuple[str, ...]]


def modifier_key(modifiers: Iterable[str] | None) -> tuple[str, ...]:
    """Modifiers as the chargemaster keys them: upper-case, sorted (order does not price)."""
    return tuple(sorted(m.strip().upper() for m in modifiers or () if m and m.strip()))


@dataclass(frozen=True)
class ChargeRow:
    public_id: Any
    code: str
    revenue_code: str
    modifiers: tuple[str, ...]
    amount: Decimal
    effective_from: datetime.date
    effective_to: datetime.date | None

    def covers(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def lookup_order(code: str | None, modifiers: Sequence[str], revenue_code: str | None) -> list[Key]:
    code, revenue = (code or "").strip().upper(), (revenue_code or "").strip()
    mods = modifier_key(modifiers)
    keys: list[Key] = []
    if code:
        for rev in [revenue, ""] if revenue else [""]:
            keys += [(code, rev, mods), (code, rev, ())]
    if revenue:
        keys.append(("", revenue, ()))
    return list(dict.fromkeys(keys))  # without repeats, in order


class ChargeLookup:
    """Every active chargemaster entry of the org, in memory."""

    def __init__(self, rows: Iterable[ChargeRow]):
        self._rows: dict[Key, list[ChargeRow]] = defaultdict(list)
        for row in rows:
            self._rows[(row.code, row.revenue_code, row.modifiers)].append(row)

    def entry(
        self,
        code: str | None,
        modifiers: Sequence[str] = (),
        revenue_code: str | None = None,
        on_date: datetime.date | None = None,
    ) -> ChargeRow | None:
        """The entry that prices the line (see the module docstring), or None."""
        if on_date is None:
            raise ValueError("charge lookup needs the date of service")
        for key in lookup_order(code, modifiers, revenue_code):
            for row in self._rows.get(key, ()):
                if row.covers(on_date):
                    return row
        return None

    def charge(
        self,
        code: str | None,
        modifiers: Sequence[str] = (),
        revenue_code: str | None = None,
        on_date: datetime.date | None = None,
    ) -> Decimal | None:
        """The line's charge on `on_date`, or None when the chargemaster has none."""
        row = self.entry(code, modifiers, revenue_code, on_date)
        return None if row is None else row.amount


def charge_rows(queryset: Any) -> list[ChargeRow]:
    fields = (
        "public_id",
        "code",
        "revenue_code",
        "modifiers",
        "amount",
        "effective_from",
        "effective_to",
    )
    return [
        ChargeRow(pid, code, rev, modifier_key(mods), amount, start, end)
        for pid, code, rev, mods, amount, start, end in queryset.values_list(*fields)
    ]


def charge_lookup(*, org: Any) -> ChargeLookup:
    """The org's chargemaster in memory (one query), for pricing any number of claim lines."""
    active = require_org()
    if org is not None and getattr(org, "pk", org) != active.pk:
        raise ValueError("charge_lookup: org is not the active organization.")
    return ChargeLookup(charge_rows(ChargemasterEntry.objects.filter(is_active=True)))
