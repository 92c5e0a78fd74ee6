"""May this payer be billed for these services at all: coverage in force on each date of
service, a complete subscriber, prior authorization, and the 42 CFR Part 2 consent that lets a
substance-use claim be disclosed to the payer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import day, first_line, line_dates, line_name, service_name, url
from claims.snapshot import AuthSnap, ClaimSnapshot, CoverageSnap, ServiceSnap

ERROR, WARNING = Severity.ERROR, Severity.WARNING


# --- Coverage ---------------------------------------------------------------------------------


def _in_force(coverage: CoverageSnap, on: dt.date) -> bool:
    if not isinstance(coverage.effective_date, dt.date) or on < coverage.effective_date:
        return False
    return not isinstance(coverage.end_date, dt.date) or on <= coverage.end_date


def _span(coverage: CoverageSnap) -> str:
    start = day(coverage.effective_date)
    return f"from {start} to {day(coverage.end_date)}" if coverage.end_date else f"from {start} on"


# Source: REFERENCE.md §7, CARC 26/27 (expenses incurred before coverage / after it ended) and
# 31/140 (patient not identified, name/ID mismatch): a payer is billed only for dates its
# coverage is in force.
@edit("COVERAGE", "Coverage in force on the dates of service")
def coverage_in_force(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    coverage = snapshot.coverage
    if coverage is None:
        yield Finding(
            code="COVERAGE-MISSING",
            severity=ERROR,
            message="No coverage is attached to this claim, so there is no payer to bill.",
            fix="Add the patient's coverage (or bill the services as self-pay), then rebuild "
            "the claim.",
            fix_url=snapshot.patient_url,
        )
        return
    for line in snapshot.lines:
        outside = [d for d in line_dates(line) if not _in_force(coverage, d)]
        if outside:
            dates = day(outside[0]) if len(outside) == 1 else f"{len(outside)} of its dates"
            yield Finding(
                code="COVERAGE-INACTIVE",
                severity=ERROR,
                message=f"{line_name(line)}: the {coverage.payer_name} coverage is in force "
                f"{_span(coverage)}, not on {dates}.",
                fix="Check eligibility for that date; correct the coverage dates, or move the "
                "line to the coverage in force then (or to self-pay).",
                fix_url=url(coverage.fix_url, snapshot.patient_url),
                line=line.number,
            )


# Source: REFERENCE.md §10 "270/271" (EB01 6: inactive) and §7 CARC 27 (expenses incurred
# after coverage terminated): the payer's own latest eligibility answer says the coverage is
# not in force, so a claim for those dates would be denied. A later active answer lifts it.
@edit("ELIG-INACTIVE", "The payer's latest eligibility answer says inactive")
def eligibility_inactive(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    coverage = snapshot.coverage
    if coverage is None or coverage.inactive_from is None:
        return
    for line in snapshot.lines:
        inside = [d for d in line_dates(line) if d >= coverage.inactive_from]
        if inside:
            yield Finding(
                code="ELIG-INACTIVE",
                severity=ERROR,
                message=f"{line_name(line)}: {coverage.payer_name} answered on "
                f"{day(coverage.inactive_said_on)} that the coverage is inactive from "
                f"{day(coverage.inactive_from)} (eligibility check), so {day(inside[0])} is "
                "not covered.",
                fix="Ask the patient for their current coverage and check eligibility again; "
                "or move the line to the coverage in force then (or to self-pay).",
                fix_url=url(coverage.eligibility_url, coverage.fix_url, snapshot.patient_url),
                line=line.number,
            )


# Source: REFERENCE.md §10, 837P loop 2010BA (subscriber name, member id, demographics) and §7
# CARC 31/140 (patient cannot be identified / name or ID mismatch).
@edit("COVERAGE-SUBSCRIBER", "Member ID and subscriber facts")
def coverage_subscriber(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    coverage = snapshot.coverage
    if coverage is None:
        return  # COVERAGE-MISSING says it
    fix_url = url(coverage.fix_url, snapshot.patient_url)
    if not coverage.member_id_present:
        yield Finding(
            code="COVERAGE-SUBSCRIBER",
            severity=ERROR,
            message=f"The {coverage.payer_name} coverage has no member ID.",
            fix="Enter the member ID exactly as on the insurance card.",
            fix_url=fix_url,
        )
    if not coverage.subscriber_complete:
        yield Finding(
            code="COVERAGE-SUBSCRIBER",
            severity=ERROR,
            message=f"The subscriber of the {coverage.payer_name} coverage is incomplete "
            "(name, date of birth, sex or address missing).",
            fix="Complete the subscriber's name, date of birth, sex and address on the coverage.",
            fix_url=fix_url,
        )


# --- Prior authorization ----------------------------------------------------------------------

# authorizations.rules: "<date> is outside the authorized span of <auth> (<start> to <end>)".
_ISO = r"(\d{4}-\d{2}-\d{2})"
_SPAN_TEXT = re.compile(rf"outside the authorized span of .*?\({_ISO} to {_ISO}\)")

_AUTH_FIX = {
    "AUTH-MISSING": "Request an authorization from the payer (or record the one already "
    "granted) for this episode, then re-scrub.",
    "AUTH-NOT-YET-EFFECTIVE": "Check the authorization's start date with the payer; if it "
    "was granted from an earlier date, correct the start date.",
    "AUTH-EXPIRED": "Request a concurrent review or extension for these dates and record the "
    "new authorization span.",
    "AUTH-EXHAUSTED": "Request more units from the payer (concurrent review) and record them "
    "on the authorization.",
    "AUTH-OTHER-LEVEL": "Request an authorization for this level of care, or correct the "
    "episode's level of care if it changed.",
    "AUTH-NOT-COVERED": "Open the authorization and fix what the message names (codes, "
    "provider, coverage or status), or request a new one.",
}
_PROBLEM_CODES = {
    "missing": "AUTH-MISSING",
    "not_yet_effective": "AUTH-NOT-YET-EFFECTIVE",
    "expired": "AUTH-EXPIRED",
    "exhausted": "AUTH-EXHAUSTED",
    "other_level": "AUTH-OTHER-LEVEL",
    "other": "AUTH-NOT-COVERED",
}


def _span_code(text: str, on: dt.date) -> str | None:
    """AUTH-NOT-YET-EFFECTIVE when every span the rules quote starts after the date of service,
    AUTH-EXPIRED when one ended before it; None when the text quotes no span."""
    spans = []
    for start, end in _SPAN_TEXT.findall(text):
        try:
            spans.append((dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
        except ValueError:
            continue
    if not spans or not isinstance(on, dt.date):
        return None
    if all(on < start for start, _ in spans):
        return "AUTH-NOT-YET-EFFECTIVE"
    return "AUTH-EXPIRED" if any(on > end for _, end in spans) else None


def _auth_code(auth: AuthSnap, on: dt.date) -> str:
    """The kind of problem: the builder's `problem` when given, else read from the wording of
    `authorizations.rules` (its "why none covers it" phrases); anything unrecognised stays the
    generic AUTH-NOT-COVERED, whose message carries the rules' own words."""
    if auth.problem in _PROBLEM_CODES:
        return _PROBLEM_CODES[auth.problem]
    text = " ".join((auth.message, *auth.reasons))
    lowered = text.lower()
    if "not enough authorized units" in lowered:
        return "AUTH-EXHAUSTED"
    spanned = _span_code(text, on)
    if spanned:
        return spanned
    if "no authorization on file for this level of care" in lowered:
        return "AUTH-OTHER-LEVEL"
    if "no authorization on file" in lowered:
        return "AUTH-MISSING"
    return "AUTH-NOT-COVERED"


