"""The façade: `code_service(facts, payer)` turns raw service facts into explained claim lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from .complexity import interactive_complexity
from .explain import explain_lines
from .group import group_lines
from .licensure import billed_provider, is_em_code, provider_modifiers
from .plan import PlannedLine, Trace
from .program_day import evaluate_day, evaluate_program_week
from .program_services import payment_class, service_lines
from .psychotherapy import (
    CRISIS_MIN_MINUTES,
    CodeDecision,
    addon_code,
    addon_em_family,
    addon_refusal,
    crisis_codes,
    evaluation_code,
    family_code,
    psychotherapy_code,
)
from .telehealth import decide_place
from .types import (
    COMMUNITY_KINDS,
    BilledProvider,
    CodingResult,
    DayBasis,
    DayPaymentClass,
    LeaveDays,
    LevelOfCareCode,
    Modality,
    PayerRules,
    ProgramWeekResult,
    ServiceCode,
    ServiceFacts,
    ServiceKind,
    ServiceLine,
    ShortDayOutcome,
)
from .units import explain_units

DEFAULT_PAYER_RULES = PayerRules()
# Source: X12 837P SV101 / CMS-1500 box 24D hold at most 4 procedure modifiers per line
MAX_MODIFIERS = 4

Coder = Callable[[ServiceFacts, PayerRules, Trace], list[PlannedLine]]


def _need_minutes(facts: ServiceFacts, trace: Trace) -> int | None:
    if facts.minutes is None:
        trace.fail(f"{facts.kind.value} is time-based: minutes are required")
    return facts.minutes


def _lines_from(decisions: tuple[CodeDecision, ...], trace: Trace) -> list[PlannedLine]:
    """Explain each decision; a decision without a code makes the service not billable."""
    lines = []
    for decision in decisions:
        if decision.code is None:
            trace.fail(decision.reason)
            continue
        trace.why(decision.reason)
        lines.append(PlannedLine(decision.code, decision.units))
    return lines


# --- One coder per service kind ---------------------------------------------------------


def _code_evaluation(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    decision = evaluation_code(facts.with_medical_services)
    trace.why(decision.reason)
    cpt = decision.code or ""
    payer_code = payer.evaluation_code_overrides.get(cpt)
    if payer_code:
        trace.why(f"{payer.name} replaces {cpt} with {payer_code}")
    return [PlannedLine(payer_code or cpt, 1, scope_code=cpt)]


def _code_individual(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    minutes = _need_minutes(facts, trace)
    return [] if minutes is None else _lines_from((psychotherapy_code(minutes),), trace)


def _code_family(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    minutes = _need_minutes(facts, trace)
    if minutes is None:
        return []
    present = facts.kind is ServiceKind.FAMILY_WITH_PATIENT
    return _lines_from((family_code(minutes, present, payer.family_min_minutes),), trace)


def _code_em(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    """E/M line plus the psychotherapy add-on from minutes (E/M alone below 16 minutes)."""
    em = facts.em_code
    if not em or not is_em_code(em):
        trace.fail(f"add-ons 90833/90836/90838 are never billed without an E/M; em_code={em!r}")
        return []
    trace.why(f"E/M {em} billed by the same provider on the same day")
    minutes = _need_minutes(facts, trace)
    addon = addon_code(minutes) if minutes is not None else None
    if addon is None or addon.code is None:
        trace.why(f"{addon.reason if addon else 'no minutes'}; E/M {em} billed alone")
        return [PlannedLine(em, 1)]
    refusal = addon_refusal(em, addon.code)
    if refusal:
        trace.fail(refusal)
        return []
    trace.why(f"{addon.reason}; {em} is {addon_em_family(em)}, which the add-on may follow")
    return [PlannedLine(em, 1), PlannedLine(addon.code, 1)]


def _crisis_site(facts: ServiceFacts, payer: PayerRules) -> str | None:
    """The in-person, non-office, non-facility POS that takes the payer's site crisis codes."""
    site = payer.crisis_site
    if site is None or facts.modality is not Modality.IN_PERSON:
        return None
    pos = "12" if facts.patient_at_home else facts.facility_pos
    return pos if pos in site.places_of_service else None


