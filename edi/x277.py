"""277 Health Care Claim Status Response (005010X212): the answer to a 276, read and written.

Same hierarchy as the 276 (edi.x276): payer (HL 20) > receiver (21) > provider (19) >
subscriber (22) > dependent (23). Each claim (2200D/E) has TRN*2 echoing the 276's trace, one
or more STC (category:status:entity composites with the claim's charge, payment, adjudication
date and check), REF*1K the payer's claim number, REF*BLT, REF*EJ the patient control number,
DTP*472; its service lines (2220D/E: SVC, STC, REF*FJ, DTP*472) may follow. Status codes and
their meanings are edi.ack277's (F1 paid, F2 denied, F3 revised, P pending, A acknowledged).

A 277CA (005010X214) is an acknowledgment, read by edi.ack277.read_277ca; `read_277` refuses it
by name. pyx12 4.0 cannot check an X212 277 (its map is not registered and does not load the
guide's own example); the writer is checked against the TR3 example instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from edi.ack277 import Status, StatusInfo, _date, _decimal, _stc
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
from edi.x276 import VERSION, service_dates

__all__ = ["ClaimStatus", "LineStatus", "StatusResponse", "read_277", "write_277"]

_FINAL = {"F1": "paid", "F2": "denied", "F3": "revised", "F4": "adjudicated, no payment"}


@dataclass(frozen=True, kw_only=True)
class LineStatus:
    """Loop 2220D/E: a service line the payer reports on (SVC, STC, REF*FJ, DTP*472)."""

    procedure_qualifier: str
    procedure_code: str
    modifiers: tuple[str, ...] = ()
    charge: Decimal
    paid: Decimal | None = None
    revenue_code: str | None = None
    units: Decimal | None = None
    statuses: tuple[StatusInfo, ...] = ()
    line_control_number: str | None = None  # REF*FJ
    service_from: datetime.date | None = None
    service_to: datetime.date | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimStatus:
    """One claim's status, with the parties above it."""

    trace_number: str  # TRN02: the 276's trace
    patient_control_number: str  # REF*EJ, else the trace
    statuses: tuple[StatusInfo, ...]
    payer_name: str = ""
    payer_id: str = ""
    receiver_name: str = ""
    receiver_id: str = ""
    provider_name: str = ""
    provider_npi: str = ""
    subscriber_last_name: str = ""
    subscriber_first_name: str = ""
    member_id: str = ""
    patient_last_name: str | None = None  # a dependent (2000E)
    patient_first_name: str | None = None
    payer_claim_number: str | None = None  # REF*1K
    bill_type: str | None = None  # REF*BLT
    clearinghouse_trace: str | None = None  # REF*D9
    service_from: datetime.date | None = None
    service_to: datetime.date | None = None
    lines: tuple[LineStatus, ...] = ()

    @property
    def all_statuses(self) -> tuple[Status, ...]:
        return tuple(s for info in self.statuses for s in info.statuses)

    @property
    def category(self) -> str:
        """The first status's category (F1, F2, P1, A1 ...)."""
        return next((s.category for s in self.all_statuses), "")

    @property
    def outcome(self) -> str:
        """paid, denied, revised, adjudicated, pending, acknowledged, rejected or error."""
        category = self.category
        if category in _FINAL:
            return _FINAL[category].split(",")[0]
        if category.startswith("P"):
            return "pending"
        if category in ("A3", "A4", "A6", "A7", "A8"):
            return "rejected"
        if category.startswith("E"):
            return "error"
        return "acknowledged" if category.startswith("A") else "unknown"

    @property
    def charge(self) -> Decimal | None:
        return next((i.amount for i in self.statuses if i.amount is not None), None)

    @property
    def paid(self) -> Decimal | None:
        return next((i.paid for i in self.statuses if i.paid is not None), None)


