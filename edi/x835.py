"""835 Health Care Claim Payment/Advice (005010X221A1): reading remittances and balancing them.

One `Remittance` per ST..SE set (REFERENCE.md §10 "835 structure"): the header (BPR payment,
TRN trace, DTM*405, the payer N1*PR loop 1000A and the payee N1*PE loop 1000B), then LX header
groups of claims (CLP, loop 2100) each with its service lines (SVC, loop 2110), and the
provider-level adjustments (PLB) in the summary.

The reader is strict about what money depends on: a CLP without CLP01-CLP04, a CAS whose group
code or amount is not one, an SVC without its procedure, charge and payment, a transaction with
no BPR, or any set that is not an 835 raise `X12Error` (and only that) naming the segment. A file
reads completely or not at all. Tolerated and recorded in `Remittance.problems`: envelope counts
that do not add up, and composites written with another component separator than ISA16 declares
(seen in published samples). Bare ST..SE sets without ISA/GS (`edi.x12.parse_bare`) read too.

Balancing (`balance_errors`, REFERENCE.md §10): line SVC02 - line CAS = SVC03; claim CLP03 -
claim CAS - line CAS = CLP04; payment BPR02 = sum of CLP04 - sum of PLB (PLB amounts are signed:
a positive one reduces the payment). Money is Decimal throughout.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from edi.x12 import (
    Segment,
    Transaction,
    X12Error,
    has_interchange,
    only_x12_errors,
    parse,
    parse_bare,
)

__all__ = [
    "FILING_INDICATORS",
    "GROUP_CODES",
    "Adjustment",
    "BalanceError",
    "Contact",
    "PartyAddress",
    "ProviderAdjustment",
    "RemitClaim",
    "RemitLine",
    "Remittance",
    "balance_errors",
    "read_835",
]

VERSION = "005010X221A1"

# CAS01 claim adjustment group codes (REFERENCE.md §7); CR (correction and reversal) left the
# list in 5010 but still arrives from payers that never updated their systems.
GROUP_CODES = {
    "CO": "contractual obligation",
    "CR": "correction and reversal",
    "OA": "other adjustment",
    "PI": "payer-initiated reduction",
    "PR": "patient responsibility",
}

# CLP06 claim filing indicator codes the 835 allows (fewer than the 837's SBR09: no CI or BL).
FILING_INDICATORS = frozenset(
    {"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF"}
    | {"TV", "VA", "WC", "ZZ"}
)

# SVC01-1 / SVC06-1 product or service id qualifiers (AD dental, ER jurisdiction, HC HCPCS/CPT,
# HP HIPPS, IV HIEC, N4 NDC, NU revenue code, WK ABC codes; ZZ mutually defined, seen in 4010).
_PROCEDURE_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "N4", "NU", "WK", "ZZ"})
_AMOUNT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Adjustment:
    """One CAS reason triplet: group code (CO, PR, OA, PI), CARC, amount, optional quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class RemitLine:
    """Loop 2110: one service line as adjudicated (SVC and what follows it)."""

    procedure_qualifier: str  # SVC01-1: HC, NU, AD ...
    procedure_code: str  # SVC01-2
    modifiers: tuple[str, ...]  # SVC01-3..6
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    revenue_code: str | None = None  # SVC04
    units: Decimal | None = None  # SVC05 (absent means 1)
    original_procedure_code: str | None = None  # SVC06-2, when the payer changed the code
    original_modifiers: tuple[str, ...] = ()
    service_date_from: datetime.date | None = None  # DTM*472, or DTM*150
    service_date_to: datetime.date | None = None  # DTM*472, or DTM*151
    line_control_number: str | None = None  # REF*6R (the 837's REF*6R)
    allowed: Decimal | None = None  # AMT*B6
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()  # LQ*HE RARCs
    position: int = 0  # 1-based within the claim
    original_procedure_qualifier: str | None = None  # SVC06-1
    original_units: Decimal | None = None  # SVC07

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal(0))


