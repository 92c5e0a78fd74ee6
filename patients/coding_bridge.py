"""From the facts of a service to the pure coding engine. The facts come from a stored or unsaved
session (the session pages and the sessions API) or are named in a request (`POST
coding/preview/`); both go through `preview_from_facts`, so the two cannot disagree. The payer
is the one named, the named coverage's, or the patient's primary coverage's on the service date;
the program and level of care are the ones named, else those of the patient's episode then."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from coding import (
    DEFAULT_PAYER_RULES,
    Attendance,
    BilledProvider,
    CodingResult,
    Modality,
    PayerRules,
    ProgramService,
    ServiceFacts,
    ServiceKind,
    code_service,
)
from coding.census import census_day
from coding.types import CENSUS_LEVELS, CensusDay, elapsed_minutes, minutes_within
from credentialing.models import Provider
from credentialing.selectors import license_block_in_state
from facilities.models import Facility
from patients.models import Coverage, EpisodeOfCare, Patient, Session
from patients.selectors import (
    episode_level_on,
    patient_episode_on,
    primary_coverage_on,
    service_level_of_care,
)
from payers.models import Payer
from payers.rules import RuleDataError, payer_rules_for, program_day_entry

SELF_PAY_RULES = PayerRules(name="self-pay (no coverage)")
# (episode id, monday) -> {date: attended minutes}; ("first", patient id, date) -> session id;
# ("crisis", patient id, date) -> that date's completed crisis services; ("rules", payer id,
# level, program) -> the payer's rules as the engine reads them.
WeekCache = MutableMapping[tuple[Any, ...], Any]
UNSET: Any = object()  # payer not named: it comes from the coverage or the patient
HOME_POS = "12"  # in person at the patient's home (telehealth POS is the engine's call)


@dataclass(frozen=True, kw_only=True)
class PreviewFacts:
    """The facts of one service or program day, as model objects (saved or not).

    `minutes` are the minutes the engine codes (`coded_minutes`): psychotherapy minutes of an
    E/M visit, attended minutes of a program day, a group attendee's minutes while the group
    met, else the service's. `attendees` is a whole group's attendance (labelled lines);
    `program_services` the services inside a program day (a payer that bills the day service
    by service bills a line for each); `week_minutes` None means the episode's recorded week.
    `patient_state`: where the patient was (telehealth needs the rendering license valid
    there). `patient`, `coverage`, `payer`, `program` and `level` are the context: whatever is
    named wins over what the patient's coverage and episode would give. `session_pk`: the
    stored session being coded (not one of its own earlier services)."""

    kind: str
    rendering_provider: Provider | None
    supervising_provider: Provider | None = None
    service_date: datetime.date | None = None
    starts_at: datetime.datetime | None = None
    minutes: int | None = None
    attendees: tuple[Attendance, ...] = ()
    program_services: tuple[ProgramService, ...] = ()
    week_minutes: tuple[int, ...] | None = None
    modality: str = "in_person"
    patient_location: str = Session.PatientLocation.FACILITY
    patient_state: str = ""
    facility: Facility | None = None
    pos: str = ""
    interactive_complexity: bool = False
    em_code: str = ""
    with_medical_services: bool = False
    patient: Patient | None = None
    episode: EpisodeOfCare | None = None
    coverage: Coverage | None = None
    payer: Any = UNSET
    program: str | None = None
    level: str | None = None
    session_pk: int | None = None


@dataclass(frozen=True)
class PreviewContext:
    """Whose rules coded the service: the payer (and where it came from), program and level."""

    payer: Payer | None
    payer_source: str  # "named", "coverage", "primary_coverage" or "none"
    coverage: Coverage | None
    episode: EpisodeOfCare | None
    program: str | None
    level: str | None
    description: str = ""


@dataclass(frozen=True)
class CodingPreview:
    facts: PreviewFacts
    context: PreviewContext
    result: CodingResult


# --- Minutes ------------------------------------------------------------------------------


def coded_minutes(
    kind: str,
    *,
    minutes: int | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    arrived_at: datetime.datetime | None = None,
    departed_at: datetime.datetime | None = None,
    window: tuple[datetime.datetime, datetime.datetime] | None = None,
    psychotherapy_minutes: int | None = None,
    attended_minutes: int | None = None,
) -> int | None:
    """The minutes the engine codes. E/M time never counts toward the psychotherapy add-on, and
    a group attendee's time counts only while the group met (`window`, REFERENCE.md §14)."""
    if kind == ServiceKind.PROGRAM_DAY:
        return attended_minutes
    if kind == ServiceKind.EM_WITH_PSYCHOTHERAPY:
        return psychotherapy_minutes
    if minutes is not None:
        return minutes
    if arrived_at and departed_at:
        if window is not None:
            return minutes_within(arrived_at, departed_at, *window)
        return elapsed_minutes(arrived_at, departed_at)
    if starts_at and ends_at:
        return elapsed_minutes(starts_at, ends_at)
    return None