@dataclass(frozen=True, kw_only=True)
class StatusResponse:
    """One 277 (X212) transaction set."""

    claims: tuple[ClaimStatus, ...]
    batch_id: str = ""  # BHT03
    created: datetime.datetime | None = None  # BHT04/BHT05
    control_number: str = ""
    # provider-level answers without a claim (2200C: e.g. E0 the request could not be read)
    provider_statuses: tuple[tuple[str, StatusInfo], ...] = ()

    def claim(self, trace_or_pcn: str) -> ClaimStatus | None:
        return next(
            (c for c in self.claims if trace_or_pcn in (c.trace_number, c.patient_control_number)),
            None,
        )


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_277(data: str | bytes) -> list[StatusResponse]:
    """Every 277 claim status response in the file. A 277CA (X214) is refused by name."""
    found = [t for t in transactions(data) if t.set_id == "277"]
    if not found:
        raise X12Error("no 277 transaction set in the file")
    for t in found:
        if "X214" in t.version:
            raise X12Error(
                f"277 {t.control_number} is a claim acknowledgment (277CA, {t.version}), not a "
                "claim status response: read it with edi.ack277.read_277ca",
                position=t.header.position,
                segment_id="ST",
            )
    return [_Reader(t).read() for t in found]


class _Reader:
    def __init__(self, transaction: Transaction):
        self.t = transaction
        self.level = ""
        self.parties: dict[str, tuple[str, str, str]] = {}
        self.claim: dict | None = None
        self.line: dict | None = None
        self.claims: list[ClaimStatus] = []
        self.provider_statuses: list[tuple[str, StatusInfo]] = []
        self.bht: Segment | None = None

    def read(self) -> StatusResponse:
        for seg in self.t.body:
            handler = getattr(self, f"_{seg.id.lower()}", None)
            if handler is not None:
                handler(seg)
        self._close()
        created = None
        day = _date(self.bht, 4) if self.bht is not None else None
        if day is not None and self.bht is not None and self.bht[5][:4].isdigit():
            hour, minute = int(self.bht[5][:2]) % 24, int(self.bht[5][2:4]) % 60
            created = datetime.datetime.combine(day, datetime.time(hour, minute))
        return StatusResponse(
            claims=tuple(self.claims),
            batch_id=self.bht[3] if self.bht is not None else "",
            created=created,
            control_number=self.t.control_number,
            provider_statuses=tuple(self.provider_statuses),
        )

    def _bht(self, seg: Segment) -> None:
        self.bht = seg

    def _hl(self, seg: Segment) -> None:
        self._close()
        self.level = seg[3]
        if self.level == "22":
            self.parties.pop("23", None)

    def _nm1(self, seg: Segment) -> None:
        self.parties[self.level] = (seg[3], seg[4], seg[9])

    def _trn(self, seg: Segment) -> None:
        if self.level in ("22", "23"):
            self._close()
            if not seg[2]:
                raise X12Error("TRN02 (trace number) is missing", position=seg.position)
            self.claim = {"trace": seg[2], "statuses": [], "refs": {}, "dates": (None, None)}
            self.claim["lines"] = []

    def _stc(self, seg: Segment) -> None:
        info = _stc(seg)
        if not info.statuses:
            raise X12Error("STC01 (status) is missing", position=seg.position, segment_id="STC")
        if self.line is not None:
            self.line["statuses"].append(info)
        elif self.claim is not None:
            self.claim["statuses"].append(info)
        elif self.level == "19":
            self.provider_statuses.append((self.parties.get("19", ("", "", ""))[2], info))

    def _ref(self, seg: Segment) -> None:
        if self.line is not None:
            if seg[1] == "FJ":
                self.line["control"] = seg[2] or None
        elif self.claim is not None:
            self.claim["refs"].setdefault(seg[1], seg[2])

    def _dtp(self, seg: Segment) -> None:
        if seg[1] != "472":
            return
        target = self.line if self.line is not None else self.claim
        if target is not None:
            target["dates"] = service_dates(seg)

    def _svc(self, seg: Segment) -> None:
        if self.claim is None:
            raise X12Error("SVC outside a claim", position=seg.position, segment_id="SVC")
        self._close_line()
        parts = seg.components(1)
        if len(parts) < 2 or not parts[1]:
            raise X12Error(
                f"SVC01 {seg[1][:30]!r} has no qualifier and procedure code",
                position=seg.position,
                segment_id="SVC",
            )
        charge = _decimal(seg, 2)
        if charge is None:
            raise X12Error("SVC02 (line charge) is missing", position=seg.position)
        self.line = {
            "procedure_qualifier": parts[0],
            "procedure_code": parts[1],
            "modifiers": tuple(p for p in parts[2:6] if p),
            "charge": charge,
            "paid": _decimal(seg, 3),
            "revenue_code": seg[4] or None,
            "units": _decimal(seg, 7),
            "statuses": [],
            "control": None,
            "dates": (None, None),
        }

    def _close_line(self) -> None:
        line, self.line = self.line, None
        if line is None or self.claim is None:
            return
        self.claim["lines"].append(
            LineStatus(
                procedure_qualifier=line["procedure_qualifier"],
                procedure_code=line["procedure_code"],
                modifiers=line["modifiers"],
                charge=line["charge"],
                paid=line["paid"],
                revenue_code=line["revenue_code"],
                units=line["units"],
                statuses=tuple(line["statuses"]),
                line_control_number=line["control"],
                service_from=line["dates"][0],
                service_to=line["dates"][1],
            )
        )

    def _close(self) -> None:
        self._close_line()
        claim, self.claim = self.claim, None
        if claim is None:
            return
        if not claim["statuses"]:
            raise X12Error(f"claim {claim['trace']}: no STC status")
        nobody = ("", "", "")
        payer, receiver = self.parties.get("20", nobody), self.parties.get("21", nobody)
        provider, subscriber = self.parties.get("19", nobody), self.parties.get("22", nobody)
        patient = self.parties.get("23")
        refs = claim["refs"]
        self.claims.append(
            ClaimStatus(
                trace_number=claim["trace"],
                patient_control_number=refs.get("EJ") or claim["trace"],
                statuses=tuple(claim["statuses"]),
                payer_name=payer[0],
                payer_id=payer[2],
                receiver_name=receiver[0],
                receiver_id=receiver[2],
                provider_name=provider[0],
                provider_npi=provider[2],
                subscriber_last_name=subscriber[0],
                subscriber_first_name=subscriber[1],
                member_id=subscriber[2],
                patient_last_name=patient[0] if patient else None,
                patient_first_name=patient[1] if patient else None,
                payer_claim_number=refs.get("1K"),
                bill_type=refs.get("BLT"),
                clearinghouse_trace=refs.get("D9"),
                service_from=claim["dates"][0],
                service_to=claim["dates"][1],
                lines=tuple(claim["lines"]),
            )
        )


