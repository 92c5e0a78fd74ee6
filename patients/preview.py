"""Facts named in a coding-preview request (`POST coding/preview/`), checked and turned into the
one path's `PreviewFacts`. Nothing is saved; what a clinic could not have recorded (an end
before the start, a coverage of another patient) is refused with field messages, and what the
engine refuses (too few minutes, an add-on after an ED visit) comes back as the preview's
errors."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from coding import Attendance, Modality, ProgramService, ServiceKind
from coding.types import elapsed_seconds
from credentialing.models import Provider
from facilities.models import Facility
from patients.coding_bridge import UNSET, PreviewFacts, coded_minutes
from patients.models import Coverage, Patient, Session
from patients.selectors import coverage_active_on
from rcm.errors import FieldErrors

GROUP, PROGRAM_DAY = ServiceKind.GROUP.value, ServiceKind.PROGRAM_DAY.value
EM = ServiceKind.EM_WITH_PSYCHOTHERAPY.value
# Fields that only one kind of service reads: naming them for another kind is a mistake.
ONLY_FOR = {
    "psychotherapy_minutes": EM,
    "attended_minutes": PROGRAM_DAY,
    "week_minutes": PROGRAM_DAY,
    "services": PROGRAM_DAY,
    "attendees": GROUP,
}
Window = tuple[datetime.datetime, datetime.datetime] | None


def _after(start: Any, end: Any) -> bool:
    return elapsed_seconds(start, end) > 0


def _check_kind_fields(kind: str, named: Mapping[str, Any], errors: FieldErrors) -> None:
    for name, only in ONLY_FOR.items():
        if named.get(name) not in (None, (), []) and kind != only:
            errors.add(name, f"Only for {only} (this is {kind}).")
    if named.get("minutes") is None:
        return
    if kind == EM:
        errors.add("minutes", "Send psychotherapy_minutes: E/M time never counts toward them.")
    elif kind == PROGRAM_DAY:
        errors.add("minutes", "Send attended_minutes for a program day.")
    elif named.get("attendees"):
        errors.add("minutes", "Send each attendee's minutes in attendees.")
    elif named.get("starts_at") and named.get("ends_at"):
        errors.add("minutes", "Send the minutes or the start and end, not both.")


def _check_times(named: Mapping[str, Any], errors: FieldErrors) -> datetime.date:
    """The times in order, on the date of service (the org's date of the start by default)."""
    start, end, day = named.get("starts_at"), named.get("ends_at"), named.get("service_date")
    if start and end:
        errors.require(_after(start, end), "ends_at", "The end must be after the start.")
    started = timezone.localdate(start) if start else None
    if started and day:
        errors.require(
            started == day, "service_date", f"The start time falls on {started}, not on {day}."
        )
    first = next(
        (a.get("arrived_at") for a in named.get("attendees") or () if a.get("arrived_at")), None
    )
    return day or started or (timezone.localdate(first) if first else timezone.localdate())


def _check_place_and_people(named: Mapping[str, Any], errors: FieldErrors) -> None:
    if named.get("facility") is not None and named.get("pos"):
        errors.add("pos", "Name the facility or a place of service, not both.")
    rendering, supervisor = named.get("rendering_provider"), named.get("supervising_provider")
    if supervisor is not None and rendering is not None:
        errors.require(
            supervisor.pk != rendering.pk,
            "supervising_provider",
            "The supervisor must be someone other than the rendering provider.",
        )


def _check_em_minutes(named: Mapping[str, Any], errors: FieldErrors) -> None:
    start, end, minutes = (
        named.get("starts_at"),
        named.get("ends_at"),
        named.get("psychotherapy_minutes"),
    )
    if named["kind"] == EM and start and end and minutes is not None and _after(start, end):
        total = coded_minutes(ServiceKind.INDIVIDUAL, starts_at=start, ends_at=end)
        errors.require(
            minutes <= (total or 0),
            "psychotherapy_minutes",
            f"More than the session's {total} minutes.",
        )


def _check_context(named: Mapping[str, Any], day: datetime.date, errors: FieldErrors) -> None:
    coverage: Coverage | None = named.get("coverage")
    patient: Patient | None = named.get("patient")
    if coverage is None:
        return
    if "payer" in named:
        errors.add("payer", "Name the payer or a coverage, not both.")
    if patient is not None and coverage.patient_id != patient.pk:
        errors.add("coverage", "That coverage belongs to another patient.")
    errors.require(
        coverage_active_on(coverage, day), "coverage", f"That coverage is not in force on {day}."
    )


def _attendance_problem(row: Mapping[str, Any]) -> str | None:
    arrived, departed = row.get("arrived_at"), row.get("departed_at")
    if row.get("minutes") is not None:
        return (
            "send the minutes or the arrival and departure, not both"
            if arrived or departed
            else None
        )
    if not (arrived and departed):
        return "send the minutes, or the arrival and departure"
    return None if _after(arrived, departed) else "departure must be after arrival"


def _attendee(row: Mapping[str, Any], window: Window, n: int, errors: FieldErrors) -> Attendance:
    """Attendee `n`'s minutes: as sent, else their time while the group met (the `window`)."""
    problem = _attendance_problem(row)
    if problem:
        errors.add("attendees", f"Attendee {n}: {problem}.")
    minutes = (
        None
        if problem
        else coded_minutes(
            GROUP,
            minutes=row.get("minutes"),
            arrived_at=row.get("arrived_at"),
            departed_at=row.get("departed_at"),
            window=window,
        )
    )
    return Attendance(f"attendee {n}", minutes or 0, bool(row.get("interactive_complexity")))


def _attendees(named: Mapping[str, Any], errors: FieldErrors) -> tuple[Attendance, ...]:
    rows: Sequence[Mapping[str, Any]] = named.get("attendees") or ()
    start, end = named.get("starts_at"), named.get("ends_at")
    window: Window = (start, end) if start and end and _after(start, end) else None
    return tuple(_attendee(row, window, n, errors) for n, row in enumerate(rows, start=1))


def _of(coverage: Coverage | None) -> Patient | None:
    return coverage.patient if coverage is not None else None


def _patient_state(state: str, modality: str, patient: Patient | None) -> str:
    """As a session records it: telehealth defaults to the patient's address state."""
    if not state and modality != Modality.IN_PERSON and patient is not None:
        state = patient.state or ""
    return state.strip().upper()


def _check_services_fit(
    services: Sequence[Mapping[str, Any]], attended: int | None, errors: FieldErrors
) -> None:
    """As on recording: the day's services happen inside the time the patient attended (a
    preview must not show a payment class the day could not have earned)."""
    total = sum(r.get("minutes") or 0 for r in services if isinstance(r.get("minutes"), int))
    if attended is not None and total > attended:
        errors.add(
            "services",
            f"The services add up to {total} min, more than the {attended} min attended.",
        )


def preview_facts(
    *,
    kind: str,
    rendering_provider: Provider,
    supervising_provider: Provider | None = None,
    service_date: datetime.date | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    minutes: int | None = None,
    psychotherapy_minutes: int | None = None,
    attended_minutes: int | None = None,
    week_minutes: Sequence[int] | None = None,
    attendees: Sequence[Mapping[str, Any]] = (),
    services: Sequence[Mapping[str, Any]] = (),
    modality: str = "in_person",
    patient_location: str = Session.PatientLocation.FACILITY,
    patient_state: str = "",
    facility: Facility | None = None,
    pos: str = "",
    interactive_complexity: bool = False,
    em_code: str = "",
    with_medical_services: bool = False,
    patient: Patient | None = None,
    coverage: Coverage | None = None,
    payer: Any = UNSET,
    program: str | None = None,
    level: str | None = None,
) -> PreviewFacts:
    """PreviewFacts from facts named by public id (CodingPreviewFactsSerializer says what each
    one is); raises ValidationError({field: [message]}) with every problem at once. A coverage
    names its patient; the date of service defaults to the start's date on the org's clock
    (else the first arrival's, else today), and for telehealth the patient's state to their
    address state."""
    given = dict(locals())  # every fact as named, for the checks below
    if payer is UNSET:
        del given["payer"]
    errors = FieldErrors()
    _check_kind_fields(kind, given, errors)
    day = _check_times(given, errors)
    _check_place_and_people(given, errors)
    _check_em_minutes(given, errors)
    _check_context(given, day, errors)
    _check_services_fit(services, attended_minutes, errors)
    group = _attendees(given, errors)
    errors.raise_if_any()
    return PreviewFacts(
        kind=kind,
        rendering_provider=rendering_provider,
        supervising_provider=supervising_provider,
        service_date=day,
        starts_at=starts_at,
        minutes=coded_minutes(
            kind,
            minutes=minutes,
            starts_at=starts_at,
            ends_at=ends_at,
            psychotherapy_minutes=psychotherapy_minutes,
            attended_minutes=attended_minutes,
        ),
        attendees=group,
        program_services=tuple(
            ProgramService(row["kind"], row["minutes"], ref=f"service {n}")
            for n, row in enumerate(services, start=1)
        ),
        week_minutes=tuple(week_minutes) if week_minutes else None,
        modality=modality,
        patient_location=patient_location,
        patient_state=_patient_state(patient_state, modality, patient or _of(coverage)),
        facility=facility,
        pos=pos,
        interactive_complexity=interactive_complexity,
        em_code=em_code.strip().upper(),
        with_medical_services=with_medical_services,
        patient=patient or _of(coverage),
        coverage=coverage,
        payer=payer,
        program=program or None,
        level=level or None,
    )
