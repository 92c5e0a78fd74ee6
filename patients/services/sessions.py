"""Sessions (service events) and group sessions. Raw facts only: a session that happened is
saved even when it is not billable (e.g. psychotherapy under 16 minutes); the coding preview
says why."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from coding import Modality, ServiceKind, is_em_code
from coding.types import CENSUS_LEVELS
from credentialing.rules import NEEDS_SUPERVISOR
from patients.models import GroupSession, ProgramDayService, Session
from patients.selectors import episode_for_date, provider_of_user, service_level_of_care
from patients.services import program_services
from patients.signals import (
    program_day_services_changed,
    session_status_changed,
    sessions_recorded,
)
from rcm.fielderrors import (
    FieldErrors,
    clean_text,
    model_errors,
    reject_unknown,
    save_guarded,
)

SESSION_FIELDS = (
    "patient",
    "episode",
    "kind",
    "status",
    "service_date",
    "starts_at",
    "ends_at",
    "psychotherapy_minutes",
    "group",
    "arrived_at",
    "departed_at",
    "attended_minutes",
    "modality",
    "patient_location",
    "audio_only_reason",
    "patient_state",
    "facility",
    "rendering_provider",
    "supervising_provider",
    "interactive_complexity",
    "em_code",
    "with_medical_services",
    "note_signed_at",
)
# Pre-licensed clinicians and peers work under a supervisor (REFERENCE.md §4): one list, in
# credentialing's rules.
TIMED_KINDS = frozenset(ServiceKind) - {ServiceKind.PROGRAM_DAY, ServiceKind.GROUP}
MAX_DAY_MINUTES = 24 * 60


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _in_utc(value: Any) -> Any:
    """Aware moments in UTC: comparisons of two times that share a zone are made on the wall
    clock by Python, which misorders the repeated hour when clocks go back."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return value.astimezone(datetime.UTC)
    return value


def session_assemble(**facts: Any) -> Session:
    """An unsaved Session from raw facts, defaults filled in, not validated (previews use it
    on half-filled forms)."""
    reject_unknown(facts, SESSION_FIELDS, "session")
    facts = {k: _in_utc(v) for k, v in facts.items() if v is not None}
    facts["audio_only_reason"] = clean_text(facts.get("audio_only_reason"))
    facts["patient_state"] = clean_text(facts.get("patient_state")).upper()
    facts["em_code"] = clean_text(facts.get("em_code")).upper()
    session = Session(**facts)
    group = facts.get("group")
    if group is not None:
        session.starts_at = session.starts_at or group.starts_at
        session.ends_at = session.ends_at or group.ends_at
    session.service_date = session.service_date or _local_date(
        session.starts_at or session.arrived_at
    )
    if session.episode_id is None and session.patient_id and session.service_date:
        session.episode = episode_for_date(session.patient, session.service_date)
    if session.facility_id is None and session.episode_id and session.episode.facility_id:
        session.facility = session.episode.facility
    if not session.patient_state and session.modality != Modality.IN_PERSON:
        session.patient_state = session.patient.state if session.patient_id else ""
    return session


def _check_times(s: Session, errors: FieldErrors, *, local_date: bool = True) -> None:
    if s.starts_at and s.ends_at:
        errors.require(s.ends_at > s.starts_at, "ends_at", "The end must be after the start.")
    if s.arrived_at and s.departed_at:
        errors.require(
            s.departed_at > s.arrived_at, "departed_at", "Departure must be after arrival."
        )
    kind = s.kind
    if s.status == Session.Status.COMPLETED and kind in TIMED_KINDS:
        errors.require(bool(s.starts_at), "starts_at", "Required: record the start time.")
        errors.require(bool(s.ends_at), "ends_at", "Required: record the end time.")
    errors.require(s.service_date is not None, "service_date", "Required.")
    started = _local_date(s.starts_at) if local_date else None
    if started and s.service_date:
        errors.require(
            started == s.service_date,
            "service_date",
            f"The start time falls on {started}, not on the service date.",
        )


