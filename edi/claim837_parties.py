"""The parties of an 837 and the other payers of a secondary claim, as frozen dataclasses
(TR3 loops 1000A/B, 2010AA/AB, 2010BA/BB, 2010CA, 2310x, 2320/2330, 2430). Re-exported by
edi.claim837, which is where callers import them from."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from edi._checks import (
    _NPI,
    _STATE,
    _TAXONOMY,
    _TIN,
    _ZIP,
    _adjustments,
    _fail,
    _match,
    _modifiers,
    _money,
    _one_of,
    _text,
)

# --- parties -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Address:
    """N3/N4. `zip_code` is 5 or 9 digits (ZIP+4 without the dash)."""

    line1: str
    city: str
    state: str
    zip_code: str
    line2: str = ""

    def __post_init__(self) -> None:
        _text("Address", "line1", self.line1, max_len=55)
        _text("Address", "line2", self.line2, max_len=55, required=False)
        _text("Address", "city", self.city, max_len=30)
        _match("Address", "state", _STATE, self.state, "a 2-letter state code")
        _match("Address", "zip_code", _ZIP, self.zip_code, "5 or 9 digits")


@dataclass(frozen=True, kw_only=True)
class Submitter:
    """Loop 1000A: who sends the file (NM1*41 + PER*IC)."""

    name: str
    id: str  # NM109 (qualifier 46, ETIN assigned by the receiver)
    contact_name: str
    contact_phone: str  # digits only, PER04 with qualifier TE
    contact_email: str = ""

    def __post_init__(self) -> None:
        _text("Submitter", "name", self.name, max_len=60)
        _text("Submitter", "id", self.id, max_len=80)
        _text("Submitter", "contact_name", self.contact_name, max_len=60)
        _match("Submitter", "contact_phone", re.compile(r"\d{10,}"), self.contact_phone, "digits")


@dataclass(frozen=True, kw_only=True)
class Receiver:
    """Loop 1000B: the clearinghouse or payer receiving the file (NM1*40)."""

    name: str
    id: str

    def __post_init__(self) -> None:
        _text("Receiver", "name", self.name, max_len=60)
        _text("Receiver", "id", self.id, max_len=80)


@dataclass(frozen=True, kw_only=True)
class BillingProvider:
    """Loops 2000A/2010AA: Type-2 NPI, EIN (REF*EI), PRV*BI taxonomy and a street address."""

    org_name: str
    npi: str
    tin: str  # EIN, 9 digits without the dash
    taxonomy: str
    address: Address
    contact_name: str = ""
    contact_phone: str = ""

    def __post_init__(self) -> None:
        _text("BillingProvider", "org_name", self.org_name, max_len=60)
        _match("BillingProvider", "npi", _NPI, self.npi, "10 digits")
        _match("BillingProvider", "tin", _TIN, self.tin, "9 digits (EIN without dash)")
        _match("BillingProvider", "taxonomy", _TAXONOMY, self.taxonomy, "a NUCC taxonomy code")
        if not _ZIP.fullmatch(self.address.zip_code) or len(self.address.zip_code) != 9:
            _fail("BillingProvider", "the billing provider's ZIP code must be ZIP+4 (9 digits)")


@dataclass(frozen=True, kw_only=True)
class Provider:
    """A person (or, for 837P rendering/2310C-like uses, an organization) in loops 2310x/2420x.

    For an organization set `is_organization` and put its name in `last_name`.
    """

    last_name: str
    npi: str
    first_name: str = ""
    middle_name: str = ""
    taxonomy: str = ""
    is_organization: bool = False

    def __post_init__(self) -> None:
        _text("Provider", "last_name", self.last_name, max_len=60)
        _text("Provider", "first_name", self.first_name, max_len=35, required=False)
        _match("Provider", "npi", _NPI, self.npi, "10 digits")
        if self.taxonomy:
            _match("Provider", "taxonomy", _TAXONOMY, self.taxonomy, "a NUCC taxonomy code")


@dataclass(frozen=True, kw_only=True)
class ServiceFacility:
    """Loop 2310C (837P) / 2310E (837I): where the service was furnished."""

    name: str
    address: Address
    npi: str = ""

    def __post_init__(self) -> None:
        _text("ServiceFacility", "name", self.name, max_len=60)
        if self.npi:
            _match("ServiceFacility", "npi", _NPI, self.npi, "10 digits")


@dataclass(frozen=True, kw_only=True)
class Payer:
    """Loop 2010BB (and 2330B for another payer): NM1*PR with the payer id (PI)."""

    name: str
    payer_id: str
    address: Address | None = None

    def __post_init__(self) -> None:
        _text("Payer", "name", self.name, max_len=60)
        _text("Payer", "payer_id", self.payer_id, max_len=80)


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    """Loops 2000B (SBR) and 2010BA (NM1*IL, N3/N4, DMG).

    `responsibility` is SBR01 (P/S/T), `filing_indicator` SBR09 (MB, MC, CI, BL, HM, 12...),
    `insurance_type` SBR05 (e.g. 12 or 43 when Medicare is secondary). SBR02 is derived: 18
    (self) when the subscriber is the patient, left out when a 2000C patient loop follows.
    """

    member_id: str
    last_name: str
    first_name: str
    dob: datetime.date | None = None
    sex: str = "U"
    address: Address | None = None
    middle_name: str = ""
    group_number: str = ""
    group_name: str = ""
    responsibility: str = "P"
    filing_indicator: str = "CI"
    insurance_type: str = ""

    def __post_init__(self) -> None:
        _text("Subscriber", "member_id", self.member_id, max_len=80)
        _text("Subscriber", "last_name", self.last_name, max_len=60)
        _text("Subscriber", "first_name", self.first_name, max_len=35, required=False)
        _one_of("Subscriber", "sex", self.sex, ("M", "F", "U"))
        _one_of("Subscriber", "responsibility", self.responsibility, "PSTABCDEFGHU")
        _one_of("Subscriber", "filing_indicator", self.filing_indicator, FILING_INDICATORS)
        if self.insurance_type:
            _one_of("Subscriber", "insurance_type", self.insurance_type, MSP_INSURANCE_TYPES)
        _text("Subscriber", "group_number", self.group_number, max_len=50, required=False)


@dataclass(frozen=True, kw_only=True)
class Patient:
    """Loop 2000C/2010CA, only when the patient is not the subscriber.

    `relationship` is PAT01: 01 spouse, 19 child, 20 employee, 21 unknown, 39 organ donor,
    40 cadaver donor, 53 life partner, G8 other relationship.
    """

    last_name: str
    first_name: str
    dob: datetime.date
    sex: str
    address: Address
    relationship: str
    middle_name: str = ""

    def __post_init__(self) -> None:
        _text("Patient", "last_name", self.last_name, max_len=60)
        _one_of("Patient", "sex", self.sex, ("M", "F", "U"))
        _one_of("Patient", "relationship", self.relationship, PATIENT_RELATIONSHIPS)


PATIENT_RELATIONSHIPS = ("01", "19", "20", "21", "39", "40", "53", "G8")
# SBR09 claim filing indicator (MB Medicare B, MC Medicaid, CI commercial, BL Blue Cross, ...)
FILING_INDICATORS = (
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM",
    "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
)  # fmt: skip
# SBR05 insurance type when Medicare is secondary (Medicare secondary payer situations).
MSP_INSURANCE_TYPES = ("12", "13", "14", "15", "16", "41", "42", "43", "47")
# SBR02 in loop 2320: the patient's relationship to the other coverage's subscriber.
OTHER_RELATIONSHIPS = ("01", "18", "19", "20", "21", "39", "40", "53", "G8")


# --- coordination of benefits (loops 2320/2330, 2430) -------------------------------------


@dataclass(frozen=True, kw_only=True)
class Adjustment:
    """CAS: a group code (CO, PR, OA, PI, CR), a CARC reason, an amount and optional units."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None

    def __post_init__(self) -> None:
        _one_of("Adjustment", "group", self.group, ("CO", "CR", "OA", "PI", "PR"))
        _text("Adjustment", "reason", self.reason, max_len=5)
        _money("Adjustment", "amount", self.amount, signed=True)


