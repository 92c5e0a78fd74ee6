"""Writes to the chargemaster: add, edit and end-date entries, and import a whole chargemaster
from CSV (claims.chargemaster.csv_import). Every path checks the same rules and refuses an
entry whose active span overlaps another of the same code, revenue code and modifiers (the
database refuses it too); `supersede` ends an earlier open-ended one the day before instead."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from claims.chargemaster.selectors import modifier_key
from claims.models import ChargemasterEntry
from claims.models.chargemaster import MAX_MODIFIERS
from payers.services.codes import CODE_RE, FORMAT_HINTS, MODIFIER_RE, REVENUE_CODE_RE
from rcm.fielderrors import FieldErrors, clean_text, reject_unknown, save_guarded

ENTRY_FIELDS = (
    "code",
    "revenue_code",
    "modifiers",
    "description",
    "amount",
    "effective_from",
    "effective_to",
    "is_active",
)
MAX_AMOUNT = Decimal("99999999.99")  # Decimal(10, 2)
OVERLAP_HINT = "end it first, or tick \u201csupersede\u201d to end it the day before"


# --- Cleaning ---------------------------------------------------------------------------------


def _clean_code(value: Any, errors: FieldErrors) -> str:
    code = clean_text(value).upper()
    if code and not CODE_RE.match(code):
        errors.add("code", f"{code!r} must be {FORMAT_HINTS['code']}.")
    return code


def _clean_revenue_code(value: Any, errors: FieldErrors) -> str:
    """4 digits; a 3-digit code is taken as having lost its leading zero (spreadsheets drop
    it: 906 is 0906)."""
    revenue = clean_text(value)
    if re.fullmatch(r"\d{3}", revenue):
        revenue = "0" + revenue
    if revenue and not REVENUE_CODE_RE.match(revenue):
        errors.add("revenue_code", f"{revenue!r} must be {FORMAT_HINTS['revenue_code']}.")
    return revenue


def _clean_modifiers(value: Any, errors: FieldErrors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,:;]+", value.strip())
    if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
        errors.add("modifiers", 'A list of modifiers, e.g. ["HQ", "95"].')
        return []
    mods = list(modifier_key(value))
    bad = [m for m in mods if not MODIFIER_RE.match(m)]
    for m in bad:
        errors.add("modifiers", f"Modifier {m!r} must be {FORMAT_HINTS['modifier']}.")
    if len(mods) > MAX_MODIFIERS:
        errors.add("modifiers", f"At most {MAX_MODIFIERS} modifiers (one claim line).")
    if len(set(mods)) != len(mods):
        errors.add("modifiers", "A modifier is listed twice.")
    return mods


def _clean_amount(value: Any, errors: FieldErrors) -> Decimal | None:
    text = clean_text(value).replace("$", "").replace(",", "") if isinstance(value, str) else value
    try:
        amount = text if isinstance(text, Decimal) else Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        errors.add("amount", f"{value!r} is not an amount; enter dollars and cents, e.g. 180.00.")
        return None
    if not amount.is_finite() or amount < 0:
        errors.add("amount", "A charge cannot be negative.")
    elif amount.as_tuple().exponent < -2 or amount > MAX_AMOUNT:
        errors.add("amount", "A charge has at most 2 decimal places and 8 digits before the point.")
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _clean_date(value: Any, field: str, errors: FieldErrors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, "Enter a date as YYYY-MM-DD.")
        return None


def clean_entry(data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The entry's columns from `data` (forms, API, CSV rows), cleaned; problems on `errors`."""
    values = {
        "code": _clean_code(data.get("code"), errors),
        "revenue_code": _clean_revenue_code(data.get("revenue_code"), errors),
        "modifiers": _clean_modifiers(data.get("modifiers"), errors),
        "description": clean_text(data.get("description")),
        "amount": _clean_amount(data.get("amount"), errors),
        "effective_from": _clean_date(data.get("effective_from"), "effective_from", errors),
        "effective_to": _clean_date(data.get("effective_to"), "effective_to", errors),
        "is_active": data.get("is_active", True) is not False,
    }
    _check_entry(values, errors)
    return values


def _check_entry(values: Mapping[str, Any], errors: FieldErrors) -> None:
    if not values["code"] and not values["revenue_code"] and "code" not in errors.errors:
        errors.add("code", "Enter a HCPCS/CPT code, a revenue code, or both.")
    if values["modifiers"] and not values["code"] and "code" not in errors.errors:
        errors.add("modifiers", "Modifiers go with a HCPCS/CPT code.")
    if len(values["description"]) > 120:
        errors.add("description", "At most 120 characters.")
    if values["amount"] is None and "amount" not in errors.errors:
        errors.add("amount", "Enter the charge, e.g. 180.00.")
    start, end = values["effective_from"], values["effective_to"]
    if start is None and "effective_from" not in errors.errors:
        errors.add("effective_from", "Enter the first day this charge applies.")
    if start and end and end < start:
        errors.add("effective_to", "The charge cannot end before it starts.")