# --- writing --------------------------------------------------------------------------------


def write_277(
    response: StatusResponse,
    *,
    envelope: Envelope,
    group_control: int | None = None,
    transaction_control: int | str = 1,
) -> str:
    """One interchange, one HN group, one 277 (X212) answering the claims in `response`,
    grouped like the 276 (payer and receiver, then provider, in order of first appearance)."""
    if not response.claims:
        raise X12Error("a 277 claim status response needs at least one claim")
    created = response.created or envelope.created
    body: list[SegmentSpec] = [
        ("BHT", "0010", "08", response.batch_id or "277", d8(created), hhmm(created), "DG")
    ]
    body += _hierarchy(response.claims)
    spec = TransactionSpec("277", transaction_control, VERSION, body)
    group = GroupSpec("HN", VERSION, group_control or envelope.control_number, [spec])
    return write_interchange(envelope, [group])


def _hierarchy(claims: Sequence[ClaimStatus]) -> Iterator[SegmentSpec]:
    tree: dict[tuple[str, str, str, str], dict[tuple[str, str], list[ClaimStatus]]] = {}
    for c in claims:
        if not (c.payer_id and c.receiver_id and c.provider_npi and c.member_id):
            raise X12Error(
                f"claim {c.trace_number}: payer, receiver, provider and member ids are required"
            )
        key = (c.payer_name, c.payer_id, c.receiver_name, c.receiver_id)
        tree.setdefault(key, {}).setdefault((c.provider_name, c.provider_npi), []).append(c)
    hl = 0
    for (payer, payer_id, receiver, receiver_id), providers in tree.items():
        source = hl = hl + 1
        yield ("HL", str(source), None, "20", "1")
        yield ("NM1", "PR", "2", payer, None, None, None, None, "PI", payer_id)
        receiver_hl = hl = hl + 1
        yield ("HL", str(receiver_hl), str(source), "21", "1")
        yield ("NM1", "41", "2", receiver, None, None, None, None, "46", receiver_id)
        for (name, npi), items in providers.items():
            provider_hl = hl = hl + 1
            yield ("HL", str(provider_hl), str(receiver_hl), "19", "1")
            yield ("NM1", "1P", "2", name, None, None, None, None, "XX", npi)
            for c in items:
                dependent = c.patient_last_name is not None
                hl += 1
                yield ("HL", str(hl), str(provider_hl), "22", "1" if dependent else "0")
                yield (
                    "NM1", "IL", "1", c.subscriber_last_name, c.subscriber_first_name or None,
                    None, None, None, "MI", c.member_id,
                )  # fmt: skip
                if dependent:
                    hl += 1
                    yield ("HL", str(hl), str(hl - 1), "23")
                    yield ("NM1", "QC", "1", c.patient_last_name, c.patient_first_name or None)
                yield from _claim(c)


