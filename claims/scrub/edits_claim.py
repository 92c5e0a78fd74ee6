"""The claim as a form: lines within the format's limits, each with a code, a charge and units;
a total that adds up; a frequency and (837I) type of bill, admission date and patient status
the format needs; and a filing date inside the payer's timely-filing limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import day, decimal, line_dates, line_name, money, url
from claims.snapshot import INSTITUTIONAL, PROFESSIONAL, ClaimSnapshot, LineSnap

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# Source: REFERENCE.md §10: 837P loop 2400 holds at most 50 lines; the 837I up to 999.
MAX_LINES = {PROFESSIONAL: 50, INSTITUTIONAL: 999}
# Source: REFERENCE.md §10 (837P SV101 HC:code:m1:m2:m3:m4) and payers.services.codes
# MAX_LINE_MODIFIERS: four modifiers a line.
MAX_MODIFIERS = 4
# Source: REFERENCE.md §7 ("Denials get either a corrected claim (frequency 7 plus REF*F8) or an
# appeal") and §10 (CLM05-3: 1 original, 7 replacement, 8 void).
REPLACES = frozenset({"7", "8"})
PROFESSIONAL_FREQUENCIES = frozenset({"1", "7", "8"})
# Warn this many days before the timely-filing limit runs out.
TIMELY_FILING_WARNING_DAYS = 30


def _claim_url(snapshot: ClaimSnapshot) -> str:
    return url(snapshot.claim_url, snapshot.episode_url)


def _charges_url(snapshot: ClaimSnapshot) -> str:
    return url(snapshot.charges_url, snapshot.payer_url, snapshot.claim_url)


# --- Lines ------------------------------------------------------------------------------------


@edit("CLAIM-NO-LINES", "At least one line")
def claim_no_lines(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if not snapshot.lines:
        yield Finding(
            code="CLAIM-NO-LINES",
            severity=ERROR,
            message="The claim has no service lines.",
            fix="Add the services to bill, or delete the empty claim.",
            fix_url=_claim_url(snapshot),
        )


@edit("LINE-LIMIT", "Lines per claim")
def line_limit(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    limit = MAX_LINES.get(snapshot.kind)
    if limit is not None and len(snapshot.lines) > limit:
        yield Finding(
            code="LINE-LIMIT",
            severity=ERROR,
            message=f"The claim has {len(snapshot.lines)} lines; this claim format holds {limit}.",
            fix=f"Split the services into claims of at most {limit} lines (e.g. by date range).",
            fix_url=_claim_url(snapshot),
        )


def _code_problem(snapshot: ClaimSnapshot, line: LineSnap) -> str | None:
    if snapshot.kind == INSTITUTIONAL and not line.revenue_code:
        return "has no revenue code (837I SV201)"
    if snapshot.kind != INSTITUTIONAL and not line.code:
        return "has no procedure code"
    if len(line.modifiers or ()) > MAX_MODIFIERS:
        return f"has {len(line.modifiers)} modifiers; a line holds {MAX_MODIFIERS}"
    return None


# Source: REFERENCE.md §10 (837P SV101 procedure with up to four modifiers; 837I SV2 revenue
# code, with the HCPCS where the payer wants one).
@edit("LINE-CODE", "Each line's code")
def line_code(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        problem = _code_problem(snapshot, line)
        if problem:
            yield Finding(
                code="LINE-CODE",
                severity=ERROR,
                message=f"{line_name(line)} {problem}.",
                fix="Correct the payer's code map for this service (or the service itself), "
                "then rebuild the claim.",
                fix_url=url(snapshot.payer_url, snapshot.claim_url),
                line=line.number,
            )


# Source: Stedi claim edit "Missing line item charge amount" (stedi.com changelog: each line
# needs its charge; payers add them up against the claim total). A line without a price from
# the chargemaster or fee schedule is billed at $0.
@edit("LINE-NO-CHARGE", "Each line's charge")
def line_no_charge(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        charge = decimal(line.charge)
        if charge is not None and charge > 0 and line.charge_source:
            continue
        why = (
            "has no charge from the chargemaster or fee schedule"
            if not line.charge_source
            else f"is charged {money(line.charge)}"
        )
        yield Finding(
            code="LINE-NO-CHARGE",
            severity=ERROR,
            message=f"{line_name(line)} {why}.",
            fix=f"Add a price for {line.code or line.revenue_code or 'the code'} to the "
            "chargemaster (or the payer's fee schedule), then rebuild the claim.",
            fix_url=_charges_url(snapshot),
            line=line.number,
        )


# Source: REFERENCE.md §10 (SV104 / SV205 quantity); zero or negative units bill nothing.
@edit("LINE-UNITS", "Each line's units")
def line_units(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        units = decimal(line.units)
        if units is not None and units > 0:
            continue
        yield Finding(
            code="LINE-UNITS",
            severity=ERROR,
            message=f"{line_name(line)} bills {units if units is not None else 'no valid'} units.",
            fix="Correct the session's minutes (or the payer's unit rule) so the line bills at "
            "least one unit, or remove the line.",
            fix_url=_claim_url(snapshot),
            line=line.number,
        )


# Source: Stedi claim edit "Missing total claim charge amount" (stedi.com changelog: the CLM02
# total equals the sum of the line charges; payers balance the claim on it).
@edit("TOTAL-CHARGE", "Claim total equals the line charges")
def total_charge(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    charges = [decimal(line.charge) for line in snapshot.lines]
    total = decimal(snapshot.total_charge)
    known = sum((c for c in charges if c is not None), Decimal(0))
    if total is not None and None not in charges and known == total:
        return
    yield Finding(
        code="TOTAL-CHARGE",
        severity=ERROR,
        message=f"The claim total {money(snapshot.total_charge)} does not equal the sum of its "
        f"line charges ({money(known)}).",
        fix="Rebuild the claim so the total is recomputed from its lines.",
        fix_url=_claim_url(snapshot),
    )


# Source: REFERENCE.md §7 (a claim bills services that took place); a date after today is a
# recording error.
@edit("LINE-FUTURE-DATE", "No line dated in the future")
def line_future_date(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        dates = line_dates(line)
        if isinstance(snapshot.today, dt.date) and dates and dates[-1] > snapshot.today:
            yield Finding(
                code="LINE-FUTURE-DATE",
                severity=ERROR,
                message=f"{line_name(line)} is dated after today ({day(snapshot.today)}).",
                fix="Correct the session's date; bill a service once it has taken place.",
                fix_url=_claim_url(snapshot),
                line=line.number,
            )


# --- Frequency, replacement, institutional header --------------------------------------------


@edit("CLAIM-FREQUENCY", "Claim frequency code")
def claim_frequency(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    frequency = snapshot.frequency or ""
    if snapshot.kind == PROFESSIONAL:
        ok = frequency in PROFESSIONAL_FREQUENCIES
        allowed = "1 (original), 7 (replacement) or 8 (void)"
    else:
        ok = len(frequency) == 1 and frequency.isascii() and frequency.isalnum()
        allowed = "one digit (1 admit through discharge, 2-4 interim, 7 replacement, 8 void)"
    if not ok:
        yield Finding(
            code="CLAIM-FREQUENCY",
            severity=ERROR,
            message=f"The claim frequency {frequency!r} is not valid; it must be {allowed}.",
            fix="Set the claim's frequency (original, replacement or void).",
            fix_url=_claim_url(snapshot),
        )


@edit("REPLACEMENT-NO-ORIGINAL", "Replacement or void names the original")
def replacement_no_original(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if snapshot.frequency in REPLACES and not (snapshot.original_reference or "").strip():
        what, does = ("replacement", "replaces") if snapshot.frequency == "7" else ("void", "voids")
        yield Finding(
            code="REPLACEMENT-NO-ORIGINAL",
            severity=ERROR,
            message=f"This {what} claim (frequency {snapshot.frequency}) does not give the "
            f"payer's claim number of the claim it {does} (REF*F8).",
            fix="Enter the payer claim number from the original claim's remittance (835 CLP07).",
            fix_url=_claim_url(snapshot),
        )


# Source: REFERENCE.md §2 "Type of bill (FL4)": facility type + classification + frequency
# digit (1 admit-through-discharge, 2/3/4 interim, 7 replacement, 8 void).
@edit("TYPE-OF-BILL", "Institutional type of bill")
def type_of_bill(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if snapshot.kind != INSTITUTIONAL:
        return
    tob = (snapshot.type_of_bill or "").strip()
    if not (len(tob) == 3 and tob.isascii() and tob.isdigit()):
        problem = (
            f"The type of bill {tob!r} is not 3 digits" if tob else "The claim has no type of bill"
        )
    elif tob[-1] != snapshot.frequency:
        problem = (
            f"The type of bill {tob} ends in {tob[-1]} but the claim frequency is "
            f"{snapshot.frequency or 'not set'}"
        )
    else:
        return
    yield Finding(
        code="TYPE-OF-BILL",
        severity=ERROR,
        message=f"{problem} (facility type, classification, frequency: e.g. 131, 761, 861).",
        fix="Set the payer's type of bill for this program and the claim's frequency, then "
        "rebuild the claim.",
        fix_url=url(snapshot.payer_url, snapshot.claim_url),
    )


# Source: x12.org RFI #1520 (837I 5010 admission date is required on inpatient claims, by the
# UB-04 definition, which counts home health 032x/033x as inpatient for it); REFERENCE.md §2
# (011x hospital inpatient; 086x residential facility); the admission cannot follow the first
# date of service.
INPATIENT_BILL_TYPES = ("11", "18", "21", "32", "33", "41", "86")


@edit("ADMISSION-DATE", "Admission date on an inpatient-type bill")
def admission_date(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    tob = (snapshot.type_of_bill or "").strip()
    if snapshot.kind != INSTITUTIONAL or not tob.startswith(INPATIENT_BILL_TYPES):
        return
    admitted = snapshot.admission_date
    if not isinstance(admitted, dt.date):
        problem = f"Type of bill {tob} needs the admission date (837I DTP*435), and none is set."
    elif isinstance(snapshot.service_from, dt.date) and admitted > snapshot.service_from:
        problem = (
            f"The admission date {day(admitted)} is after the first date of service "
            f"{day(snapshot.service_from)}."
        )
    else:
        return
    yield Finding(
        code="ADMISSION-DATE",
        severity=ERROR,
        message=problem,
        fix="Correct the episode's admission date, then rebuild the claim.",
        fix_url=url(snapshot.episode_url, snapshot.claim_url),
    )


# Source: CMS MLN "Medicare Billing: 837I & Form CMS-1450", loop 2300 CL1/FL17 patient
# discharge status (required on hospital inpatient and outpatient, SNF, hospice and HHA claims;
# the NUBC code as of the through date): two digits.
@edit("PATIENT-STATUS", "Patient status on an institutional claim")
def patient_status(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if snapshot.kind != INSTITUTIONAL:
        return
    status = (snapshot.patient_status or "").strip()
    if len(status) == 2 and status.isascii() and status.isdigit():
        # An interim bill says 30 (still a patient); a bill that ends the stay says how it
        # ended, never 30 (CMS MLN CMS-1450 lesson 5: status as of the through date).
        interim = snapshot.frequency in ("2", "3")
        if snapshot.frequency in ("1", "2", "3", "4") and interim != (status == "30"):
            yield Finding(
                code="PATIENT-STATUS",
                severity=ERROR,
                message=f"Patient status {status} does not fit a frequency "
                f"{snapshot.frequency} bill: interim bills carry 30, the last bill of a stay "
                "its discharge status.",
                fix="Record the discharge (date and status) on the episode, or re-scrub so the "
                "claim takes the frequency its period has.",
                fix_url=url(snapshot.episode_url, snapshot.claim_url),
            )
        return
    problem = f"is {status!r}, not 2 digits" if status else "is not set"
    yield Finding(
        code="PATIENT-STATUS",
        severity=ERROR,
        message=f"The patient status (837I CL1-03, UB-04 FL17) {problem}.",
        fix="Set the patient's status as of the claim's through date (e.g. 30 still a patient, "
        "01 discharged home).",
        fix_url=url(snapshot.episode_url, snapshot.claim_url),
    )


# --- Timely filing ----------------------------------------------------------------------------


def _earliest(snapshot: ClaimSnapshot) -> dt.date | None:
    """When the filing clock starts: the first date of service; on an institutional claim with
    span dates, its through date (CMS Pub. 100-04 ch. 1 §70.1)."""
    if snapshot.kind == INSTITUTIONAL and isinstance(snapshot.service_to, dt.date):
        return snapshot.service_to
    dates = [ln.service_date for ln in snapshot.lines if isinstance(ln.service_date, dt.date)]
    if isinstance(snapshot.service_from, dt.date):
        dates.append(snapshot.service_from)
    return min(dates, default=None)


# Source: REFERENCE.md §7 "Timely filing": Medicare 12 months from the date of service (42 CFR
# 424.44), Medicaid at most 12 months (42 CFR 447.45(d)), commercial often 90-180 days; the
# payer's limit is PayerEdits.timely_filing_days. Corrected claims' windows often run from the
# remittance date [S][P], so a late replacement or void warns instead of holding.
@edit("TIMELY-FILING", "Timely filing limit")
def timely_filing(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    earliest, limit = _earliest(snapshot), snapshot.payer_edits.timely_filing_days
    if earliest is None or not isinstance(snapshot.today, dt.date) or not isinstance(limit, int):
        return
    elapsed = (snapshot.today - earliest).days
    left = limit - elapsed
    if left < 0:
        yield _late(snapshot, earliest, elapsed, limit)
    elif left <= TIMELY_FILING_WARNING_DAYS:
        yield Finding(
            code="TIMELY-FILING-SOON",
            severity=WARNING,
            message=f"The payer's {limit}-day filing limit for the service of {day(earliest)} "
            f"runs out {_in_days(left)}.",
            fix="Resolve the claim's other findings and submit it now.",
            fix_url=_claim_url(snapshot),
        )


def _in_days(left: int) -> str:
    return {0: "today", 1: "tomorrow"}.get(left, f"in {left} days")


def _late(snapshot: ClaimSnapshot, earliest: dt.date, elapsed: int, limit: int) -> Finding:
    delay = (snapshot.delay_reason or "").strip()
    excused = bool(delay) or snapshot.frequency in REPLACES
    if delay:
        note = f" A delay reason is recorded ({delay})."
    elif snapshot.frequency in REPLACES:
        note = " As a replacement or void it may fall under the payer's corrected-claim window."
    else:
        note = ""
    return Finding(
        code="TIMELY-FILING",
        severity=WARNING if excused else ERROR,
        message=f"The service of {day(earliest)} is {elapsed} days old, past the payer's "
        f"{limit}-day filing limit.{note}",
        fix="Send it only with proof of timely filing (an earlier 277CA acceptance) or a "
        "delay reason the payer accepts; otherwise write it off.",
        fix_url=_claim_url(snapshot),
    )