def _session_minutes(session: Session) -> int | None:
    group = session.group if session.group_id else None
    return coded_minutes(
        session.kind,
        starts_at=None if group else session.starts_at,
        ends_at=None if group else session.ends_at,
        arrived_at=session.arrived_at if group else None,
        departed_at=session.departed_at if group else None,
        window=(group.starts_at, group.ends_at) if group else None,
        psychotherapy_minutes=session.psychotherapy_minutes,
        attended_minutes=session.attended_minutes,
    )


# --- Context: payer, program, level -------------------------------------------------------


def _payer(facts: PreviewFacts) -> tuple[Payer | None, str, Coverage | None]:
    if facts.payer is not UNSET:
        return facts.payer, "named", None
    if facts.coverage is not None:
        return facts.coverage.payer, "coverage", facts.coverage
    if facts.patient is None:
        return None, "none", None
    day = facts.service_date
    coverage = primary_coverage_on(facts.patient, day) if day else None
    return (coverage.payer if coverage else None), "primary_coverage", coverage


def _episode(facts: PreviewFacts) -> EpisodeOfCare | None:
    if facts.episode is not None:
        return facts.episode
    if facts.patient is None or facts.service_date is None:
        return None
    return patient_episode_on(patient=facts.patient, on=facts.service_date)


def _describe(context: PreviewContext, day: datetime.date | None) -> str:
    program, level, payer = context.program, context.level, context.payer
    where = f"level {level}" if level else "no level of care on file"
    where = f"{program.upper()} program, {where}" if program else where
    if context.payer_source == "none":
        return f"no payer or patient named: CPT/Medicare-like defaults ({where})"
    if payer is None and context.payer_source == "named":
        return f"self-pay named: CPT/Medicare-like defaults ({where})"
    if payer is None:
        return f"no coverage in force on {day}: self-pay defaults ({where})"
    source = {
        "named": "named",
        "coverage": "the coverage named",
        "primary_coverage": f"primary coverage on {day}",
    }[context.payer_source]
    return f"payer {payer.name} ({source}), {where}"


def preview_context(facts: PreviewFacts) -> PreviewContext:
    payer, source, coverage = _payer(facts)
    episode = _episode(facts)
    program = facts.program or (episode.program if episode else None)
    level = facts.level or episode_level_on(episode=episode, on=facts.service_date)
    context = PreviewContext(payer, source, coverage, episode, program, level)
    return dataclasses.replace(context, description=_describe(context, facts.service_date))


def level_for(session: Session) -> str | None:
    return service_level_of_care(session=session)


# --- Engine facts -------------------------------------------------------------------------


def _program_day_pos(facts: PreviewFacts, context: PreviewContext) -> str | None:
    """The POS a payer names for the program day of this program and level, if any."""
    payer, level = context.payer, context.level
    if payer is None or facts.kind != ServiceKind.PROGRAM_DAY:
        return None
    return program_day_entry(payer, context.program, level).get("pos") or None