# Source: REFERENCE.md §1, crisis under 30 minutes is coded 90832/90833 instead; §14: crisis
# minutes of one patient on one date add up (90839 once a day); Medicare G0017/G0018 at a
# non-office, non-facility site (cms.gov "Psychotherapy for Crisis", CY 2024 PFS).
def _code_crisis(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    minutes = _need_minutes(facts, trace)
    if minutes is None:
        return []
    before = facts.crisis_minutes_before
    if before + minutes < CRISIS_MIN_MINUTES:
        fallback = "90833 with the E/M" if facts.em_code else "90832"
        day = f"{before} + {minutes} min that day" if before else f"{minutes} min"
        trace.why(f"crisis {day} < 30: coded as psychotherapy ({fallback}) instead")
        return (_code_em if facts.em_code else _code_individual)(facts, payer, trace)
    if facts.em_code:
        trace.warn(f"E/M {facts.em_code} is not coded with crisis codes by this engine")
    first, addon = "90839", "90840"
    site = _crisis_site(facts, payer)
    if site is not None and payer.crisis_site is not None:
        first, addon = payer.crisis_site.first, payer.crisis_site.each_additional
        trace.why(f"in person at POS {site}: {payer.name} bills crisis as {first}/{addon}")
    decisions = crisis_codes(minutes, before=before, first_code=first, addon_code=addon)
    if not decisions:
        trace.warn(
            f"these {minutes} minutes add no crisis unit to the {before} minutes already coded "
            f"today: they are included in the earlier crisis service's codes"
        )
        return []
    return _lines_from(decisions, trace)


def _code_group(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    return group_lines(facts.attendees, facts.minutes, payer.group, payer.rounding, trace)


def _code_census_day(
    facts: ServiceFacts, payer: PayerRules, level: LevelOfCareCode, trace: Trace
) -> list[PlannedLine]:
    """Residential / withdrawal management: one per diem per census day (REFERENCE.md §14);
    attended minutes are not asked for unless the payer set an hour minimum."""
    census, rules = facts.census, payer.program_day
    if census is None:
        trace.fail("a census program day needs the admission and discharge dates")
        return []
    if not census.counts:
        trace.fail(census.reason)
        return []
    trace.why(census.reason)
    if census.leave and rules.leave_days is LeaveDays.NON_COVERED:
        trace.fail(
            f"{payer.name} does not pay leave days: report it as non-covered "
            f"(occurrence span 74), not as a billed day"
        )
        return []
    if rules.min_hours_per_day > 0 and facts.minutes is not None and not census.leave:
        day = evaluate_day(facts.minutes, rules, level)
        if day.billed is None:
            trace.fail(day.reason)
            return []
        trace.why(day.reason)
    trace.why(f"{level.name} per census day: 1 unit")
    return [PlannedLine(level.hcpcs, 1, revenue_code=level.revenue_code, modifiers=level.modifiers)]


def _code_program_day(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    level = payer.level_of_care
    if level is None:
        trace.fail(f"{payer.name} has no level-of-care code for program days")
        return []
    if payer.program_day.basis is DayBasis.CENSUS:
        return _code_census_day(facts, payer, level, trace)
    minutes = _need_minutes(facts, trace)
    if minutes is None:
        return []
    day = evaluate_day(minutes, payer.program_day, level)
    if day.billed is None:
        trace.fail(day.reason)
        return []
    trace.why(day.reason)
    if day.outcome is ShortDayOutcome.INFORMATIONAL:
        trace.warn(day.reason)
    if day.billed.per_service is not None:
        return service_lines(
            facts.program_services,
            day.billed.per_service,
            payer.name,
            payer.family_min_minutes,
            trace,
        )
    return _level_of_care_line(minutes, day.billed, trace)


def _level_of_care_line(minutes: int, level: LevelOfCareCode, trace: Trace) -> list[PlannedLine]:
    units = 1
    if level.unit_rule is None:
        trace.why(f"{level.hcpcs} is per diem: 1 unit")
    else:
        units, how = explain_units(minutes, level.unit_rule)
        trace.why(f"{how} of {level.hcpcs}")
    if units == 0:
        trace.fail(f"{minutes} min earn no unit of {level.hcpcs}")
        return []
    return [
        PlannedLine(level.hcpcs, units, revenue_code=level.revenue_code, modifiers=level.modifiers)
    ]


def _code_community(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    """Community services have no CPT code: only a payer's code map bills them."""
    what = facts.kind.value.replace("_", " ")
    trace.fail(
        f"{payer.name} has no code for {what} in this program: add one to its code map "
        f"(e.g. H0038 peer support, T1017 case management, H2014 skills, H0036 support)"
    )
    return []


# Kinds whose code a payer's code map may replace (group and program days have their own maps).
REMAPPABLE: frozenset[ServiceKind] = frozenset(
    {
        ServiceKind.INDIVIDUAL,
        ServiceKind.FAMILY_WITH_PATIENT,
        ServiceKind.FAMILY_WITHOUT_PATIENT,
        ServiceKind.CRISIS,
        ServiceKind.EVALUATION,
    }
    | COMMUNITY_KINDS
)


# The CPT concept a remapped code stands for, so licence scope still applies (a peer
# specialist does not bill psychotherapy under an H0004 either).
SCOPE_OF_KIND: Mapping[ServiceKind, str] = {
    ServiceKind.INDIVIDUAL: "90832",
    ServiceKind.FAMILY_WITH_PATIENT: "90847",
    ServiceKind.FAMILY_WITHOUT_PATIENT: "90846",
    ServiceKind.CRISIS: "90839",
    ServiceKind.EVALUATION: "90791",
}


def _payer_code_lines(
    facts: ServiceFacts, payer: PayerRules, code: ServiceCode, trace: Trace
) -> list[PlannedLine]:
    """The payer's HCPCS code for this kind, with units from minutes when it is timed."""
    what = facts.kind.value.replace("_", " ")
    label = f" ({code.label})" if code.label else ""
    if code.unit_rule is None:
        trace.why(f"{payer.name} bills {what} as {code.hcpcs}{label}: one unit per service")
        return [_payer_line(facts, code, 1)]
    minutes = _need_minutes(facts, trace)
    if minutes is None:
        return []
    units, how = explain_units(minutes, code.unit_rule)
    if units == 0:
        trace.fail(f"{minutes} min earn no unit of {code.hcpcs}{label}")
        return []
    trace.why(f"{payer.name} bills {what} as {code.hcpcs}{label}: {how}")
    return [_payer_line(facts, code, units)]


def _payer_line(facts: ServiceFacts, code: ServiceCode, units: int) -> PlannedLine:
    scope = SCOPE_OF_KIND.get(facts.kind)
    return PlannedLine(code.hcpcs or "", units, scope_code=scope, modifiers=code.modifiers)


def _plan(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> list[PlannedLine]:
    """Lines from the payer's code map for this kind, else from the CPT coders."""
    code = payer.service_codes.get(facts.kind) if facts.kind in REMAPPABLE else None
    if code is not None and code.hcpcs:
        return _payer_code_lines(facts, payer, code, trace)
    planned = CODERS[facts.kind](facts, payer, trace)
    if code is not None and code.modifiers and planned:
        mods = "+".join(code.modifiers)
        trace.why(f"{payer.name} adds {mods} to {facts.kind.value.replace('_', ' ')}")
        planned = [
            dataclasses.replace(line, modifiers=line.modifiers + code.modifiers) for line in planned
        ]
    return planned


CODERS: Mapping[ServiceKind, Coder] = {
    ServiceKind.EVALUATION: _code_evaluation,
    ServiceKind.INDIVIDUAL: _code_individual,
    ServiceKind.FAMILY_WITH_PATIENT: _code_family,
    ServiceKind.FAMILY_WITHOUT_PATIENT: _code_family,
    ServiceKind.GROUP: _code_group,
    ServiceKind.CRISIS: _code_crisis,
    ServiceKind.EM_WITH_PSYCHOTHERAPY: _code_em,
    ServiceKind.PROGRAM_DAY: _code_program_day,
    **{kind: _code_community for kind in COMMUNITY_KINDS},
}


# --- Cross-cutting steps ----------------------------------------------------------------


def _flagged_patients(facts: ServiceFacts) -> list[str | None]:
    flagged: list[str | None] = [a.patient_ref for a in facts.attendees if a.interactive_complexity]
    return [None, *flagged] if facts.interactive_complexity else flagged


def _add_interactive_complexity(
    planned: list[PlannedLine], facts: ServiceFacts, trace: Trace
) -> list[PlannedLine]:
    """Add 90785 per flagged patient when eligible; explain refusals (they do not block). Not
    on a program day: its lines are the program's (a per-service institutional day would get
    a line without a revenue code)."""
    if facts.kind is ServiceKind.PROGRAM_DAY:
        if facts.interactive_complexity:
            trace.why("interactive complexity (90785) is not added to a program day's lines")
        return planned
    added = []
    for ref in _flagged_patients(facts):
        codes = [line.code for line in planned if line.patient_ref == ref]
        decision = interactive_complexity(codes)
        trace.why(decision.reason if ref is None else f"{ref}: {decision.reason}")
        if decision.code:
            added.append(PlannedLine(decision.code, 1, patient_ref=ref))
    return planned + added


def _place(
    facts: ServiceFacts, payer: PayerRules, trace: Trace
) -> tuple[str | None, tuple[str, ...]]:
    """POS and telehealth modifiers. An in-person program day without a POS is fine: on the
    institutional claim (837I) the type of bill says where (REFERENCE.md §14)."""
    in_person = facts.modality is Modality.IN_PERSON and not facts.patient_at_home
    if facts.kind is ServiceKind.PROGRAM_DAY and in_person and not facts.facility_pos:
        trace.why("program day on an institutional claim: no place of service (the TOB says)")
        return None, ()
    place = decide_place(
        facts.modality, facts.patient_at_home, facts.facility_pos, payer.telehealth
    )
    (trace.fail if place.error else trace.why)(place.reason)
    return place.pos, place.modifiers


def _billed_by(
    facts: ServiceFacts, payer: PayerRules, planned: list[PlannedLine], trace: Trace
) -> BilledProvider | None:
    """Program days are the program's (its Type-2 NPI), not refused or modified because of
    the licence of whoever led the day (REFERENCE.md §14); other services: licensure rules."""
    if facts.kind is ServiceKind.PROGRAM_DAY:
        if planned:
            trace.why("a program day is billed by the program (its Type-2 NPI and taxonomy)")
        return BilledProvider.FACILITY
    return billed_provider(facts, payer, [line.concept for line in planned], trace)


def _program_week(facts: ServiceFacts, payer: PayerRules, trace: Trace) -> ProgramWeekResult | None:
    if facts.kind is not ServiceKind.PROGRAM_DAY or not facts.week_minutes:
        return None
    if payer.program_day.basis is DayBasis.CENSUS:
        return None  # census programs have no attended-hours week
    week = evaluate_program_week(facts.week_minutes, payer.program_day, payer.level_of_care)
    trace.why(week.reason)
    if not week.meets_weekly_minimum or not week.meets_days_minimum:
        trace.warn(week.reason)
    return week


def _billed_level(facts: ServiceFacts, payer: PayerRules) -> LevelOfCareCode | None:
    """The level code a billed program day went out as (the downcode target on a downcoded
    day)."""
    level = payer.level_of_care
    if facts.kind is not ServiceKind.PROGRAM_DAY or level is None:
        return None
    if payer.program_day.basis is DayBasis.CENSUS or facts.minutes is None:
        return level
    return evaluate_day(facts.minutes, payer.program_day, level).billed


def _day_claim_facts(
    facts: ServiceFacts, payer: PayerRules, planned: list[PlannedLine], trace: Trace
) -> tuple[tuple[str, ...], DayPaymentClass | None]:
    """Condition codes of a billed program day and, billed service by service, its payment
    class from the qualifying service units (REFERENCE.md §14: 3, or 4 and more)."""
    level = _billed_level(facts, payer) if planned else None
    if level is None:
        return (), None
    if level.condition_codes:
        trace.why(f"condition code(s) {', '.join(level.condition_codes)} on the claim")
    if level.per_service is None:
        return level.condition_codes, None
    count = sum(line.units for line in planned if line.program_service)
    day_class = payment_class(count, level.per_service.payment_classes)
    if day_class is not None:
        (trace.warn if day_class.apc is None else trace.why)(day_class.reason)
    return level.condition_codes, day_class


def _line_modifiers(line: PlannedLine, extra: tuple[str, ...], trace: Trace) -> tuple[str, ...]:
    modifiers = tuple(dict.fromkeys(line.modifiers + extra))
    if len(modifiers) > MAX_MODIFIERS:
        trace.fail(f"{line.code} would need {len(modifiers)} modifiers {modifiers}; max is 4")
    return modifiers


def code_service(facts: ServiceFacts, payer: PayerRules = DEFAULT_PAYER_RULES) -> CodingResult:
    """Code one service: choose codes and units, who bills, POS and modifiers, with reasons."""
    trace = Trace()
    planned = _plan(facts, payer, trace)
    planned = _add_interactive_complexity(planned, facts, trace) if planned else planned
    week = _program_week(facts, payer, trace)
    role = _billed_by(facts, payer, planned, trace)
    pos, place_modifiers = _place(facts, payer, trace)
    lines = _assemble(planned, facts, payer, role, pos, place_modifiers, trace)
    conditions, day_class = _day_claim_facts(facts, payer, planned, trace)
    billable = not trace.errors and bool(lines)
    return CodingResult(
        billable=billable,
        lines=_explained(lines, facts, trace) if billable else (),
        reasons=tuple(trace.reasons),
        errors=tuple(trace.errors),
        warnings=tuple(trace.warnings),
        program_week=week,
        condition_codes=conditions if billable else (),
        payment_class=day_class if billable else None,
    )


def _explained(
    lines: tuple[ServiceLine, ...], facts: ServiceFacts, trace: Trace
) -> tuple[ServiceLine, ...]:
    refs = [a.patient_ref for a in facts.attendees if a.patient_ref]
    explained = explain_lines(lines, trace.reasons, refs)
    return tuple(
        dataclasses.replace(line, reasons=reasons)
        for line, reasons in zip(lines, explained, strict=True)
    )


def _assemble(
    planned: list[PlannedLine],
    facts: ServiceFacts,
    payer: PayerRules,
    role: BilledProvider | None,
    pos: str | None,
    place_modifiers: tuple[str, ...],
    trace: Trace,
) -> tuple[ServiceLine, ...]:
    if role is None or not planned:
        return ()
    extra = provider_modifiers(facts, payer, role, trace) + place_modifiers
    return tuple(
        ServiceLine(
            code=line.code,
            units=line.units,
            modifiers=_line_modifiers(line, extra, trace),
            pos=pos,
            billed_provider=role,
            patient_ref=line.patient_ref,
            revenue_code=line.revenue_code,
            service_ref=line.service_ref,
        )
        for line in planned
    )
