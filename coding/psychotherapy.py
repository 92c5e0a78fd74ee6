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


def crisis_codes(minutes: int) -> tuple[CodeDecision, ...]:
    """90839 (+ 90840 units); empty below 30 minutes (the caller falls back to psychotherapy)."""
    check_minutes(minutes)
    if minutes < CRISIS_MIN_MINUTES:
        return ()
    first = CodeDecision("90839", 1, f"{minutes} minutes of crisis psychotherapy ≥ 30 → 90839")
    if minutes < CRISIS_ADDON_FROM:
        return (first,)
    extra = (minutes - CRISIS_ADDON_FROM) // CRISIS_ADDON_STEP + 1
    reason = (
        f"{minutes} minutes of crisis ≥ 75 → 90840 × {extra} "
        f"(75-104 min = 1 unit, +1 per further 30 min)"
    )
    return first, CodeDecision("90840", extra, reason)


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
