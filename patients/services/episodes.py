"""Episodes of care: admission with ranked ICD-10-CM diagnoses, level-of-care transitions
(one open segment at a time, no overlaps) and discharge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from coding.codesets.icd10 import IcdCode, InvalidIcd10, validate_icd10
from coding.diagnoses import DiagnosisRules, sequencing_errors
from facilities.models import Facility
from patients.models import (
    EpisodeDiagnosis,
    EpisodeOfCare,
    LevelOfCare,
    LevelOfCareSegment,
    Patient,
    Program,
    Session,
)
from patients.selectors import AuthRequirement, auth_requirement, primary_coverage_on
from patients.services.claim_facts import ADMISSION_FACTS, clean_claim_facts
from rcm.fielderrors import FieldErrors, reject_unknown, save_guarded

# ASAM levels by edition (REFERENCE.md §2). MH programs may leave the ASAM level blank.
ASAM_LEVELS: dict[str, tuple[str, ...]] = {
    "3": (
        "0.5",
        "1",
        "1-WM",
        "2-WM",
        "2.1",
        "2.5",
        "3.1",
        "3.2-WM",
        "3.3",
        "3.5",
        "3.7",
        "3.7-WM",
        "4",
        "4-WM",
        "OTP",
    ),
    "4": ("1.0", "1.5", "1.7", "2.1", "2.5", "2.7", "3.1", "3.5", "3.7", "4.0"),
}
# 837P carries 12 diagnoses (REFERENCE.md §5).
MAX_DIAGNOSES = 12
SEGMENT_OVERLAP = "Overlaps another level-of-care segment of this episode."


def check_level(errors: FieldErrors, level: str, asam_edition: str, asam_level: str) -> None:
    errors.require(
        level in LevelOfCare.values, "level", f"Choose one of: {', '.join(LevelOfCare.values)}."
    )
    if not errors.require(
        asam_edition in ASAM_LEVELS, "asam_edition", "ASAM edition is 3 (2013) or 4 (2023)."
    ):
        return
    if asam_level:
        allowed = ASAM_LEVELS[asam_edition]
        errors.require(
            asam_level in allowed,
            "asam_level",
            f"{asam_level} is not an ASAM {asam_edition} level; use one of {', '.join(allowed)}.",
        )


def clean_diagnoses(
    codes: list[str],
    program: str,
    errors: FieldErrors,
    rules: DiagnosisRules | None = None,
) -> list[IcdCode]:
    """Validate ranked codes against the bundled ICD-10-CM set; rank 1 is primary, and the
    order follows the sequencing rules (coding.diagnoses) and the payer's Z-code rule."""
    codes = [c.strip() for c in codes if c and c.strip()]
    if not errors.require(bool(codes), "diagnoses", "Enter at least one diagnosis."):
        return []
    errors.require(
        len(codes) <= MAX_DIAGNOSES,
        "diagnoses",
        f"At most {MAX_DIAGNOSES} diagnoses (claim limit).",
    )
    valid: list[IcdCode] = []
    for rank, code in enumerate(codes, start=1):
        try:
            valid.append(validate_icd10(code))
        except InvalidIcd10 as exc:
            errors.add("diagnoses", f"Diagnosis {rank}: {exc}")
    dotted = [c.dotted for c in valid]
    errors.require(len(set(dotted)) == len(dotted), "diagnoses", "A code is listed twice.")
    if valid and len(valid) == len(codes):
        rules = rules or DiagnosisRules()
        for message in sequencing_errors([c.dotted for c in valid], program, rules):
            errors.add("diagnoses", message)
    return valid


def diagnosis_rules_for(patient: Patient, on: datetime.date | None) -> DiagnosisRules:
    """The primary payer's diagnosis rules on `on` (self-pay: the strict defaults)."""
    coverage = primary_coverage_on(patient, on) if on else None
    if coverage is None:
        return DiagnosisRules()
    payer = coverage.payer
    return DiagnosisRules(
        z_code_primary_allowed=payer.z_code_primary_allowed, payer_name=payer.name
    )


