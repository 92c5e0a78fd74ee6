"""277CA Claim Acknowledgment (005010X214): reading it into per-claim statuses and writing one.

Hierarchy (TR3 loops): 2000A information source (HL03 = 20, the payer or clearinghouse; 2200A
TRN + receipt/process dates) > 2000B information receiver (21, the submitter; 2200B TRN02 echoes
the 837's BHT03, STC and batch totals) > 2000C billing provider (19) > 2000D patient (PT) whose
2200D loops carry one claim each: TRN02 = the patient control number (CLM01), STC statuses,
REF*1K the payer's claim number (REFERENCE.md §10 "Acknowledgements").

An STC composite is category:status:entity. A1/A2 are acknowledgments of receipt and of
acceptance into adjudication (A2 is the timely-filing proof); A3, A6, A7 and A8 are rejections.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from edi.x12 import Segment, Transaction, X12Error, only_x12_errors, transactions
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    SegmentSpec,
    TransactionSpec,
    amount,
    d8,
    hhmm,
    write_interchange,
)

__all__ = [
    "CATEGORIES",
    "ENTITIES",
    "REJECTED_CATEGORIES",
    "STATUS_CODES",
    "Ack277",
    "ClaimAck",
    "Status",
    "StatusInfo",
    "read_277ca",
    "write_277ca",
]

VERSION = "005010X214"

# Claim status category codes (X12 external code list 507), paraphrased.
CATEGORIES = {
    "A0": "forwarded to another entity",
    "A1": "received (not yet accepted for adjudication)",
    "A2": "accepted into the adjudication system",
    "A3": "returned as unprocessable: rejected before adjudication",
    "A4": "not found",
    "A5": "split on acceptance into adjudication",
    "A6": "rejected: information missing",
    "A7": "rejected: information invalid",
    "A8": "rejected: fields inconsistent with each other",
    "E0": "no response possible: error in the submitted request",
    "E1": "no response possible: system status",
    "F0": "finalized",
    "F1": "finalized: paid",
    "F2": "finalized: denied",
    "F3": "finalized: revised",
    "F4": "finalized: adjudication complete, no payment coming",
    "P0": "pending: adjudication details",
    "P1": "pending: in process",
    "P2": "pending: in review",
    "P3": "pending: information requested",
    "P4": "pending: waiting for the patient's information",
    "P5": "pending: payer administrative or system hold",
}
REJECTED_CATEGORIES = frozenset({"A3", "A6", "A7", "A8"})
ACCEPTED_CATEGORIES = frozenset({"A2", "A5"})

# Claim status codes (external code list 508): the ones a 277CA commonly carries, paraphrased.
STATUS_CODES = {
    "0": "no further status can be given electronically",
    "1": "see the remittance advice for details",
    "3": "adjudicated, waiting for the payment cycle",
    "16": "forwarded to the entity named",
    "19": "the entity named acknowledges receipt",
    "20": "accepted for processing",
    "21": "information missing or invalid",
    "35": "claim not found",
    "97": "patient not found as eligible with the entity",
    "187": "date(s) of service",
    "247": "line information",
    "400": "claim is out of balance",
    "454": "procedure code of the service",
    "562": "the entity's NPI",
}

# Entity identifier codes seen in STC01-3 (whose data is at fault).
ENTITIES = {
    "40": "receiver",
    "41": "submitter",
    "71": "attending provider",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "DN": "referring provider",
    "DQ": "supervising provider",
    "IL": "subscriber",
    "PR": "payer",
    "QC": "patient",
}


@dataclass(frozen=True)
class Status:
    """One status composite (STC01, STC10 or STC11): category, status code, entity."""

    category: str
    code: str
    entity: str = ""

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED_CATEGORIES

    @property
    def meaning(self) -> str:
        parts = [CATEGORIES.get(self.category, f"category {self.category}")]
        if self.code:
            parts.append(STATUS_CODES.get(self.code, f"status {self.code}"))
        if self.entity:
            parts.append(f"({ENTITIES.get(self.entity, 'entity ' + self.entity)})")
        return ": ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")


@dataclass(frozen=True)
class StatusInfo:
    """An STC segment: up to three statuses, their date (STC02), action (STC03: WQ accept,
    U reject), the amount (STC04), free text (STC12) and, in a claim status response, the
    payment (STC05 paid, STC06 adjudicated, STC07 method, STC08 check date, STC09 number)."""

    statuses: tuple[Status, ...]
    date: datetime.date | None = None
    action: str = ""
    amount: Decimal | None = None
    message: str = ""
    # a 277 claim status response (X212) also reports the payment: STC05-STC09
    paid: Decimal | None = None
    adjudication_date: datetime.date | None = None
    payment_method: str = ""  # STC07: ACH, BOP, CHK, FWT, NON
    check_date: datetime.date | None = None
    check_number: str = ""


@dataclass(frozen=True)
class ClaimAck:
    """Loop 2200D: one claim's acknowledgment, keyed by the patient control number."""

    patient_control_number: str
    statuses: tuple[StatusInfo, ...]
    payer_claim_number: str = ""  # REF*1K
    clearinghouse_trace: str = ""  # REF*D9
    bill_type: str = ""  # REF*BLT (837I)
    patient_last_name: str = ""
    patient_first_name: str = ""
    member_id: str = ""
    billing_provider_name: str = ""
    billing_provider_npi: str = ""
    service_from: datetime.date | None = None
    service_to: datetime.date | None = None
    line_statuses: tuple[StatusInfo, ...] = ()  # 2220D, for lines the payer singled out

    @property
    def all_statuses(self) -> tuple[Status, ...]:
        return tuple(s for info in self.statuses for s in info.statuses)

    @property
    def rejected(self) -> bool:
        return any(s.rejected for s in self.all_statuses)

    @property
    def accepted(self) -> bool:
        """Accepted into adjudication (A2, or A5 split) and not rejected: the timely-filing
        proof. A receipt alone (A1) is not acceptance."""
        return not self.rejected and any(
            s.category in ACCEPTED_CATEGORIES for s in self.all_statuses
        )

    @property
    def outcome(self) -> str:
        """One word for a work queue: rejected, accepted, forwarded, received or pending."""
        categories = {s.category for s in self.all_statuses}
        if self.rejected:
            return "rejected"
        if self.accepted:
            return "accepted"
        if "A0" in categories:
            return "forwarded"
        if "A1" in categories:
            return "received"
        return "pending"

    @property
    def charge(self) -> Decimal | None:
        return next((i.amount for i in self.statuses if i.amount is not None), None)


