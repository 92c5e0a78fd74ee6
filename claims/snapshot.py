"""A claim as plain data: what the scrubber's edits read (`claims.scrub`) and what the 837 is
written from. Built from the database by `claims.loader`; no ORM object crosses this line, so
every edit is a pure function over a `ClaimSnapshot`, tested with hand-made snapshots.

Verdicts that other modules own (whether a provider may bill a payer on a date, whether an
authorization covers a line, whether a Part 2 consent permits the disclosure, what the coding
engine said about the service) are carried as facts with their reasons; the edits decide what
they mean for the claim (severity, message, fix)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

PROFESSIONAL = "837p"
INSTITUTIONAL = "837i"


@dataclass(frozen=True, kw_only=True)
class Address:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""  # digits only; 9 digits = ZIP+4


@dataclass(frozen=True, kw_only=True)
class BillingSnap:
    """2010AA billing provider (and 2010AB pay-to), from facilities' billing identity."""

    name: str
    npi: str
    tin: str
    taxonomy: str
    address: Address
    pay_to: Address | None = None
    source: str = ""  # which profile supplied it (explains the finding's fix link)
    fix_url: str = ""  # the page that edits it


@dataclass(frozen=True, kw_only=True)
class ProviderSnap:
    """A rendering, supervising or attending provider and, for the claim's payer, whether they
    may bill on each of the claim's service dates (dates absent: no block)."""

    public_id: str
    name: str
    npi: str
    taxonomy: str
    license_type: str
    prescriber: bool  # may bill E/M and 90792 (MD/DO, NP/PMHNP, PA: REFERENCE.md §3)
    accepted_by_payer: bool  # the payer pays this license type (or under a supervisor)
    blocks: dict[dt.date, tuple[str, ...]] = field(default_factory=dict)
    fix_url: str = ""


@dataclass(frozen=True, kw_only=True)
class AuthSnap:
    """What the authorization rules said about one line's service."""

    needed: bool
    covered: bool
    message: str
    reasons: tuple[str, ...] = ()
    auth_number: str = ""
    auth_public_id: str = ""
    fix_url: str = ""
    # Why no authorization covers it, when the builder knows (one of AUTH_PROBLEMS); "" lets the
    # scrubber read the rules' wording instead.
    problem: str = ""


# AuthSnap.problem values: none on file; the span starts after / ended before the date of
# service; the units are used up; the authorization is for another level of care; anything else
# (codes, provider, coverage, episode or status).
AUTH_PROBLEMS = ("missing", "not_yet_effective", "expired", "exhausted", "other_level", "other")


@dataclass(frozen=True, kw_only=True)
class ServiceSnap:
    """One recorded session (or program day) a claim bills."""

    public_id: str
    kind: str
    service_date: dt.date
    status: str
    minutes: int | None
    modality: str = "in_person"
    note_signed: bool = False
    coding_errors: tuple[str, ...] = ()  # the engine's refusals (minutes, telehealth, ...)
    coding_warnings: tuple[str, ...] = ()
    day_outcome: str = ""  # program day: "", "qualifies", "downcode", "deny", "informational"
    day_reason: str = ""
    auth: AuthSnap | None = None
    plan_review_due: dt.date | None = None  # the treatment plan in force's next review date
    on_other_claim: str = ""  # control number of another active claim billing it
    fix_url: str = ""


@dataclass(frozen=True, kw_only=True)
class LineSnap:
    number: int
    control_number: str
    service_date: dt.date
    service_date_to: dt.date | None = None
    code: str = ""  # CPT/HCPCS ("" only on an institutional revenue-code-only line)
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: Decimal = Decimal("1")
    unit_kind: str = "UN"  # UN units, DA days
    charge: Decimal = Decimal("0")
    charge_source: str = ""  # "chargemaster", "fee schedule" or "" (none found)
    pos: str = ""
    pointers: tuple[int, ...] = ()
    rendering: ProviderSnap | None = None  # None: the claim's
    services: tuple[str, ...] = ()  # public ids of the ServiceSnaps it bills


