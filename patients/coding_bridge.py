"""From stored (or unsaved) sessions to the pure coding engine: facts from the session, payer
rules from the patient's primary coverage on the service date, at the level of care then."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import MutableMapping
from typing import Any

from coding import (
    Attendance,
    CodingResult,
    Modality,
    PayerRules,
    ProgramService,
    ServiceFacts,
    ServiceKind,
    code_service,
)
from coding.census import census_day
from coding.types import CENSUS_LEVELS, CensusDay, minutes_within
from credentialing.selectors import license_block_in_state
from patients.models import Session
from patients.selectors import (
    primary_coverage_on,
    service_episode,
    service_level_of_care,
    service_program,
)
from payers.models import Payer
from payers.rules import RuleDataError, payer_rules_for, program_entry

SELF_PAY_RULES = PayerRules(name="self-pay (no coverage)")
# (episode id, monday) -> {date: attended minutes}; ("first", patient id, date) -> session id.
WeekCache = MutableMapping[tuple[Any, ...], Any]


def _minutes(session: Session) -> int | None:
    if session.kind == ServiceKind.PROGRAM_DAY:
        return session.attended_minutes
    if session.kind == ServiceKind.EM_WITH_PSYCHOTHERAPY:
        return session.psychotherapy_minutes
    if session.group_id and session.arrived_at and session.departed_at:
        group = session.group
        return minutes_within(
            session.arrived_at, session.departed_at, group.starts_at, group.ends_at
        )
    return session.minutes


def _census(session: Session, level: str | None) -> CensusDay | None:
    """The midnight-census facts of a residential / withdrawal-management day (REFERENCE.md
    §14): from the episode's admission, discharge and leaves."""
    if session.kind != ServiceKind.PROGRAM_DAY or level not in CENSUS_LEVELS:
        return None
    episode = service_episode(session=session)
    if episode is None or session.service_date is None:
        return None
    leave_days = {day for leave in episode.leaves.all() for day in leave.days()}
    return census_day(session.service_date, episode.admit_date, episode.discharge_date, leave_days)


def _crisis_minutes_before(session: Session) -> int:
    """Minutes of the patient's earlier completed crisis services on the same date (they add
    up: 90839 once a day, REFERENCE.md §14)."""
    if session.kind != ServiceKind.CRISIS or not session.patient_id or not session.starts_at:
        return 0
    earlier = Session.objects.filter(
        patient_id=session.patient_id,
        kind=ServiceKind.CRISIS.value,
        status=Session.Status.COMPLETED,
        service_date=session.service_date,
        starts_at__lt=session.starts_at,
    ).exclude(pk=session.pk)
    return sum(s.minutes or 0 for s in earlier.only("starts_at", "ends_at", "group_id"))


def level_for(session: Session) -> str | None:
    return service_level_of_care(session=session)


def _program_day_pos(session: Session, payer: Payer | None, level: str | None) -> str | None:
    """The POS a payer names for the program day of this program and level, if any."""
    if payer is None or session.kind != ServiceKind.PROGRAM_DAY:
        return None
    entry = program_entry(payer, service_program(session=session), level, "program_day")
    entry = entry or (payer.level_of_care_codes or {}).get(level or "", {})
    return entry.get("pos") or None


def _facility_pos(session: Session, payer: Payer | None, level: str | None) -> str | None:
    if session.patient_location == Session.PatientLocation.HOME:
        return "12"  # in-person at the patient's home (telehealth POS is the engine's call)
    if pos := _program_day_pos(session, payer, level):
        return pos
    facility = session.facility or (session.episode.facility if session.episode_id else None)
    return facility.pos if facility else None


def _recorded_week(episode_id: int, monday: datetime.date) -> dict[datetime.date, int]:
    rows = Session.objects.filter(
        episode_id=episode_id,
        kind=ServiceKind.PROGRAM_DAY.value,
        status=Session.Status.COMPLETED,
        attended_minutes__isnull=False,
        service_date__range=(monday, monday + datetime.timedelta(days=6)),
    ).values_list("service_date", "attended_minutes")
    return dict(rows)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


LIVE = (Session.Status.SCHEDULED, Session.Status.COMPLETED)


def _first_days(
    patient_days: set[tuple[int, datetime.date]],
) -> dict[tuple[int, datetime.date], int]:
    """The first-recorded live program day (lowest id) of each (patient, date)."""
    if not patient_days:
        return {}
    rows = (
        Session.objects.filter(
            patient_id__in={patient for patient, _ in patient_days},
            service_date__in={day for _, day in patient_days},
            kind=ServiceKind.PROGRAM_DAY.value,
            status__in=LIVE,
        )
        .values_list("patient_id", "service_date", "pk")
        .order_by("pk")
    )
    first: dict[tuple[int, datetime.date], int] = {}
    for patient, day, pk in rows:
        first.setdefault((patient, day), pk)
    return first


