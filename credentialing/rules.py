"""Credentialing rules as pure functions over plain data (no ORM): which gaps a provider has on
a date, and whether a provider may render services billed to a payer on a date of service.

Both read dated history: a license's periods (original issue and renewals) and its dated status
changes, an enrollment's periods, and compact privileges' dates. Every span includes both of its
end dates: a license is valid on its expiry date, an enrollment covers its end date (the last
covered day), a compact privilege its expiry date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

from coding.types import LicenseType, license_label
from credentialing.compacts import COMPACTS, PrivilegeFacts

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
ONE_DAY = dt.timedelta(days=1)
# Source: REFERENCE.md §11, CAQH ProView re-attestation every 120 days; warn 30 days ahead
CAQH_CYCLE_DAYS = 120
CAQH_WARN_DAYS = 30
# Source: REFERENCE.md §11, warn when recredentialing is due within 90-120 days; no grace period
RECREDENTIAL_WARN_DAYS = 120
# Source: REFERENCE.md §11, NCQA recredentialing every 36 months from the last decision
RECREDENTIAL_MONTHS = 36


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"


@dataclass(frozen=True)
class Gap:
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class LicensePeriod:
    """One issued term of a license: the original issue or a renewal. Both ends are covered (a
    license is valid on its expiry date). `starts_on` None: the issue date is unknown."""

    starts_on: dt.date | None
    expires_on: dt.date

    def covers(self, day: dt.date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and day <= self.expires_on


class DatedStatus(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def effective_on(self) -> dt.date: ...


S = TypeVar("S", bound=DatedStatus)


def status_change_on(changes: Iterable[S], day: dt.date) -> S | None:
    """The status change in effect on `day`: the latest one effective on or before it (None:
    no change yet, so the license is active)."""
    past = [c for c in changes if c.effective_on <= day]
    return max(past, key=lambda c: c.effective_on, default=None)


@dataclass(frozen=True)
class StatusChange:
    """A dated change of a license's status (a board action or a reinstatement): it applies
    from `effective_on` (inclusive) until the next change."""

    status: str  # "active", "suspended", "revoked"
    effective_on: dt.date


@dataclass(frozen=True)
class LicenseFacts:
    """A license (state + number) with its dated history. Before its first status change a
    license is active; it is valid on a day when a period covers the day and the status in
    effect that day is active (REFERENCE.md §11: block when the license is expired or
    suspended on the date of service)."""

    state: str
    number: str
    periods: tuple[LicensePeriod, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    license_type: str = ""  # LicenseType value; a compact privilege applies to some types only

    @property
    def label(self) -> str:
        return f"{self.state} {self.number}"

    @property
    def latest(self) -> LicensePeriod | None:
        """The period that expires last (the current term, or a renewal recorded ahead)."""
        return max(self.periods, key=lambda p: p.expires_on, default=None)

    def status_change_on(self, day: dt.date) -> StatusChange | None:
        return status_change_on(self.status_changes, day)

    def status_on(self, day: dt.date) -> str:
        change = self.status_change_on(day)
        return change.status if change else "active"

    def next_status_change(self, day: dt.date) -> StatusChange | None:
        later = [c for c in self.status_changes if c.effective_on > day]
        return min(later, key=lambda c: c.effective_on, default=None)

    def period_on(self, day: dt.date) -> LicensePeriod | None:
        return next((p for p in self.periods if p.covers(day)), None)

    def valid_on(self, day: dt.date) -> bool:
        return self.status_on(day) == "active" and self.period_on(day) is not None

    def expired_before(self, day: dt.date) -> LicensePeriod | None:
        """The last period that had expired by `day`."""
        return max(
            (p for p in self.periods if p.expires_on < day),
            key=lambda p: p.expires_on,
            default=None,
        )

    def starting_after(self, day: dt.date) -> LicensePeriod | None:
        """The first period that starts after `day` (a renewal not yet in effect)."""
        later = [p for p in self.periods if p.starts_on is not None and p.starts_on > day]
        return min(later, key=lambda p: p.starts_on or day, default=None)

    def covered_through(self, day: dt.date) -> dt.date | None:
        """The last day of unbroken coverage from `day`, following renewals that start by the
        day after the previous term expires (None: no period covers `day`)."""
        period = self.period_on(day)
        if period is None:
            return None
        through = period.expires_on
        for p in sorted(self.periods, key=lambda p: p.expires_on):
            starts = p.starts_on or dt.date.min
            if p.expires_on > through and starts <= through + dt.timedelta(days=1):
                through = p.expires_on
        return through


@dataclass(frozen=True)
class EnrollmentPeriod:
    """A span in which the payer had the provider enrolled (in network). Both ends are covered:
    `end_date` is the LAST COVERED DAY, so a service on the end date is billable and one on the
    day after is not. A payer letter's "termination effective" date is the first day NOT
    covered: record the day before it. `end_date` None: open-ended."""

    effective_date: dt.date
    end_date: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.effective_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class EnrollmentFacts:
    """A provider's enrollment with one payer. `status` is the state of the latest application
    (PayerEnrollment.Status values); whether the provider was enrolled on a day is decided by
    `periods` alone (REFERENCE.md §11: block when not enrolled on the date of service)."""

    payer_id: int
    status: str
    submitted_on: dt.date | None = None
    periods: tuple[EnrollmentPeriod, ...] = ()
    recredential_due: dt.date | None = None

    def period_on(self, day: dt.date) -> EnrollmentPeriod | None:
        return next((p for p in self.periods if p.covers(day)), None)

    def ended_before(self, day: dt.date) -> EnrollmentPeriod | None:
        ended = [p for p in self.periods if p.end_date is not None and p.end_date < day]
        return max(ended, key=lambda p: p.effective_date, default=None)

    def starting_after(self, day: dt.date) -> EnrollmentPeriod | None:
        later = [p for p in self.periods if p.effective_date > day]
        return min(later, key=lambda p: p.effective_date, default=None)


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
    privileges: tuple[PrivilegeFacts, ...] = ()


def fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _days(n: int) -> str:
    if n == 0:
        return "today"
    return f"in {n} day{'s' if n != 1 else ''}"


# --- License ---------------------------------------------------------------------------------


def license_gaps(licenses: Sequence[LicenseFacts], as_of: dt.date) -> list[Gap]:
    """Gaps of the licenses as of `as_of`, read from the period and the status in effect then."""
    on_file = [lic for lic in licenses if lic.periods]
    gaps = [_inactive_license(lic, as_of) for lic in on_file if lic.status_on(as_of) != "active"]
    active = [lic for lic in on_file if lic.status_on(as_of) == "active"]
    for state in sorted({lic.state for lic in active}):
        gaps.extend(_state_license_gaps([x for x in active if x.state == state], as_of))
    gaps.extend(gap for lic in on_file if (gap := _scheduled_status(lic, as_of)))
    if not any(lic.valid_on(as_of) for lic in on_file) and not _blocks(gaps):
        gaps.append(
            Gap(
                "no_active_license",
                Severity.BLOCK,
                "No active license is on file; services cannot be billed.",
            )
        )
    return gaps


def _blocks(gaps: Iterable[Gap]) -> bool:
    return any(g.severity == Severity.BLOCK for g in gaps)


def _inactive_license(lic: LicenseFacts, as_of: dt.date) -> Gap:
    change = lic.status_change_on(as_of)
    since = f" (since {fmt(change.effective_on)})" if change else ""
    return Gap(
        "license_inactive", Severity.BLOCK, f"License {lic.label} is {lic.status_on(as_of)}{since}."
    )


def _scheduled_status(lic: LicenseFacts, as_of: dt.date) -> Gap | None:
    """A suspension or revocation recorded ahead of its effective date."""
    change = lic.next_status_change(as_of)
    if change is None or change.status == "active" or change.status == lic.status_on(as_of):
        return None
    return Gap(
        "license_status_scheduled",
        Severity.WARN,
        f"License {lic.label} will be {change.status} from {fmt(change.effective_on)}.",
    )


def _state_license_gaps(licenses: list[LicenseFacts], as_of: dt.date) -> list[Gap]:
    """One state's active licenses: the one covering `as_of` the longest counts (a renewal, or a
    new number, replaces the old one); if none covers it, the one that expires last explains."""
    through = [(d, lic) for lic in licenses if (d := lic.covered_through(as_of))]
    if through:
        last, lic = max(through, key=lambda pair: pair[0])
        left = (last - as_of).days
        if left > LICENSE_WARN_DAYS:
            return []
        message = f"License {lic.label} expires on {fmt(last)} ({_days(left)})."
        return [Gap("license_expiring", Severity.WARN, message)]
    latest = max(licenses, key=lambda x: x.latest.expires_on if x.latest else dt.date.min)
    return [_uncovered(latest, as_of)]


def _uncovered(lic: LicenseFacts, as_of: dt.date) -> Gap:
    """Why an active license does not cover `as_of`: expired, lapsed before a late renewal, or
    not yet in effect."""
    before, after = lic.expired_before(as_of), lic.starting_after(as_of)
    if after is None and before is not None:
        message = f"License {lic.label} expired on {fmt(before.expires_on)}."
        return Gap("license_expired", Severity.BLOCK, message)
    starts = fmt(after.starts_on) if after and after.starts_on else "a later date"
    if before is not None:
        message = (
            f"License {lic.label} expired on {fmt(before.expires_on)} and the renewal takes "
            f"effect only on {starts}."
        )
        return Gap("license_lapsed", Severity.BLOCK, message)
    message = f"License {lic.label} takes effect only on {starts}."
    return Gap("license_not_yet_valid", Severity.BLOCK, message)


# --- Compact privileges ----------------------------------------------------------------------


def with_article(license_type: str) -> str:
    """A license type's label with its article ("an LCSW", "a psychologist")."""
    try:
        label = license_label(LicenseType(license_type))
    except ValueError:
        label = license_type or "unknown type"
    return f"{'an' if label[:1] in 'aeiouAEFHILMNORSX' else 'a'} {label}"  # "an LPC"