def _check_minutes(s: Session, errors: FieldErrors) -> None:
    for name in ("psychotherapy_minutes", "attended_minutes"):
        value = getattr(s, name)
        if value is None:
            continue
        if errors.require(value >= 0, name, "Minutes cannot be negative."):
            errors.require(value <= MAX_DAY_MINUTES, name, "More minutes than a day holds.")


def _check_group(s: Session, errors: FieldErrors) -> None:
    if not errors.require(s.group_id is not None, "group", "Choose the group session."):
        return
    errors.require(bool(s.arrived_at), "arrived_at", "Required for a group attendee.")
    errors.require(bool(s.departed_at), "departed_at", "Required for a group attendee.")
    g = s.group
    if s.arrived_at and s.departed_at:
        errors.require(
            s.arrived_at < g.ends_at and s.departed_at > g.starts_at,
            "arrived_at",
            "Attendance must overlap the group's own start and end.",
        )
    if s.patient_id and g.pk:
        again = Session.objects.filter(group=g, patient_id=s.patient_id).exclude(pk=s.pk)
        errors.require(not again.exists(), "patient", "Already an attendee of this group.")


def _check_em(s: Session, errors: FieldErrors) -> None:
    errors.require(
        is_em_code(s.em_code or ""),
        "em_code",
        "Enter the E/M code (99202-99499) billed with the psychotherapy.",
    )
    if errors.require(
        s.psychotherapy_minutes is not None,
        "psychotherapy_minutes",
        "Required: psychotherapy minutes, excluding E/M time.",
    ):
        total = s.minutes
        if total is not None and s.psychotherapy_minutes is not None:
            errors.require(
                s.psychotherapy_minutes <= total,
                "psychotherapy_minutes",
                f"More than the session's {total} minutes.",
            )


def _check_kind(s: Session, errors: FieldErrors) -> None:
    if s.status != Session.Status.COMPLETED:
        return
    if s.kind == ServiceKind.GROUP:
        _check_group(s, errors)
    elif s.kind == ServiceKind.PROGRAM_DAY:
        _check_program_day(s, errors)
    elif s.kind == ServiceKind.EM_WITH_PSYCHOTHERAPY:
        _check_em(s, errors)


def _check_program_day(s: Session, errors: FieldErrors) -> None:
    """Attended minutes for attendance programs (not census ones: residential and withdrawal
    management are billed per census day, REFERENCE.md §14)."""
    if service_level_of_care(session=s) not in CENSUS_LEVELS:
        errors.require(
            s.attended_minutes is not None,
            "attended_minutes",
            "Required: minutes the patient attended the program day.",
        )


def _check_people(s: Session, errors: FieldErrors) -> None:
    rendering, supervisor = s.rendering_provider, s.supervising_provider
    if not errors.require(rendering is not None, "rendering_provider", "Required."):
        return
    if rendering.license_type in NEEDS_SUPERVISOR:
        errors.require(
            supervisor is not None,
            "supervising_provider",
            f"Required: {rendering} practises under supervision "
            f"({rendering.get_license_type_display()}).",
        )
    if supervisor is not None:
        errors.require(
            supervisor.pk != rendering.pk,
            "supervising_provider",
            "The supervisor must be someone other than the rendering provider.",
        )
    patient = s.patient
    errors.require(patient.is_active, "patient", "This patient is inactive.")
    if s.episode_id:
        errors.require(
            s.episode.patient_id == patient.pk,
            "episode",
            "That episode belongs to another patient.",
        )


def _check_place(s: Session, errors: FieldErrors) -> None:
    if s.patient_state:
        errors.require(
            len(s.patient_state) == 2 and s.patient_state.isalpha(),
            "patient_state",
            "A 2-letter state code (e.g. OR).",
        )
    elif s.modality != Modality.IN_PERSON:
        errors.add(
            "patient_state",
            "Record the state the patient was in: the clinician's licence must be valid there.",
        )
    if s.modality == Modality.AUDIO_ONLY:
        errors.require(
            bool(s.audio_only_reason),
            "audio_only_reason",
            "Document why the visit was audio-only (patient cannot use or declined video).",
        )
    if s.modality == Modality.IN_PERSON and s.patient_location != Session.PatientLocation.HOME:
        errors.require(
            s.facility_id is not None,
            "facility",
            "Choose the facility where the service took place.",
        )


