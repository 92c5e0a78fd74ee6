"""Fee schedules: a payer's rate for a code (+ modifiers, licence) over a span of dates.

A new rate ends an earlier open-ended rate of the same code the day before it starts; any other
overlap is refused with a message naming the rate it overlaps.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from payers.models import FeeScheduleRate, Payer
from payers.services.codes import LICENSES, MAX_LINE_MODIFIERS, each_shaped, shape_error
from rcm.fielderrors import FieldErrors, reject_unknown, save_guarded


def _as_decimal(value: Any, errors: FieldErrors) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add("rate", f"{value!r} is not an amount; enter dollars and cents, e.g. 125.50.")
        return None
    if not amount.is_finite() or amount < 0:
        errors.add("rate", "A rate cannot be negative.")
        return None
    if amount.as_tuple().exponent < -2 or abs(amount) >= Decimal("1e8"):
        errors.add("rate", "A rate has at most 2 decimal places and 8 digits before the point.")
        return None
    return amount


def _as_date(value: Any, field: str, errors: FieldErrors) -> datetime.date | None:
    if value in (None, "") or isinstance(value, datetime.date):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, "Enter a date as YYYY-MM-DD.")
        return None


def _check_rate_fields(r: FeeScheduleRate, errors: FieldErrors) -> None:
    if message := shape_error("code", r.code, "code"):
        errors.add("code", message)
    mods = r.modifiers if isinstance(r.modifiers, list | tuple) else None
    if mods is None or len(mods) > MAX_LINE_MODIFIERS:
        errors.add("modifiers", f"Up to {MAX_LINE_MODIFIERS} modifiers.")
    else:
        each_shaped(errors, "modifiers", "modifier", mods, "modifier")
    if r.license_type and r.license_type not in LICENSES:
        errors.add("license_type", f"Unknown license type {r.license_type!r}.")
    if r.effective_from is None:
        errors.add("effective_from", "Enter the first day this rate applies.")
    elif r.effective_to and r.effective_to < r.effective_from:
        errors.add("effective_to", "The rate cannot end before it starts.")


def _overlapping(r: FeeScheduleRate) -> list[FeeScheduleRate]:
    rows = FeeScheduleRate.objects.filter(
        payer=r.payer, code=r.code, modifiers=r.modifiers, license_type=r.license_type
    ).exclude(pk=r.pk)
    if r.effective_to:
        rows = rows.filter(effective_from__lte=r.effective_to)
    return [x for x in rows if x.effective_to is None or x.effective_to >= r.effective_from]


def _settle_overlaps(r: FeeScheduleRate, errors: FieldErrors, *, supersede: bool) -> None:
    """A new rate ends an earlier open-ended rate the day before; any other overlap is refused."""
    for other in _overlapping(r):
        if supersede and other.effective_to is None and other.effective_from < r.effective_from:
            other.effective_to = r.effective_from - datetime.timedelta(days=1)
            other.save(update_fields=["effective_to"])
            continue
        until = other.effective_to or "open-ended"
        errors.add(
            "effective_from",
            f"Overlaps the {r.code} rate of {other.rate} effective "
            f"{other.effective_from} to {until}.",
        )


def _save_rate(r: FeeScheduleRate, errors: FieldErrors, *, supersede: bool) -> FeeScheduleRate:
    errors.raise_if_any()
    _settle_overlaps(r, errors, supersede=supersede)
    errors.raise_if_any()
    return save_guarded(
        lambda: r.save() or r,
        field="effective_from",
        message="This payer already has this rate from that date.",
    )


def _rate_values(fields: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    values = dict(fields)
    if "rate" in values:
        values["rate"] = _as_decimal(values["rate"], errors)
    for name in ("effective_from", "effective_to"):
        if name in values:
            values[name] = _as_date(values[name], name, errors)
    if "code" in values:
        values["code"] = str(values["code"] or "").strip().upper()
    if "license_type" in values:
        values["license_type"] = values["license_type"] or ""
    mods = values.get("modifiers")
    if isinstance(mods, list | tuple) and all(isinstance(m, str) for m in mods):
        values["modifiers"] = sorted(mods)  # modifier order does not change the price
    return values


def _apply_rate_values(r: FeeScheduleRate, fields: Mapping[str, Any], errors: FieldErrors) -> None:
    """Set the cleaned-up `fields` on the rate, then check the resulting columns."""
    for name, value in _rate_values(fields, errors).items():
        setattr(r, name, value)
    _check_rate_fields(r, errors)


def _same_start(r: FeeScheduleRate) -> FeeScheduleRate | None:
    return FeeScheduleRate.objects.filter(
        payer=r.payer,
        code=r.code,
        modifiers=r.modifiers,
        license_type=r.license_type,
        effective_from=r.effective_from,
    ).first()


@transaction.atomic
def fee_rate_set(
    *,
    payer: Payer,
    code: str,
    rate: Any,
    effective_from: Any,
    modifiers: Iterable[str] = (),
    license_type: str = "",
    effective_to: Any = None,
    actor: Any = None,
) -> FeeScheduleRate:
    """Set the rate of `code` (+ modifiers, licence) from a date; the same start date updates."""
    errors = FieldErrors()
    r = FeeScheduleRate(payer=payer)
    given = {
        "code": code,
        "rate": rate,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "license_type": license_type,
        "modifiers": list(modifiers) if isinstance(modifiers, list | tuple) else modifiers,
    }
    _apply_rate_values(r, given, errors)
    same = None if errors else _same_start(r)
    if same is not None:
        same.rate, same.effective_to = r.rate, r.effective_to
        r = same
    return _save_rate(r, errors, supersede=True)


RATE_FIELDS = (
    "payer",
    "code",
    "modifiers",
    "license_type",
    "rate",
    "effective_from",
    "effective_to",
)


@transaction.atomic
def fee_rate_update(
    *, rate_obj: FeeScheduleRate, actor: Any = None, **changes: Any
) -> FeeScheduleRate:
    reject_unknown(changes, RATE_FIELDS, "fee_rate_update")
    errors = FieldErrors()
    _apply_rate_values(rate_obj, changes, errors)
    return _save_rate(rate_obj, errors, supersede=False)