def _not_covered(p: PrivilegeFacts) -> str:
    compact = COMPACTS.get(p.compact)
    types = sorted(license_label(LicenseType(t)) for t in compact.license_types) if compact else []
    return (
        f"{p.label} cannot be used: {p.name} applies to {' or '.join(types) or 'no'} licenses, "
        f"and its home license {p.home.label} is {with_article(p.home.license_type)} license."
    )


def _home_reason(home: LicenseFacts, day: dt.date) -> str:
    """Why the home license is not valid on `day`, as the end of a sentence."""
    if home.period_on(day) is not None:
        return f"was {home.status_on(day)} on {fmt(day)}"
    before, after = home.expired_before(day), home.starting_after(day)
    if before is not None and after is not None and after.starts_on is not None:
        return (
            f"had expired on {fmt(before.expires_on)} and was renewed only from "
            f"{fmt(after.starts_on)}"
        )
    if before is not None:
        return f"expired on {fmt(before.expires_on)}"
    return f"was not yet in effect on {fmt(day)}"


def privilege_block(p: PrivilegeFacts, day: dt.date) -> str | None:
    """Why compact privilege `p` does not allow a service on `day` (None: it does). A
    privilege rests on an unencumbered home-state license, so the home license must be valid
    that day too (compacts.py, sources)."""
    if not p.covers_license_type:
        return _not_covered(p)
    if day < p.effective_on:
        return f"{p.label} takes effect only on {fmt(p.effective_on)}."
    last = p.last_day
    if last is not None and day > last:
        if p.ended_early:
            return f"{p.label} was {p.status}; its last valid day was {fmt(last)}."
        return f"{p.label} expired on {fmt(last)}."
    if not p.home.valid_on(day):
        return (
            f"{p.label} rests on the home license {p.home.label}, which "
            f"{_home_reason(p.home, day)}."
        )
    return None


