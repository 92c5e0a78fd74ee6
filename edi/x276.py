"""276 Health Care Claim Status Request (005010X212): one request per claim, written and read.

Hierarchy (REFERENCE.md §10 "276/277"): 2000A information source (HL03 = 20: the payer, NM1*PR)
> 2000B information receiver (21: who asks, NM1*41) > 2000C service provider (19: NM1*1P with
the NPI) > 2000D subscriber (22: NM1*IL, DMG when the patient is the subscriber) > 2000E
dependent (23: NM1*QC) when the patient is not. The claim (loop 2200D/E): TRN*1 the trace the
277 echoes, REF*1K the payer's claim number when known, REF*BLT the bill type (institutional),
REF*EJ the patient control number (the 837's CLM01), AMT*T3 the claim charge, DTP*472 the
service dates.

pyx12 4.0 has no 5010 276 map; the writer is checked against the TR3's own example instead
(tests/edi/test_x276_x277.py writes the guide's requests and compares segment by segment).
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
    SegmentSpec,
    TransactionSpec,
    amount,
    d8,
    hhmm,
    write_interchange,
)

__all__ = ["VERSION", "StatusRequest", "read_276", "write_276"]

VERSION = "005010X212"


@dataclass(frozen=True, kw_only=True)
class StatusRequest:
    """One claim's status request, with every party above it in the hierarchy."""

    payer_name: str
    payer_id: str  # NM1*PR NM109 (PI)
    receiver_name: str  # NM1*41: the provider's office or clearinghouse asking
    receiver_id: str  # NM109 (46, ETIN)
    provider_name: str
    provider_npi: str  # NM1*1P NM109 (XX)
    subscriber_last_name: str
    subscriber_first_name: str | None
    member_id: str  # NM1*IL NM109 (MI)
    patient_control_number: str  # REF*EJ: the 837's CLM01
    charge: Decimal | None = None  # AMT*T3
    service_from: datetime.date | None = None  # DTP*472
    service_to: datetime.date | None = None
    payer_claim_number: str | None = None  # REF*1K, when an 835 or 277 gave one
    bill_type: str | None = None  # REF*BLT (institutional claims)
    trace_number: str | None = None  # TRN02; the patient control number when None
    birth_date: datetime.date | None = None  # DMG of the patient (subscriber or dependent)
    gender: str | None = None  # M, F, U
    patient_last_name: str | None = None  # set when the patient is a dependent (2000E)
    patient_first_name: str | None = None

    @property
    def trace(self) -> str:
        return self.trace_number or self.patient_control_number

    @property
    def dependent(self) -> bool:
        return self.patient_last_name is not None


# --- writing --------------------------------------------------------------------------------


def write_276(
    requests: Sequence[StatusRequest],
    *,
    envelope: Envelope,
    batch_id: str,
    group_control: int | None = None,
    transaction_control: int | str = 1,
) -> str:
    """One interchange, one HR group, one 276 holding every request (grouped by payer and
    receiver, then provider, in order of first appearance)."""
    if not requests:
        raise X12Error("a 276 needs at least one claim status request")
    created = envelope.created
    body: list[SegmentSpec] = [("BHT", "0010", "13", batch_id, d8(created), hhmm(created))]
    body += _hierarchy(requests)
    spec = TransactionSpec("276", transaction_control, VERSION, body)
    group = GroupSpec("HR", VERSION, group_control or envelope.control_number, [spec])
    return write_interchange(envelope, [group])


def _hierarchy(requests: Sequence[StatusRequest]) -> Iterator[SegmentSpec]:
    tree: dict[tuple[str, str, str, str], dict[tuple[str, str], list[StatusRequest]]] = {}
    for r in requests:
        _check(r)
        key = (r.payer_name, r.payer_id, r.receiver_name, r.receiver_id)
        tree.setdefault(key, {}).setdefault((r.provider_name, r.provider_npi), []).append(r)
    hl = 0
    for (payer, payer_id, receiver, receiver_id), providers in tree.items():
        source = hl = hl + 1
        yield ("HL", str(source), None, "20", "1")
        yield ("NM1", "PR", "2", payer, None, None, None, None, "PI", payer_id)
        receiver_hl = hl = hl + 1
        yield ("HL", str(receiver_hl), str(source), "21", "1")
        yield ("NM1", "41", "2", receiver, None, None, None, None, "46", receiver_id)
        for (name, npi), claims in providers.items():
            provider_hl = hl = hl + 1
            yield ("HL", str(provider_hl), str(receiver_hl), "19", "1")
            yield ("NM1", "1P", "2", name, None, None, None, None, "XX", npi)
            for r in claims:
                hl += 1
                yield ("HL", str(hl), str(provider_hl), "22", "1" if r.dependent else "0")
                if not r.dependent:
                    yield from _dmg(r)
                yield (
                    "NM1", "IL", "1", r.subscriber_last_name, r.subscriber_first_name,
                    None, None, None, "MI", r.member_id,
                )  # fmt: skip
                if r.dependent:
                    hl += 1
                    yield ("HL", str(hl), str(hl - 1), "23")
                    yield from _dmg(r)
                    yield ("NM1", "QC", "1", r.patient_last_name, r.patient_first_name)
                yield from _claim(r)


def _check(r: StatusRequest) -> None:
    for name in ("payer_id", "receiver_id", "provider_npi", "member_id", "patient_control_number"):
        if not getattr(r, name):
            raise X12Error(f"claim status request: {name} is required")
    if r.service_from is None:
        raise X12Error(f"claim {r.patient_control_number}: the service date (DTP*472) is required")