# --- Overlaps ----------------------------------------------------------------------------------


def entry_label(entry: Any) -> str:
    what = entry.code or f"revenue code {entry.revenue_code}"
    if entry.code and entry.revenue_code:
        what += f" (revenue code {entry.revenue_code})"
    mods = f" with {'+'.join(entry.modifiers)}" if entry.modifiers else ""
    return f"{what}{mods}"


def _span(entry: Any) -> str:
    return f"{entry.effective_from} to {entry.effective_to or 'open-ended'}"


def spans_overlap(a: Any, b: Any) -> bool:
    a_end, b_end = a.effective_to or datetime.date.max, b.effective_to or datetime.date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _same_key(entry: ChargemasterEntry) -> Any:
    return ChargemasterEntry.objects.filter(
        code=entry.code,
        revenue_code=entry.revenue_code,
        modifiers=list(entry.modifiers),
        is_active=True,
    ).exclude(pk=entry.pk)


def settle_overlaps(
    entry: Any, others: Iterable[ChargemasterEntry], errors: FieldErrors, *, supersede: bool
) -> list[ChargemasterEntry]:
    """Saved entries of `entry`'s key that overlap it: with `supersede`, an earlier open-ended
    one is ended the day before `entry` starts (returned, not yet saved); any other overlap is
    an error naming it."""
    ended = []
    for other in others:
        if not spans_overlap(entry, other):
            continue
        if supersede and other.effective_to is None and other.effective_from < entry.effective_from:
            other.effective_to = entry.effective_from - datetime.timedelta(days=1)
            ended.append(other)
            continue
        errors.add(
            "effective_from",
            f"Overlaps the {entry_label(other)} charge of {other.amount} effective "
            f"{_span(other)}; {OVERLAP_HINT}.",
        )
    return ended


# --- Services ----------------------------------------------------------------------------------


def _save(entry: ChargemasterEntry, errors: FieldErrors, *, supersede: bool) -> ChargemasterEntry:
    errors.raise_if_any()
    ended = []
    if entry.is_active:
        ended = settle_overlaps(entry, _same_key(entry), errors, supersede=supersede)
    errors.raise_if_any()

    def write() -> ChargemasterEntry:
        for other in ended:
            other.save(update_fields=["effective_to"])
        entry.save()
        return entry

    return save_guarded(
        write,
        field="effective_from",
        message=f"Overlaps another {entry_label(entry)} charge; {OVERLAP_HINT}.",
    )


@transaction.atomic
def chargemaster_entry_create(
    *, actor: Any = None, supersede: bool = False, **fields: Any
) -> ChargemasterEntry:
    """Add a charge. With `supersede`, an earlier open-ended charge of the same code, revenue
    code and modifiers ends the day before this one starts; any other overlap is refused."""
    reject_unknown(fields, ENTRY_FIELDS, "chargemaster_entry_create")
    errors = FieldErrors()
    entry = ChargemasterEntry(**clean_entry(fields, errors))
    entry.assign_active_org()
    return _save(entry, errors, supersede=supersede)


@transaction.atomic
def chargemaster_entry_update(
    *, entry: ChargemasterEntry, actor: Any = None, **changes: Any
) -> ChargemasterEntry:
    reject_unknown(changes, ENTRY_FIELDS, "chargemaster_entry_update")
    errors = FieldErrors()
    current = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values = clean_entry({**current, **changes}, errors)
    for name in ENTRY_FIELDS:
        setattr(entry, name, values[name])
    return _save(entry, errors, supersede=False)


@transaction.atomic
def chargemaster_entry_end(
    *, entry: ChargemasterEntry, effective_to: Any, actor: Any = None
) -> ChargemasterEntry:
    """End-date a charge: the last day it applies (kept for claims already priced with it)."""
    errors = FieldErrors()
    day = _clean_date(effective_to, "effective_to", errors)
    if day is None and "effective_to" not in errors.errors:
        errors.add("effective_to", "Enter the last day this charge applies.")
    if day is not None and day < entry.effective_from:
        errors.add(
            "effective_to",
            f"The charge cannot end before it starts ({entry.effective_from}).",
        )
    errors.raise_if_any()
    entry.effective_to = day
    return _save(entry, errors, supersede=False)