@dataclass(frozen=True)
class Ack277:
    """One 277CA transaction set. `reference` is the 2200B TRN02: the BHT03 of the 837 batch
    being acknowledged. Totals come from the receiver level (QTY*90/AA, AMT*YU/YY)."""

    reference: str
    claims: tuple[ClaimAck, ...]
    source_name: str = ""
    source_id: str = ""
    source_trace: str = ""  # 2200A TRN02
    receiver_name: str = ""
    receiver_id: str = ""
    received: datetime.date | None = None  # DTP*050
    processed: datetime.date | None = None  # DTP*009
    receiver_statuses: tuple[StatusInfo, ...] = ()
    accepted_count: int | None = None
    rejected_count: int | None = None
    accepted_amount: Decimal | None = None
    rejected_amount: Decimal | None = None
    control_number: str = ""  # ST02 of the 277 itself
    version: str = VERSION  # ST03; the reader also takes X212 status responses (HL 22/23)
    batch_id: str = ""  # BHT03 of the 277 itself
    created: datetime.datetime | None = field(default=None)  # BHT04/BHT05

    def claim(self, patient_control_number: str) -> ClaimAck | None:
        """The first acknowledgment of that claim (see `claims_for` when it may repeat)."""
        return next(iter(self.claims_for(patient_control_number)), None)

    def claims_for(self, patient_control_number: str) -> tuple[ClaimAck, ...]:
        return tuple(c for c in self.claims if c.patient_control_number == patient_control_number)


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_277ca(data: str | bytes) -> list[Ack277]:
    """Every 277 transaction set in the file, as acknowledgments. Raises `X12Error` on
    malformed X12 or a 277 whose claim loop (TRN*2 in 2200D) is missing its patient level."""
    found = [t for t in transactions(data) if t.set_id == "277"]
    if not found:
        raise X12Error("no 277 transaction set in the file")
    return [_Reader(t).read() for t in found]


