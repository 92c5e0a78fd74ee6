"""Time-based psychotherapy codes: individual, add-on with E/M, crisis, family, evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from .types import check_minutes


@dataclass(frozen=True)
class TimeBand:
    """Minutes `low`..`high` (inclusive; `high` None = no upper limit) map to `code`."""

    low: int
    high: int | None
    code: str

    def contains(self, minutes: int) -> bool:
        return minutes >= self.low and (self.high is None or minutes <= self.high)

    def describe(self) -> str:
        return f"≥ {self.low}" if self.high is None else f"in {self.low}-{self.high}"


@dataclass(frozen=True)
class CodeDecision:
    """One code choice (code None = nothing billable) and the sentence explaining it."""

    code: str | None
    units: int
    reason: str


# Source: REFERENCE.md §1, CPT psychotherapy time thresholds (90832/90834/90837)
PSYCHOTHERAPY_BANDS: tuple[TimeBand, ...] = (
    TimeBand(16, 37, "90832"),
    TimeBand(38, 52, "90834"),
    TimeBand(53, None, "90837"),
)
# Source: REFERENCE.md §1, psychotherapy add-on with an E/M thresholds (90833/90836/90838)
ADDON_BANDS: tuple[TimeBand, ...] = (
    TimeBand(16, 37, "90833"),
    TimeBand(38, 52, "90836"),
    TimeBand(53, None, "90838"),
)
# Source: REFERENCE.md §1, crisis: 90839 from 30 min, 90840 per further 30 min from 75
CRISIS_MIN_MINUTES, CRISIS_ADDON_FROM, CRISIS_ADDON_STEP = 30, 75, 30
# Source: REFERENCE.md §1, family 90846/90847 minimum 26 min (states may set a higher floor)
FAMILY_MIN_MINUTES = 26


def code_from_bands(minutes: int, bands: tuple[TimeBand, ...], what: str) -> CodeDecision:
    """Pick the single band containing `minutes` (one code per session)."""
    check_minutes(minutes)
    band = next((b for b in bands if b.contains(minutes)), None)
    if band is None:
        floor = bands[0].low
        reason = f"{minutes} minutes of {what} < {floor}: not billable (minimum {floor} minutes)"
        return CodeDecision(None, 0, reason)
    return CodeDecision(
        band.code, 1, f"{minutes} minutes of {what} {band.describe()} → {band.code}"
    )


def psychotherapy_code(minutes: int) -> CodeDecision:
    return code_from_bands(minutes, PSYCHOTHERAPY_BANDS, "psychotherapy")


def addon_code(minutes: int) -> CodeDecision:
    return code_from_bands(minutes, ADDON_BANDS, "psychotherapy with an E/M (add-on)")


def crisis_units(minutes: int) -> tuple[int, int]:
    """(first-hour units, each-additional-30 units) for a day's crisis minutes: 0/1 of the
    first code from 30 minutes, then one more unit at 75 minutes and each further 30."""
    check_minutes(minutes)
    if minutes < CRISIS_MIN_MINUTES:
        return 0, 0
    if minutes < CRISIS_ADDON_FROM:
        return 1, 0
    return 1, (minutes - CRISIS_ADDON_FROM) // CRISIS_ADDON_STEP + 1


def crisis_codes(
    minutes: int, *, before: int = 0, first_code: str = "90839", addon_code: str = "90840"
) -> tuple[CodeDecision, ...]:
    """Crisis lines for this service when `before` minutes of crisis were already coded that
    day: the day's total decides the codes, and this service carries what its minutes add
    (empty when they add nothing, or when the day's total is under 30 minutes)."""
    check_minutes(before, "earlier crisis minutes")
    total = before + check_minutes(minutes)
    first_now, extra_now = crisis_units(total)
    first_before, extra_before = crisis_units(before)
    day = f"{minutes} minutes" if not before else f"{before} + {minutes} = {total} minutes that day"
    decisions = []
    if first_now > first_before:
        reason = f"{day} of crisis psychotherapy ≥ 30 → {first_code}"
        decisions.append(CodeDecision(first_code, 1, reason))
    if extra_now > extra_before:
        units = extra_now - extra_before
        reason = (
            f"{day} of crisis ≥ 75 → {addon_code} × {units} "
            f"(75-104 min = 1 unit, +1 per further 30 min)"
        )
        decisions.append(CodeDecision(addon_code, units, reason))
    return tuple(decisions)


# Source: REFERENCE.md §14 (BCBSIL psychiatry payment policy, CPT "code first" notes): the
# psychotherapy add-ons go only with these E/M families. Not with ED visits (99281-99285) or
# care management (99492-99494).
ADDON_EM_FAMILIES: tuple[tuple[range, str], ...] = (
    (range(99202, 99216), "office/outpatient 99202-99215"),
    (range(99221, 99240), "hospital inpatient/observation 99221-99239"),
    (range(99304, 99317), "nursing facility 99304-99316"),
    (range(99341, 99351), "home/residence 99341-99350"),
)
KNOWN_EM_NAMES: tuple[tuple[range, str], ...] = (
    (range(99281, 99286), "an emergency department visit"),
    (range(99492, 99495), "a care-management code"),
)


def addon_em_family(em_code: str) -> str | None:
    """The E/M family that allows a psychotherapy add-on, or None."""
    number = int(em_code) if em_code.isdigit() else -1
    return next((name for codes, name in ADDON_EM_FAMILIES if number in codes), None)


def addon_refusal(em_code: str, addon: str) -> str | None:
    """Why `addon` cannot go with `em_code`, or None when it can."""
    if addon_em_family(em_code):
        return None
    number = int(em_code) if em_code.isdigit() else -1
    what = next((name for codes, name in KNOWN_EM_NAMES if number in codes), "not in them")
    families = ", ".join(name for _, name in ADDON_EM_FAMILIES)
    return (
        f"{addon} is reported only with E/M codes of {families}; {em_code} is {what}: "
        f"record the psychotherapy as its own service or correct the E/M"
    )


def family_code(
    minutes: int, patient_present: bool, min_minutes: int = FAMILY_MIN_MINUTES
) -> CodeDecision:
    check_minutes(minutes)
    code = "90847" if patient_present else "90846"
    who = "with patient present" if patient_present else "without the patient"
    if minutes < min_minutes:
        reason = (
            f"{minutes} minutes of family psychotherapy < {min_minutes}-minute floor: not billable"
        )
        return CodeDecision(None, 0, reason)
    return CodeDecision(
        code, 1, f"{minutes} minutes of family psychotherapy {who} ≥ {min_minutes} → {code}"
    )


# Source: REFERENCE.md §1, evaluations 90791 (no medical services) / 90792 (with), not timed
def evaluation_code(with_medical_services: bool) -> CodeDecision:
    if with_medical_services:
        return CodeDecision("90792", 1, "diagnostic evaluation with medical services → 90792")
    return CodeDecision("90791", 1, "diagnostic evaluation without medical services → 90791")