def privilege_standing(p: PrivilegeFacts, day: dt.date) -> str:
    """Where the privilege stands on `day`, in a few words for the pages ("in effect")."""
    if not p.covers_license_type:
        return "not covered by the compact"
    if day < p.effective_on:
        return "not yet in effect"
    last = p.last_day
    if last is not None and day > last:
        return p.status if p.ended_early else "expired"
    return "in effect" if p.home.valid_on(day) else "home license not valid"


def privilege_gaps(privileges: Sequence[PrivilegeFacts], as_of: dt.date) -> list[Gap]:
    """Gaps of the compact privileges as of `as_of`, one per compact x state at most: like a
    license, one expiring within LICENSE_WARN_DAYS warns and one that cannot be used today
    blocks (telehealth to patients in that state). A privilege relinquished or revoked on
    purpose is no gap."""
    groups: dict[tuple[str, str], list[PrivilegeFacts]] = {}
    for p in privileges:
        groups.setdefault((p.compact, p.state), []).append(p)
    return [gap for key in sorted(groups) if (gap := _privilege_gap(groups[key], as_of))]


def _privilege_gap(group: list[PrivilegeFacts], as_of: dt.date) -> Gap | None:
    current = next((p for p in group if p.covers(as_of)), None)
    if current is None:
        return _lapsed_privilege(group, as_of)
    if not current.covers_license_type:
        return Gap("privilege_not_covered", Severity.BLOCK, _not_covered(current))
    if not current.home.valid_on(as_of):
        message = (
            f"{current.label} cannot be used while its home license {current.home.label} is "
            f"not valid: telehealth to patients in {current.state} cannot be billed."
        )
        return Gap("privilege_home_license_invalid", Severity.BLOCK, message)
    last = _privilege_chain_end(group, current)
    through = last.last_day
    if through is None or last.ended_early or (through - as_of).days > LICENSE_WARN_DAYS:
        return None
    message = f"{last.label} expires on {fmt(through)} ({_days((through - as_of).days)})."
    return Gap("privilege_expiring", Severity.WARN, message)