def _claim(c: ClaimStatus) -> Iterator[SegmentSpec]:
    if not c.statuses:
        raise X12Error(f"claim {c.trace_number}: no status to report")
    yield ("TRN", "2", c.trace_number)
    yield from (_stc_segment(info) for info in c.statuses)
    for qualifier, value in (
        ("1K", c.payer_claim_number),
        ("BLT", c.bill_type),
        ("EJ", c.patient_control_number if c.patient_control_number != c.trace_number else None),
        ("D9", c.clearinghouse_trace),
    ):
        if value:
            yield ("REF", qualifier, value)
    if c.service_from is not None:
        yield _dates(c.service_from, c.service_to)
    for line in c.lines:
        yield (
            "SVC",
            (line.procedure_qualifier, line.procedure_code, *line.modifiers),
            amount(line.charge),
            amount(line.paid) if line.paid is not None else None,
            line.revenue_code,
            None,
            None,
            amount(line.units) if line.units is not None else None,
        )
        yield from (_stc_segment(info) for info in line.statuses)
        if line.line_control_number:
            yield ("REF", "FJ", line.line_control_number)
        if line.service_from is not None:
            yield _dates(line.service_from, line.service_to)


def _dates(start: datetime.date, end: datetime.date | None) -> SegmentSpec:
    if end is None or end == start:
        return ("DTP", "472", "D8", d8(start))
    return ("DTP", "472", "RD8", f"{d8(start)}-{d8(end)}")


def _stc_segment(info: StatusInfo) -> SegmentSpec:
    if not info.statuses:
        raise X12Error("an STC needs at least one status")
    composites = [tuple(p for p in (s.category, s.code, s.entity) if p) for s in info.statuses[:3]]
    return (
        "STC",
        composites[0],
        d8(info.date) if info.date else None,
        info.action or None,
        amount(info.amount) if info.amount is not None else None,
        amount(info.paid) if info.paid is not None else None,
        d8(info.adjudication_date) if info.adjudication_date else None,
        info.payment_method or None,
        d8(info.check_date) if info.check_date else None,
        info.check_number or None,
        composites[1] if len(composites) > 1 else None,
        composites[2] if len(composites) > 2 else None,
        info.message or None,
    )