def _facility_pos(facts: PreviewFacts, context: PreviewContext) -> str | None:
    if facts.pos:
        return facts.pos
    if facts.patient_location == Session.PatientLocation.HOME and facts.modality == "in_person":
        return HOME_POS  # a home visit; a telehealth service's in-person POS is the clinic's
    if pos := _program_day_pos(facts, context):
        return pos
    episode = context.episode
    facility = facts.facility or (episode.facility if episode is not None else None)
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


def _billed_day_elsewhere(facts: PreviewFacts, cache: WeekCache | None) -> int | None:
    """The id of an earlier program day of this patient on this date, if any: a program
    bills one per diem a date (REFERENCE.md §14), on the day recorded first."""
    if facts.kind != ServiceKind.PROGRAM_DAY or facts.patient is None:
        return None
    key = ("first", facts.patient.pk, facts.service_date)
    if cache is not None and key in cache:
        first = cache[key]
    else:
        first = _first_days({(facts.patient.pk, facts.service_date)}).get(key[1:])
    if first is None or first == facts.session_pk:
        return None
    return first if facts.session_pk is None or first < facts.session_pk else None


def _refused(result: CodingResult, why: str) -> CodingResult:
    """The result with nothing billed and `why` among its errors (a check after the engine)."""
    return dataclasses.replace(
        result,
        billable=False,
        lines=(),
        condition_codes=(),
        payment_class=None,
        errors=(*result.errors, why),
    )


def _one_day_a_date(
    facts: PreviewFacts, cache: WeekCache | None, result: CodingResult
) -> CodingResult:
    if _billed_day_elsewhere(facts, cache) is None:
        return result
    return _refused(
        result,
        f"a program day of this patient on {facts.service_date} was recorded earlier: the "
        f"program bills one per diem a date, on that one (add this day's services to it)",
    )


def _iop_site(
    facts: PreviewFacts, level: str | None, pos: str | None, result: CodingResult
) -> CodingResult:
    """POS 52 is psychiatric partial hospitalization: an IOP day there means the facility's POS
    is wrong for the program (REFERENCE.md §14)."""
    if facts.kind != ServiceKind.PROGRAM_DAY or level != "iop" or pos != "52":
        return result
    return _refused(
        result,
        "an IOP day is at a facility whose place of service is 52 (partial hospitalization): "
        "give the IOP site its real POS (e.g. 53 CMHC, 57 non-residential SUD, 11 office)",
    )


def prime_week_cache(sessions: list[Session], cache: WeekCache) -> WeekCache:
    """Load the program-day weeks of many sessions in one query (lists code many rows), which
    program day of each date bills it, and each date's crisis services (one query each)."""
    days = {
        (s.patient_id, s.service_date)
        for s in sessions
        if s.kind == ServiceKind.PROGRAM_DAY and s.patient_id and s.service_date
    }
    days -= {key[1:] for key in cache if key[0] == "first"}
    first = _first_days(days)
    for day in days:
        cache[("first", *day)] = first.get(day)
    crisis = {
        (s.patient_id, s.service_date)
        for s in sessions
        if s.kind == ServiceKind.CRISIS and s.patient_id and s.service_date
    } - {key[1:] for key in cache if key[0] == "crisis"}
    for day, rows in _crisis_days(crisis).items():
        cache[("crisis", *day)] = rows
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


def _week_minutes(
    facts: PreviewFacts, context: PreviewContext, cache: WeekCache | None
) -> tuple[int, ...]:
    """Program-day minutes, Monday to Sunday, this day included: as named, else the episode's
    recorded days with this one in place of any recorded on its date."""
    if facts.kind != ServiceKind.PROGRAM_DAY:
        return ()
    if facts.week_minutes is not None:
        return facts.week_minutes
    episode, day = context.episode, facts.service_date
    if episode is None or episode.pk is None or day is None:
        return ()
    cache = {} if cache is None else cache
    key = (episode.pk, _monday(day))
    if key not in cache:
        cache[key] = _recorded_week(episode.pk, key[1])
    days = dict(cache[key])
    if facts.minutes is not None:
        days[day] = facts.minutes
    return tuple(minutes for _, minutes in sorted(days.items()))