@dataclass(frozen=True)
class RemitClaim:
    """Loop 2100: one claim's payment (CLP) with its adjustments, parties, dates and lines."""

    patient_control_number: str  # CLP01, the 837's CLM01
    status_code: str  # CLP02: 1-3 processed as primary..tertiary, 4 denied, 22 reversal ...
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal | None = None  # CLP05
    filing_indicator: str | None = None  # CLP06
    payer_claim_number: str | None = None  # CLP07
    facility_code: str | None = None  # CLP08
    frequency: str | None = None  # CLP09
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    member_id: str | None = None  # NM1*IL NM109 when present, else NM1*QC NM109
    patient_last_name: str | None = None  # NM1*QC
    patient_first_name: str | None = None
    rendering_npi: str | None = None  # NM1*82 with NM108 = XX
    crossover_payer_name: str | None = None  # NM1*TT
    corrected_priority_payer_name: str | None = None  # NM1*PR
    statement_from: datetime.date | None = None  # DTM*232
    statement_to: datetime.date | None = None  # DTM*233
    received_date: datetime.date | None = None  # DTM*050
    coverage_expiration: datetime.date | None = None  # DTM*036
    remarks: tuple[str, ...] = ()  # MOA03-07 and MIA05, MIA20-23 remark codes
    claim_allowed: Decimal | None = None  # AMT*AU (the TR3's "coverage amount")
    interest: Decimal | None = None  # AMT*I
    lines: tuple[RemitLine, ...] = ()
    position: int = 0  # 1-based within the remittance
    patient_id: str | None = None  # NM1*QC NM109 when an NM1*IL carries member_id
    rendering_name: str | None = None  # NM1*82 NM103
    rendering_other_id: tuple[str, str] | None = None  # NM1*82 NM108/NM109 when not XX
    crossover_payer_id: str | None = None  # NM1*TT NM109
    corrected_priority_payer_id: str | None = None  # NM1*PR NM109
    reversal: bool = False  # CLP02 = 22

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal(0))


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB reason/amount pair. Amounts are signed as in the file: positive reduces the
    payment (WO overpayment recovery), negative adds to it (L6 interest, CV pass-through)."""

    provider_id: str  # PLB01
    fiscal_period_date: datetime.date | None  # PLB02
    reason_code: str  # PLB03-1 (WO, L6, FB, CV ...)
    reference: str | None  # PLB03-2
    amount: Decimal


@dataclass(frozen=True)
class PartyAddress:
    """N3/N4 as written (unvalidated: an 835 is read as the payer sent it)."""

    line1: str
    city: str
    state: str | None = None
    zip_code: str | None = None
    line2: str | None = None


@dataclass(frozen=True)
class Contact:
    """PER: the name and (qualifier, value) channels: TE phone, EX extension, EM, FX, UR."""

    function: str  # PER01: BL technical, CX business, IC web site
    name: str | None = None
    channels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Remittance:
    """One 835 transaction set: a payment (or advice) and the claims it settles."""

    control_number: str  # ST02
    handling_code: str  # BPR01: I remittance + payment, H advice only, C, D, P, U, X
    total_paid: Decimal  # BPR02
    credit_debit: str | None = None  # BPR03
    payment_method: str | None = None  # BPR04: ACH, CHK, BOP, FWT, NON
    payment_date: datetime.date | None = None  # BPR16
    trace_number: str | None = None  # TRN02 (check or EFT trace)
    trace_originator: str | None = None  # TRN03
    payer_name: str | None = None
    payer_id: str | None = None  # N1*PR N104, else REF*2U, else TRN03
    payee_name: str | None = None
    payee_npi: str | None = None  # N1*PE XX
    payee_tin: str | None = None  # REF*TJ, else N1*PE FI
    production_date: datetime.date | None = None  # DTM*405
    claims: tuple[RemitClaim, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    version: str | None = None  # ST03, else GS08
    interchange_control_number: str | None = None  # ISA13
    receiver_id: str | None = None  # REF*EV
    payment_format: str | None = None  # BPR05 (CCP, CTX ...)
    bank_details: tuple[str, ...] = ()  # BPR06-BPR15 as sent (DFI ids and accounts)
    payer_address: PartyAddress | None = None
    payee_address: PartyAddress | None = None
    payer_contacts: tuple[Contact, ...] = ()  # PER*CX, PER*BL, PER*IC
    payer_additional_id: str | None = None  # REF*2U
    problems: tuple[str, ...] = ()  # what was tolerated while reading (never money)

    @property
    def claims_paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), Decimal(0))

    @property
    def provider_adjusted(self) -> Decimal:
        return sum((p.amount for p in self.provider_adjustments), Decimal(0))


@dataclass(frozen=True)
class BalanceError:
    """A failed 835 balancing rule. `expected` is what the rule computes, `actual` what the
    file says (SVC03, CLP04 or BPR02)."""

    level: Literal["line", "claim", "payment"]
    claim_position: int | None
    line_position: int | None
    patient_control_number: str | None
    expected: Decimal
    actual: Decimal
    message: str


# --- balancing ------------------------------------------------------------------------------


def balance_errors(remittance: Remittance) -> list[BalanceError]:
    """Every line, claim and payment balancing failure (REFERENCE.md §10), in file order."""
    errors: list[BalanceError] = []
    for claim in remittance.claims:
        errors += [_line_error(claim, line) for line in claim.lines if _line_off(line)]
        expected = (
            claim.charge - claim.adjusted - sum((ln.adjusted for ln in claim.lines), Decimal(0))
        )
        if expected != claim.paid:
            what = "claim and line adjustments" if claim.lines else "claim adjustments"
            errors.append(
                BalanceError(
                    level="claim",
                    claim_position=claim.position,
                    line_position=None,
                    patient_control_number=claim.patient_control_number,
                    expected=expected,
                    actual=claim.paid,
                    message=(
                        f"claim {claim.position} ({claim.patient_control_number}): charge "
                        f"{claim.charge} less {what} is {expected}, but CLP04 pays {claim.paid}"
                    ),
                )
            )
    expected = remittance.claims_paid - remittance.provider_adjusted
    if expected != remittance.total_paid:
        errors.append(
            BalanceError(
                level="payment",
                claim_position=None,
                line_position=None,
                patient_control_number=None,
                expected=expected,
                actual=remittance.total_paid,
                message=(
                    f"payment: claims paid {remittance.claims_paid} less provider adjustments "
                    f"{remittance.provider_adjusted} is {expected}, but BPR02 is "
                    f"{remittance.total_paid}"
                ),
            )
        )
    return errors


def _line_off(line: RemitLine) -> bool:
    return line.charge - line.adjusted != line.paid


def _line_error(claim: RemitClaim, line: RemitLine) -> BalanceError:
    expected = line.charge - line.adjusted
    return BalanceError(
        level="line",
        claim_position=claim.position,
        line_position=line.position,
        patient_control_number=claim.patient_control_number,
        expected=expected,
        actual=line.paid,
        message=(
            f"claim {claim.position} ({claim.patient_control_number}) line {line.position} "
            f"({line.procedure_code}): charge {line.charge} less adjustments {line.adjusted} is "
            f"{expected}, but SVC03 pays {line.paid}"
        ),
    )


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_835(data: str | bytes) -> list[Remittance]:
    """Every 835 transaction set in `data`, in order. Raises `X12Error` (only) when the data is
    not X12, holds a set that is not an 835, or any 835 in it cannot be read completely."""
    found: list[tuple[Transaction, str | None, str | None, tuple[str, ...]]] = []
    if has_interchange(data):
        for interchange in parse(data):
            for group in interchange.groups:
                for t in group.transactions:
                    found.append(
                        (t, group.version, interchange.control_number, interchange.problems)
                    )
    else:
        found = [(t, None, None, ()) for t in parse_bare(data)]
    if not found:
        raise X12Error("no transaction set in the file")
    for t, *_ in found:
        if t.set_id != "835":
            raise X12Error(
                f"transaction set {t.control_number} is a {t.set_id or '(blank)'}, not an 835",
                position=t.header.position,
                segment_id="ST",
            )
    return [_Reader(t, gs08, isa13, problems).read() for t, gs08, isa13, problems in found]


def _fail(seg: Segment, message: str) -> X12Error:
    return X12Error(message, position=seg.position, segment_id=seg.id)


def _required(seg: Segment, index: int, what: str) -> str:
    value = seg[index].strip()
    if not value:
        raise _fail(seg, f"{seg.id}{index:02d} ({what}) is missing")
    return value


def _text(seg: Segment, index: int) -> str | None:
    return seg[index].strip() or None


def _money(seg: Segment, index: int, what: str) -> Decimal:
    value = _required(seg, index, what)
    if not _AMOUNT.fullmatch(value):
        raise _fail(seg, f"{seg.id}{index:02d} ({what}) is not an amount: {value[:30]!r}")
    return Decimal(value)


def _optional_money(seg: Segment, index: int, what: str) -> Decimal | None:
    return _money(seg, index, what) if seg[index].strip() else None


def _date(seg: Segment, index: int, what: str) -> datetime.date:
    value = _required(seg, index, what)
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError
        return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise _fail(
            seg, f"{seg.id}{index:02d} ({what}) is not a CCYYMMDD date: {value[:20]!r}"
        ) from None


def _optional_date(seg: Segment, index: int, what: str) -> datetime.date | None:
    return _date(seg, index, what) if seg[index].strip() else None


# The segments the reader looks at (N3 and N4 for addresses, PER for contacts); the rest (CUR,
# RDM, TS3, TS2, QTY and others) carry nothing the dataclasses hold.
_HANDLED = (
    "BPR", "TRN", "N1", "N3", "N4", "PER", "LX", "CLP", "CAS", "NM1", "MIA", "MOA", "REF",
    "DTM", "DTP", "AMT", "LQ", "SVC", "PLB",
)  # fmt: skip


class _Draft:
    """A claim or line being read: its fields so far, then frozen into the dataclass."""

    def __init__(self, **fields: object):
        self.fields: dict = fields
        self.adjustments: list[Adjustment] = []
        self.remarks: list[str] = []


class _Reader:
    def __init__(
        self,
        transaction: Transaction,
        group_version: str | None,
        interchange_control: str | None,
        problems: tuple[str, ...],
    ):
        self.t = transaction
        self.fields: dict = {
            "control_number": transaction.control_number,
            "version": transaction.version or group_version or None,
            "interchange_control_number": interchange_control,
        }
        self.problems = list(problems)
        self.party = ""  # the N1 loop we are in: PR, PE or another entity
        self.claims: list[RemitClaim] = []
        self.claim: _Draft | None = None
        self.lines: list[RemitLine] = []
        self.line: _Draft | None = None
        self.plb: list[ProviderAdjustment] = []
        self.ids: dict[str, str] = {}  # N1*PR N104 (XV), REF*2U, N1*PE FI, REF*TJ
        self.address: tuple[str, str | None] = ("", None)  # the last N3, for the N4 after it

    def read(self) -> Remittance:
        body = self.t.body
        if not body or body[0].id != "BPR":
            where = body[0] if body else self.t.header
            raise _fail(where, f"835 {self.t.control_number} does not start with BPR")
        handlers = {name: getattr(self, f"_{name.lower()}") for name in _HANDLED}
        for seg in body:
            handler = handlers.get(seg.elements[0])
            if handler is not None:
                handler(seg)
        self._close_claim()
        f = self.fields
        contacts = tuple(f.pop("contacts", ()))
        f["payer_additional_id"] = self.ids.get("2U")
        f["payer_id"] = self.ids.get("XV") or self.ids.get("2U") or f.get("trace_originator")
        f["payee_tin"] = self.ids.get("TJ") or self.ids.get("FI")
        return Remittance(
            **f,
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.plb),
            payer_contacts=contacts,
            problems=tuple(self.problems),
        )

    # header ---------------------------------------------------------------------------------

    def _bpr(self, seg: Segment) -> None:
        if "handling_code" in self.fields:
            raise _fail(seg, "a second BPR in one 835")
        self.fields.update(
            handling_code=_required(seg, 1, "transaction handling code"),
            total_paid=_money(seg, 2, "total payment"),
            credit_debit=_text(seg, 3),
            payment_method=_text(seg, 4),
            payment_format=_text(seg, 5),
            bank_details=tuple(seg[i] for i in range(6, 16))
            if any(seg[i] for i in range(6, 16))
            else (),
            payment_date=_optional_date(seg, 16, "payment date"),
        )
        if self.fields["payment_date"] is None:
            self.problems.append(f"segment {seg.position} BPR: BPR16 (payment date) is missing")

    def _trn(self, seg: Segment) -> None:
        self.fields.setdefault("trace_number", _text(seg, 2))
        self.fields.setdefault("trace_originator", _text(seg, 3))

    def _n1(self, seg: Segment) -> None:
        self._close_claim()
        self.party = seg[1]
        if self.party == "PR":
            self.fields["payer_name"] = _text(seg, 2)
            if seg[3] == "XV" and _text(seg, 4):
                self.ids["XV"] = seg[4].strip()
        elif self.party == "PE":
            self.fields["payee_name"] = _text(seg, 2)
            if seg[3] == "XX":
                self.fields["payee_npi"] = _text(seg, 4)
            elif seg[3] == "FI" and _text(seg, 4):
                self.ids["FI"] = seg[4].strip()

    def _n3(self, seg: Segment) -> None:
        self.address = (_required(seg, 1, "address"), _text(seg, 2))

    def _n4(self, seg: Segment) -> None:
        line1, line2 = self.address
        key = {"PR": "payer_address", "PE": "payee_address"}.get(self.party)
        if key and self.claim is None:
            self.fields[key] = PartyAddress(
                line1=line1,
                line2=line2,
                city=seg[1].strip(),
                state=_text(seg, 2),
                zip_code=_text(seg, 3),
            )

    def _per(self, seg: Segment) -> None:
        if self.claim is None and self.party == "PR":
            channels = tuple((seg[i], seg[i + 1]) for i in (3, 5, 7) if seg[i] and seg[i + 1])
            contact = Contact(function=seg[1], name=_text(seg, 2), channels=channels)
            self.fields.setdefault("contacts", []).append(contact)

    def _lx(self, seg: Segment) -> None:
        self._close_claim()
        self.party = ""

    # claims and lines -----------------------------------------------------------------------

    def _clp(self, seg: Segment) -> None:
        self._close_claim()
        self.party = ""
        status = _required(seg, 2, "claim status code")
        self.claim = _Draft(
            patient_control_number=_required(seg, 1, "patient control number"),
            status_code=status,
            charge=_money(seg, 3, "total claim charge"),
            paid=_money(seg, 4, "claim payment amount"),
            patient_responsibility=_optional_money(seg, 5, "patient responsibility"),
            filing_indicator=_text(seg, 6),
            payer_claim_number=_text(seg, 7),
            facility_code=_text(seg, 8),
            frequency=_text(seg, 9),
            reversal=status == "22",
        )
        self.claim.fields["position"] = len(self.claims) + 1

    def _cas(self, seg: Segment) -> None:
        target = self.line or self.claim
        if target is None:
            raise _fail(seg, "CAS outside a claim")
        group = _required(seg, 1, "claim adjustment group code")
        if group not in GROUP_CODES:
            raise _fail(
                seg,
                f"CAS01 {group[:20]!r} is not a claim adjustment group code "
                f"({', '.join(GROUP_CODES)})",
            )
        if not seg[2].strip():
            raise _fail(seg, "CAS02 (adjustment reason code) is missing")
        for index in range(2, 20, 3):
            if seg[index].strip():
                target.adjustments.append(
                    Adjustment(
                        group=group,
                        reason=seg[index].strip(),
                        amount=_money(seg, index + 1, "adjustment amount"),
                        quantity=_optional_money(seg, index + 2, "adjustment quantity"),
                    )
                )
            elif seg[index + 1].strip():
                raise _fail(seg, f"CAS{index + 1:02d} has an amount without a reason code")

    def _nm1(self, seg: Segment) -> None:
        if self.claim is None:
            return
        f, entity = self.claim.fields, seg[1]
        if entity == "QC":
            f.update(
                patient_last_name=_text(seg, 3),
                patient_first_name=_text(seg, 4),
                patient_id=_text(seg, 9),
            )
        elif entity == "IL":
            f["insured_id"] = _text(seg, 9)
        elif entity == "82":
            f["rendering_name"] = _text(seg, 3)
            if seg[8] == "XX":
                f["rendering_npi"] = _text(seg, 9)
            elif seg[8].strip() and seg[9].strip():
                f["rendering_other_id"] = (seg[8].strip(), seg[9].strip())
        elif entity == "TT":
            f.update(crossover_payer_name=_text(seg, 3), crossover_payer_id=_text(seg, 9))
        elif entity == "PR":
            f.update(
                corrected_priority_payer_name=_text(seg, 3),
                corrected_priority_payer_id=_text(seg, 9),
            )

    def _mia(self, seg: Segment) -> None:
        if self.claim is not None:
            self.claim.remarks += [seg[i].strip() for i in (5, 20, 21, 22, 23) if seg[i].strip()]

    def _moa(self, seg: Segment) -> None:
        if self.claim is not None:
            self.claim.remarks += [seg[i].strip() for i in range(3, 8) if seg[i].strip()]

    def _ref(self, seg: Segment) -> None:
        if self.line is not None:
            if seg[1] == "6R":
                self.line.fields["line_control_number"] = _text(seg, 2)
        elif self.claim is None:
            if seg[1] == "EV":
                self.fields["receiver_id"] = _text(seg, 2)
            elif seg[1] == "2U" and self.party == "PR" or seg[1] == "TJ" and self.party == "PE":
                self.ids.setdefault(seg[1], seg[2].strip())

    def _dtm(self, seg: Segment) -> None:
        qualifier = seg[1]
        if self.line is not None:
            key = {
                "472": ("service_date_from", "service_date_to"),
                "150": ("service_date_from",),
                "151": ("service_date_to",),
            }.get(qualifier, ())
            for name in key:
                self.line.fields[name] = _date(seg, 2, "service date")
        elif self.claim is not None:
            name = {
                "232": "statement_from",
                "233": "statement_to",
                "050": "received_date",
                "036": "coverage_expiration",
            }.get(qualifier)
            if name:
                self.claim.fields[name] = _date(seg, 2, "claim date")
        elif qualifier == "405":
            self.fields["production_date"] = _date(seg, 2, "production date")

    _dtp = _dtm  # DTM is the 835's date segment; a DTP where a DTM belongs is read the same

    def _amt(self, seg: Segment) -> None:
        if self.line is not None:
            if seg[1] == "B6":
                self.line.fields["allowed"] = _money(seg, 2, "allowed amount")
        elif self.claim is not None and seg[1] in ("AU", "I"):
            name = "claim_allowed" if seg[1] == "AU" else "interest"
            self.claim.fields[name] = _money(seg, 2, "claim amount")

    def _lq(self, seg: Segment) -> None:
        if self.line is not None and seg[1] == "HE" and seg[2].strip():
            self.line.remarks.append(seg[2].strip())

    def _svc(self, seg: Segment) -> None:
        if self.claim is None:
            raise _fail(seg, "SVC outside a claim")
        self._close_line()
        qualifier, code, modifiers = self._procedure(seg, 1, required=True)
        original = self._procedure(seg, 6, required=False)
        self.line = _Draft(
            procedure_qualifier=qualifier,
            procedure_code=code,
            modifiers=modifiers,
            charge=_money(seg, 2, "line charge"),
            paid=_money(seg, 3, "line payment"),
            revenue_code=_text(seg, 4),
            units=_optional_money(seg, 5, "units paid"),
            original_procedure_qualifier=original[0] or None,
            original_procedure_code=original[1] or None,
            original_modifiers=original[2],
            original_units=_optional_money(seg, 7, "original units"),
            position=len(self.lines) + 1,
        )

    def _procedure(
        self, seg: Segment, index: int, *, required: bool
    ) -> tuple[str, str, tuple[str, ...]]:
        parts = seg.components(index)
        if len(parts) == 1:
            parts = self._other_separator(seg, index, parts[0])
        if not parts:
            if required:
                raise _fail(seg, f"SVC{index:02d} (procedure) is missing")
            return "", "", ()
        if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
            raise _fail(
                seg, f"SVC{index:02d} {seg[index][:30]!r} has no qualifier and procedure code"
            )
        return parts[0].strip(), parts[1].strip(), tuple(p.strip() for p in parts[2:6] if p.strip())

    def _other_separator(self, seg: Segment, index: int, value: str) -> tuple[str, ...]:
        """`HC>99213>25` in a file whose ISA16 says ':' (seen in published samples): a known
        qualifier then one non-alphanumeric character is read as that file's real separator."""
        if len(value) > 3 and value[:2] in _PROCEDURE_QUALIFIERS and not value[2].isalnum():
            separator = value[2]
            note = (
                f"{seg.id}{index:02d} composites use {separator!r}, not the declared "
                f"{seg.delimiters.component!r}"
            )
            if note not in self.problems:
                self.problems.append(note)
            return tuple(value.split(separator))
        raise _fail(seg, f"SVC{index:02d} {value[:30]!r} has no qualifier and procedure code")

    def _plb(self, seg: Segment) -> None:
        self._close_claim()
        provider = _required(seg, 1, "provider identifier")
        period = _optional_date(seg, 2, "fiscal period date")
        for index in range(3, 15, 2):
            if not seg[index].strip():
                if seg[index + 1].strip():
                    raise _fail(seg, f"PLB{index + 1:02d} has an amount without a reason")
                continue
            parts = seg.components(index)
            if len(parts) == 1 and not parts[0].isalnum() and len(parts[0]) > 2:
                parts = tuple(re.split(r"[^A-Za-z0-9 ]", parts[0], maxsplit=1))
            self.plb.append(
                ProviderAdjustment(
                    provider_id=provider,
                    fiscal_period_date=period,
                    reason_code=parts[0].strip(),
                    reference=parts[1].strip() or None if len(parts) > 1 else None,
                    amount=_money(seg, index + 1, "provider adjustment amount"),
                )
            )

    def _close_line(self) -> None:
        line, self.line = self.line, None
        if line is not None:
            self.lines.append(
                RemitLine(
                    **line.fields, adjustments=tuple(line.adjustments), remarks=tuple(line.remarks)
                )
            )

    def _close_claim(self) -> None:
        self._close_line()
        claim, self.claim = self.claim, None
        if claim is None:
            return
        fields = dict(claim.fields)
        insured = fields.pop("insured_id", None)
        fields["member_id"] = insured or fields.get("patient_id")
        if not insured:
            fields["patient_id"] = None  # the patient's id is the member id
        self.claims.append(
            RemitClaim(
                **fields,
                adjustments=tuple(claim.adjustments),
                remarks=tuple(claim.remarks),
                lines=tuple(self.lines),
            )
        )
        self.lines = []
