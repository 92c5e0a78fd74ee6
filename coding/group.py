"""Group psychotherapy: one 90853 per attendee per session, or per-15-minute payer codes."""

from __future__ import annotations

from .plan import PlannedLine, Trace
from .types import Attendance, GroupBilling, GroupBillingMode, RoundingRule
from .units import explain_units

GROUP_PSYCHOTHERAPY = "90853"


def _who(attendance: Attendance) -> str:
    return attendance.patient_ref or "patient"


# Source: REFERENCE.md §1, 90853 one unit per patient per session, no minute threshold
def per_session_lines(
    attendees: tuple[Attendance, ...], billing: GroupBilling, trace: Trace
) -> list[PlannedLine]:
    if not attendees:
        trace.why(f"group session → {billing.code} × 1 (one unit per session, minutes not used)")
        return [
            PlannedLine(
                billing.code, 1, scope_code=GROUP_PSYCHOTHERAPY, modifiers=billing.modifiers
            )
        ]
    lines = []
    for a in attendees:
        if a.minutes == 0:
            trace.why(f"{_who(a)}: 0 minutes attended, no group line")
            continue
        trace.why(f"{_who(a)} attended {a.minutes} min → {billing.code} × 1 (per session)")
        lines.append(
            PlannedLine(billing.code, 1, patient_ref=a.patient_ref, modifiers=billing.modifiers)
        )
    return lines


# Source: REFERENCE.md §1, Medicaid per-15-min groups (H0005, H2017-HQ): units from attended minutes
def per_15_minute_lines(
    attendees: tuple[Attendance, ...], billing: GroupBilling, rule: RoundingRule, trace: Trace
) -> list[PlannedLine]:
    lines = []
    for a in attendees:
        units, how = explain_units(a.minutes, rule)
        trace.why(f"{_who(a)}: {how} of {billing.code}")
        if units:
            # Group counseling under any code is group psychotherapy for licence scope (a peer
            # specialist bills H0038, not H0005 or 90853).
            line = PlannedLine(
                billing.code,
                units,
                scope_code=GROUP_PSYCHOTHERAPY,
                patient_ref=a.patient_ref,
                modifiers=billing.modifiers,
            )
            lines.append(line)
    return lines


def group_lines(
    attendees: tuple[Attendance, ...],
    minutes: int | None,
    billing: GroupBilling,
    payer_rule: RoundingRule,
    trace: Trace,
) -> list[PlannedLine]:
    """Lines for every attendee; without attendees the session's own minutes are used."""
    if billing.mode is GroupBillingMode.PER_SESSION:
        lines = per_session_lines(attendees, billing, trace)
    elif not attendees and minutes is None:
        trace.fail(f"per-15-minute group billing ({billing.code}) needs attended minutes")
        return []
    else:
        people = attendees or (Attendance(None, minutes or 0),)
        lines = per_15_minute_lines(people, billing, billing.unit_rule or payer_rule, trace)
    if not lines:
        trace.fail("no attendee has billable group time")
    return lines