def _auth_message(service: ServiceSnap, auth: AuthSnap) -> str:
    said = auth.message.strip() or "it needs an authorization and none on file covers it."
    return f"{service_name(service)}: {said}"


# Source: REFERENCE.md §6 (authorization record) and §14 "Authorizations" (units come off the
# authorization on the coverage billed that date); §7 CARC 15 (auth number missing/invalid),
# 197/198 (authorization absent/exceeded). Whether one is needed and whether one covers the
# service is `authorizations.rules`' verdict, carried in AuthSnap.
@edit("AUTH", "Prior authorization")
def authorization(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for service in snapshot.services:
        auth = service.auth
        if auth is None or not auth.needed:
            continue
        where = {"line": first_line(snapshot, service.public_id), "service": service.public_id}
        fix_url = url(auth.fix_url, service.fix_url, snapshot.episode_url)
        if not auth.covered:
            code = _auth_code(auth, service.service_date)
            message = _auth_message(service, auth)
            yield Finding(
                code=code,
                severity=ERROR,
                message=message,
                fix=_AUTH_FIX[code],
                fix_url=fix_url,
                **where,
            )
        elif not auth.auth_number.strip():
            # The 837 carries the number in REF*G1; without it payers deny with CARC 15.
            yield Finding(
                code="AUTH-NUMBER-MISSING",
                severity=WARNING,
                message=f"{service_name(service)} is covered by an authorization that has no "
                "authorization number, so the claim cannot report it.",
                fix="Enter the payer's authorization (certification) number on the authorization.",
                fix_url=fix_url,
                **where,
            )


# --- 42 CFR Part 2 ----------------------------------------------------------------------------


# Source: 42 CFR 2.31 (consent requirements) and 2.33(a) (uses and disclosures permitted with
# written consent), ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2 (read through the
# govregs.com reproduction of subpart C); REFERENCE.md §8 "Billing data flows": a claim for SUD
# services is a Part 2 disclosure, gated on a valid, unexpired, unrevoked consent that covers
# payment. Fails closed: an SUD claim whose consent verdict is absent is held too.
@edit("PART2-CONSENT", "42 CFR Part 2 consent to disclose to the payer")
def part2_consent(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    consent = snapshot.consent
    if consent is None:
        if snapshot.program == "sud":
            yield Finding(
                code="PART2-CONSENT",
                severity=ERROR,
                message="This substance-use claim has no Part 2 consent verdict, so it may "
                "not be disclosed to the payer.",
                fix="Record the patient's Part 2 consent covering payment to this payer (or "
                "mark the episode as not Part 2), then rebuild the claim.",
                fix_url=snapshot.patient_url,
            )
        return
    if consent.required and not consent.permitted:
        why = consent.reason.strip() or "no consent on file permits it"
        yield Finding(
            code="PART2-CONSENT",
            severity=ERROR,
            message="42 CFR Part 2: this claim discloses substance-use records and no consent "
            f"permits disclosing them to the payer ({why}).",
            fix="Obtain a written Part 2 consent that names the payer (or health plans) and "
            "payment as a purpose, or hold the services as self-pay.",
            fix_url=url(consent.fix_url, snapshot.patient_url),
        )
