"""The sessions behind the lines: delivered, signed, coded without refusal, inside a treatment
plan that is not overdue for review, and (program days) meeting the payer's daily minimum."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import first_line, service_name, url
from claims.snapshot import ClaimSnapshot, ServiceSnap

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Session statuses (patients.models.Session.Status) that mean nothing was delivered.
NOT_DELIVERED = {"scheduled": "still scheduled", "no_show": "a no-show", "cancelled": "cancelled"}


def _where(snapshot: ClaimSnapshot, service: ServiceSnap) -> dict[str, object]:
    return {
        "line": first_line(snapshot, service.public_id),
        "service": service.public_id,
        "fix_url": url(service.fix_url, snapshot.episode_url),
    }


# Source: REFERENCE.md §12 (the progress note documents a service that took place) and §7
# CARC 96/50; a no-show or cancelled appointment is not a billable service.
@edit("SERVICE-NOT-DELIVERED", "Billed sessions took place")
def service_not_delivered(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        status = NOT_DELIVERED.get(service.status)
        if status:
            yield Finding(
                code="SERVICE-NOT-DELIVERED",
                severity=ERROR,
                message=f"{service_name(service)} is {status}, so it cannot be billed.",
                fix="Record the session as completed if it took place; otherwise remove it "
                "from the claim.",
                **_where(snapshot, service),
            )


# Source: REFERENCE.md §1 (CPT time thresholds, one psychotherapy code per session, telehealth
# POS and modifiers in §3): the coding engine's refusals, carried in ServiceSnap.coding_errors.
@edit("MINUTES-SUPPORT", "The session supports its code")
def minutes_support(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        errors = [e.strip() for e in service.coding_errors if e and e.strip()]
        if errors:
            yield Finding(
                code="MINUTES-SUPPORT",
                severity=ERROR,
                message=f"{service_name(service)} does not support a billable code: "
                f"{'; '.join(errors)}.",
                fix="Correct the session's minutes, times, modality, place or provider so it "
                "supports a code, or remove it from the claim.",
                **_where(snapshot, service),
            )


# Source: as MINUTES-SUPPORT; the engine's warnings (e.g. a refused 90785) do not hold a claim.
@edit("CODING-WARNING", "Coding engine warnings")
def coding_warning(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        for warning in (w.strip() for w in service.coding_warnings if w and w.strip()):
            yield Finding(
                code="CODING-WARNING",
                severity=WARNING,
                message=f"{service_name(service)}: {warning.rstrip('.')}.",
                fix="Review the session; change it only if the warning shows a recording error.",
                **_where(snapshot, service),
            )


# Source: REFERENCE.md §12 "Progress note per service": signature with credentials and date
# (co-signature where required); an unsigned note does not support a billed service.
@edit("NOTE-UNSIGNED", "Signed progress note")
def note_unsigned(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        if not service.note_signed and service.status not in NOT_DELIVERED:
            yield Finding(
                code="NOTE-UNSIGNED",
                severity=ERROR,
                message=f"{service_name(service)} has no signed progress note.",
                fix="Have the clinician complete and sign the note (with any co-signature "
                "required), then re-scrub.",
                **_where(snapshot, service),
            )


# Source: REFERENCE.md §12 "Plan review and recertification intervals" (Medicare PHP
# recertification, IOP every other month, payer and state cadences [P]): services after the
# plan's review date are not supported by a current plan.
@edit("PLAN-REVIEW-OVERDUE", "Treatment plan review current")
def plan_review_overdue(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        due, on = service.plan_review_due, service.service_date
        if not (isinstance(due, dt.date) and isinstance(on, dt.date)) or due >= on:
            continue
        where = _where(snapshot, service)
        where["fix_url"] = url(snapshot.episode_url, service.fix_url)
        yield Finding(
            code="PLAN-REVIEW-OVERDUE",
            severity=ERROR,
            message=f"{service_name(service)} falls after the treatment plan's review date "
            f"({due.isoformat()}): the plan was not reviewed in time.",
            fix="Review and sign the treatment plan with its next review date (or record the "
            "review that took place), then rebuild the claim.",
            **where,
        )


_DAY_SEVERITY = {"deny": ERROR, "downcode": WARNING, "informational": INFO}
_DAY_TEXT = {
    "deny": "the payer denies a day below its minimum",
    "downcode": "billed at the payer's lower level for a short day",
    "informational": "the payer pays it but reports the short day",
}
_DAY_FIX = {
    "deny": "Check the day's attendance times; if they are right, remove the day from the "
    "claim (or bill the services individually where the payer allows).",
    "downcode": "Nothing to do if the attendance is right: the claim already bills the "
    "payer's lower level for this day.",
    "informational": "Nothing to do for this claim; repeated short days invite review.",
}


# Source: REFERENCE.md §2 "Minimum intensity" and "Minimum not met" (Medicare PHP short weeks
# get an informational remittance message; other payers deny or downcode [P]); the day's
# outcome is coding.program_day's, carried in ServiceSnap.day_outcome.
@edit("PROGRAM-DAY-MINIMUM", "Program day minimum hours")
def program_day_minimum(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        severity = _DAY_SEVERITY.get(service.day_outcome)
        if severity is None:
            continue
        reason = service.day_reason.strip() or "the day did not meet the program's minimum"
        yield Finding(
            code="PROGRAM-DAY-MINIMUM",
            severity=severity,
            message=f"{service_name(service)}: {reason} ({_DAY_TEXT[service.day_outcome]}).",
            fix=_DAY_FIX[service.day_outcome],
            **_where(snapshot, service),
        )
