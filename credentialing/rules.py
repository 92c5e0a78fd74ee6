"""Credentialing rules as pure functions over plain data (no ORM): which gaps a provider has on
a date, and whether a provider may render services billed to a payer on a date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from coding.types import LicenseType, license_label

# Source: NUCC code format, 3 digits + 6 alphanumerics + "X" (e.g. 1041C0700X)
TAXONOMY_RE = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
STATE_RE = re.compile(r"^[A-Z]{2}$")
# USPS codes for the states, DC and the territories that license clinicians.
US_STATES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)

# Source: REFERENCE.md §4, pre-licensed clinicians and peers work under supervision
NEEDS_SUPERVISOR: frozenset[str] = frozenset({LicenseType.ASSOCIATE, LicenseType.PEER_SPECIALIST})
CANNOT_SUPERVISE: frozenset[str] = NEEDS_SUPERVISOR
# Source: REFERENCE.md §4, pre-licensed clinicians cannot enroll; peers bill under the program
NO_CAQH: frozenset[str] = NEEDS_SUPERVISOR

# Source: REFERENCE.md §4, common NUCC taxonomies per provider type (first is the default)
COMMON_TAXONOMIES: dict[str, tuple[str, ...]] = {
    LicenseType.PSYCHIATRIST: ("2084P0800X", "2084P0804X", "2084P0802X", "2084A0401X"),
    LicenseType.PSYCHOLOGIST: ("103TC0700X", "103T00000X"),
    LicenseType.LCSW: ("1041C0700X",),
    LicenseType.LPC: ("101YP2500X", "101YM0800X"),
    LicenseType.LMFT: ("106H00000X",),
    LicenseType.ADDICTION_COUNSELOR: ("101YA0400X",),
    LicenseType.PMHNP: ("363LP0808X",),
    LicenseType.PA: ("363A00000X",),
    LicenseType.CNS: ("364SP0808X",),
    LicenseType.ASSOCIATE: ("101Y00000X", "1041C0700X"),  # NUCC "Counselor"; social work
    LicenseType.PEER_SPECIALIST: ("175T00000X",),  # NUCC "Peer Specialist"
}

LICENSE_WARN_DAYS = 60
# Source: REFERENCE.md §11, CAQH ProView re-attestation every 120 days; warn 30 days ahead
CAQH_CYCLE_DAYS = 120
CAQH_WARN_DAYS = 30
# Source: REFERENCE.md §11, warn when recredentialing is due within 90-120 days; no grace period
RECREDENTIAL_WARN_DAYS = 120


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class Gap:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class LicenseFacts:
    state: str
    number: str
    status: str  # "active", "suspended", "revoked"
    issued_on: dt.date | None
    expires_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.state} {self.number}"

    def valid_on(self, day: dt.date) -> bool:
        started = self.issued_on is None or self.issued_on <= day
        return self.status == "active" and started and day <= self.expires_on


@dataclass(frozen=True)
class EnrollmentFacts:
    payer_id: int
    status: str  # PayerEnrollment.Status values
    submitted_on: dt.date | None = None
    effective_date: dt.date | None = None
    end_date: dt.date | None = None
    recredential_due: dt.date | None = None


@dataclass(frozen=True)
class PayerFacts:
    id: int
    name: str


@dataclass(frozen=True)
class ProviderFacts:
    license_type: str
    is_active: bool = True
    caqh_attested_on: dt.date | None = None
    supervisor_name: str | None = None
    supervisor_active: bool = True
    licenses: tuple[LicenseFacts, ...] = ()
    enrollments: tuple[EnrollmentFacts, ...] = field(default=())


def fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _days(n: int) -> str:
    if n == 0:
        return "today"
    return f"in {n} day{'s' if n != 1 else ''}"


# --- License ---------------------------------------------------------------------------------


def license_gaps(licenses: Sequence[LicenseFacts], as_of: dt.date) -> list[Gap]:
    gaps = [_inactive_license(lic) for lic in licenses if lic.status != "active"]
    for state in sorted({lic.state for lic in licenses if lic.status == "active"}):
        gaps.extend(_state_license_gaps([x for x in licenses if x.state == state], as_of))
    if not any(lic.valid_on(as_of) for lic in licenses) and not gaps:
        gaps.append(
            Gap(
                "no_active_license",
                Severity.BLOCK,
                "No active license is on file; services cannot be billed.",
            )
        )
    return gaps


def _inactive_license(lic: LicenseFacts) -> Gap:
    return Gap("license_inactive", Severity.BLOCK, f"License {lic.label} is {lic.status}.")


def _state_license_gaps(licenses: list[LicenseFacts], as_of: dt.date) -> list[Gap]:
    """Only the latest active license in a state counts (a renewal replaces the old one)."""
    latest = max((x for x in licenses if x.status == "active"), key=lambda x: x.expires_on)
    if latest.expires_on < as_of:
        return [
            Gap(
                "license_expired",
                Severity.BLOCK,
                f"License {latest.label} expired on {fmt(latest.expires_on)}.",
            )
        ]
    left = (latest.expires_on - as_of).days
    if left <= LICENSE_WARN_DAYS:
        return [
            Gap(
                "license_expiring",
                Severity.WARN,
                f"License {latest.label} expires on {fmt(latest.expires_on)} ({_days(left)}).",
            )
        ]
    return []


# --- CAQH ------------------------------------------------------------------------------------


def caqh_gaps(license_type: str, attested_on: dt.date | None, as_of: dt.date) -> list[Gap]:
    if license_type in NO_CAQH:
        return []
    if attested_on is None:
        return [
            Gap(
                "caqh_missing",
                Severity.BLOCK,
                "No CAQH ProView attestation is recorded; payers cannot pull the profile.",
            )
        ]
    due = attested_on + dt.timedelta(days=CAQH_CYCLE_DAYS)
    if due < as_of:
        return [
            Gap(
                "caqh_lapsed",
                Severity.BLOCK,
                f"CAQH attestation lapsed on {fmt(due)} (last attested {fmt(attested_on)}); "
                "re-attest in ProView.",
            )
        ]
    left = (due - as_of).days
    if left <= CAQH_WARN_DAYS:
        return [
            Gap(
                "caqh_due",
                Severity.WARN,
                f"CAQH re-attestation is due on {fmt(due)} ({_days(left)}).",
            )
        ]
    return []


# --- Payer enrollment ------------------------------------------------------------------------


def enrollment_gaps(
    enrollments: Iterable[EnrollmentFacts], payers: Iterable[PayerFacts], as_of: dt.date
) -> list[Gap]:
    """Gaps for each payer the provider is expected to be enrolled with."""
    by_payer = {e.payer_id: e for e in enrollments}
    gaps: list[Gap] = []
    for payer in payers:
        gaps.extend(_one_enrollment(by_payer.get(payer.id), payer.name, as_of))
    return gaps


def _one_enrollment(e: EnrollmentFacts | None, payer: str, as_of: dt.date) -> list[Gap]:
    if e is None or e.status == "not_started":
        return [
            Gap(
                "enrollment_missing",
                Severity.BLOCK,
                f"Not enrolled with {payer}; claims to {payer} will be held.",
            )
        ]
    if e.status == "submitted":
        since = f" (submitted {fmt(e.submitted_on)})" if e.submitted_on else ""
        return [
            Gap(
                "enrollment_pending",
                Severity.WARN,
                f"Enrollment with {payer} is pending{since}; hold claims until approved.",
            )
        ]
    if e.status in ("denied", "terminated"):
        return [
            Gap(
                f"enrollment_{e.status}", Severity.BLOCK, f"Enrollment with {payer} was {e.status}."
            )
        ]
    return _enrolled_gaps(e, payer, as_of)


def _enrolled_gaps(e: EnrollmentFacts, payer: str, as_of: dt.date) -> list[Gap]:
    if e.end_date and e.end_date < as_of:
        return [
            Gap(
                "enrollment_ended",
                Severity.BLOCK,
                f"Enrollment with {payer} ended on {fmt(e.end_date)}.",
            )
        ]
    gaps: list[Gap] = []
    if e.effective_date and e.effective_date > as_of:
        gaps.append(
            Gap(
                "enrollment_not_yet_effective",
                Severity.WARN,
                f"Enrollment with {payer} takes effect on {fmt(e.effective_date)}.",
            )
        )
    if e.recredential_due:
        gaps.extend(_recredential_gaps(e.recredential_due, payer, as_of))
    return gaps


def _recredential_gaps(due: dt.date, payer: str, as_of: dt.date) -> list[Gap]:
    if due < as_of:
        return [
            Gap(
                "recredential_overdue",
                Severity.BLOCK,
                f"Recredentialing with {payer} was due on {fmt(due)}; there is no grace "
                "period, and more than 30 days late means credentialing again from scratch.",
            )
        ]
    left = (due - as_of).days
    if left <= RECREDENTIAL_WARN_DAYS:
        return [
            Gap(
                "recredential_due",
                Severity.WARN,
                f"Recredentialing with {payer} is due on {fmt(due)} ({_days(left)}).",
            )
        ]
    return []


# --- Supervision -----------------------------------------------------------------------------


def supervision_gaps(facts: ProviderFacts) -> list[Gap]:
    if facts.license_type not in NEEDS_SUPERVISOR:
        return []
    label = license_label(LicenseType(facts.license_type)).capitalize()
    if facts.supervisor_name is None:
        return [
            Gap(
                "supervisor_missing",
                Severity.BLOCK,
                f"{label} has no supervisor; services cannot be billed under anyone.",
            )
        ]
    if not facts.supervisor_active:
        return [
            Gap(
                "supervisor_inactive",
                Severity.BLOCK,
                f"Supervisor {facts.supervisor_name} is inactive; assign an active one.",
            )
        ]
    return []


# --- Together --------------------------------------------------------------------------------


def provider_gaps(facts: ProviderFacts, payers: Iterable[PayerFacts], as_of: dt.date) -> list[Gap]:
    """Every gap for one provider, blocks first."""
    gaps = (
        license_gaps(facts.licenses, as_of)
        + caqh_gaps(facts.license_type, facts.caqh_attested_on, as_of)
        + enrollment_gaps(facts.enrollments, payers, as_of)
        + supervision_gaps(facts)
    )
    return sorted(gaps, key=lambda g: g.severity != Severity.BLOCK)


def billing_blocks(
    licenses: Sequence[LicenseFacts],
    enrollment: EnrollmentFacts | None,
    payer: str,
    on_date: dt.date,
) -> list[str]:
    """Why a provider may not render services billed to `payer` on `on_date` (empty: may)."""
    reasons: list[str] = []
    if not any(lic.valid_on(on_date) for lic in licenses):
        reasons.append(f"No active, unexpired license on {fmt(on_date)}.")
    reasons.extend(_enrollment_blocks(enrollment, payer, on_date))
    return reasons


def _enrollment_blocks(e: EnrollmentFacts | None, payer: str, on_date: dt.date) -> list[str]:
    if e is None or e.status == "not_started":
        return [f"Not enrolled with {payer}."]
    if e.status != "enrolled":
        status = "pending" if e.status == "submitted" else e.status
        return [f"Enrollment with {payer} is {status}."]
    if e.effective_date and e.effective_date > on_date:
        return [f"Enrollment with {payer} is effective only from {fmt(e.effective_date)}."]
    if e.end_date and e.end_date < on_date:
        return [f"Enrollment with {payer} ended on {fmt(e.end_date)}."]
    if e.recredential_due and e.recredential_due < on_date:
        return [
            f"Recredentialing with {payer} was due on {fmt(e.recredential_due)} (no grace period)."
        ]
    return []
