"""270 Health Care Eligibility Benefit Inquiry (005010X279A1): written and read.

Hierarchy (REFERENCE.md §10 "270/271"): 2000A information source (HL03 = 20: the payer, NM1*PR)
> 2000B information receiver (21: the provider asking, NM1*1P with the NPI) > 2000C subscriber
(22: TRN*1 trace, NM1*IL with the member id, DMG birth date and gender, DTP*291 the date of
service, one EQ per service type asked about) > 2000D dependent (23: NM1*03) when the patient is
not the subscriber; the trace, dates and EQs then move down to the dependent.

Service types for behavioral health (REFERENCE.md §10): MH, A4-A8, AI/AJ/AK, BB, BC, BD, and 30
for the plan summary. AI/AJ/AK ask about substance-use treatment, which makes the inquiry itself
a Part 2 disclosure (REFERENCE.md §8 "Billing data flows"): the caller gates on consent.

pyx12 4.0 has no 005010X279A1 map (only 4010 X092A1), so the writer is held to the TR3 examples
in the shared corpus instead (tests/edi/test_x270_x271.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from edi.ack277 import _date, _date_text
from edi.x12 import Segment, Transaction, X12Error, only_x12_errors, transactions
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    SegmentSpec,
    TransactionSpec,
    d8,
    hhmm,
    write_interchange,
)

__all__ = [
    "BH_SERVICE_TYPES",
    "SERVICE_TYPES",
    "SUD_SERVICE_TYPES",
    "VERSION",
    "EligibilityInquiry",
    "read_270",
    "write_270",
]

VERSION = "005010X279A1"

# Service type codes (X12 code list 1365) this platform asks about, paraphrased
# (REFERENCE.md §10 "270/271"; x12.org RFI #1911).
SERVICE_TYPES = {
    "30": "health benefit plan coverage",
    "1": "medical care",
    "33": "chiropractic",
    "35": "dental care",
    "47": "hospital",
    "48": "hospital inpatient",
    "50": "hospital outpatient",
    "86": "emergency services",
    "88": "pharmacy",
    "98": "professional (physician) visit, office",
    "AL": "vision (optometry)",
    "UC": "urgent care",
    "MH": "mental health",
    "A4": "psychiatric",
    "A5": "psychiatric room and board",
    "A6": "psychotherapy",
    "A7": "psychiatric inpatient",
    "A8": "psychiatric outpatient",
    "AI": "substance abuse",
    "AJ": "alcoholism",
    "AK": "drug addiction",
    "BB": "partial hospitalization (psychiatric)",
    "BC": "day care (psychiatric)",
    "BD": "cognitive therapy",
}
BH_SERVICE_TYPES = ("MH", "A4", "A5", "A6", "A7", "A8", "AI", "AJ", "AK", "BB", "BC", "BD")
# Asking about these discloses substance-use treatment: a Part 2 disclosure (REFERENCE.md §8).
SUD_SERVICE_TYPES = frozenset({"AI", "AJ", "AK"})
MAX_SERVICE_TYPES = 99  # the 2110C/D EQ loop repeats at most 99 times


@dataclass(frozen=True, kw_only=True)
class EligibilityInquiry:
    """One member's eligibility question, with the payer and provider above it."""

    payer_name: str
    payer_id: str  # NM1*PR NM109 (PI)
    provider_name: str  # organization name, or a person's last name
    provider_npi: str  # NM1*1P NM109 (XX)
    member_id: str  # NM1*IL NM109 (MI)
    subscriber_last_name: str
    subscriber_first_name: str | None = None
    subscriber_birth_date: datetime.date | None = None
    subscriber_gender: str | None = None  # M, F, U
    patient_last_name: str | None = None  # set when the patient is a dependent (2000D)
    patient_first_name: str | None = None
    patient_birth_date: datetime.date | None = None
    patient_gender: str | None = None
    service_types: tuple[str, ...] = ("30",)
    service_date: datetime.date | None = None  # DTP*291
    service_end: datetime.date | None = None  # RD8 when a range is asked about
    trace_number: str = ""  # TRN02: echoed in the 271
    trace_originator: str = ""  # TRN03: 10 characters, "1" + EIN by convention
    provider_first_name: str | None = None  # a person provider (NM102 = 1)
    provider_id_qualifier: str = "XX"  # NM108: XX the NPI; SV a payer-assigned number

    @property
    def dependent(self) -> bool:
        return self.patient_last_name is not None

    @property
    def discloses_sud(self) -> bool:
        """Whether sending this inquiry is a Part 2 disclosure (REFERENCE.md §8 "Billing data
        flows": 270s with service type AI/AJ/AK): the caller needs a consent covering payment."""
        return bool(SUD_SERVICE_TYPES & set(self.service_types))

    @property
    def originator(self) -> str:
        return self.trace_originator or ("9" + self.provider_npi)[:10]