def _check_admission(
    errors: FieldErrors,
    patient: Patient,
    program: str,
    admit_date: datetime.date | None,
    facility: Facility | None,
) -> None:
    errors.require(program in Program.values, "program", "Choose mental health or SUD.")
    errors.require(admit_date is not None, "admit_date", "Required.")
    errors.require(patient.is_active, "patient", "This patient is inactive.")
    if facility is not None:
        errors.require(facility.is_active, "facility", f"{facility.name} is inactive.")
    if program in Program.values and admit_date:
        open_ep = EpisodeOfCare.objects.filter(
            patient=patient, program=program, status=EpisodeOfCare.Status.ACTIVE
        ).first()
        if open_ep is not None:
            kind = open_ep.get_program_display()
            errors.add(
                "program",
                f"The patient already has an active {kind} episode "
                f"(admitted {open_ep.admit_date}); discharge it first.",
            )


@transaction.atomic
def episode_admit(
    *,
    patient: Patient,
    program: str,
    level: str,
    asam_edition: str = "3",
    asam_level: str = "",
    admit_date: datetime.date,
    diagnoses: list[str],
    facility: Facility | None = None,
    part2_applies: bool | None = None,
    actor: Any = None,
    **admission_facts: Any,
) -> EpisodeOfCare:
    """Admit: the episode, its ranked diagnoses and the first level-of-care segment, with any
    admission facts an institutional claim needs (patients.services.claim_facts)."""
    reject_unknown(admission_facts, ADMISSION_FACTS, "episode_admit")
    errors = FieldErrors()
    _check_admission(errors, patient, program, admit_date, facility)
    check_level(errors, level, asam_edition, asam_level or "")
    rules = diagnosis_rules_for(patient, admit_date)
    codes = clean_diagnoses(list(diagnoses or []), program, errors, rules)
    facts = clean_claim_facts(admission_facts, errors, discharge_date=None)
    errors.raise_if_any()
    if part2_applies is None:
        part2_applies = program == Program.SUD
    episode = EpisodeOfCare.objects.create(
        patient=patient,
        program=program,
        facility=facility,
        admit_date=admit_date,
        part2_applies=part2_applies,
        **facts,
    )
    EpisodeDiagnosis.objects.bulk_create(
        [
            EpisodeDiagnosis(
                episode=episode, rank=rank, code=c.dotted, description=c.description[:255]
            )
            for rank, c in enumerate(codes, start=1)
        ]
    )
    LevelOfCareSegment.objects.create(
        episode=episode,
        level=level,
        asam_edition=asam_edition,
        asam_level=asam_level or "",
        start_date=admit_date,
    )
    return episode


# --- Transitions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionResult:
    segment: LevelOfCareSegment
    closed: LevelOfCareSegment | None
    auth: AuthRequirement


def _check_transition(
    episode: EpisodeOfCare,
    open_seg: LevelOfCareSegment | None,
    new_level: str,
    asam_level: str,
    on_date: datetime.date | None,
    errors: FieldErrors,
) -> None:
    errors.require(
        episode.status == EpisodeOfCare.Status.ACTIVE,
        "episode",
        "The episode is discharged; admit a new episode instead.",
    )
    if not errors.require(on_date is not None, "on_date", "Required."):
        return
    errors.require(open_seg is not None, "on_date", "The episode has no open level of care.")
    if open_seg is None:
        return
    if on_date <= open_seg.start_date:
        errors.add("on_date", _backdated_message(episode, open_seg, on_date))
    if open_seg.level == new_level and open_seg.asam_level == (asam_level or ""):
        errors.add("new_level", "The patient is already at this level of care.")
    later = episode.segments.filter(start_date__gte=on_date).exclude(pk=open_seg.pk).exists()
    errors.require(not later, "on_date", SEGMENT_OVERLAP)


def _backdated_message(
    episode: EpisodeOfCare, open_seg: LevelOfCareSegment, on_date: datetime.date
) -> str:
    rule = (
        f"a new level must start after the current one's start ({open_seg.start_date}); "
        "the current level ends the day before."
    )
    hit = episode.segments.filter(start_date__lte=on_date).order_by("-start_date").first()
    if hit is None:
        return f"Before the episode's first level of care: {rule}"
    span = f"{hit.get_level_display()}, {hit.start_date} to {hit.end_date or 'open'}"
    return f"{SEGMENT_OVERLAP[:-1]} ({span}): {rule}"