def _privilege_chain_end(group: list[PrivilegeFacts], current: PrivilegeFacts) -> PrivilegeFacts:
    """The last privilege of the unbroken run from `current`: each next one takes effect by
    the day after the previous one's last day (a renewal on time)."""
    last = current
    for p in sorted(group, key=lambda p: p.effective_on):
        end = last.last_day
        if p.effective_on > current.effective_on and end and p.effective_on <= end + ONE_DAY:
            last = p
    return last


def _lapsed_privilege(group: list[PrivilegeFacts], as_of: dt.date) -> Gap | None:
    past = [p for p in group if p.last_day is not None and p.last_day < as_of]
    latest = max(past, key=lambda p: p.last_day or dt.date.min, default=None)
    if latest is None or latest.ended_early or latest.last_day is None:
        return None  # none yet (only one taking effect later), or ended on purpose
    later = [p for p in group if p.effective_on > as_of]
    upcoming = min(later, key=lambda p: p.effective_on, default=None)
    expired = f"{latest.label} expired on {fmt(latest.last_day)}"
    if upcoming is not None:
        message = f"{expired} and the renewal takes effect only on {fmt(upcoming.effective_on)}."
        return Gap("privilege_lapsed", Severity.BLOCK, message)
    message = (
        f"{expired}: telehealth to patients in {latest.state} cannot be billed until it is "
        "renewed (end it if it is no longer used)."
    )
    return Gap("privilege_expired", Severity.BLOCK, message)


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
    """Gaps as of `as_of` from the period in force then (the current period)."""
    if e is None:
        return [_missing(payer)]
    period = e.period_on(as_of)
    if period is not None:
        return _in_force_gaps(e, period, payer, as_of)
    upcoming = e.starting_after(as_of)
    if upcoming is not None:
        message = f"Enrollment with {payer} takes effect on {fmt(upcoming.effective_date)}."
        return [Gap("enrollment_not_yet_effective", Severity.WARN, message)]
    if e.status == "submitted":
        since = f" (submitted {fmt(e.submitted_on)})" if e.submitted_on else ""
        message = f"Enrollment with {payer} is pending{since}; hold claims until approved."
        return [Gap("enrollment_pending", Severity.WARN, message)]
    if e.status in ("denied", "terminated"):
        message = f"Enrollment with {payer} was {e.status}."
        return [Gap(f"enrollment_{e.status}", Severity.BLOCK, message)]
    ended = e.ended_before(as_of)
    if ended is not None and ended.end_date is not None:
        message = f"Enrollment with {payer} ended on {fmt(ended.end_date)}."
        return [Gap("enrollment_ended", Severity.BLOCK, message)]
    return [_missing(payer)]