CrisisDay = list[tuple[int, datetime.datetime, int]]  # (session id, start, minutes)


def _crisis_days(
    patient_days: set[tuple[int, datetime.date]],
) -> dict[tuple[int, datetime.date], CrisisDay]:
    """The completed crisis services of each (patient, date), in one query."""
    found: dict[tuple[int, datetime.date], CrisisDay] = {day: [] for day in patient_days}
    if not patient_days:
        return found
    rows = Session.objects.filter(
        patient_id__in={patient for patient, _ in patient_days},
        service_date__in={day for _, day in patient_days},
        kind=ServiceKind.CRISIS.value,
        status=Session.Status.COMPLETED,
        starts_at__isnull=False,
    ).only("patient_id", "service_date", "starts_at", "ends_at", "group_id")
    for row in rows:
        if (key := (row.patient_id, row.service_date)) in found:
            found[key].append((row.pk, row.starts_at, row.minutes or 0))
    return found


def _crisis_minutes_before(facts: PreviewFacts, cache: WeekCache | None) -> int:
    """Minutes of the patient's earlier completed crisis services on the same date (they add
    up: 90839 once a day, REFERENCE.md §14). Lists load the days at once (prime_week_cache)."""
    if facts.kind != ServiceKind.CRISIS or facts.patient is None or not facts.starts_at:
        return 0
    day = (facts.patient.pk, facts.service_date)
    key = ("crisis", *day)
    rows = cache[key] if cache is not None and key in cache else _crisis_days({day})[day]
    return sum(
        minutes
        for pk, starts_at, minutes in rows
        if starts_at < facts.starts_at and pk != facts.session_pk
    )


def _census(facts: PreviewFacts, context: PreviewContext) -> CensusDay | None:
    """The midnight-census facts of a residential / withdrawal-management day (REFERENCE.md
    §14): from the episode's admission, discharge and leaves."""
    episode, day = context.episode, facts.service_date
    if facts.kind != ServiceKind.PROGRAM_DAY or context.level not in CENSUS_LEVELS:
        return None
    if episode is None or episode.pk is None or day is None:
        return None
    leave_days = {leave_day for leave in episode.leaves.all() for leave_day in leave.days()}
    return census_day(day, episode.admit_date, episode.discharge_date, leave_days)


def _engine_facts(
    facts: PreviewFacts, context: PreviewContext, week_cache: WeekCache | None
) -> ServiceFacts:
    """Raises ValueError on impossible facts (e.g. negative minutes, an unknown kind)."""
    minutes, supervisor = facts.minutes, facts.supervising_provider
    attendees = facts.attendees
    if not attendees and facts.kind == ServiceKind.GROUP and minutes is not None:
        attendees = (Attendance(None, minutes),)
    return ServiceFacts(
        kind=facts.kind,
        rendering_license=facts.rendering_provider.license_type,  # type: ignore[union-attr]
        minutes=minutes,
        attendees=attendees,
        modality=facts.modality,
        patient_at_home=facts.patient_location == Session.PatientLocation.HOME,
        facility_pos=_facility_pos(facts, context),
        supervising_license=supervisor.license_type if supervisor else None,
        interactive_complexity=facts.interactive_complexity,
        em_code=facts.em_code or None,
        with_medical_services=facts.with_medical_services,
        week_minutes=_week_minutes(facts, context, week_cache),
        crisis_minutes_before=_crisis_minutes_before(facts, week_cache),
        census=_census(facts, context),
        program_services=facts.program_services if facts.kind == ServiceKind.PROGRAM_DAY else (),
    )


