"""Minutes -> units for timed codes, under each payer's rounding rule."""

from __future__ import annotations

from collections.abc import Iterable

from .types import MinuteBand, RoundingKind, RoundingRule, check_minutes

# Source: REFERENCE.md §1, unit rounding table (CMS 8-minute rule, Pub 100-04 ch. 5 §20.2)
CMS_8_MINUTE_RULE = RoundingRule(RoundingKind.CMS_8_MINUTE, label="CMS 8-minute rule")
# Source: REFERENCE.md §1, unit rounding table (CPT midpoint: a unit counts past half its time)
CPT_MIDPOINT_RULE = RoundingRule(RoundingKind.CPT_MIDPOINT, label="CPT midpoint rule")
# Source: REFERENCE.md §1, unit rounding table (Michigan PIHP "per 15 min": 1-14 = 0, 15-29 = 1)
MICHIGAN_PER_15_MIN = RoundingRule(
    RoundingKind.STATE_TABLE, count_unit_at=15, label="Michigan PIHP 'per 15 minutes' table"
)
# Source: REFERENCE.md §1, unit rounding table (Michigan PIHP "up to 15 min": 1-15 = 1 unit)
MICHIGAN_UP_TO_15_MIN = RoundingRule(
    RoundingKind.STATE_TABLE, count_unit_at=1, label="Michigan PIHP 'up to 15 minutes' table"
)

CMS_REMAINDER_MINUTES = 8


def unit_threshold(rule: RoundingRule) -> int:
    """Minutes into a unit before that unit counts."""
    if rule.kind is RoundingKind.CMS_8_MINUTE:
        return CMS_REMAINDER_MINUTES
    if rule.kind is RoundingKind.CPT_MIDPOINT:
        return rule.unit_minutes // 2 + 1
    return rule.count_unit_at if rule.count_unit_at is not None else rule.unit_minutes


def count_units(minutes: int, rule: RoundingRule = CPT_MIDPOINT_RULE) -> int:
    """Units earned by `minutes` under `rule`, capped by `rule.max_units`."""
    check_minutes(minutes)
    units = _band_units(minutes, rule.bands) if rule.bands else _threshold_units(minutes, rule)
    return units if rule.max_units is None else min(units, rule.max_units)


def _threshold_units(minutes: int, rule: RoundingRule) -> int:
    whole, remainder = divmod(minutes, rule.unit_minutes)
    return whole + (1 if remainder >= unit_threshold(rule) else 0)


def _band_units(minutes: int, bands: tuple[MinuteBand, ...]) -> int:
    return max((band.units for band in bands if minutes >= band.from_minutes), default=0)


def bands_rule(
    bands: Iterable[tuple[int, int]], label: str, max_units: int | None = None
) -> RoundingRule:
    """A state table given as (from_minutes, units) rows, e.g. ((1, 1), (16, 2), (31, 3))."""
    rows = tuple(MinuteBand(start, units) for start, units in sorted(bands))
    return RoundingRule(RoundingKind.STATE_TABLE, bands=rows, max_units=max_units, label=label)


def describe_rule(rule: RoundingRule) -> str:
    name = rule.label or rule.kind.value
    if rule.bands:
        rows = ", ".join(f"{b.from_minutes}+ min = {b.units}" for b in rule.bands)
        detail = f"bands {rows}"
    else:
        detail = f"{rule.unit_minutes}-min units, a unit counts from {unit_threshold(rule)} min"
    cap = f", max {rule.max_units} units" if rule.max_units is not None else ""
    return f"{name} ({detail}{cap})"


def explain_units(minutes: int, rule: RoundingRule) -> tuple[int, str]:
    """Units plus a sentence saying how they were reached."""
    units = count_units(minutes, rule)
    return units, f"{minutes} min under {describe_rule(rule)} → {units} unit(s)"