def _missing(payer: str) -> Gap:
    return Gap(
        "enrollment_missing",
        Severity.BLOCK,
        f"Not enrolled with {payer}; claims to {payer} will be held.",
    )


def _in_force_gaps(
    e: EnrollmentFacts, period: EnrollmentPeriod, payer: str, as_of: dt.date
) -> list[Gap]:
    gaps: list[Gap] = []
    if period.end_date is not None and e.starting_after(period.end_date) is None:
        left = (period.end_date - as_of).days
        message = f"Enrollment with {payer} ends on {fmt(period.end_date)} ({_days(left)})."
        gaps.append(Gap("enrollment_ending", Severity.WARN, message))
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
        + privilege_gaps(facts.privileges, as_of)
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
    state: str | None = None,
    privileges: Sequence[PrivilegeFacts] = (),
) -> list[str]:
    """Why a provider may not render services billed to `payer` on the date of service
    `on_date` (empty: may). Decided from the license periods and status changes, the compact
    privileges and the enrollment periods in effect on that date, never from today's status
    (REFERENCE.md §11: block when not enrolled on the DOS, or when the license is expired,
    suspended or invalid in the patient's state).

    `state`: where the patient was (telehealth). Then a license of another state does not
    count: a valid license in `state`, or a valid compact privilege for `state` whose home
    license is valid that day, allows (REFERENCE.md §14, "Telehealth licensure")."""
    if state:
        why = _place_block(licenses, privileges, state, on_date)
    else:
        why = _license_block(licenses, on_date)
    reasons = [why] if why else []
    reasons.extend(_enrollment_blocks(enrollment, payer, on_date))
    return reasons


def _place_block(
    licenses: Sequence[LicenseFacts],
    privileges: Sequence[PrivilegeFacts],
    state: str,
    on_date: dt.date,
) -> str | None:
    in_state = [lic for lic in licenses if lic.state == state]
    there = [p for p in privileges if p.state == state]
    if any(x.valid_on(on_date) for x in in_state) or any(p.valid_on(on_date) for p in there):
        return None
    if not in_state and not there:
        held = _held(licenses, privileges)
        return f"No license or compact privilege in {state} on {fmt(on_date)} ({held})."
    privilege = _nearest_privilege(there, on_date)
    why = privilege_block(privilege, on_date) if privilege else None
    if not in_state:
        return f"In {state}, where the service was, no license is held; {why}"
    license_why = _license_block(in_state, on_date)
    return f"In {state}, where the service was: {' '.join(filter(None, (license_why, why)))}"


def _held(licenses: Sequence[LicenseFacts], privileges: Sequence[PrivilegeFacts]) -> str:
    """What is on file, any date: "licenses held: CA, OR; PSYPACT privileges: WA"."""
    states: dict[str, set[str]] = {}
    for p in privileges:
        states.setdefault(p.name, set()).add(p.state)
    held = [f"licenses held: {', '.join(sorted({x.state for x in licenses})) or 'none'}"]
    held += [f"{name} privileges: {', '.join(sorted(s))}" for name, s in sorted(states.items())]
    return "; ".join(held if states else [*held, "no compact privileges"])