def _rules(context: PreviewContext, cache: WeekCache | None = None) -> PayerRules:
    """The payer's rules for the program and level (built once per list or batch: `cache`)."""
    payer = context.payer
    if payer is None:
        return DEFAULT_PAYER_RULES if context.payer_source == "none" else SELF_PAY_RULES
    key = ("rules", payer.pk, context.level, context.program)
    if cache is not None and payer.pk is not None and key in cache:
        return cache[key]
    rules = payer_rules_for(payer, level=context.level, program=context.program)
    if cache is not None and payer.pk is not None:
        cache[key] = rules
    return rules


# --- Telehealth licensure ------------------------------------------------------------------


def _licensure_exception(rules: PayerRules, state: str) -> str | None:
    """The payer's licensure exception that covers a patient in `state` (payer data)."""
    profile = rules.telehealth
    if profile.any_state_license:
        return f"{rules.name} accepts a clinician's license of any state"
    if state in profile.license_exception_states:
        return f"{rules.name} accepts an out-of-state license for patients in {state}"
    return None


def _telehealth_licensure(
    facts: PreviewFacts, result: CodingResult, rules: PayerRules
) -> CodingResult:
    """A telehealth service is billable only when the rendering clinician's license is valid
    in the state where the patient was (REFERENCE.md §14, NGS telehealth FAQ)."""
    provider, state, day = facts.rendering_provider, facts.patient_state, facts.service_date
    if facts.modality == Modality.IN_PERSON or not state or not day or provider is None:
        return result
    if exception := _licensure_exception(rules, state):
        return dataclasses.replace(result, reasons=(*result.reasons, exception))
    block = license_block_in_state(provider=provider, state=state, on_date=day)
    if block is not None:
        return _refused(result, block)
    why = f"licensed where the patient was ({state})"
    lines = tuple(dataclasses.replace(line, reasons=(*line.reasons, why)) for line in result.lines)
    return dataclasses.replace(result, lines=lines, reasons=(*result.reasons, why))


# --- The one path -------------------------------------------------------------------------


def _failed(message: str, reasons: tuple[str, ...] = ()) -> CodingResult:
    return CodingResult(billable=False, lines=(), reasons=reasons, errors=(message,))


def _coded(facts: PreviewFacts, context: PreviewContext, cache: WeekCache | None) -> CodingResult:
    head = (context.description,)
    if facts.rendering_provider is None or not facts.kind:
        return _failed("choose the service kind and rendering provider first", head)
    try:
        rules = _rules(context, cache)
        engine_facts = _engine_facts(facts, context, cache)
    except RuleDataError as exc:
        return _failed(f"payer rule data is invalid ({exc}); fix the payer's rules", head)
    except ValueError as exc:
        return _failed(str(exc), head)
    result = code_service(engine_facts, rules)
    result = _one_day_a_date(facts, cache, result)
    result = _iop_site(facts, context.level, engine_facts.facility_pos, result)
    result = _telehealth_licensure(facts, result, rules)
    return dataclasses.replace(result, reasons=head + result.reasons)


def preview_from_facts(
    *, facts: PreviewFacts, week_cache: WeekCache | None = None
) -> CodingPreview:
    """What the service would bill and why, in the context its facts name. Reads only; never
    raises on bad facts: they become the preview's errors."""
    context = preview_context(facts)
    return CodingPreview(facts, context, _coded(facts, context, week_cache))


# --- Sessions -----------------------------------------------------------------------------


def _session_program_services(session: Session) -> tuple[ProgramService, ...]:
    """The services recorded inside a program day. An unsaved day may carry its rows in
    `pending_program_services` (a preview before recording)."""
    if session.kind != ServiceKind.PROGRAM_DAY:
        return ()
    rows = getattr(session, "pending_program_services", None)
    if rows is None:
        rows = session.program_services.all() if session.pk else ()
    return tuple(ProgramService(row.kind, row.minutes, ref=str(row.public_id)) for row in rows)