def _dmg(r: StatusRequest) -> Iterator[SegmentSpec]:
    if r.birth_date is not None:
        yield ("DMG", "D8", d8(r.birth_date), r.gender)


def _claim(r: StatusRequest) -> Iterator[SegmentSpec]:
    yield ("TRN", "1", r.trace)
    for qualifier, value in (
        ("1K", r.payer_claim_number),
        ("BLT", r.bill_type),
        ("EJ", r.patient_control_number),
    ):
        if value:
            yield ("REF", qualifier, value)
    if r.charge is not None:
        yield ("AMT", "T3", amount(r.charge))
    if r.service_from is not None:
        yield _service_dates(r.service_from, r.service_to)


def _service_dates(start: datetime.date, end: datetime.date | None) -> SegmentSpec:
    if end is None or end == start:
        return ("DTP", "472", "D8", d8(start))
    return ("DTP", "472", "RD8", f"{d8(start)}-{d8(end)}")


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_276(data: str | bytes) -> list[StatusRequest]:
    """Every claim status request in the file (the sandbox clearinghouse answers each)."""
    found = [t for t in transactions(data) if t.set_id == "276"]
    if not found:
        raise X12Error("no 276 transaction set in the file")
    return [request for t in found for request in _Reader(t).read()]


def service_dates(seg: Segment) -> tuple[datetime.date | None, datetime.date | None]:
    """DTP*472 with D8 or RD8 (CCYYMMDD-CCYYMMDD)."""
    if seg[2] == "RD8" and "-" in seg[3]:
        start, end = seg[3].split("-", 1)
        return _date_text(seg, start), _date_text(seg, end)
    day = _date(seg, 3)
    return day, day


class _Reader:
    def __init__(self, transaction: Transaction):
        self.t = transaction
        self.level = ""
        self.parties: dict[str, tuple[str, str, str]] = {}  # level -> (last, first, id)
        self.demographics: tuple[datetime.date | None, str | None] = (None, None)
        self.claim: dict | None = None
        self.found: list[StatusRequest] = []

    def read(self) -> list[StatusRequest]:
        for seg in self.t.body:
            handler = getattr(self, f"_{seg.id.lower()}", None)
            if handler is not None:
                handler(seg)
        self._close()
        return self.found

    def _hl(self, seg: Segment) -> None:
        self._close()
        self.level = seg[3]
        if self.level in ("22", "23"):
            self.demographics = (None, None)
            self.parties.pop("23", None)

    def _nm1(self, seg: Segment) -> None:
        self.parties[self.level] = (seg[3], seg[4], seg[9])

    def _dmg(self, seg: Segment) -> None:
        self.demographics = (_date(seg, 2), seg[3] or None)

    def _trn(self, seg: Segment) -> None:
        if self.level not in ("22", "23"):
            raise X12Error(
                "claim trace outside a subscriber or dependent level",
                position=seg.position,
                segment_id="TRN",
            )
        self._close()
        if not seg[2]:
            raise X12Error("TRN02 (trace number) is missing", position=seg.position)
        self.claim = {"trace": seg[2], "refs": {}, "charge": None, "dates": (None, None)}

    def _ref(self, seg: Segment) -> None:
        if self.claim is not None and not self.claim.get("line"):
            self.claim["refs"].setdefault(seg[1], seg[2])

    def _amt(self, seg: Segment) -> None:
        if self.claim is not None and seg[1] == "T3":
            self.claim["charge"] = _decimal(seg, 2)

    def _svc(self, seg: Segment) -> None:
        if self.claim is not None:
            self.claim["line"] = True  # service-line detail: not read into the request

    def _dtp(self, seg: Segment) -> None:
        # a claim asked about by its service lines takes its first line's dates
        if self.claim is not None and seg[1] == "472":
            if not self.claim.get("line") or self.claim["dates"] == (None, None):
                self.claim["dates"] = service_dates(seg)

    def _close(self) -> None:
        claim, self.claim = self.claim, None
        if claim is None:
            return
        missing = [level for level in ("20", "21", "19", "22") if level not in self.parties]
        if missing:
            raise X12Error(f"claim {claim['trace']}: HL levels {', '.join(missing)} are missing")
        payer, receiver = self.parties["20"], self.parties["21"]
        provider, subscriber = self.parties["19"], self.parties["22"]
        patient = self.parties.get("23")
        refs = claim["refs"]
        pcn = refs.get("EJ") or claim["trace"]
        self.found.append(
            StatusRequest(
                payer_name=payer[0],
                payer_id=payer[2],
                receiver_name=receiver[0],
                receiver_id=receiver[2],
                provider_name=provider[0],
                provider_npi=provider[2],
                subscriber_last_name=subscriber[0],
                subscriber_first_name=subscriber[1] or None,
                member_id=subscriber[2],
                patient_control_number=pcn,
                charge=claim["charge"],
                service_from=claim["dates"][0],
                service_to=claim["dates"][1],
                payer_claim_number=refs.get("1K"),
                bill_type=refs.get("BLT"),
                trace_number=claim["trace"] if claim["trace"] != pcn else None,
                birth_date=self.demographics[0],
                gender=self.demographics[1],
                patient_last_name=patient[0] if patient else None,
                patient_first_name=(patient[1] or None) if patient else None,
            )
        )
