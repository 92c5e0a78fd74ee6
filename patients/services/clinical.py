"""Intake and clinical-admin services, one import for views, the API and other apps.
Every service is keyword-only, atomic, and raises ValidationError({field: [message]})."""

from facilities.services import facility_create, facility_update
from patients.services.claim_facts import CLAIM_FACTS, episode_update
from patients.services.corrections import (
    CORRECTABLE_FIELDS,
    NOT_CORRECTABLE,
    session_correct,
    session_correction_assemble,
    session_lock_for_claim,
    session_unlock_from_claim,
    sessions_lock_for_claims,
)
from patients.services.episodes import (
    ASAM_LEVELS,
    TransitionResult,
    episode_admit,
    episode_discharge,
    level_transition,
)
from patients.services.leaves import leave_record
from patients.services.plans import (
    PLAN_REVIEW_DAYS,
    review_days_for,
    treatment_plan_create,
    treatment_plan_sign,
    treatment_plan_sign_as,
)
from patients.services.registration import (
    COVERAGE_EDITABLE,
    coverage_add,
    coverage_end,
    coverage_update,
    patient_register,
    patient_update,
)
from patients.services.sessions import (
    STATUS_CHANGES,
    group_session_record,
    program_day_services_set,
    session_assemble,
    session_build,
    session_errors,
    session_record,
    session_set_status,
    session_sign_note,
)

__all__ = [
    "CLAIM_FACTS",
    "COVERAGE_EDITABLE",
    "CORRECTABLE_FIELDS",
    "NOT_CORRECTABLE",
    "STATUS_CHANGES",
    "ASAM_LEVELS",
    "PLAN_REVIEW_DAYS",
    "TransitionResult",
    "coverage_add",
    "coverage_end",
    "coverage_update",
    "episode_admit",
    "episode_discharge",
    "episode_update",
    "facility_create",
    "facility_update",
    "group_session_record",
    "leave_record",
    "level_transition",
    "patient_register",
    "patient_update",
    "program_day_services_set",
    "review_days_for",
    "session_assemble",
    "session_build",
    "session_correct",
    "session_correction_assemble",
    "session_errors",
    "session_lock_for_claim",
    "session_record",
    "session_set_status",
    "session_sign_note",
    "session_unlock_from_claim",
    "sessions_lock_for_claims",
    "treatment_plan_create",
    "treatment_plan_sign",
    "treatment_plan_sign_as",
]