def _billed_day_elsewhere(session: Session, cache: WeekCache | None) -> int | None:
    """The id of an earlier program day of this patient on this date, if any: a program
    bills one per diem a date (REFERENCE.md §14), on the day recorded first."""
    if session.kind != ServiceKind.PROGRAM_DAY or not session.patient_id:
        return None
    key = ("first", session.patient_id, session.service_date)
    if cache is not None and key in cache:
        first = cache[key]
    else:
        first = _first_days({(session.patient_id, session.service_date)}).get(key[1:])
    if first is None or first == session.pk:
        return None
    return first if session.pk is None or first < session.pk else None


def prime_week_cache(sessions: list[Session], cache: WeekCache) -> WeekCache:
    """Load the program-day weeks of many sessions in one query (lists code many rows), and
    which program day of each date bills it (one more query)."""
    days = {
        (s.patient_id, s.service_date)
        for s in sessions
        if s.kind == ServiceKind.PROGRAM_DAY and s.patient_id and s.service_date
    }
    days -= {key[1:] for key in cache if key[0] == "first"}
    first = _first_days(days)
    for day in days:
        cache[("first", *day)] = first.get(day)
    keys = {
        (s.episode_id, _monday(s.service_date))
        for s in sessions
        if s.kind == ServiceKind.PROGRAM_DAY and s.episode_id and s.service_date
    }
    keys -= set(cache)
    if not keys:
        return cache
    mondays = [monday for _, monday in keys]
    rows = Session.objects.filter(
        episode_id__in={episode for episode, _ in keys},
        kind=ServiceKind.PROGRAM_DAY.value,
        status=Session.Status.COMPLETED,
        attended_minutes__isnull=False,
        service_date__range=(min(mondays), max(mondays) + datetime.timedelta(days=6)),
    ).values_list("episode_id", "service_date", "attended_minutes")
    for key in keys:
        cache[key] = {}
    for episode_id, day, minutes in rows:
        key = (episode_id, _monday(day))
        if key in cache:
            cache[key][day] = minutes
    return cache


def _week_minutes(session: Session, cache: WeekCache | None) -> tuple[int, ...]:
    """Program-day minutes of the same episode, Monday to Sunday, this day included."""
    if session.kind != ServiceKind.PROGRAM_DAY or not session.episode_id:
        return ()
    monday = _monday(session.service_date)
    cache = {} if cache is None else cache
    key = (session.episode_id, monday)
    if key not in cache:
        cache[key] = _recorded_week(session.episode_id, monday)
    days = dict(cache[key])
    if session.attended_minutes is not None:
        days[session.service_date] = session.attended_minutes
    return tuple(minutes for _, minutes in sorted(days.items()))


def _program_services(session: Session) -> tuple[ProgramService, ...]:
    """The services recorded inside a program day (a payer that bills the day service by
    service bills a line for each: REFERENCE.md §14). An unsaved day may carry its rows in
    `pending_program_services` (a preview before recording)."""
    if session.kind != ServiceKind.PROGRAM_DAY:
        return ()
    rows = getattr(session, "pending_program_services", None)
    if rows is None:
        rows = session.program_services.all() if session.pk else ()
    return tuple(ProgramService(row.kind, row.minutes, ref=str(row.public_id)) for row in rows)


def service_facts_for(
    session: Session, *, payer: Payer | None = None, week_cache: WeekCache | None = None
) -> ServiceFacts:
    """Engine facts from a session (raises ValueError on impossible facts, e.g. negative
    minutes)."""
    minutes = _minutes(session)
    supervisor = session.supervising_provider
    group = session.kind == ServiceKind.GROUP
    return ServiceFacts(
        kind=session.kind,
        rendering_license=session.rendering_provider.license_type,
        minutes=minutes,
        attendees=(Attendance(None, minutes),) if group and minutes is not None else (),
        modality=session.modality,
        patient_at_home=session.patient_location == Session.PatientLocation.HOME,
        facility_pos=_facility_pos(session, payer, level_for(session)),
        supervising_license=supervisor.license_type if supervisor else None,
        interactive_complexity=session.interactive_complexity,
        em_code=session.em_code or None,
        with_medical_services=session.with_medical_services,
        week_minutes=_week_minutes(session, week_cache),
        crisis_minutes_before=_crisis_minutes_before(session),
        census=_census(session, level_for(session)),
        program_services=_program_services(session),
    )


def payer_for(session: Session) -> Payer | None:
    if session.patient_id is None or session.service_date is None:
        return None
    cov = primary_coverage_on(session.patient, session.service_date)
    return cov.payer if cov else None