def session_errors(session: Session, *, check_local_date: bool = True) -> dict[str, list[str]]:
    """Every field problem of an assembled session (empty when it may be saved).
    `check_local_date=False` skips "the start falls on the date of service" (a correction that
    moves neither: the org's zone may have changed since the session was recorded)."""
    errors = FieldErrors()
    found = model_errors(
        session,
        exclude=[
            "org",
            "patient",
            "episode",
            "group",
            "facility",
            "rendering_provider",
            "supervising_provider",
            "psychotherapy_minutes",
            "attended_minutes",
        ],
    )
    if found:
        errors.merge(found)
    if session.patient_id is None:
        errors.add("patient", "Required.")
        return errors.errors
    _check_times(session, errors, local_date=check_local_date)
    for check in (_check_minutes, _check_kind, _check_people, _check_place):
        check(session, errors)
    return errors.errors


def session_build(**facts: Any) -> Session:
    session = session_assemble(**facts)
    errors = FieldErrors()
    errors.errors = session_errors(session)
    errors.raise_if_any()
    return session


@transaction.atomic
def session_record(
    *, actor: Any, services: Sequence[Mapping[str, Any]] = (), **facts: Any
) -> Session:
    """Validate and save one session (see module docstring for what is refused), with the
    services inside it when it is a program day (patients.services.program_services)."""
    session = session_assemble(**facts)
    errors = FieldErrors()
    errors.errors = session_errors(session)
    rows = program_services.program_service_rows(session, services, errors)
    errors.raise_if_any()
    saved = save_guarded(
        lambda: session.save() or session,
        field="ends_at",
        message="Times are inconsistent (end before start).",
    )
    program_services.program_services_save(saved, rows)
    sessions_recorded.send(sender=Session, sessions=[saved])
    return saved


