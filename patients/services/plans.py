"""Treatment plans: review due dates from a per-level table (overridable per payer) and goals
tied to the episode's diagnoses."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coding.codesets.icd10 import normalize_icd10
from patients.models import EpisodeOfCare, LevelOfCare, TreatmentGoal, TreatmentPlan
from patients.selectors import primary_coverage_on, provider_of_user, segment_on
from rcm.fielderrors import FieldErrors, clean_text

# Default days from a plan's effective date to its review (REFERENCE.md §12: residential
# 7-30, IOP/outpatient 30-90+). A payer overrides per level with
# program_minimums[level]["plan_review_days"].
PLAN_REVIEW_DAYS: Mapping[str, int] = {
    LevelOfCare.INPATIENT: 7,
    LevelOfCare.WITHDRAWAL_MANAGEMENT: 7,
    LevelOfCare.RESIDENTIAL: 14,
    LevelOfCare.PHP: 14,
    LevelOfCare.IOP: 30,
    LevelOfCare.OUTPATIENT: 90,
    LevelOfCare.OTP: 90,
}
FALLBACK_REVIEW_DAYS = 30


def review_days_for(*, episode: EpisodeOfCare, level: str, on: datetime.date) -> tuple[int, str]:
    """Days until review and where the number came from."""
    cov = primary_coverage_on(episode.patient, on)
    rules = (cov.payer.program_minimums or {}).get(level, {}) if cov else {}
    days = rules.get("plan_review_days") if isinstance(rules, Mapping) else None
    if isinstance(days, int) and days > 0:
        return days, f"{cov.payer.name} rule for {level}"
    return PLAN_REVIEW_DAYS.get(level, FALLBACK_REVIEW_DAYS), f"default for {level}"


def _clean_goals(
    goals: Sequence[Mapping[str, Any]], episode_codes: set[str], errors: FieldErrors
) -> list[tuple[str, list[str]]]:
    out = []
    if not errors.require(bool(goals), "goals", "Add at least one goal."):
        return out
    for n, goal in enumerate(goals, start=1):
        text = clean_text(goal.get("description"))
        codes = [normalize_icd10(c) for c in goal.get("diagnosis_codes") or [] if c.strip()]
        errors.require(bool(text), "goals", f"Goal {n}: describe the goal.")
        errors.require(bool(codes), "goals", f"Goal {n}: link it to at least one diagnosis.")
        unknown = [c for c in codes if c not in episode_codes]
        errors.require(
            not unknown,
            "goals",
            f"Goal {n}: {', '.join(unknown)} is not a diagnosis of this episode.",
        )
        out.append((text, codes))
    return out


def _check_dates(
    episode: EpisodeOfCare, effective: datetime.date | None, errors: FieldErrors
) -> None:
    if not errors.require(effective is not None, "effective_date", "Required."):
        return
    errors.require(
        effective >= episode.admit_date,
        "effective_date",
        f"Cannot be before admission ({episode.admit_date}).",
    )
    if episode.discharge_date:
        errors.require(
            effective <= episode.discharge_date,
            "effective_date",
            f"Cannot be after discharge ({episode.discharge_date}).",
        )


@transaction.atomic
def treatment_plan_create(
    *,
    episode: EpisodeOfCare,
    effective_date: datetime.date,
    goals: Sequence[Mapping[str, Any]],
    level: str = "",
    actor: Any = None,
) -> TreatmentPlan:
    """A plan at the level in force on `effective_date`, due for review per the level table
    or the primary payer's rule."""
    errors = FieldErrors()
    _check_dates(episode, effective_date, errors)
    codes = set(episode.diagnoses.values_list("code", flat=True))
    cleaned = _clean_goals(goals, codes, errors)
    seg = segment_on(episode, effective_date) if effective_date else None
    level = level or (seg.level if seg else "")
    errors.require(level in LevelOfCare.values, "level", "No level of care on that date.")
    errors.raise_if_any()
    days, _ = review_days_for(episode=episode, level=level, on=effective_date)
    plan = TreatmentPlan.objects.create(
        episode=episode,
        level=level,
        effective_date=effective_date,
        review_due_date=effective_date + datetime.timedelta(days=days),
    )
    TreatmentGoal.objects.bulk_create(
        [TreatmentGoal(plan=plan, description=text, diagnosis_codes=dx) for text, dx in cleaned]
    )
    return plan


@transaction.atomic
def treatment_plan_sign(
    *, plan: TreatmentPlan, signed_by: Any, actor: Any = None, at: datetime.datetime | None = None
) -> TreatmentPlan:
    if plan.signed_at is not None:
        raise ValidationError({"signed_by": [f"Already signed on {plan.signed_at:%Y-%m-%d}."]})
    if signed_by is None or not signed_by.is_active:
        raise ValidationError({"signed_by": ["Choose an active provider to sign."]})
    plan.signed_at = at or timezone.now()
    plan.signed_by = signed_by
    plan.save(update_fields=["signed_at", "signed_by"])
    return plan


NOT_LINKED = (
    "Your sign-in is not linked to an active provider; a billing manager links it on the "
    "provider's page."
)


def treatment_plan_sign_as(*, plan: TreatmentPlan, actor: Any) -> TreatmentPlan:
    """The signed-in clinician signs the plan as themselves (never on someone's behalf)."""
    provider = provider_of_user(actor)
    if provider is None:
        raise ValidationError({"signed_by": [NOT_LINKED]})
    return treatment_plan_sign(plan=plan, signed_by=provider, actor=actor)
