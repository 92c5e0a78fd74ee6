"""A light 837 reader: the claims a file carries, with just enough context for a simulated
clearinghouse to answer it (999 per transaction set, 277CA per claim) and for a test to check
what was sent. Works on 837P (005010X222A1) and 837I (005010X223A2) alike; it does not
validate against the TR3 (pyx12 does that in the tests).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from edi.x12 import Segment, X12Error, only_x12_errors, parse

__all__ = ["ClaimSummary", "list_claims"]


@dataclass(frozen=True)
class ClaimSummary:
    """One CLM and where it sits. `position` is the CLM's segment position in its transaction
    set (ST = 1), as a 999 IK302 would report it."""

    patient_control_number: str
    total_charge: Decimal
    line_count: int
    frequency_code: str
    facility_code: str  # CLM05-1: place of service (837P) or type of bill's first digits (837I)
    institutional: bool
    position: int
    interchange_control: str
    group_control: str
    transaction_control: str
    batch_reference: str  # BHT03
    billing_provider_name: str = ""
    billing_provider_npi: str = ""
    payer_name: str = ""
    payer_id: str = ""
    member_id: str = ""
    patient_last_name: str = ""
    patient_first_name: str = ""
    service_from: datetime.date | None = None
    service_to: datetime.date | None = None

    @property
    def type_of_bill(self) -> str:
        return self.facility_code + self.frequency_code if self.institutional else ""


@only_x12_errors
def list_claims(data: str | bytes) -> list[ClaimSummary]:
    """Every claim in every 837 transaction set of the file, in file order."""
    claims: list[ClaimSummary] = []
    for interchange in parse(data):
        for group in interchange.groups:
            for transaction in group.transactions:
                if transaction.set_id != "837":
                    continue
                envelope = {
                    "interchange_control": interchange.control_number,
                    "group_control": group.control_number,
                    "transaction_control": transaction.control_number,
                    "institutional": "X223" in (transaction.version or group.version),
                }
                reader = _Reader(envelope, transaction.header.position)
                for segment in transaction.body:
                    reader.feed(segment)
                claims.extend(reader.finish())
    return claims


def _date_range(seg: Segment) -> tuple[datetime.date, datetime.date]:
    text = seg[3]
    try:
        parts = [datetime.datetime.strptime(p, "%Y%m%d").date() for p in text.split("-")]
    except ValueError:
        raise X12Error(f"not a date: {text!r}", position=seg.position, segment_id="DTP") from None
    return parts[0], parts[-1]


class _Reader:
    def __init__(self, envelope: dict, st_position: int):
        self.envelope = {**envelope, "batch_reference": ""}
        self.st_position = st_position
        self.context: dict = {}
        self.claim: dict | None = None
        self.done: list[ClaimSummary] = []
        self.level = ""

    def feed(self, seg: Segment) -> None:
        if seg.id == "BHT":
            self.envelope["batch_reference"] = seg[3]
        elif seg.id == "HL":
            self._close()
            self.level = seg[3]
            if self.level == "22":  # a new subscriber: forget the previous patient
                for key in ("patient_last_name", "patient_first_name", "payer_name", "payer_id"):
                    self.context.pop(key, None)
        elif seg.id == "CLM":
            self._close()
            self._open(seg)
        elif self.claim is None:
            self._party(seg)
        elif seg.id == "LX":
            self.claim["line_count"] += 1
        elif seg.id == "DTP" and seg[1] in ("472", "434") and seg[3]:
            self._dates(seg)

    def _party(self, seg: Segment) -> None:
        if seg.id != "NM1":
            return
        entity, name, ident = seg[1], seg[3], seg[9]
        if entity == "85":
            self.context.update(billing_provider_name=name, billing_provider_npi=ident)
        elif entity == "IL":
            self.context.update(member_id=ident, patient_last_name=name, patient_first_name=seg[4])
        elif entity == "QC":
            self.context.update(patient_last_name=name, patient_first_name=seg[4])
        elif entity == "PR":
            self.context.update(payer_name=name, payer_id=ident)

    def _open(self, seg: Segment) -> None:
        try:
            charge = Decimal(seg[2])
        except InvalidOperation:
            raise X12Error(
                f"CLM02 is not an amount: {seg[2]!r}", position=seg.position, segment_id="CLM"
            ) from None
        self.claim = {
            "patient_control_number": seg[1],
            "total_charge": charge,
            "facility_code": seg.component(5, 1),
            "frequency_code": seg.component(5, 3),
            "position": seg.position - self.st_position + 1,
            "line_count": 0,
            "dates": [],
        }

    def _dates(self, seg: Segment) -> None:
        assert self.claim is not None
        self.claim["dates"].extend(_date_range(seg))

    def _close(self) -> None:
        claim, self.claim = self.claim, None
        if claim is None:
            return
        dates = claim.pop("dates")
        summary = ClaimSummary(
            **claim,
            **self.envelope,
            **self.context,
            service_from=min(dates) if dates else None,
            service_to=max(dates) if dates else None,
        )
        self.done.append(summary)

    def finish(self) -> list[ClaimSummary]:
        self._close()
        return self.done
