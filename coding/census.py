"""Census days of residential and withdrawal-management programs (pure Python, no Django).

Source: REFERENCE.md §14 "Residential and withdrawal management are billed per census day":
midnight census; the admission day counts, the discharge day normally does not (a stay that
starts and ends on one day counts once); leave-of-absence and bed-hold days follow the payer's
contract (billed, or reported as non-covered with occurrence span 74).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from .types import CensusDay


def census_day(
    day: datetime.date,
    admitted: datetime.date,
    discharged: datetime.date | None,
    leave_days: Collection[datetime.date] = (),
) -> CensusDay:
    """Whether `day` is a census day of a stay from `admitted` to `discharged`."""
    if day < admitted:
        return CensusDay(False, f"{day} is before the admission on {admitted}")
    if discharged is not None and day > discharged:
        return CensusDay(False, f"{day} is after the discharge on {discharged}")
    if discharged == day and admitted != day:
        return CensusDay(False, f"{day} is the discharge day: not a census day (midnight census)")
    if day in leave_days:
        return CensusDay(True, f"{day} is a leave-of-absence / bed-hold day", leave=True)
    if day == admitted:
        return CensusDay(True, f"{day} is the admission day: a census day")
    return CensusDay(True, f"{day}: in census at midnight")


def census_days(
    start: datetime.date,
    end: datetime.date,
    admitted: datetime.date,
    discharged: datetime.date | None,
    leave_days: Collection[datetime.date] = (),
) -> list[tuple[datetime.date, CensusDay]]:
    """Every day of [start, end] with its census answer (a statement period on a claim)."""
    days = (end - start).days + 1
    return [
        (day, census_day(day, admitted, discharged, leave_days))
        for day in (start + datetime.timedelta(days=n) for n in range(max(days, 0)))
    ]