@dataclass(frozen=True, kw_only=True)
class CoverageSnap:
    public_id: str
    payer_name: str
    payer_id: str  # EDI payer id
    payer_kind: str
    priority: int
    effective_date: dt.date
    end_date: dt.date | None
    member_id_present: bool
    subscriber_complete: bool  # name, dob, sex, address of the subscriber known
    fix_url: str = ""
    # The latest eligibility answer said inactive: dates of service from `inactive_from` on
    # are not covered (claims.eligibility.inactive_from); when the payer said so, and where.
    inactive_from: dt.date | None = None
    inactive_said_on: dt.date | None = None
    eligibility_url: str = ""


@dataclass(frozen=True, kw_only=True)
class ConsentSnap:
    """Part 2: whether a consent permits disclosing this claim's SUD records to the payer for
    payment (`consent.gate`), and why not."""

    required: bool
    permitted: bool
    reason: str = ""
    consent_public_id: str = ""
    fix_url: str = ""


# CPT: psychotherapy (90832-90838) is not reported on the same day as a psychiatric diagnostic
# evaluation (90791/90792) by the same provider, and the two evaluations not together; NCCI pairs
# them with modifier indicator 0 (AAPC Psychiatry Coding Alert, "Clubbing Evaluation Codes With
# Psychotherapy?"; REFERENCE.md §1).
DEFAULT_SAME_DAY_PAIRS: tuple[tuple[str, ...], ...] = tuple(
    (evaluation, therapy, "0")
    for evaluation in ("90791", "90792")
    for therapy in ("90832", "90834", "90837")
) + (("90792", "90791", "0"),)


@dataclass(frozen=True, kw_only=True)
class PayerEdits:
    """Payer-specific edit thresholds (payer data, `Payer.claim_edits`)."""

    timely_filing_days: int = 365
    # NCCI-style pairs not billable the same day: (column 1, column 2) or with a third element
    # "0" when no modifier bypasses the pair (NCCI modifier indicator 0). Payer data
    # (`claim_edits.same_day_pairs`); payers that list none get DEFAULT_SAME_DAY_PAIRS.
    same_day_pairs: tuple[tuple[str, ...], ...] = ()
    # Codes billable once a day per patient (90791, 90792, 90839 by default).
    once_a_day: tuple[str, ...] = ("90791", "90792", "90839")
    z_code_primary_allowed: bool = False
    requires_zip4: bool = True


@dataclass(frozen=True, kw_only=True)
class OtherClaimSnap:
    """Another active claim of the same patient, for duplicate and same-day edits."""

    control_number: str
    payer_id: str
    lines: tuple[tuple[dt.date, str, tuple[str, ...]], ...]  # (date, code, modifiers)


@dataclass(frozen=True, kw_only=True)
class ClaimSnapshot:
    public_id: str
    control_number: str
    kind: str  # PROFESSIONAL or INSTITUTIONAL
    frequency: str  # 1 original, 7 replacement, 8 void (837I: also 2/3/4 interim)
    program: str  # "mh", "sud" or ""
    level: str  # level of care ("outpatient", "iop", ...)
    service_from: dt.date
    service_to: dt.date
    today: dt.date
    diagnoses: tuple[str, ...]  # ICD-10-CM with dots, principal first
    lines: tuple[LineSnap, ...]
    total_charge: Decimal
    billing: BillingSnap
    rendering: ProviderSnap | None
    coverage: CoverageSnap | None
    services: tuple[ServiceSnap, ...] = ()
    supervising: ProviderSnap | None = None
    attending: ProviderSnap | None = None
    consent: ConsentSnap | None = None
    payer_edits: PayerEdits = field(default_factory=PayerEdits)
    other_claims: tuple[OtherClaimSnap, ...] = ()
    type_of_bill: str = ""
    original_reference: str = ""  # REF*F8 payer claim number of the claim replaced or voided
    delay_reason: str = ""
    admission_date: dt.date | None = None
    patient_status: str = ""
    diagnosis_errors: tuple[str, ...] = ()  # coding.diagnoses sequencing errors
    patient_url: str = ""
    episode_url: str = ""
    claim_url: str = ""  # the claim's own page: frequency, original reference, delay reason, TOB
    payer_url: str = ""  # the payer's page: EDI payer id, claim edits, accepted licences
    charges_url: str = ""  # where a line's charge comes from (fee schedule or chargemaster)

    def service(self, public_id: str) -> ServiceSnap | None:
        return next((s for s in self.services if s.public_id == public_id), None)