@transaction.atomic
def program_day_services_set(
    *, session: Session, services: Sequence[Mapping[str, Any]], actor: Any
) -> list[ProgramDayService]:
    """Replace the services recorded inside a program day (an empty list clears them). The
    session's revision moves on and authorized units follow what is now billed; a session on
    a claim is refused (a replacement claim corrects it)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    refuse_if_on_claim(locked, doing="change its services")
    errors = FieldErrors()
    if locked.kind != ServiceKind.PROGRAM_DAY:
        errors.add(program_services.FIELD, "Only a program day has services inside it.")
        errors.raise_if_any()
    rows = program_services.program_service_rows(locked, services, errors)
    errors.raise_if_any()
    locked.program_services.all().delete()
    program_services.program_services_save(locked, rows)
    locked.revision += 1
    locked.save(update_fields=["revision"])
    program_day_services_changed.send(sender=Session, session=locked)
    return list(locked.program_services.all())


# --- Group sessions ---------------------------------------------------------------------


def _check_group_header(
    starts_at: Any, ends_at: Any, attendees: Sequence[Any], errors: FieldErrors
) -> None:
    errors.require(bool(starts_at), "starts_at", "Required.")
    errors.require(bool(ends_at), "ends_at", "Required.")
    if starts_at and ends_at:
        errors.require(ends_at > starts_at, "ends_at", "The end must be after the start.")
    errors.require(bool(attendees), "attendees", "Add at least one attendee.")
    ids = [a["patient"].pk for a in attendees if a.get("patient") is not None]
    errors.require(len(ids) == len(set(ids)), "attendees", "A patient is listed twice.")


def _attendee_sessions(
    group: GroupSession,
    attendees: Sequence[Mapping[str, Any]],
    common: Mapping[str, Any],
    errors: FieldErrors,
) -> list[Session]:
    sessions = []
    for n, row in enumerate(attendees, start=1):
        facts = {"arrived_at": group.starts_at, "departed_at": group.ends_at, **common, **row}
        session = session_assemble(kind=ServiceKind.GROUP.value, group=group, **facts)
        for field, messages in session_errors(session).items():
            label = "attendees" if field in {"patient", "arrived_at", "departed_at"} else field
            for message in messages:
                errors.add(label, f"Attendee {n}: {message}" if label == "attendees" else message)
        sessions.append(session)
    return sessions


@transaction.atomic
def group_session_record(
    *,
    actor: Any,
    facilitator: Any,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    attendees: Sequence[Mapping[str, Any]],
    topic: str = "",
    facility: Any = None,
    modality: str = "in_person",
    supervising_provider: Any = None,
) -> GroupSession:
    """A group's start/stop and facilitator, and one group Session per attendee with their own
    arrival and departure (rows: patient, arrived_at, departed_at, interactive_complexity,
    patient_location, episode)."""
    errors = FieldErrors()
    _check_group_header(starts_at, ends_at, attendees, errors)
    errors.raise_if_any()
    group = GroupSession.objects.create(
        facilitator=facilitator,
        starts_at=starts_at,
        ends_at=ends_at,
        topic=clean_text(topic)[:120],
        facility=facility,
    )
    common = {
        "rendering_provider": facilitator,
        "supervising_provider": supervising_provider,
        "modality": modality,
        "facility": facility,
    }
    sessions = _attendee_sessions(group, attendees, common, errors)
    errors.raise_if_any()
    Session.objects.bulk_create(sessions)
    sessions_recorded.send(sender=Session, sessions=sessions)
    return group


# --- After recording: status changes and note signing ------------------------------------

# A completed service can still be found to have been cancelled (recorded in error); a
# cancelled one stays cancelled: record a new session instead.
STATUS_CHANGES: dict[str, set[str]] = {
    Session.Status.SCHEDULED: {
        Session.Status.COMPLETED,
        Session.Status.NO_SHOW,
        Session.Status.CANCELLED,
    },
    Session.Status.COMPLETED: {Session.Status.CANCELLED},
    Session.Status.NO_SHOW: {Session.Status.COMPLETED},
    Session.Status.CANCELLED: set(),
}


def refuse_if_on_claim(session: Session, *, doing: str = "correct it") -> None:
    """A session a claim carries changes only through a replacement claim (the claims app
    unlocks it for that; see patients.services.corrections)."""
    if session.claim_locked_at is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This session is on claim {session.claim_reference}: {doing} through a "
                    "replacement claim (frequency code 7)."
                ]
            }
        )


@transaction.atomic
def session_set_status(*, session: Session, status: str, actor: Any) -> Session:
    """Move a session to `status`; authorized units follow (released or consumed). A session
    on a claim is refused (its status changes through a replacement claim)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    refuse_if_on_claim(locked, doing="change its status")
    allowed = STATUS_CHANGES.get(locked.status, set())
    if status not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        raise ValidationError(
            {
                "status": [
                    f"A {locked.get_status_display().lower()} session can't become "
                    f"{status or 'blank'} (allowed: {names})."
                ]
            }
        )
    previous, locked.status = locked.status, status
    locked.save(update_fields=["status"])
    session_status_changed.send(sender=Session, session=locked, previous=previous)
    return locked


@transaction.atomic
def session_sign_note(*, session: Session, actor: Any) -> Session:
    """Record that the progress note was signed (documentation must match what is billed)."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.note_signed_at is not None:
        raise ValidationError({"note_signed_at": ["The note is already signed."]})
    if locked.status != Session.Status.COMPLETED:
        raise ValidationError({"note_signed_at": ["Only a completed session has a note."]})
    signer = provider_of_user(actor)
    if signer is None or signer.pk not in (
        locked.rendering_provider_id,
        locked.supervising_provider_id,
    ):
        raise ValidationError(
            {
                "note_signed_at": [
                    "Only the rendering or supervising clinician signs this note, with their own "
                    "sign-in (linked on the provider's page)."
                ]
            }
        )
    locked.note_signed_at = timezone.now()
    locked.save(update_fields=["note_signed_at"])
    return locked