def _date(seg: Segment, index: int) -> datetime.date | None:
    value = seg[index]
    return _date_text(seg, value[:8]) if value else None


def _date_text(seg: Segment, value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise X12Error(f"not a date: {value!r}", position=seg.position, segment_id=seg.id) from None


def _decimal(seg: Segment, index: int) -> Decimal | None:
    value = seg[index]
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise X12Error(
            f"not an amount: {value!r}", position=seg.position, segment_id=seg.id
        ) from None


def _stc(seg: Segment) -> StatusInfo:
    statuses = []
    for index in (1, 10, 11):
        parts = seg.components(index)
        if parts:
            statuses.append(Status(*(list(parts[:3]) + [""] * (3 - len(parts[:3])))))
    return StatusInfo(
        statuses=tuple(statuses),
        date=_date(seg, 2),
        action=seg[3],
        amount=_decimal(seg, 4),
        message=seg[12],
        paid=_decimal(seg, 5),
        adjudication_date=_date(seg, 6),
        payment_method=seg[7],
        check_date=_date(seg, 8),
        check_number=seg[9],
    )


# PT in a 277CA; 22 (subscriber) and 23 (dependent) in a 277 claim status response (X212).
_PATIENT_LEVELS = ("PT", "22", "23")


class _Reader:
    def __init__(self, transaction: Transaction):
        self.t = transaction
        self.level = ""
        self.fields: dict = {"claims": [], "receiver_statuses": []}
        self.provider = ("", "")
        self.patient = ("", "", "")
        self.claim: dict | None = None

    def read(self) -> Ack277:
        for seg in self.t.body:
            handler = getattr(self, f"_{seg.id.lower()}", None)
            if handler is not None:
                handler(seg)
        self._close_claim()
        self.fields.setdefault("reference", "")  # a 277 (X212) status response has none
        return Ack277(
            control_number=self.t.control_number, version=self.t.version, **self._finish()
        )

    def _finish(self) -> dict:
        fields = dict(self.fields)
        fields["claims"] = tuple(fields["claims"])
        fields["receiver_statuses"] = tuple(fields["receiver_statuses"])
        return fields

    def _bht(self, seg: Segment) -> None:
        self.fields["batch_id"] = seg[3]
        day = _date(seg, 4)
        hhmm_text = seg[5][:4]
        if day is not None and len(hhmm_text) == 4 and hhmm_text.isdigit():
            stamp = datetime.time(int(hhmm_text[:2]) % 24, int(hhmm_text[2:]) % 60)
            self.fields["created"] = datetime.datetime.combine(day, stamp)

    def _hl(self, seg: Segment) -> None:
        self._close_claim()
        self.level = seg[3]

    def _nm1(self, seg: Segment) -> None:
        if self.level == "20":
            self.fields.update(source_name=seg[3], source_id=seg[9])
        elif self.level == "21":
            self.fields.update(receiver_name=seg[3], receiver_id=seg[9])
        elif self.level == "19":
            self.provider = (seg[3], seg[9])
        elif self.level in _PATIENT_LEVELS:
            self.patient = (seg[3], seg[4], seg[9])

    def _trn(self, seg: Segment) -> None:
        if self.level == "20":
            self.fields["source_trace"] = seg[2]
        elif self.level == "21":
            self.fields["reference"] = seg[2]
        elif self.level in _PATIENT_LEVELS:
            self._close_claim()
            self.claim = {
                "pcn": seg[2],
                "statuses": [],
                "line_statuses": [],
                "refs": {},
                "dates": (None, None),
                "in_line": False,
            }
        elif seg[1] == "2" and self.level != "19":
            raise X12Error("claim trace outside a patient level", position=seg.position)

    def _dtp(self, seg: Segment) -> None:
        if self.level == "20" and seg[1] in ("050", "009"):
            self.fields["received" if seg[1] == "050" else "processed"] = _date(seg, 3)
        elif self.claim is not None and not self.claim["in_line"] and seg[1] == "472":
            start = _date(seg, 3)
            end = _date_text(seg, seg[3].split("-")[1]) if "-" in seg[3] else start
            self.claim["dates"] = (start, end)

    def _stc(self, seg: Segment) -> None:
        if self.claim is not None:
            key = "line_statuses" if self.claim["in_line"] else "statuses"
            self.claim[key].append(_stc(seg))
        elif self.level == "21":
            self.fields["receiver_statuses"].append(_stc(seg))

    def _ref(self, seg: Segment) -> None:
        if self.claim is not None and not self.claim["in_line"]:
            self.claim["refs"].setdefault(seg[1], seg[2])

    def _qty(self, seg: Segment) -> None:
        if self.level == "21" and seg[1] in ("90", "AA") and seg[2].isdigit():
            self.fields["accepted_count" if seg[1] == "90" else "rejected_count"] = int(seg[2])

    def _amt(self, seg: Segment) -> None:
        if self.level == "21" and seg[1] in ("YU", "YY"):
            self.fields["accepted_amount" if seg[1] == "YU" else "rejected_amount"] = _decimal(
                seg, 2
            )

    def _svc(self, seg: Segment) -> None:
        # 2220D: what follows belongs to a service line, not to the claim
        if self.claim is not None:
            self.claim["in_line"] = True

    def _close_claim(self) -> None:
        claim, self.claim = self.claim, None
        if claim is None:
            return
        refs = claim["refs"]
        self.fields["claims"].append(
            ClaimAck(
                patient_control_number=claim["pcn"],
                statuses=tuple(claim["statuses"]),
                payer_claim_number=refs.get("1K", ""),
                clearinghouse_trace=refs.get("D9", ""),
                bill_type=refs.get("BLT", ""),
                patient_last_name=self.patient[0],
                patient_first_name=self.patient[1],
                member_id=self.patient[2],
                billing_provider_name=self.provider[0],
                billing_provider_npi=self.provider[1],
                service_from=claim["dates"][0],
                service_to=claim["dates"][1],
                line_statuses=tuple(claim["line_statuses"]),
            )
        )


# --- writing --------------------------------------------------------------------------------


def write_277ca(
    ack: Ack277, *, envelope: Envelope, group_control: int, transaction_control: int | str = 1
) -> str:
    """One interchange holding a 277CA (GS01 = HN) for `ack`.

    Needs `received`/`processed` dates, the source and receiver names and ids, and for every
    claim its billing provider, patient and first date of service. Claims are grouped under
    their billing provider (2000C) in the order they first appear; totals left as None are
    counted from the claims (a claim is rejected when any of its statuses is).
    """
    if ack.received is None or ack.processed is None:
        raise X12Error("a 277CA needs its received and processed dates (DTP*050, DTP*009)")
    created = ack.created or envelope.created
    body: list[SegmentSpec] = [
        ("BHT", "0085", "08", ack.batch_id or ack.reference, d8(created), hhmm(created), "TH"),
        ("HL", "1", None, "20", "1"),
        ("NM1", "AY", "2", ack.source_name, None, None, None, None, "46", ack.source_id),
        ("TRN", "1", ack.source_trace or ack.reference),
        ("DTP", "050", "D8", d8(ack.received)),
        ("DTP", "009", "D8", d8(ack.processed)),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "41", "2", ack.receiver_name, None, None, None, None, "46", ack.receiver_id),
        ("TRN", "2", ack.reference),
    ]
    receiver_info = ack.receiver_statuses or (
        StatusInfo(statuses=(Status("A1", "19", "PR"),), date=ack.processed),
    )
    total = sum((c.charge or Decimal(0) for c in ack.claims), Decimal(0))
    for info in receiver_info:
        body.append(_stc_segment(info, date=info.date or ack.processed, amount_=total))
    body.extend(_totals(ack.claims, ("90", "AA"), ack))
    hl = 2
    for (name, npi), claims in _by_provider(ack.claims).items():
        hl += 1
        provider_hl = str(hl)
        body += [
            ("HL", provider_hl, "2", "19", "1"),
            ("NM1", "85", "2", name, None, None, None, None, "XX", npi),
            ("TRN", "1", npi),
        ]
        sub_total = sum((c.charge or Decimal(0) for c in claims), Decimal(0))
        body.append(
            _stc_segment(
                StatusInfo(statuses=(Status("A1", "19", "85"),)), date=None, amount_=sub_total
            )
        )
        body.extend(_totals(claims, ("QA", "QC"), None))
        for claim in claims:
            hl += 1
            body.extend(_claim_segments(claim, str(hl), provider_hl, ack.processed))
    spec = TransactionSpec("277", transaction_control, VERSION, body)
    return write_interchange(envelope, [GroupSpec("HN", VERSION, group_control, [spec])])