@dataclass(frozen=True, kw_only=True)
class LineAdjudication:
    """Loop 2430 (SVD/CAS/DTP*573): how another payer adjudicated one service line.

    `payer_id` must equal the 2330B payer id of one of the claim's `other_payers`.
    """

    payer_id: str
    paid_amount: Decimal
    paid_units: Decimal
    adjudication_date: datetime.date
    procedure_code: str = ""  # SVD03; the line's own code when left empty
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""  # SVD04, 837I only; the line's own when left empty
    adjustments: tuple[Adjustment, ...] = ()

    def __post_init__(self) -> None:
        _money("LineAdjudication", "paid_amount", self.paid_amount, signed=True)
        _adjustments("LineAdjudication", self.adjustments)
        _modifiers("LineAdjudication", self.modifiers)


@dataclass(frozen=True, kw_only=True)
class OtherPayer:
    """Loops 2320 (SBR, CAS, AMT, OI) and 2330A/2330B: coverage other than this claim's payer.

    Used on secondary/tertiary claims: the prior payer's paid amount (AMT*D), its claim-level
    adjustments (CAS) and the date it adjudicated the claim (DTP*573 in 2330B, written only
    when no line carries a 2430 adjudication for this payer).
    """

    payer: Payer
    subscriber_last_name: str
    subscriber_first_name: str
    subscriber_member_id: str
    responsibility: str  # SBR01 of this other coverage
    relationship: str = "18"  # SBR02: the patient's relationship to this other subscriber
    filing_indicator: str = "CI"
    insurance_type: str = ""
    group_number: str = ""
    paid_amount: Decimal | None = None
    remaining_patient_liability: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    adjudication_date: datetime.date | None = None
    benefits_assignment: str = "Y"  # OI03
    release_of_information: str = "Y"  # OI06

    def __post_init__(self) -> None:
        _one_of("OtherPayer", "responsibility", self.responsibility, "PSTABCDEFGHU")
        _one_of("OtherPayer", "relationship", self.relationship, OTHER_RELATIONSHIPS)
        _adjustments("OtherPayer", self.adjustments)
        _one_of("OtherPayer", "filing_indicator", self.filing_indicator, FILING_INDICATORS)
        if self.insurance_type:
            _one_of("OtherPayer", "insurance_type", self.insurance_type, MSP_INSURANCE_TYPES)
        _text("OtherPayer", "subscriber_member_id", self.subscriber_member_id, max_len=80)
        _text("OtherPayer", "subscriber_last_name", self.subscriber_last_name, max_len=60)
        for name in ("paid_amount", "remaining_patient_liability"):
            value = getattr(self, name)
            if value is not None:
                _money("OtherPayer", name, value, signed=True)
