"""Institutional (837I / UB-04) claim facts built at claim time (pure Python, no Django).

Type of bill (FL4, CLM05-1 + CLM05-3) = facility type + bill classification (payer data per
level, e.g. "13" hospital outpatient, "76" CMHC, "86" residential facility, "89" other special
facility) + the frequency digit of this claim (REFERENCE.md §2 "Type of bill [V]": 1 admit
through discharge, 2/3/4 interim first/continuing/last, 7 replacement, 8 void).
"""

from __future__ import annotations

import datetime
import re
from enum import StrEnum

FACILITY_CLASS_RE = re.compile(r"^[1-9][0-9]$")


class Frequency(StrEnum):
    ADMIT_THROUGH_DISCHARGE = "1"
    INTERIM_FIRST = "2"
    INTERIM_CONTINUING = "3"
    INTERIM_LAST = "4"
    REPLACEMENT = "7"
    VOID = "8"


def frequency_for(
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    admitted: datetime.date,
    discharged: datetime.date | None,
    replacing: bool = False,
    voiding: bool = False,
) -> Frequency:
    """The frequency digit of a claim whose statement period is [period_start, period_end]
    in a stay from `admitted` to `discharged` (None: still in treatment)."""
    if period_end < period_start:
        raise ValueError(f"statement period ends {period_end} before it starts {period_start}")
    if voiding:
        return Frequency.VOID
    if replacing:
        return Frequency.REPLACEMENT
    first = period_start <= admitted
    last = discharged is not None and period_end >= discharged
    if first and last:
        return Frequency.ADMIT_THROUGH_DISCHARGE
    if first:
        return Frequency.INTERIM_FIRST
    if last:
        return Frequency.INTERIM_LAST
    return Frequency.INTERIM_CONTINUING


def type_of_bill(facility_class: str, frequency: Frequency | str) -> str:
    """The 3-digit type of bill, e.g. ("13", INTERIM_FIRST) -> "132" (FL4 prints it "0132")."""
    if not FACILITY_CLASS_RE.match(facility_class or ""):
        raise ValueError(
            f"facility type and classification {facility_class!r} must be 2 digits (e.g. 13)"
        )
    return f"{facility_class}{Frequency(frequency).value}"


def facility_class(site: str | None, payer_level: str | None) -> str:
    """Which facility type + classification a claim carries: the site's own (a CMHC bills 76X,
    a freestanding clinic 89X) over the payer's level data; refused when neither says."""
    chosen = site or payer_level
    if not chosen:
        raise ValueError("no facility type: set it on the facility or in the payer's level data")
    return chosen
