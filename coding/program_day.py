"""PHP/IOP program days: daily and weekly attended-hour minimums and the payer's short-day rule."""

from __future__ import annotations

from collections.abc import Sequence

from .types import (
    DayOutcome,
    LevelOfCareCode,
    ProgramDayRules,
    ProgramWeekResult,
    ShortDayOutcome,
    check_minutes,
)


def _hours(minutes: int) -> str:
    return f"{minutes} min ({minutes / 60:.1f} h)"


def _min_minutes(hours: float) -> int:
    return round(hours * 60)


def _code_name(level: LevelOfCareCode | None) -> str:
    return level.name if level else "the program code"


# Source: REFERENCE.md §2, minimum intensity; "minimum not met" = deny/downcode/pay/informational
def evaluate_day(
    minutes: int, rules: ProgramDayRules, level: LevelOfCareCode | None = None, day: int = 1
) -> DayOutcome:
    """Whether one day meets the daily minimum, and what the payer does when it does not."""
    check_minutes(minutes, f"program-day minutes for day {day}")
    floor = _min_minutes(rules.min_hours_per_day)
    prefix = f"day {day}: {_hours(minutes)}"
    if minutes == 0:
        return DayOutcome(day, 0, False, None, None, f"{prefix}: did not attend, nothing billed")
    if minutes >= floor:
        reason = f"{prefix} ≥ {rules.min_hours_per_day:g} h daily minimum → {_code_name(level)}"
        return DayOutcome(day, minutes, True, None, level, reason)
    return _short_day(minutes, rules, level, day, f"{prefix} < {rules.min_hours_per_day:g} h")


def _short_day(
    minutes: int, rules: ProgramDayRules, level: LevelOfCareCode | None, day: int, prefix: str
) -> DayOutcome:
    outcome = rules.short_day_outcome
    billed = {
        ShortDayOutcome.DENY: None,
        ShortDayOutcome.DOWNCODE: rules.downcode_to,
        ShortDayOutcome.PAY: level,
        ShortDayOutcome.INFORMATIONAL: level,
    }[outcome]
    reason = f"{prefix} daily minimum; payer short-day rule '{outcome.value}'"
    if outcome is ShortDayOutcome.DOWNCODE:
        target = _code_name(rules.downcode_to) if rules.downcode_to else "no code configured"
        reason += f" → downcoded to {target}"
    elif outcome is not ShortDayOutcome.DENY:
        reason += f" → {_code_name(level)} still billed"
    return DayOutcome(day, minutes, False, outcome, billed, reason)


def evaluate_week(minutes: int, rules: ProgramDayRules) -> tuple[bool, str]:
    floor = _min_minutes(rules.min_hours_per_week)
    met = minutes >= floor
    sign = "≥" if met else "<"
    verdict = "met" if met else "not met"
    weekly = f"{rules.min_hours_per_week:g} h"
    return met, f"week: {_hours(minutes)} attended {sign} {weekly} weekly minimum ({verdict})"


def evaluate_program_week(
    day_minutes: Sequence[int], rules: ProgramDayRules, level: LevelOfCareCode | None = None
) -> ProgramWeekResult:
    """Per-day outcomes plus whether the week's attended hours meet the weekly minimum."""
    days = tuple(evaluate_day(m, rules, level, day=i) for i, m in enumerate(day_minutes, start=1))
    total = sum(day.minutes for day in days)
    met, reason = evaluate_week(total, rules)
    attended = sum(1 for day in days if day.minutes > 0)
    needed = max(rules.min_days_per_week, level.min_days_per_week if level else 0)
    days_met = attended >= needed
    if needed:
        sign = "≥" if days_met else "<"
        reason += (
            f"; {attended} day(s) attended {sign} {needed} days a week "
            f"({'met' if days_met else 'not met'})"
        )
    return ProgramWeekResult(days, total, met, reason, meets_days_minimum=days_met)
