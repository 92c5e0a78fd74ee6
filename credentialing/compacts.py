"""Interstate licensure compacts as data, and the plain facts of one compact privilege (no ORM).

Telehealth licensure (REFERENCE.md §14, "Telehealth licensure" [V NGS FAQ]): the license must be
valid in the state where the patient is at the time of service, unless a compact or a state
exception applies. A compact lets a clinician licensed in a member "home" state practise in
another member state without a license there; what it grants rests on the home-state license
and applies to one profession only. Each compact below names the license types it covers.

Sources (checked 2026-11):
- PSYPACT: the PSYPACT Commission issues the Authority to Practice Interjurisdictional
  Telepsychology (APIT) to a psychologist licensed in a PSYPACT home state, who must be
  physically in that home state while delivering telepsychology; the APIT is renewed yearly
  (psypact.gov/page/Practice_Related_FAQs; asppb.net/page/EPassport). Temporary in-person
  practice is a separate authorization (TAP) and is not modelled here.
- Counseling Compact: a privilege to practice (in person or by telehealth) is issued per remote
  state, to a counselor with an unencumbered home-state license at the highest (independent)
  level (counseling.org/advocacy/counseling-compact/faqs); privileges started being issued in
  late 2025 (nbcc.org, "Expand Your Practice With the Counseling Compact", 2025-12-19).
- Social Work Licensure Compact: a multistate license issued by the home state authorizes
  practice in every member state (compacts.csg.org/compact-updates/social-work); the compact is
  active but multistate licenses were not yet being issued (swcompact.org).
- Not here on purpose: the Nurse Licensure Compact covers RNs and LPN/VNs only, not advanced
  practice nurses (azbn.gov/laws-rules/nurse-licensure-compact), so it never covers a PMHNP or
  CNS; the separate APRN Compact is not operational. The Interstate Medical Licensure Compact
  is an expedited path to full state licenses, which are recorded as licenses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coding.types import LicenseType

if TYPE_CHECKING:
    from credentialing.rules import LicenseFacts


@dataclass(frozen=True)
class Compact:
    code: str
    name: str  # short name used in messages, e.g. "PSYPACT"
    authority: str  # what the compact grants, e.g. "APIT, telepsychology"
    license_types: frozenset[str]


PSYPACT = Compact(
    "psypact",
    "PSYPACT",
    "APIT, telepsychology",
    frozenset({LicenseType.PSYCHOLOGIST}),
)
COUNSELING = Compact(
    "counseling",
    "Counseling Compact",
    "privilege to practice",
    frozenset({LicenseType.LPC}),
)
SOCIAL_WORK = Compact(
    "social_work",
    "Social Work Compact",
    "multistate license",
    frozenset({LicenseType.LCSW}),
)
COMPACTS: dict[str, Compact] = {c.code: c for c in (PSYPACT, COUNSELING, SOCIAL_WORK)}
COMPACT_CHOICES: list[tuple[str, str]] = [
    (c.code, f"{c.name} ({c.authority})") for c in COMPACTS.values()
]


def compact_name(code: str) -> str:
    found = COMPACTS.get(code)
    return found.name if found else code


def covers_license_type(code: str, license_type: str) -> bool:
    """Whether compact `code` applies to a license of `license_type` (an unknown code: no)."""
    found = COMPACTS.get(code)
    return found is not None and license_type in found.license_types


@dataclass(frozen=True)
class PrivilegeFacts:
    """A provider's compact privilege to practise in `state`, resting on the home-state license
    `home`. Valid from `effective_on` through its last day, both included: the earlier of
    `expires_on` and `ended_on` (the last valid day of a privilege relinquished or revoked
    early); neither set: open-ended. It allows a service on a day only while the home license
    is valid that day and the compact covers the home license's type."""

    compact: str
    state: str
    number: str
    effective_on: dt.date
    expires_on: dt.date | None
    home: LicenseFacts
    status: str = "active"  # "relinquished" or "revoked" once ended early
    ended_on: dt.date | None = None

    @property
    def name(self) -> str:
        return compact_name(self.compact)

    @property
    def label(self) -> str:
        return f"{self.name} privilege in {self.state} ({self.number})"

    @property
    def last_day(self) -> dt.date | None:
        days = [d for d in (self.expires_on, self.ended_on) if d is not None]
        return min(days, default=None)

    @property
    def ended_early(self) -> bool:
        """Ended (relinquished or revoked) before, or on, its expiry."""
        return self.ended_on is not None and self.ended_on == self.last_day

    @property
    def covers_license_type(self) -> bool:
        return covers_license_type(self.compact, self.home.license_type)

    def covers(self, day: dt.date) -> bool:
        """The privilege's own dates cover `day` (whatever the home license)."""
        last = self.last_day
        return self.effective_on <= day and (last is None or day <= last)

    def valid_on(self, day: dt.date) -> bool:
        return self.covers(day) and self.covers_license_type and self.home.valid_on(day)