def _by_provider(claims: Sequence[ClaimAck]) -> dict[tuple[str, str], list[ClaimAck]]:
    groups: dict[tuple[str, str], list[ClaimAck]] = {}
    for claim in claims:
        if not claim.billing_provider_npi or not claim.billing_provider_name:
            raise X12Error(f"claim {claim.patient_control_number}: billing provider missing")
        groups.setdefault((claim.billing_provider_name, claim.billing_provider_npi), []).append(
            claim
        )
    return groups


def _totals(claims: Sequence[ClaimAck], qualifiers: tuple[str, str], ack: Ack277 | None):
    """QTY accepted/rejected counts then AMT*YU/YY amounts (receiver or provider level)."""
    accepted = [c for c in claims if not c.rejected]
    rejected = [c for c in claims if c.rejected]
    counts = (len(accepted), len(rejected))
    sums = tuple(
        sum((c.charge or Decimal(0) for c in group), Decimal(0)) for group in (accepted, rejected)
    )
    if ack is not None:
        counts = (
            ack.accepted_count if ack.accepted_count is not None else counts[0],
            ack.rejected_count if ack.rejected_count is not None else counts[1],
        )
        sums = (
            ack.accepted_amount if ack.accepted_amount is not None else sums[0],
            ack.rejected_amount if ack.rejected_amount is not None else sums[1],
        )
    for qualifier, count in zip(qualifiers, counts, strict=True):
        if count:
            yield ("QTY", qualifier, str(count))
    for qualifier, count, value in zip(("YU", "YY"), counts, sums, strict=True):
        if count:
            yield ("AMT", qualifier, amount(value))