# --- writing --------------------------------------------------------------------------------


def write_270(
    inquiries: Sequence[EligibilityInquiry],
    *,
    envelope: Envelope,
    batch_id: str,
    group_control: int | None = None,
    transaction_control: int | str = 1,
) -> str:
    """One interchange, one HS group, one 270 holding every inquiry (grouped by payer, then
    provider, in order of first appearance)."""
    if not inquiries:
        raise X12Error("a 270 needs at least one eligibility inquiry")
    created = envelope.created
    body: list[SegmentSpec] = [("BHT", "0022", "13", batch_id, d8(created), hhmm(created))]
    body += _hierarchy(inquiries)
    spec = TransactionSpec("270", transaction_control, VERSION, body)
    group = GroupSpec("HS", VERSION, group_control or envelope.control_number, [spec])
    return write_interchange(envelope, [group])


def _hierarchy(inquiries: Sequence[EligibilityInquiry]) -> Iterator[SegmentSpec]:
    tree: dict[tuple[str, str], dict[tuple[str, str, str, str], list[EligibilityInquiry]]] = {}
    for q in inquiries:
        _check(q)
        key = (
            q.provider_name,
            q.provider_first_name or "",
            q.provider_id_qualifier,
            q.provider_npi,
        )
        tree.setdefault((q.payer_name, q.payer_id), {}).setdefault(key, []).append(q)
    hl = 0
    for (payer, payer_id), providers in tree.items():
        source = hl = hl + 1
        yield ("HL", str(source), None, "20", "1")
        yield ("NM1", "PR", "2", payer, None, None, None, None, "PI", payer_id)
        for (name, first, qualifier, npi), members in providers.items():
            receiver = hl = hl + 1
            yield ("HL", str(receiver), str(source), "21", "1")
            kind = "1" if first else "2"
            yield ("NM1", "1P", kind, name, first or None, None, None, None, qualifier, npi)
            for q in members:
                hl += 1
                yield ("HL", str(hl), str(receiver), "22", "1" if q.dependent else "0")
                if not q.dependent:
                    yield ("TRN", "1", q.trace_number, q.originator)
                yield (
                    "NM1", "IL", "1", q.subscriber_last_name, q.subscriber_first_name,
                    None, None, None, "MI", q.member_id,
                )  # fmt: skip
                yield from _dmg(q.subscriber_birth_date, q.subscriber_gender)
                if q.dependent:
                    hl += 1
                    yield ("HL", str(hl), str(hl - 1), "23", "0")
                    yield ("TRN", "1", q.trace_number, q.originator)
                    yield ("NM1", "03", "1", q.patient_last_name, q.patient_first_name)
                    yield from _dmg(q.patient_birth_date, q.patient_gender)
                yield from _questions(q)


def _check(q: EligibilityInquiry) -> None:
    for name in ("payer_name", "payer_id", "provider_name", "provider_npi", "member_id"):
        if not getattr(q, name):
            raise X12Error(f"eligibility inquiry: {name} is required")
    if not (q.subscriber_last_name or q.dependent):
        raise X12Error("eligibility inquiry: subscriber_last_name is required")
    if not q.trace_number:
        raise X12Error(f"eligibility inquiry for {q.member_id}: trace_number (TRN02) is required")
    if not q.service_types or len(q.service_types) > MAX_SERVICE_TYPES:
        raise X12Error(f"eligibility inquiry: 1 to {MAX_SERVICE_TYPES} service types")
    unknown = [code for code in q.service_types if code not in SERVICE_TYPES]
    if unknown:
        raise X12Error(f"eligibility inquiry: unknown service type(s) {', '.join(unknown)}")


def _dmg(birth: datetime.date | None, gender: str | None) -> Iterator[SegmentSpec]:
    if birth is not None:
        yield ("DMG", "D8", d8(birth), gender)