def _failed(message: str, reasons: tuple[str, ...] = ()) -> CodingResult:
    return CodingResult(billable=False, lines=(), reasons=reasons, errors=(message,))


def _context(session: Session, payer: Payer | None, level: str | None) -> str:
    program = service_program(session=session)
    where = f"level {level}" if level else "no level of care on file"
    where = f"{program.upper()} program, {where}" if program else where
    if payer is None:
        return f"no coverage in force on {session.service_date}: self-pay defaults ({where})"
    return f"payer {payer.name} (primary coverage on {session.service_date}), {where}"


_UNSET: Any = object()


def preview_for(
    *, session_like: Session, payer: Payer | None = _UNSET, week_cache: WeekCache | None = None
) -> CodingResult:
    """What the session would bill and why. `payer` defaults to the patient's primary coverage
    on the service date; None means self-pay. Never raises on bad facts: they become errors."""
    if payer is _UNSET:
        payer = payer_for(session_like)
    level = level_for(session_like)
    context = (_context(session_like, payer, level),)
    if session_like.rendering_provider_id is None or not session_like.kind:
        return _failed("choose the service kind and rendering provider first", context)
    try:
        program = service_program(session=session_like)
        rules = payer_rules_for(payer, level=level, program=program) if payer else SELF_PAY_RULES
        facts = service_facts_for(session_like, payer=payer, week_cache=week_cache)
    except RuleDataError as exc:
        return _failed(f"payer rule data is invalid ({exc}); fix the payer's rules", context)
    except ValueError as exc:
        return _failed(str(exc), context)
    result = code_service(facts, rules)
    result = _one_day_a_date(session_like, week_cache, result)
    result = _iop_site(session_like, level, facts, result)
    result = _telehealth_licensure(session_like, result)
    return dataclasses.replace(result, reasons=context + result.reasons)


def _one_day_a_date(
    session: Session, cache: WeekCache | None, result: CodingResult
) -> CodingResult:
    first = _billed_day_elsewhere(session, cache)
    if first is None:
        return result
    why = (
        f"a program day of this patient on {session.service_date} was recorded earlier: the "
        f"program bills one per diem a date, on that one (add this day's services to it)"
    )
    return dataclasses.replace(
        result,
        billable=False,
        lines=(),
        condition_codes=(),
        payment_class=None,
        errors=(*result.errors, why),
    )


def _iop_site(
    session: Session, level: str | None, facts: ServiceFacts, result: CodingResult
) -> CodingResult:
    """POS 52 is psychiatric partial hospitalization: an IOP day there means the facility's POS
    is wrong for the program (REFERENCE.md §14)."""
    if session.kind != ServiceKind.PROGRAM_DAY or level != "iop" or facts.facility_pos != "52":
        return result
    why = (
        "an IOP day is at a facility whose place of service is 52 (partial hospitalization): "
        "give the IOP site its real POS (e.g. 53 CMHC, 57 non-residential SUD, 11 office)"
    )
    return dataclasses.replace(
        result,
        billable=False,
        lines=(),
        condition_codes=(),
        payment_class=None,
        errors=(*result.errors, why),
    )


def _telehealth_licensure(session: Session, result: CodingResult) -> CodingResult:
    """A telehealth service is billable only when the rendering clinician's license is valid
    in the state where the patient was (REFERENCE.md §14, NGS telehealth FAQ)."""
    if session.modality == Modality.IN_PERSON or not session.patient_state:
        return result
    if not session.service_date or session.rendering_provider_id is None:
        return result
    block = license_block_in_state(
        provider=session.rendering_provider,
        state=session.patient_state,
        on_date=session.service_date,
    )
    if block is None:
        why = f"licensed where the patient was ({session.patient_state})"
        return dataclasses.replace(result, reasons=(*result.reasons, why))
    return dataclasses.replace(
        result,
        billable=False,
        lines=(),
        condition_codes=(),
        payment_class=None,
        errors=(*result.errors, block),
    )


def _payment_class(result: CodingResult) -> dict[str, Any] | None:
    day = result.payment_class
    if day is None:
        return None
    return {"services": day.services, "label": day.label, "apc": day.apc, "reason": day.reason}


def coding_summary(result: CodingResult) -> dict[str, Any]:
    """JSON-ready explanation for the API and templates."""
    return {
        "billable": result.billable,
        "lines": [
            {
                "code": line.code,
                "units": line.units,
                "modifiers": list(line.modifiers),
                "pos": line.pos,
                "billed_provider": line.billed_provider.value,
                "revenue_code": line.revenue_code,
                "service": line.service_ref,
            }
            for line in result.lines
        ],
        "condition_codes": list(result.condition_codes),
        "payment_class": _payment_class(result),
        "reasons": list(result.reasons),
        "errors": list(result.errors),
        "warnings": list(result.warnings),
    }