def session_facts(session: Session, *, payer: Any = UNSET) -> PreviewFacts:
    """The facts a (stored or unsaved) session records. `payer` defaults to the patient's
    primary coverage on the service date; None means self-pay."""
    return PreviewFacts(
        kind=session.kind,
        rendering_provider=session.rendering_provider if session.rendering_provider_id else None,
        supervising_provider=session.supervising_provider,
        service_date=session.service_date,
        starts_at=session.starts_at,
        minutes=_session_minutes(session),
        program_services=_session_program_services(session),
        modality=session.modality,
        patient_location=session.patient_location,
        patient_state=session.patient_state,
        facility=session.facility,
        interactive_complexity=session.interactive_complexity,
        em_code=session.em_code,
        with_medical_services=session.with_medical_services,
        patient=session.patient if session.patient_id else None,
        episode=session.episode if session.episode_id else None,
        payer=payer,
        session_pk=session.pk,
    )


def preview_of_session(
    *, session: Session, payer: Any = UNSET, week_cache: WeekCache | None = None
) -> CodingPreview:
    return preview_from_facts(facts=session_facts(session, payer=payer), week_cache=week_cache)


def preview_for(
    *, session_like: Session, payer: Any = UNSET, week_cache: WeekCache | None = None
) -> CodingResult:
    """What the session would bill and why (see `session_facts` for `payer`). Never raises on
    bad facts: they become errors."""
    return preview_of_session(session=session_like, payer=payer, week_cache=week_cache).result


def service_facts_for(
    session: Session, *, payer: Any = UNSET, week_cache: WeekCache | None = None
) -> ServiceFacts:
    """Engine facts from a session (raises ValueError on impossible facts, e.g. negative
    minutes)."""
    facts = session_facts(session, payer=payer)
    return _engine_facts(facts, preview_context(facts), week_cache)


# --- JSON-ready explanations ----------------------------------------------------------------


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
                "attendee": line.patient_ref,
                "reasons": list(line.reasons),
            }
            for line in result.lines
        ],
        "condition_codes": list(result.condition_codes),
        "payment_class": _payment_class(result),
        "reasons": list(result.reasons),
        "errors": list(result.errors),
        "warnings": list(result.warnings),
    }


def _public_id(obj: Any) -> str | None:
    return str(obj.public_id) if obj is not None else None


def _program_week(result: CodingResult) -> dict[str, Any] | None:
    week = result.program_week
    if week is None:
        return None
    return {
        "days": [day.minutes for day in week.days],
        "total_minutes": week.total_minutes,
        "meets_weekly_minimum": week.meets_weekly_minimum,
        "reason": week.reason,
    }


def preview_summary(preview: CodingPreview) -> dict[str, Any]:
    """`coding_summary` plus the public id of who bills each line (the rendering or supervising
    provider, or for a program day the facility), the program week and the context (payer,
    program, level) the service was coded in."""
    summary = coding_summary(preview.result)
    facts, context = preview.facts, preview.context
    episode = context.episode
    providers = {
        BilledProvider.RENDERING.value: _public_id(facts.rendering_provider),
        BilledProvider.SUPERVISING.value: _public_id(facts.supervising_provider),
        # A program day is billed by the program: the facility's Type-2 NPI.
        BilledProvider.FACILITY.value: _public_id(
            facts.facility or (episode.facility if episode is not None else None)
        ),
    }
    for line in summary["lines"]:
        line["billed_provider_id"] = providers[line["billed_provider"]]
    payer = context.payer
    summary["program_week"] = _program_week(preview.result)
    summary["context"] = {
        "payer": {"id": str(payer.public_id), "name": payer.name} if payer else None,
        "payer_source": context.payer_source,
        "coverage": _public_id(context.coverage),
        "program": context.program,
        "level": context.level,
        "description": context.description,
    }
    return summary