@transaction.atomic
def level_transition(
    *,
    episode: EpisodeOfCare,
    new_level: str,
    asam_edition: str = "3",
    asam_level: str = "",
    on_date: datetime.date,
    actor: Any = None,
) -> TransitionResult:
    """Close the open segment the day before `on_date` and open `new_level` on `on_date`.
    Reports whether the primary payer needs (and already has) an authorization for it."""
    episode = EpisodeOfCare.objects.select_for_update().get(pk=episode.pk)
    open_seg = episode.segments.filter(end_date__isnull=True).order_by("-start_date").first()
    errors = FieldErrors()
    check_level(errors, new_level, asam_edition, asam_level or "")
    if "new_level" not in errors.errors and "level" in errors.errors:
        errors.errors["new_level"] = errors.errors.pop("level")
    _check_transition(episode, open_seg, new_level, asam_level, on_date, errors)
    if on_date is not None:
        check_no_claimed_sessions(
            Session.objects.filter(episode=episode, service_date__gte=on_date),
            "on_date",
            f"would change the level of care of services from {on_date} on",
            errors,
        )
    errors.raise_if_any()
    open_seg.end_date = on_date - datetime.timedelta(days=1)
    new_seg = LevelOfCareSegment(
        episode=episode,
        level=new_level,
        asam_edition=asam_edition,
        asam_level=asam_level or "",
        start_date=on_date,
    )

    def write() -> LevelOfCareSegment:
        open_seg.save(update_fields=["end_date"])
        new_seg.save()
        return new_seg

    save_guarded(write, field="on_date", message=SEGMENT_OVERLAP)
    auth = auth_requirement(patient=episode.patient, level=new_level, on_date=on_date)
    return TransitionResult(segment=new_seg, closed=open_seg, auth=auth)


@transaction.atomic
def episode_discharge(
    *,
    episode: EpisodeOfCare,
    discharge_date: datetime.date,
    actor: Any = None,
    discharge_hour: int | None = None,
    patient_status: str = "",
) -> EpisodeOfCare:
    """Discharge: the open segment ends on the discharge date. The discharge hour and status
    (UB-04 FL16/FL17) are recorded when given; a "still a patient" status (30) is cleared."""
    errors = FieldErrors()
    facts = clean_claim_facts(
        {"discharge_hour": discharge_hour, "patient_status": patient_status},
        errors,
        discharge_date=discharge_date or datetime.date.max,
    )
    errors.require(
        episode.status == EpisodeOfCare.Status.ACTIVE, "discharge_date", "Already discharged."
    )
    if errors.require(discharge_date is not None, "discharge_date", "Required."):
        last_start = max((s.start_date for s in episode.segments.all()), default=None)
        floor = max(filter(None, [episode.admit_date, last_start]))
        errors.require(
            discharge_date >= floor,
            "discharge_date",
            f"Cannot be before {floor} (admission or the last level change).",
        )
        check_no_claimed_sessions(
            Session.objects.filter(episode=episode, service_date__gt=discharge_date),
            "discharge_date",
            f"would leave services after {discharge_date} outside the episode",
            errors,
        )
    errors.raise_if_any()
    episode.segments.filter(end_date__isnull=True).update(end_date=discharge_date)
    episode.discharge_date = discharge_date
    episode.status = EpisodeOfCare.Status.DISCHARGED
    episode.discharge_hour = facts["discharge_hour"]
    episode.patient_status = facts["patient_status"]
    episode.save(update_fields=["discharge_date", "status", "discharge_hour", "patient_status"])
    return episode


def check_no_claimed_sessions(sessions: Any, field: str, effect: str, errors: FieldErrors) -> None:
    """A change dated in the past must not rewrite what a submitted claim says: refuse it
    while any of `sessions` is on a claim (correct those through a replacement claim first)."""
    claimed = list(
        sessions.filter(claim_locked_at__isnull=False)
        .order_by("service_date")
        .values_list("service_date", "claim_reference")[:3]
    )
    if claimed:
        listed = ", ".join(f"{day} (claim {ref})" for day, ref in claimed)
        errors.add(
            field,
            f"This {effect}, and some are on claims: {listed}. Correct them through a "
            f"replacement claim first.",
        )


def validate_diagnosis_input(code: str) -> str | None:
    """The error for one diagnosis input (for forms), or None."""
    try:
        validate_icd10(code)
    except InvalidIcd10 as exc:
        return str(exc)
    return None
