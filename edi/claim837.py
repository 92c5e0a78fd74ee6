"""What an 837 batch says, as frozen dataclasses: the Django side maps its claims onto these and
`edi.x837` writes them out as 005010X222A1 (professional) or 005010X223A2 (institutional).

The shape follows the TR3 loops (REFERENCE.md §10): a `Batch837` has billing providers (loop
2000A/2010AA), each with subscribers (2000B/2010BA/2010BB, and 2000C when the patient is not the
subscriber), each with claims (2300) whose service lines are loop 2400. Money is `Decimal`;
diagnosis codes are ICD-10-CM without the dot. Cheap structural rules are checked when an object
is built, so a bad claim fails with a `ValueError` naming the field instead of producing X12
that a clearinghouse rejects.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from edi._checks import (
    _ICD10,
    _REVENUE,
    _TWO_DIGITS,
    _fail,
    _match,
    _modifiers,
    _money,
    _one_of,
    _text,
)
from edi.claim837_parties import (
    Address,
    Adjustment,
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Patient,
    Payer,
    Provider,
    Receiver,
    ServiceFacility,
    Submitter,
    Subscriber,
)

__all__ = [
    "Address",
    "Adjustment",
    "Batch837",
    "BillingGroup",
    "BillingProvider",
    "Claim",
    "InstitutionalClaim",
    "InstitutionalLine",
    "LineAdjudication",
    "OccurrenceCode",
    "OccurrenceSpan",
    "OtherPayer",
    "Patient",
    "Payer",
    "ProfessionalClaim",
    "ProfessionalLine",
    "Provider",
    "Receiver",
    "ServiceFacility",
    "Submitter",
    "Subscriber",
    "SubscriberGroup",
    "ValueCode",
]

# 837P: 12 diagnoses (ABK + 11 ABF), 4 pointers and 4 modifiers per line, 50 lines (loop 2400).
# 837I: principal + 24 other diagnoses, 999 lines (REFERENCE.md §5 "Claim limits").
MAX_PROFESSIONAL_DIAGNOSES = 12
MAX_INSTITUTIONAL_OTHER_DIAGNOSES = 24
MAX_PROFESSIONAL_LINES = 50
MAX_INSTITUTIONAL_LINES = 999
MAX_POINTERS = 4
MAX_CONTROL_NUMBER = 38  # CLM01 is AN 1/38
MAX_CODES_PER_KIND = 24  # 837I: each HI kind (BG, BH, BI, BE) repeats twice, 12 codes each
MAX_CLAIMS_PER_HL = 100
# CLM20 delay reason: 1 eligibility unknown, 2 litigation, 3 authorization delays, 4 provider
# certification, 5 billing forms, 6 custom appliances, 7 third-party processing, 8 eligibility
# determination, 9 original claim rejected for another reason, 10 prior approval, 11 other,
# 15 natural disaster.
DELAY_REASONS = (
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "15",
)  # loop 2300 repeats at most 100 times under one HL

# --- service lines (loop 2400) --------------------------------------------------------------


def _line_common(owner: str, line: ProfessionalLine | InstitutionalLine) -> None:
    _money(owner, "charge", line.charge)
    if not isinstance(line.units, Decimal) or not line.units.is_finite() or line.units <= 0:
        _fail(owner, f"units must be a positive Decimal, got {line.units!r}")
    _modifiers(owner, line.modifiers)
    _text(owner, "line_control_number", line.line_control_number, max_len=50, required=False)
    if line.service_date_end is not None and line.service_date_end < line.service_date:
        _fail(owner, "service_date_end is before service_date")
    # 2430 balancing: the line charge less the other payer's line adjustments is what it paid.
    for adjudication in line.adjudications:
        adjusted = sum((a.amount for a in adjudication.adjustments), Decimal(0))
        if line.charge - adjusted != adjudication.paid_amount:
            _fail(
                owner,
                f"line adjudication by {adjudication.payer_id} does not balance: charge "
                f"{line.charge} - adjustments {adjusted} != paid {adjudication.paid_amount}",
            )


@dataclass(frozen=True, kw_only=True)
class ProfessionalLine:
    """837P loop 2400: SV1 (HC:code:mods, charge, UN/MJ units, POS, pointers), DTP*472, REF*6R.

    `place_of_service` is written only when it differs from the claim's (SV105). `rendering`
    overrides the claim's rendering provider for this line (loop 2420A).
    """

    procedure_code: str
    charge: Decimal
    units: Decimal
    service_date: datetime.date
    diagnosis_pointers: tuple[int, ...] = (1,)
    modifiers: tuple[str, ...] = ()
    unit_basis: str = "UN"
    place_of_service: str = ""
    service_date_end: datetime.date | None = None
    line_control_number: str = ""
    rendering: Provider | None = None
    adjudications: tuple[LineAdjudication, ...] = ()

    def __post_init__(self) -> None:
        _match(
            "ProfessionalLine",
            "procedure_code",
            re.compile(r"[0-9A-Z]{5}"),
            self.procedure_code,
            "a 5-character CPT/HCPCS code",
        )
        _line_common("ProfessionalLine", self)
        _one_of("ProfessionalLine", "unit_basis", self.unit_basis, ("UN", "MJ"))
        if self.place_of_service:
            _match(
                "ProfessionalLine",
                "place_of_service",
                _TWO_DIGITS,
                self.place_of_service,
                "2 digits",
            )
        if not 1 <= len(self.diagnosis_pointers) <= MAX_POINTERS:
            _fail("ProfessionalLine", f"1 to {MAX_POINTERS} diagnosis pointers are required")
        if len(set(self.diagnosis_pointers)) != len(self.diagnosis_pointers):
            _fail("ProfessionalLine", "diagnosis pointers repeat")


@dataclass(frozen=True, kw_only=True)
class InstitutionalLine:
    """837I loop 2400: SV2 (revenue code, HC:HCPCS:mods, charge, UN/DA, quantity), DTP*472."""

    revenue_code: str
    charge: Decimal
    units: Decimal
    service_date: datetime.date
    procedure_code: str = ""
    modifiers: tuple[str, ...] = ()
    unit_basis: str = "UN"  # DA = days (per-diem residential lines)
    service_date_end: datetime.date | None = None
    line_control_number: str = ""
    non_covered_charge: Decimal | None = None
    adjudications: tuple[LineAdjudication, ...] = ()

    def __post_init__(self) -> None:
        _match("InstitutionalLine", "revenue_code", _REVENUE, self.revenue_code, "4 digits")
        if self.procedure_code:
            _match(
                "InstitutionalLine",
                "procedure_code",
                re.compile(r"[0-9A-Z]{5}"),
                self.procedure_code,
                "a 5-character CPT/HCPCS code",
            )
        elif self.modifiers:
            _fail("InstitutionalLine", "modifiers need a procedure_code")
        _line_common("InstitutionalLine", self)
        _one_of("InstitutionalLine", "unit_basis", self.unit_basis, ("UN", "DA"))
        if self.non_covered_charge is not None:
            _money("InstitutionalLine", "non_covered_charge", self.non_covered_charge)


# --- claims (loop 2300) ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Claim:
    """Loop 2300 fields shared by 837P and 837I.

    `facility_code` is CLM05-1: the place of service on an 837P, the type of bill's first two
    digits (facility type + classification) on an 837I. `frequency_code` is CLM05-3 (1 original,
    7 replacement, 8 void, 2-4 interim on 837I); 7 and 8 need `original_claim_number` (REF*F8).
    """

    patient_control_number: str
    total_charge: Decimal
    facility_code: str
    diagnoses: tuple[str, ...]
    frequency_code: str = "1"
    provider_signature: bool = True  # CLM06
    assignment: str = "A"  # CLM07: A assigned, B lab only, C not assigned
    benefits_assignment: str = "Y"  # CLM08: Y, N, W
    release_of_information: str = "Y"  # CLM09: I informed consent, Y yes
    delay_reason: str = ""  # CLM20
    original_claim_number: str = ""  # REF*F8
    prior_authorization: str = ""  # REF*G1
    referral_number: str = ""  # REF*9F
    rendering: Provider | None = None
    service_facility: ServiceFacility | None = None
    other_payers: tuple[OtherPayer, ...] = ()

    def _check_common(self, owner: str, lines: tuple[ProfessionalLine | InstitutionalLine, ...]):
        _text(
            owner, "patient_control_number", self.patient_control_number, max_len=MAX_CONTROL_NUMBER
        )
        _money(owner, "total_charge", self.total_charge)
        _match(owner, "facility_code", _TWO_DIGITS, self.facility_code, "2 digits")
        _one_of(owner, "frequency_code", self.frequency_code, "12345678")
        _one_of(owner, "assignment", self.assignment, "ABC")
        _one_of(owner, "benefits_assignment", self.benefits_assignment, "NWY")
        _one_of(owner, "release_of_information", self.release_of_information, "IY")
        if self.delay_reason:
            _one_of(owner, "delay_reason", self.delay_reason, DELAY_REASONS)
        if self.frequency_code in "78" and not self.original_claim_number:
            _fail(owner, "a replacement (7) or void (8) needs original_claim_number (REF*F8)")
        for code in self.diagnoses:
            _match(owner, "diagnosis", _ICD10, code, "an ICD-10-CM code without the dot")
        if not lines:
            _fail(owner, "a claim needs at least one service line")
        line_total = sum((line.charge for line in lines), Decimal(0))
        if line_total != self.total_charge:
            _fail(owner, f"total_charge {self.total_charge} != sum of line charges {line_total}")
        _check_adjudications(owner, self.total_charge, self.other_payers, lines)


def _check_adjudications(
    owner: str, charge: Decimal, others: tuple[OtherPayer, ...], lines: tuple
) -> None:
    payer_ids = {other.payer.payer_id for other in others}
    if len(payer_ids) != len(others):
        _fail(owner, "two other payers share a payer id")
    for line in lines:
        for adjudication in line.adjudications:
            if adjudication.payer_id not in payer_ids:
                _fail(owner, f"line adjudication by unknown payer {adjudication.payer_id!r}")
    # COB balancing (loop 2320): claim charge - claim-level CAS - line-level CAS = AMT*D.
    for other in others:
        if other.paid_amount is None:
            continue
        pid = other.payer.payer_id
        adjusted = sum((a.amount for a in other.adjustments), Decimal(0)) + sum(
            (
                a.amount
                for line in lines
                for j in line.adjudications
                if j.payer_id == pid
                for a in j.adjustments
            ),
            Decimal(0),
        )
        if charge - adjusted != other.paid_amount:
            _fail(
                owner,
                f"other payer {pid} does not balance: charge {charge} - adjustments "
                f"{adjusted} != paid {other.paid_amount}",
            )


@dataclass(frozen=True, kw_only=True)
class ProfessionalClaim(Claim):
    """837P loop 2300 with its 2310A referring, 2310B rendering, 2310C facility, 2310D
    supervising provider; `facility_code` is the place of service (02, 10, 11, 53, 55...)."""

    lines: tuple[ProfessionalLine, ...]
    referring: Provider | None = None
    supervising: Provider | None = None

    def __post_init__(self) -> None:
        self._check_common("ProfessionalClaim", self.lines)
        if not 1 <= len(self.diagnoses) <= MAX_PROFESSIONAL_DIAGNOSES:
            _fail("ProfessionalClaim", f"1 to {MAX_PROFESSIONAL_DIAGNOSES} diagnoses are allowed")
        if len(self.lines) > MAX_PROFESSIONAL_LINES:
            _fail(
                "ProfessionalClaim",
                f"at most {MAX_PROFESSIONAL_LINES} lines, got {len(self.lines)}",
            )
        for number, line in enumerate(self.lines, 1):
            for pointer in line.diagnosis_pointers:
                if not 1 <= pointer <= len(self.diagnoses):
                    _fail(
                        "ProfessionalClaim",
                        f"line {number} points at diagnosis {pointer} of {len(self.diagnoses)}",
                    )


@dataclass(frozen=True, kw_only=True)
class OccurrenceCode:
    """HI*BH (occurrence code + date)."""

    code: str
    date: datetime.date


@dataclass(frozen=True, kw_only=True)
class OccurrenceSpan:
    """HI*BI (occurrence span code + from/to), e.g. 74 leave of absence."""

    code: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True, kw_only=True)
class ValueCode:
    """HI*BE (value code + amount), e.g. 80 covered days, 81 non-covered days."""

    code: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class InstitutionalClaim(Claim):
    """837I loop 2300: type of bill = `facility_code` + `frequency_code`; DTP*434 statement
    period, DTP*435 admission, CL1, DTP*096 discharge hour, HI code groups, 2310A attending
    (required), 2310F referring. `diagnoses` is the principal (ABK) then the others (ABF)."""

    lines: tuple[InstitutionalLine, ...]
    statement_from: datetime.date
    statement_to: datetime.date
    attending: Provider
    admission_type: str = ""  # CL101
    admission_source: str = ""  # CL102
    patient_status: str  # CL103, required (01 discharged home, 30 still a patient...)
    admission_date: datetime.date | None = None
    admission_time: datetime.time | None = None
    discharge_time: datetime.time | None = None
    admitting_diagnosis: str = ""  # HI*ABJ
    reason_for_visit: tuple[str, ...] = ()  # HI*APR, outpatient, up to 3
    condition_codes: tuple[str, ...] = ()  # HI*BG, e.g. 41 PHP, 92 IOP
    occurrence_codes: tuple[OccurrenceCode, ...] = ()
    occurrence_spans: tuple[OccurrenceSpan, ...] = ()
    value_codes: tuple[ValueCode, ...] = ()
    referring: Provider | None = None

    @property
    def type_of_bill(self) -> str:
        return self.facility_code + self.frequency_code

    def __post_init__(self) -> None:
        owner = "InstitutionalClaim"
        self._check_common(owner, self.lines)
        if not 1 <= len(self.diagnoses) <= 1 + MAX_INSTITUTIONAL_OTHER_DIAGNOSES:
            _fail(
                owner,
                f"a principal and up to {MAX_INSTITUTIONAL_OTHER_DIAGNOSES} other "
                "diagnoses are allowed",
            )
        for code in (self.admitting_diagnosis, *self.reason_for_visit):
            if code:
                _match(owner, "diagnosis", _ICD10, code, "an ICD-10-CM code without the dot")
        if len(self.reason_for_visit) > 3:
            _fail(owner, "at most 3 reason-for-visit diagnoses")
        if len(self.lines) > MAX_INSTITUTIONAL_LINES:
            _fail(owner, f"at most {MAX_INSTITUTIONAL_LINES} lines")
        if self.statement_to < self.statement_from:
            _fail(owner, "statement_to is before statement_from")
        if self.admission_time is not None and self.admission_date is None:
            _fail(owner, "admission_time needs admission_date")
        _match(owner, "patient_status", _TWO_DIGITS, self.patient_status, "2 digits (CL103)")
        for name in ("condition_codes", "occurrence_codes", "occurrence_spans", "value_codes"):
            if len(getattr(self, name)) > MAX_CODES_PER_KIND:
                _fail(owner, f"at most {MAX_CODES_PER_KIND} {name.replace('_', ' ')}")
        for span in self.occurrence_spans:
            if span.end < span.start:
                _fail(owner, f"occurrence span {span.code} ends before it starts")
        for value in self.value_codes:
            _money(owner, f"value code {value.code}", value.amount, signed=True)


# --- hierarchy (HL loops) -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SubscriberGroup:
    """One 2000B subscriber HL (with its payer) and, when `patient` is set, one 2000C patient HL
    under it; the claims hang under the patient's level."""

    subscriber: Subscriber
    payer: Payer
    claims: tuple[ProfessionalClaim, ...] | tuple[InstitutionalClaim, ...]
    patient: Patient | None = None

    def __post_init__(self) -> None:
        if not 1 <= len(self.claims) <= MAX_CLAIMS_PER_HL:
            _fail("SubscriberGroup", f"1 to {MAX_CLAIMS_PER_HL} claims are allowed")
        kinds = {type(claim) for claim in self.claims}
        if len(kinds) > 1:
            _fail("SubscriberGroup", "professional and institutional claims cannot be mixed")
        if self.patient is None and (
            self.subscriber.dob is None or self.subscriber.address is None
        ):
            _fail(
                "SubscriberGroup",
                "when the subscriber is the patient, dob and address are required",
            )


@dataclass(frozen=True, kw_only=True)
class BillingGroup:
    """One 2000A billing-provider HL, its optional 2010AB pay-to address and its subscribers."""

    provider: BillingProvider
    subscribers: tuple[SubscriberGroup, ...]
    pay_to: Address | None = None

    def __post_init__(self) -> None:
        if not self.subscribers:
            _fail("BillingGroup", "at least one subscriber is required")


@dataclass(frozen=True, kw_only=True)
class Batch837:
    """Everything one 837 transaction set carries (ST..SE): submitter, receiver, billing groups.

    `reference` is BHT03 (the originator's batch id, echoed in acknowledgments).
    """

    submitter: Submitter
    receiver: Receiver
    billing: tuple[BillingGroup, ...]
    reference: str

    def __post_init__(self) -> None:
        _text("Batch837", "reference", self.reference, max_len=50)
        if not self.billing:
            _fail("Batch837", "at least one billing provider is required")
        numbers = [c.patient_control_number for c in self.claims()]
        if len(set(numbers)) != len(numbers):
            _fail("Batch837", "two claims share a patient control number")

    def claims(self) -> list[ProfessionalClaim | InstitutionalClaim]:
        return [c for g in self.billing for s in g.subscribers for c in s.claims]