def _questions(q: EligibilityInquiry) -> Iterator[SegmentSpec]:
    if q.service_date is not None:
        if q.service_end is None or q.service_end == q.service_date:
            yield ("DTP", "291", "D8", d8(q.service_date))
        else:
            yield ("DTP", "291", "RD8", f"{d8(q.service_date)}-{d8(q.service_end)}")
    for code in q.service_types:
        yield ("EQ", code)


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_270(data: str | bytes) -> list[EligibilityInquiry]:
    """Every eligibility inquiry in the file (the sandbox clearinghouse answers each)."""
    found = [t for t in transactions(data) if t.set_id == "270"]
    if not found:
        raise X12Error("no 270 transaction set in the file")
    return [q for t in found for q in _Reader(t).read()]


class _Reader:
    def __init__(self, transaction: Transaction):
        self.t = transaction
        self.level = ""
        self.parties: dict[str, tuple[str, ...]] = {}  # level -> (last, first, id, qualifier)
        self.demographics: dict[str, tuple[datetime.date | None, str | None]] = {}
        self.trace: tuple[str, str] | None = None
        self.dates: tuple[datetime.date | None, datetime.date | None] = (None, None)
        self.types: list[str] = []
        self.open = False
        self.subscriber_has_children = False
        self.found: list[EligibilityInquiry] = []

    def read(self) -> list[EligibilityInquiry]:
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
            self.open = True
            self.trace, self.dates, self.types = None, (None, None), []
            self.demographics.pop("23", None)
            self.parties.pop("23", None)
            if self.level == "22":
                self.demographics.pop("22", None)
            self.subscriber_has_children = seg[4] == "1"

    def _trn(self, seg: Segment) -> None:
        if not seg[2]:
            raise X12Error("TRN02 (trace number) is missing", position=seg.position)
        self.trace = (seg[2], seg[3])

    def _nm1(self, seg: Segment) -> None:
        self.parties[self.level] = (seg[3], seg[4], seg[9], seg[8])

    def _dmg(self, seg: Segment) -> None:
        self.demographics[self.level] = (_date(seg, 2), seg[3] or None)

    def _dtp(self, seg: Segment) -> None:
        if seg[1] != "291":
            return
        if seg[2] == "RD8" and "-" in seg[3]:
            start, end = seg[3].split("-", 1)
            self.dates = (_date_text(seg, start), _date_text(seg, end))
        else:
            self.dates = (_date(seg, 3), None)

    def _eq(self, seg: Segment) -> None:
        # 5010 lets EQ01 repeat; EQ02 (a procedure) without EQ01 asks about that procedure only
        self.types += list(seg.repetitions(1))

    def _close(self) -> None:
        if not self.open:
            return
        self.open = False
        if self.level == "22" and self.subscriber_has_children:
            if not self.types:
                return  # the question is asked at the dependent level below
        missing = [level for level in ("20", "21", "22") if level not in self.parties]
        if missing:
            raise X12Error(f"270 inquiry: HL levels {', '.join(missing)} are missing")
        payer, provider, subscriber = self.parties["20"], self.parties["21"], self.parties["22"]
        patient = self.parties.get("23") if self.level == "23" else None
        sub_dmg = self.demographics.get("22", (None, None))
        pat_dmg = self.demographics.get("23", (None, None)) if patient else (None, None)
        trace = self.trace or ("", "")
        self.found.append(
            EligibilityInquiry(
                payer_name=payer[0],
                payer_id=payer[2],
                provider_name=provider[0],
                provider_first_name=provider[1] or None,
                provider_npi=provider[2],
                provider_id_qualifier=provider[3],
                member_id=subscriber[2],
                subscriber_last_name=subscriber[0],
                subscriber_first_name=subscriber[1] or None,
                subscriber_birth_date=sub_dmg[0],
                subscriber_gender=sub_dmg[1],
                patient_last_name=patient[0] if patient else None,
                patient_first_name=(patient[1] or None) if patient else None,
                patient_birth_date=pat_dmg[0],
                patient_gender=pat_dmg[1],
                service_types=tuple(self.types),
                service_date=self.dates[0],
                service_end=self.dates[1],
                trace_number=trace[0],
                trace_originator=trace[1],
            )
        )