def _nearest_privilege(privileges: list[PrivilegeFacts], day: dt.date) -> PrivilegeFacts | None:
    """The privilege that explains `day`: the one whose dates cover it, else the one that ended
    last before it, else the first one that starts after it."""
    covering = [p for p in privileges if p.covers(day)]
    past = [p for p in privileges if p.last_day is not None and p.last_day < day]
    later = [p for p in privileges if p.effective_on > day]
    if covering:
        return covering[0]
    if past:
        return max(past, key=lambda p: p.last_day or dt.date.min)
    return min(later, key=lambda p: p.effective_on, default=None)


def _license_block(licenses: Sequence[LicenseFacts], on_date: dt.date) -> str | None:
    if any(lic.valid_on(on_date) for lic in licenses):
        return None
    for lic in licenses:
        if lic.period_on(on_date) and (status := lic.status_on(on_date)) != "active":
            return f"License {lic.label} was {status} on {fmt(on_date)}."
    for lic in licenses:
        before, after = lic.expired_before(on_date), lic.starting_after(on_date)
        if before and after and after.starts_on:
            return (
                f"License {lic.label} had lapsed on {fmt(on_date)}: it expired on "
                f"{fmt(before.expires_on)} and was renewed only from {fmt(after.starts_on)}."
            )
    return f"No active, unexpired license on {fmt(on_date)}."


def _enrollment_blocks(e: EnrollmentFacts | None, payer: str, on_date: dt.date) -> list[str]:
    if e is None:
        return [f"Not enrolled with {payer}."]
    if e.period_on(on_date) is None:
        return [_not_enrolled_on(e, payer, on_date)]
    if e.recredential_due and e.recredential_due < on_date:
        return [
            f"Recredentialing with {payer} was due on {fmt(e.recredential_due)} (no grace period)."
        ]
    return []


def _not_enrolled_on(e: EnrollmentFacts, payer: str, on_date: dt.date) -> str:
    ended, upcoming = e.ended_before(on_date), e.starting_after(on_date)
    if ended and ended.end_date and upcoming:
        return (
            f"Enrollment with {payer} ended on {fmt(ended.end_date)} and resumed only on "
            f"{fmt(upcoming.effective_date)}."
        )
    if ended and ended.end_date:
        return f"Enrollment with {payer} ended on {fmt(ended.end_date)}."
    if upcoming:
        return f"Enrollment with {payer} is effective only from {fmt(upcoming.effective_date)}."
    if e.status in ("submitted", "denied", "terminated"):
        status = "pending" if e.status == "submitted" else e.status
        return f"Enrollment with {payer} is {status}."
    return f"Not enrolled with {payer}."


def state_license_block(
    licenses: Sequence[LicenseFacts],
    state: str,
    on_date: dt.date,
    privileges: Sequence[PrivilegeFacts] = (),
) -> str | None:
    """Why neither a license nor a compact privilege lets the clinician treat a patient who is
    in `state` on `on_date` (telehealth: REFERENCE.md §14), or None. The same rule that
    billing_blocks applies with a `state`."""
    return _place_block(licenses, privileges, state, on_date)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months (the 31st becomes the month's last day)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def recredential_due_on(recorded: dt.date | None, enrolled_on: dt.date | None) -> dt.date | None:
    """When recredentialing with a payer is due: the date the payer gave (PayerEnrollment.
    recredential_due) when recorded, else 36 months after the current enrollment period took
    effect (the payer's credentialing decision; REFERENCE.md §11, NCQA: every 36 months)."""
    if recorded is not None:
        return recorded
    return add_months(enrolled_on, RECREDENTIAL_MONTHS) if enrolled_on else None