def _stc_segment(
    info: StatusInfo, *, date: datetime.date | None, amount_: Decimal | None
) -> SegmentSpec:
    if not info.statuses:
        raise X12Error("an STC needs at least one status")
    composites = [(s.category, s.code, s.entity) for s in info.statuses[:3]]
    value = info.amount if info.amount is not None else amount_
    rejected = any(s.rejected for s in info.statuses)
    return (
        "STC",
        composites[0],
        d8(date) if date is not None else None,
        info.action or ("U" if rejected else "WQ"),
        amount(value) if value is not None else "0",
        None,
        None,
        None,
        None,
        None,
        composites[1] if len(composites) > 1 else None,
        composites[2] if len(composites) > 2 else None,
        info.message or None,
    )


def _claim_segments(
    claim: ClaimAck, hl: str, parent: str, processed: datetime.date
) -> list[SegmentSpec]:
    if claim.service_from is None:
        raise X12Error(f"claim {claim.patient_control_number}: first date of service missing")
    if not claim.statuses:
        raise X12Error(f"claim {claim.patient_control_number}: no status to report")
    segments: list[SegmentSpec] = [
        ("HL", hl, parent, "PT"),
        (
            "NM1",
            "QC",
            "1",
            claim.patient_last_name,
            claim.patient_first_name,
            None,
            None,
            None,
            "MI",
            claim.member_id,
        ),
        ("TRN", "2", claim.patient_control_number),
    ]
    segments += [
        _stc_segment(info, date=info.date or processed, amount_=claim.charge)
        for info in claim.statuses
    ]
    for qualifier, value in (
        ("1K", claim.payer_claim_number),
        ("D9", claim.clearinghouse_trace),
        ("BLT", claim.bill_type),
    ):
        if value:
            segments.append(("REF", qualifier, value))
    end = claim.service_to
    if end is None or end == claim.service_from:
        segments.append(("DTP", "472", "D8", d8(claim.service_from)))
    else:
        segments.append(("DTP", "472", "RD8", f"{d8(claim.service_from)}-{d8(end)}"))
    return segments
