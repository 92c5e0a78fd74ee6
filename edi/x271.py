"""271 Health Care Eligibility Benefit Response (005010X279A1): read into frozen dataclasses, and
written (the sandbox clearinghouse answers 270s with realistic 271s).

Hierarchy (REFERENCE.md §10 "270/271"): 2000A information source (HL03 = 20, the payer; AAA when
the payer cannot answer at all) > 2000B information receiver (21, the provider; AAA e.g. 50
provider ineligible for inquiries) > 2000C subscriber (22: TRN echoes the 270's trace, NM1*IL,
AAA, DMG, INS, DTP*346/347/356/357 plan and eligibility dates, then the 2110C benefit loops) >
2000D dependent (23, same shape, NM1*03).

A benefit (loop 2110C/D) is one EB segment: EB01 what it says (1 active, 6 inactive, A
coinsurance, B copay, C deductible, F limitation, G out-of-pocket, U contact the entity named...),
EB02 coverage level, EB03 service types (repeating: 30^MH^A6), EB04 insurance type, EB05 plan
description, EB06 time period, EB07 amount, EB08 percent (a fraction, .2 = 20%), EB09/EB10
quantity qualifier and quantity, EB11 authorization required, EB12 in plan network; then HSD
(delivery pattern), REF, DTP, AAA, MSG (free text) and LS/LE around loop 2120, the benefit related
entities (NM1 with N3/N4/PER/PRV): where carve-out behavioral-health administrators appear.

One `EligibilityResponse` per subscriber or dependent answered (a transaction rejected at the
payer or provider level gives one response without a member). Anything unreadable raises
`X12Error`, and only that.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from edi.ack277 import _date, _date_text, _decimal
from edi.x12 import Segment, Transaction, X12Error, only_x12_errors, transactions
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    Repeated,
    SegmentSpec,
    TransactionSpec,
    amount,
    d8,
    hhmm,
    quantity,
    write_interchange,
)

__all__ = [
    "BENEFIT_INFO",
    "COVERAGE_LEVELS",
    "DATE_QUALIFIERS",
    "FOLLOW_UP_ACTIONS",
    "QUANTITY_QUALIFIERS",
    "REJECT_REASONS",
    "TIME_PERIODS",
    "VERSION",
    "Benefit",
    "Contact",
    "DateRange",
    "Delivery",
    "EligibilityResponse",
    "Entity",
    "Person",
    "Rejection",
    "read_271",
    "write_271",
]

VERSION = "005010X279A1"

# EB01 eligibility or benefit information (X12 code list 1390), paraphrased. REFERENCE.md §10.
BENEFIT_INFO = {
    "1": "active coverage",
    "2": "active: full risk capitation",
    "3": "active: services capitated",
    "4": "active: services capitated to the primary care physician",
    "5": "active: pending investigation",
    "6": "inactive",
    "7": "inactive: pending eligibility update",
    "8": "inactive: pending investigation",
    "A": "coinsurance",
    "B": "copay",
    "C": "deductible",
    "CB": "coverage basis",
    "D": "benefit description",
    "E": "exclusions",
    "F": "limitations",
    "G": "out-of-pocket (stop loss)",
    "H": "unlimited",
    "I": "not covered",
    "J": "cost containment",
    "K": "reserve",
    "L": "primary care provider",
    "M": "pre-existing condition",
    "MC": "managed care coordinator",
    "N": "services restricted to the provider named",
    "O": "not deemed a medical necessity",
    "P": "benefit disclaimer",
    "Q": "second surgical opinion required",
    "R": "other or additional payer",
    "S": "prior year(s) history",
    "T": "card reported lost or stolen",
    "U": "contact the entity named for benefit information",
    "V": "cannot process",
    "W": "other source of data",
    "X": "health care facility",
    "Y": "spend down",
}
ACTIVE_INFO = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_INFO = frozenset({"6", "7", "8"})

# EB02 coverage level (code list 1207).
COVERAGE_LEVELS = {
    "CHD": "children only",
    "DEP": "dependents only",
    "ECH": "employee and children",
    "EMP": "employee only",
    "ESP": "employee and spouse",
    "FAM": "family",
    "IND": "individual",
    "SPC": "spouse and children",
    "SPO": "spouse only",
}

# EB06 / HSD05 time period qualifier (code list 615).
TIME_PERIODS = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}

# EB09 quantity qualifier (code list 673), the ones a 271 uses.
QUANTITY_QUALIFIERS = {
    "8H": "minimum",
    "99": "quantity used",
    "CA": "covered: actual",
    "CE": "covered: estimated",
    "D3": "coinsurance days",
    "DB": "deductible blood units",
    "DY": "days",
    "HS": "hours",
    "LA": "lifetime reserve: actual",
    "LE": "lifetime reserve: estimated",
    "M2": "maximum",
    "MN": "month",
    "P6": "services or procedures",
    "QA": "quantity approved",
    "S7": "age, high value",
    "S8": "age, low value",
    "VS": "visits",
    "YY": "years",
}

# DTP qualifiers in a 271 (code list 374), paraphrased.
DATE_QUALIFIERS = {
    "096": "discharge",
    "102": "issue",
    "152": "effective date of change",
    "193": "period start",
    "194": "period end",
    "198": "completion",
    "290": "coordination of benefits",
    "291": "plan",
    "292": "benefit",
    "295": "primary care provider",
    "304": "latest visit or consultation",
    "307": "eligibility",
    "318": "added",
    "340": "COBRA begin",
    "341": "COBRA end",
    "342": "premium paid to date begin",
    "343": "premium paid to date end",
    "346": "plan begin",
    "347": "plan end",
    "348": "benefit begin",
    "349": "benefit end",
    "356": "eligibility begin",
    "357": "eligibility end",
    "382": "enrollment",
    "435": "admission",
    "442": "date of death",
    "458": "certification",
    "472": "service",
    "539": "policy effective",
    "540": "policy expiration",
    "636": "date of last update",
    "771": "status",
}

# AAA03 reject reason codes (element 901) used in 270/271, paraphrased in plain words.
# Source: stedi.com X12 element 901 "Reject Reason Code"; stedi.com "AAA eligibility errors in
# plain English" (2025); REFERENCE.md §10.
REJECT_REASONS = {
    "04": "more patients asked about than the payer allows in one request",
    "15": "required information is missing",
    "33": "the request has input errors",
    "35": "the provider is out of network",
    "41": "the submitter is not authorized to ask (access restriction)",
    "42": "the payer cannot respond right now; try again later",
    "43": "provider identifier (NPI) is invalid or missing",
    "44": "provider name is invalid or missing",
    "45": "provider specialty is invalid or missing",
    "46": "provider phone number is invalid or missing",
    "47": "provider state is invalid or missing",
    "48": "referring provider identifier is invalid or missing",
    "49": "the provider is not the patient's primary care physician",
    "50": "the provider is not eligible to make inquiries",
    "51": "the provider is not on file with the payer",
    "52": "service dates are outside the provider's plan enrollment",
    "53": "the benefit asked about does not fit the provider type",
    "54": "inappropriate product or service id qualifier",
    "55": "inappropriate product or service id",
    "56": "inappropriate date",
    "57": "date of service is invalid or missing",
    "58": "date of birth is invalid or missing",
    "60": "date of birth is after the date of service",
    "61": "date of death is before the date of service",
    "62": "date of service is outside the period the payer allows inquiries for",
    "63": "date of service is in the future",
    "64": "patient id is invalid or missing",
    "65": "patient name is invalid or missing",
    "66": "patient gender is invalid or missing",
    "67": "patient not found",
    "68": "duplicate patient id",
    "69": "inconsistent with the patient's age",
    "70": "inconsistent with the patient's gender",
    "71": "birth date does not match the payer's record for this member",
    "72": "member id is invalid or missing",
    "73": "subscriber name is invalid or missing",
    "74": "subscriber gender is invalid or missing",
    "75": "subscriber not found",
    "76": "duplicate subscriber id",
    "77": "subscriber found, but the patient (dependent) was not",
    "78": "subscriber is not in the group or plan named",
    "79": "invalid participant identification",
    "80": "no response received: transaction terminated",
    "97": "provider address is invalid or missing",
    "T4": "payer name or identifier is missing",
}

# AAA04 follow-up action (element 889), paraphrased.
FOLLOW_UP_ACTIONS = {
    "C": "correct and resubmit",
    "N": "do not resubmit",
    "P": "resubmit the original request",
    "R": "resubmission allowed",
    "S": "do not resubmit; the payer is asking a third party",
    "W": "wait 30 days and resubmit",
    "X": "wait 10 days and resubmit",
    "Y": "do not resubmit; the payer will answer when it can",
}

_LEVELS = {"20": "source", "21": "receiver", "22": "subscriber", "23": "dependent"}


@dataclass(frozen=True)
class Contact:
    """PER: a contact function (IC information contact), name and up to three numbers, each a
    (qualifier, value) pair: TE phone, EX extension, FX fax, EM email, UR web address."""

    function: str = "IC"
    name: str = ""
    numbers: tuple[tuple[str, str], ...] = ()

    def number(self, qualifier: str) -> str:
        return next((value for q, value in self.numbers if q == qualifier), "")

    @property
    def phone(self) -> str:
        return self.number("TE")

    @property
    def email(self) -> str:
        return self.number("EM")

    @property
    def url(self) -> str:
        return self.number("UR")


@dataclass(frozen=True)
class Entity:
    """An NM1 party with its address and contacts: the payer (PR), the provider (1P), or a 2120
    benefit related entity (PR payer, P5 plan sponsor, VN vendor, Y2 managed care organization,
    PRP primary payer, 1P/P3 providers...)."""

    code: str  # NM101
    name: str  # NM103: organization or last name
    first_name: str = ""
    kind: str = "2"  # NM102: 1 person, 2 organization
    id_qualifier: str = ""  # NM108: PI payer id, XX NPI, SV, FI...
    id: str = ""  # NM109
    address: tuple[str, ...] = ()  # N301, N302
    city: str = ""
    state: str = ""
    postal_code: str = ""
    contacts: tuple[Contact, ...] = ()
    taxonomy: str = ""  # PRV03

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.name}".strip() if self.kind == "1" else self.name

    @property
    def phone(self) -> str:
        return next((c.phone for c in self.contacts if c.phone), "")


@dataclass(frozen=True)
class Person:
    """The subscriber (NM1*IL) or dependent (NM1*03) the payer answered about."""

    last_name: str
    first_name: str = ""
    middle_name: str = ""
    member_id: str = ""  # NM109 (MI)
    birth_date: datetime.date | None = None
    gender: str = ""
    address: tuple[str, ...] = ()
    city: str = ""
    state: str = ""
    postal_code: str = ""
    relationship: str = ""  # INS02: 18 self, 01 spouse, 19 child...
    refs: tuple[tuple[str, str], ...] = ()  # REF: 6P group number, 18 plan number, 1L...

    def ref(self, qualifier: str) -> str:
        return next((value for q, value in self.refs if q == qualifier), "")


@dataclass(frozen=True)
class Rejection:
    """AAA: the payer could not (or would not) answer. `level` says where: source (the payer),
    receiver (the provider), subscriber, dependent or benefit (one service type)."""

    code: str  # AAA03
    follow_up: str = ""  # AAA04
    valid: bool = False  # AAA01: whether the request itself was valid
    level: str = "subscriber"

    @property
    def message(self) -> str:
        return REJECT_REASONS.get(self.code, f"rejected with reason code {self.code}")

    @property
    def follow_up_message(self) -> str:
        return FOLLOW_UP_ACTIONS.get(self.follow_up, "")


@dataclass(frozen=True)
class DateRange:
    """DTP: a qualifier and a day (D8) or a range (RD8)."""

    qualifier: str
    start: datetime.date | None
    end: datetime.date | None = None

    @property
    def meaning(self) -> str:
        return DATE_QUALIFIERS.get(self.qualifier, f"date {self.qualifier}")


@dataclass(frozen=True)
class Delivery:
    """HSD: how much, how often (e.g. 20 visits per calendar year: VS 20 ... 23)."""

    quantity_qualifier: str = ""  # HSD01: VS visits, DY days, HS hours
    quantity: Decimal | None = None  # HSD02
    unit: str = ""  # HSD03
    sample_size: Decimal | None = None  # HSD04
    period: str = ""  # HSD05 (TIME_PERIODS)
    period_count: Decimal | None = None  # HSD06
    frequency: str = ""  # HSD07
    timing: str = ""  # HSD08


@dataclass(frozen=True)
class Benefit:
    """One EB segment and everything under it (loop 2110C/D)."""

    info: str  # EB01
    coverage_level: str = ""  # EB02
    service_types: tuple[str, ...] = ()  # EB03 (repeats)
    insurance_type: str = ""  # EB04: MC Medicaid, HM HMO, PR PPO, MB Medicare B, C1 commercial...
    plan_description: str = ""  # EB05
    time_period: str = ""  # EB06
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08: a fraction, .2 = 20%
    quantity_qualifier: str = ""  # EB09
    quantity: Decimal | None = None  # EB10
    authorization: str = ""  # EB11: Y, N, U (unknown)
    network: str = ""  # EB12: Y in network, N out of network, W either (not applicable)
    procedure: tuple[str, ...] = ()  # EB13 composite: qualifier, code, modifiers
    deliveries: tuple[Delivery, ...] = ()
    refs: tuple[tuple[str, str], ...] = ()
    dates: tuple[DateRange, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    messages: tuple[str, ...] = ()  # MSG01
    entities: tuple[Entity, ...] = ()  # loop 2120

    @property
    def meaning(self) -> str:
        return BENEFIT_INFO.get(self.info, f"benefit {self.info}")

    @property
    def authorization_required(self) -> bool | None:
        return {"Y": True, "N": False}.get(self.authorization)

    @property
    def in_network(self) -> bool | None:
        """True in network, False out of network, None when the payer said neither (W or
        blank: the figure applies either way)."""
        return {"Y": True, "N": False}.get(self.network)

    def date(self, qualifier: str) -> DateRange | None:
        return next((d for d in self.dates if d.qualifier == qualifier), None)


@dataclass(frozen=True)
class EligibilityResponse:
    """What the payer said about one member (subscriber, or dependent when `patient` is set)."""

    payer: Entity
    provider: Entity | None = None
    subscriber: Person | None = None
    patient: Person | None = None  # the dependent (2000D)
    trace_number: str = ""  # TRN02 (TRN01 = 2: the 270's trace echoed)
    trace_originator: str = ""  # TRN03
    traces: tuple[tuple[str, str, str], ...] = ()  # every TRN: (type, number, originator)
    rejections: tuple[Rejection, ...] = ()
    dates: tuple[DateRange, ...] = ()  # the member's DTPs
    benefits: tuple[Benefit, ...] = ()
    control_number: str = ""  # ST02
    reference: str = ""  # BHT03
    created: datetime.date | None = None  # BHT04

    @property
    def member(self) -> Person | None:
        return self.patient or self.subscriber

    @property
    def dependent(self) -> bool:
        return self.patient is not None

    @property
    def rejected(self) -> bool:
        return any(r.level != "benefit" for r in self.rejections)

    @property
    def active(self) -> bool | None:
        """True when any EB says active coverage, False when only inactive ones do, None when
        the payer said neither (or rejected the inquiry)."""
        infos = {b.info for b in self.benefits}
        if infos & ACTIVE_INFO:
            return True
        if infos & INACTIVE_INFO:
            return False
        return None

    def date(self, qualifier: str) -> DateRange | None:
        return next((d for d in self.dates if d.qualifier == qualifier), None)


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_271(data: str | bytes) -> list[EligibilityResponse]:
    """Every member answered in the file, in order."""
    found = [t for t in transactions(data) if t.set_id == "271"]
    if not found:
        raise X12Error("no 271 transaction set in the file")
    return [r for t in found for r in _Reader(t).read()]


class _Draft:
    """A mutable NM1 party (entity or person) while its segments are read."""

    def __init__(self, seg: Segment):
        self.seg = seg
        self.address: list[str] = []
        self.place = ("", "", "")
        self.contacts: list[Contact] = []
        self.taxonomy = ""
        self.demographics: tuple[datetime.date | None, str] = (None, "")
        self.relationship = ""
        self.refs: list[tuple[str, str]] = []

    def entity(self) -> Entity:
        s = self.seg
        return Entity(
            code=s[1],
            kind=s[2] or "2",
            name=s[3],
            first_name=s[4],
            id_qualifier=s[8],
            id=s[9],
            address=tuple(self.address),
            city=self.place[0],
            state=self.place[1],
            postal_code=self.place[2],
            contacts=tuple(self.contacts),
            taxonomy=self.taxonomy,
        )

    def person(self) -> Person:
        s = self.seg
        return Person(
            last_name=s[3],
            first_name=s[4],
            middle_name=s[5],
            member_id=s[9],
            birth_date=self.demographics[0],
            gender=self.demographics[1],
            address=tuple(self.address),
            city=self.place[0],
            state=self.place[1],
            postal_code=self.place[2],
            relationship=self.relationship,
            refs=tuple(self.refs),
        )


class _BenefitDraft:
    def __init__(self, seg: Segment):
        if not seg[1]:
            raise X12Error("EB01 (benefit information code) is missing", position=seg.position)
        self.seg = seg
        self.deliveries: list[Delivery] = []
        self.refs: list[tuple[str, str]] = []
        self.dates: list[DateRange] = []
        self.rejections: list[Rejection] = []
        self.messages: list[str] = []
        self.entities: list[_Draft] = []

    def benefit(self) -> Benefit:
        s = self.seg
        return Benefit(
            info=s[1],
            coverage_level=s[2],
            service_types=s.repetitions(3),
            insurance_type=s[4],
            plan_description=s[5],
            time_period=s[6],
            amount=_decimal(s, 7),
            percent=_decimal(s, 8),
            quantity_qualifier=s[9],
            quantity=_decimal(s, 10),
            authorization=s[11],
            network=s[12],
            procedure=s.components(13),
            deliveries=tuple(self.deliveries),
            refs=tuple(self.refs),
            dates=tuple(self.dates),
            rejections=tuple(self.rejections),
            messages=tuple(self.messages),
            entities=tuple(e.entity() for e in self.entities),
        )


class _Member:
    def __init__(self, level: str, has_children: bool):
        self.level = level
        self.has_children = has_children
        self.traces: list[tuple[str, str, str]] = []
        self.party: _Draft | None = None
        self.rejections: list[Rejection] = []
        self.dates: list[DateRange] = []
        self.benefits: list[_BenefitDraft] = []

    @property
    def answered(self) -> bool:
        return not self.has_children or bool(self.traces or self.benefits or self.rejections)


class _Reader:
    def __init__(self, transaction: Transaction):
        self.t = transaction
        self.level = ""
        self.parties: dict[str, _Draft] = {}  # 20 payer, 21 provider
        self.top_rejections: list[Rejection] = []
        self.subscriber: _Member | None = None
        self.member: _Member | None = None
        self.benefit: _BenefitDraft | None = None
        self.in_2120 = False
        self.members: list[_Member] = []
        self.reference: tuple[str, datetime.date | None] = ("", None)

    def read(self) -> list[EligibilityResponse]:
        for seg in self.t.body:
            handler = getattr(self, f"_{seg.id.lower()}", None)
            if handler is not None:
                handler(seg)
        if "20" not in self.parties:
            raise X12Error("271 without an information source (HL 20 with NM1*PR)")
        answered = [m for m in self.members if m.answered]
        if not answered:
            return [self._response(None)]
        return [self._response(m) for m in answered]

    # the hierarchy

    def _bht(self, seg: Segment) -> None:
        self.reference = (seg[3], _date(seg, 4))

    def _hl(self, seg: Segment) -> None:
        self.level, self.benefit, self.in_2120 = seg[3], None, False
        if self.level not in _LEVELS:
            raise X12Error(f"unexpected HL level code {seg[3]!r}", position=seg.position)
        if self.level in ("22", "23"):
            self.member = _Member(self.level, seg[4] == "1")
            self.members.append(self.member)
            if self.level == "22":
                self.subscriber = self.member
            elif self.subscriber is None:
                raise X12Error("dependent level without a subscriber", position=seg.position)

    def _trn(self, seg: Segment) -> None:
        if self.member is None:
            raise X12Error("TRN outside a subscriber or dependent", position=seg.position)
        self.member.traces.append((seg[1], seg[2], seg[3]))

    def _current_party(self) -> _Draft | None:
        if self.in_2120 and self.benefit is not None:
            return self.benefit.entities[-1] if self.benefit.entities else None
        if self.level in ("22", "23") and self.member is not None:
            return self.member.party
        return self.parties.get(self.level)

    def _nm1(self, seg: Segment) -> None:
        if self.in_2120 or (self.benefit is not None and seg[1] not in ("IL", "03")):
            if self.benefit is None:
                raise X12Error("2120 entity outside a benefit", position=seg.position)
            self.benefit.entities.append(_Draft(seg))
            return
        if self.level in ("22", "23") and self.member is not None:
            self.member.party = _Draft(seg)
        elif self.level in ("20", "21"):
            self.parties[self.level] = _Draft(seg)
        else:
            raise X12Error("NM1 outside the HL hierarchy", position=seg.position)

    def _n3(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            party.address = [v for v in (seg[1], seg[2]) if v]

    def _n4(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            party.place = (seg[1], seg[2], seg[3])

    def _per(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            numbers = tuple((seg[i], seg[i + 1]) for i in (3, 5, 7) if seg[i] and seg[i + 1])
            party.contacts.append(Contact(function=seg[1], name=seg[2], numbers=numbers))

    def _prv(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            party.taxonomy = seg[3]

    def _dmg(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            party.demographics = (_date(seg, 2), seg[3])

    def _ins(self, seg: Segment) -> None:
        party = self._current_party()
        if party is not None:
            party.relationship = seg[2]

    def _ref(self, seg: Segment) -> None:
        if self.benefit is not None and not self.in_2120:
            self.benefit.refs.append((seg[1], seg[2]))
        elif self.benefit is None and self.member is not None and self.member.party is not None:
            self.member.party.refs.append((seg[1], seg[2]))

    def _aaa(self, seg: Segment) -> None:
        if not seg[3]:
            raise X12Error("AAA03 (reject reason) is missing", position=seg.position)
        level = "benefit" if self.benefit is not None else _LEVELS.get(self.level, "source")
        rejection = Rejection(code=seg[3], follow_up=seg[4], valid=seg[1] == "Y", level=level)
        if self.benefit is not None:
            self.benefit.rejections.append(rejection)
        elif self.member is not None:
            self.member.rejections.append(rejection)
        else:
            self.top_rejections.append(rejection)

    def _dtp(self, seg: Segment) -> None:
        value = seg[3]
        if seg[2] == "RD8" and "-" in value:
            start, end = value.split("-", 1)
            dates = DateRange(seg[1], _date_text(seg, start), _date_text(seg, end))
        else:
            dates = DateRange(seg[1], _date(seg, 3))
        if self.benefit is not None:
            self.benefit.dates.append(dates)  # after LE too: the 2110 loop is still open
        elif self.member is not None:
            self.member.dates.append(dates)

    # benefits

    def _eb(self, seg: Segment) -> None:
        if self.member is None:
            raise X12Error("EB outside a subscriber or dependent", position=seg.position)
        self.in_2120 = False
        self.benefit = _BenefitDraft(seg)
        self.member.benefits.append(self.benefit)

    def _hsd(self, seg: Segment) -> None:
        if self.benefit is not None:
            self.benefit.deliveries.append(
                Delivery(
                    quantity_qualifier=seg[1],
                    quantity=_decimal(seg, 2),
                    unit=seg[3],
                    sample_size=_decimal(seg, 4),
                    period=seg[5],
                    period_count=_decimal(seg, 6),
                    frequency=seg[7],
                    timing=seg[8],
                )
            )

    def _msg(self, seg: Segment) -> None:
        if self.benefit is not None and seg[1]:
            self.benefit.messages.append(seg[1])

    def _ls(self, seg: Segment) -> None:
        if self.benefit is None:
            raise X12Error("LS (loop 2120) outside a benefit", position=seg.position)
        self.in_2120 = True

    def _le(self, seg: Segment) -> None:
        self.in_2120 = False

    # building

    def _response(self, member: _Member | None) -> EligibilityResponse:
        payer = self.parties["20"].entity()
        provider = self.parties["21"].entity() if "21" in self.parties else None
        subscriber = patient = None
        traces: list[tuple[str, str, str]] = []
        rejections = list(self.top_rejections)
        if member is not None:
            if member.party is None:
                raise X12Error(f"271 member level {member.level} without an NM1")
            person = member.party.person()
            if member.level == "23":
                patient = person
                assert self.subscriber is not None  # checked at the HL
                sub = self.subscriber
                subscriber = sub.party.person() if sub.party else None
                traces += sub.traces
                rejections += sub.rejections
            else:
                subscriber = person
            traces += member.traces
            rejections += member.rejections
        echoed = next((t for t in traces if t[0] == "2"), traces[0] if traces else ("", "", ""))
        return EligibilityResponse(
            payer=payer,
            provider=provider,
            subscriber=subscriber,
            patient=patient,
            trace_number=echoed[1],
            trace_originator=echoed[2],
            traces=tuple(traces),
            rejections=tuple(rejections),
            dates=tuple(member.dates) if member else (),
            benefits=tuple(b.benefit() for b in member.benefits) if member else (),
            control_number=self.t.control_number,
            reference=self.reference[0],
            created=self.reference[1],
        )


# --- writing --------------------------------------------------------------------------------


def write_271(
    responses: Sequence[EligibilityResponse],
    *,
    envelope: Envelope,
    group_control: int | None = None,
) -> str:
    """One interchange, one HB group, one 271 transaction per response (ST02 numbered from 1;
    BHT03 is the response's `reference`, else its trace)."""
    if not responses:
        raise X12Error("a 271 needs at least one response")
    created = envelope.created
    sets = []
    for number, response in enumerate(responses, start=1):
        reference = response.reference or response.trace_number or f"{number:04d}"
        body: list[SegmentSpec] = [("BHT", "0022", "11", reference, d8(created), hhmm(created))]
        body += _response_segments(response)
        sets.append(TransactionSpec("271", number, VERSION, body))
    group = GroupSpec("HB", VERSION, group_control or envelope.control_number, sets)
    return write_interchange(envelope, [group])


def _response_segments(r: EligibilityResponse) -> Iterator[SegmentSpec]:
    has_member = r.subscriber is not None
    yield ("HL", "1", None, "20", "1")
    yield _nm1(r.payer)
    yield from _aaa(r.rejections, "source")
    if r.provider is None:
        raise X12Error("a 271 response names the provider it answers (2100B)")
    yield ("HL", "2", "1", "21", "1" if has_member else "0")
    yield _nm1(r.provider)
    yield from _aaa(r.rejections, "receiver")
    if r.subscriber is None:
        return
    yield ("HL", "3", "2", "22", "1" if r.dependent else "0")
    if not r.dependent:
        yield from _trn(r)
    yield from _person(r.subscriber, "IL", r.rejections, "subscriber")
    if not r.dependent:
        yield from _member_detail(r)
        return
    assert r.patient is not None
    yield ("HL", "4", "3", "23", "0")
    yield from _trn(r)
    yield from _person(r.patient, "03", r.rejections, "dependent")
    yield from _member_detail(r)


def _trn(r: EligibilityResponse) -> Iterator[SegmentSpec]:
    if r.trace_number:
        yield ("TRN", "2", r.trace_number, r.trace_originator or None)


def _aaa(rejections: Sequence[Rejection], level: str) -> Iterator[SegmentSpec]:
    for x in rejections:
        if x.level == level:
            yield ("AAA", "Y" if x.valid else "N", None, x.code, x.follow_up or None)


def _nm1(e: Entity) -> SegmentSpec:
    return (
        "NM1", e.code, e.kind, e.name, e.first_name or None, None, None, None,
        e.id_qualifier or None, e.id or None,
    )  # fmt: skip


def _address(address: Sequence[str], city: str, state: str, postal: str) -> Iterator[SegmentSpec]:
    if address:
        yield ("N3", *address[:2])
    if city:
        yield ("N4", city, state or None, postal or None)


def _person(
    p: Person, code: str, rejections: Sequence[Rejection], level: str
) -> Iterator[SegmentSpec]:
    member_id = p.member_id if code == "IL" else ""
    yield (
        "NM1", code, "1", p.last_name, p.first_name or None, p.middle_name or None, None, None,
        "MI" if member_id else None, member_id or None,
    )  # fmt: skip
    for qualifier, value in p.refs:
        yield ("REF", qualifier, value)
    yield from _address(p.address, p.city, p.state, p.postal_code)
    yield from _aaa(rejections, level)
    if p.birth_date is not None:
        yield ("DMG", "D8", d8(p.birth_date), p.gender or None)
    if p.relationship:
        yield ("INS", "Y" if p.relationship == "18" else "N", p.relationship)


def _dtp(d: DateRange) -> SegmentSpec:
    if d.start is None:
        raise X12Error(f"DTP*{d.qualifier} without a date")
    if d.end is None or d.end == d.start:
        return ("DTP", d.qualifier, "D8", d8(d.start))
    return ("DTP", d.qualifier, "RD8", f"{d8(d.start)}-{d8(d.end)}")


def _member_detail(r: EligibilityResponse) -> Iterator[SegmentSpec]:
    for d in r.dates:
        yield _dtp(d)
    for b in r.benefits:
        yield from _benefit(b)


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else amount(value)


def _benefit(b: Benefit) -> Iterator[SegmentSpec]:
    yield (
        "EB", b.info, b.coverage_level or None, Repeated(b.service_types) or None,
        b.insurance_type or None, b.plan_description or None, b.time_period or None,
        _opt(b.amount), _opt(b.percent), b.quantity_qualifier or None,
        None if b.quantity is None else quantity(b.quantity),
        b.authorization or None, b.network or None, tuple(b.procedure) or None,
    )  # fmt: skip
    for h in b.deliveries:
        yield (
            "HSD", h.quantity_qualifier or None, _opt(h.quantity), h.unit or None,
            _opt(h.sample_size), h.period or None, _opt(h.period_count), h.frequency or None,
            h.timing or None,
        )  # fmt: skip
    for qualifier, value in b.refs:
        yield ("REF", qualifier, value)
    for d in b.dates:
        yield _dtp(d)
    yield from _aaa(b.rejections, "benefit")
    for text in b.messages:
        yield ("MSG", text[:264])
    if b.entities:
        yield ("LS", "2120")
        for e in b.entities:
            yield _nm1(e)
            yield from _address(e.address, e.city, e.state, e.postal_code)
            for c in e.contacts:
                numbers = [v for pair in c.numbers[:3] for v in pair]
                yield ("PER", c.function, c.name or None, *numbers)
            if e.taxonomy:
                yield ("PRV", "PE", "PXC", e.taxonomy)
        yield ("LE", "2120")
