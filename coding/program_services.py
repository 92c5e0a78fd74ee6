"""Program days billed service by service (Medicare PHP and IOP, REFERENCE.md §14): one line per
qualifying service (revenue code + HCPCS), and the day's payment class from the number of
qualifying service units (Medicare: a per-diem APC for 3, another for 4 or more; below 3 no per
diem). Which kinds qualify, their codes and the classes are payer data (`PerServiceDay`)."""

from __future__ import annotations

from collections.abc import Sequence

from .plan import PlannedLine, Trace
from .psychotherapy import CodeDecision, evaluation_code, family_code, psychotherapy_code
from .types import (
    DayPaymentClass,
    PaymentClassRule,
    PerServiceDay,
    ProgramService,
    ProgramServiceCode,
    ProgramServiceKind,
    program_service_label,
)

K = ProgramServiceKind


def _cpt_by_minutes(service: ProgramService, family_min_minutes: int) -> CodeDecision | None:
    """The CPT code of a psychotherapy, family or evaluation service (None: no CPT rule)."""
    if service.kind == K.INDIVIDUAL_PSYCHOTHERAPY:
        return psychotherapy_code(service.minutes)
    if service.kind in (K.FAMILY_WITH_PATIENT, K.FAMILY_WITHOUT_PATIENT):
        present = service.kind == K.FAMILY_WITH_PATIENT
        return family_code(service.minutes, present, family_min_minutes)
    if service.kind == K.DIAGNOSTIC_EVALUATION:
        return evaluation_code(False)
    return None


def _units(service: ProgramService, code: ProgramServiceCode, hcpcs: str) -> tuple[int, str]:
    if code.unit_minutes is None:
        return 1, f"{hcpcs}: 1 unit per service"
    units = service.minutes // code.unit_minutes
    return units, f"{hcpcs}: whole {code.unit_minutes}-min units → {units} unit(s)"


def _code_of(
    service: ProgramService, code: ProgramServiceCode, family_min_minutes: int
) -> tuple[str | None, str]:
    """(HCPCS, why) for one service; HCPCS None = it does not qualify (why says so)."""
    if code.hcpcs:
        return code.hcpcs, code.label or code.hcpcs
    decision = _cpt_by_minutes(service, family_min_minutes)
    if decision is None:
        return None, "the payer names no code for it"
    return decision.code, decision.reason


def service_line(
    service: ProgramService,
    billing: PerServiceDay,
    payer_name: str,
    family_min_minutes: int,
    trace: Trace,
) -> PlannedLine | None:
    """The line of one service of the day, or None with the reason it does not qualify."""
    what = f"{program_service_label(service.kind)} ({service.minutes} min)"
    code = billing.services.get(service.kind)
    if code is None:
        trace.warn(f"{what}: not billed, {payer_name} has no code for it in a program day")
        return None
    if service.minutes < code.min_minutes:
        trace.warn(f"{what}: not billed, under the {code.min_minutes}-min minimum of a session")
        return None
    hcpcs, why = _code_of(service, code, family_min_minutes)
    if hcpcs is None:
        trace.warn(f"{what}: not billed, {why}")
        return None
    units, how = _units(service, code, hcpcs)
    if units == 0:
        trace.warn(f"{what}: not billed, under one {code.unit_minutes}-min unit of {hcpcs}")
        return None
    revenue = f" (revenue code {code.revenue_code})" if code.revenue_code else ""
    trace.why(f"{what}: {why}; {how}{revenue}")
    return PlannedLine(
        hcpcs,
        units,
        revenue_code=code.revenue_code,
        modifiers=code.modifiers,
        service_ref=service.ref,
        program_service=service.kind,
    )


def service_lines(
    services: Sequence[ProgramService],
    billing: PerServiceDay,
    payer_name: str,
    family_min_minutes: int,
    trace: Trace,
) -> list[PlannedLine]:
    """One line per qualifying service of the day (REFERENCE.md §14)."""
    if not services:
        trace.fail(
            f"{payer_name} bills a program day service by service: record the day's services "
            f"(group psychotherapy, individual psychotherapy, ...)"
        )
        return []
    trace.why(f"{payer_name} bills the program day service by service: one line each")
    lines = [
        line
        for service in services
        if (line := service_line(service, billing, payer_name, family_min_minutes, trace))
    ]
    if not lines:
        trace.fail("none of the day's services qualifies for a billed line")
    return lines


def payment_class(count: int, rules: Sequence[PaymentClassRule]) -> DayPaymentClass | None:
    """The class `count` qualifying service units reach (the highest whose floor it meets);
    below the lowest floor, no per diem. None when the payer sets no classes."""
    ordered = sorted(rules, key=lambda rule: rule.from_services)
    if not ordered:
        return None
    reached = [rule for rule in ordered if count >= rule.from_services]
    if not reached:
        floor = ordered[0].from_services
        label = f"fewer than {floor}: no per diem"
        reason = f"{count} qualifying service(s) < {floor}: no per-diem payment for the day"
        return DayPaymentClass(count, label, None, reason)
    rule = reached[-1]
    apc = f" (APC {rule.apc})" if rule.apc else ""
    reason = f"{count} qualifying service(s) → payment class '{rule.label}'{apc}"
    return DayPaymentClass(count, rule.label, rule.apc, reason)
