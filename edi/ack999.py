"""999 Implementation Acknowledgment (005010X231A1): reading it into dataclasses and writing one.

A 999 answers one functional group (AK1) with one AK2..IK5 block per transaction set and a
group verdict in AK9 (REFERENCE.md §10 "Acknowledgements": IK3/IK4 locate errors; IK5 status is
A/E/R; AK9 status is A/E/P/R). Loop names: 2000 (AK2), 2100 (IK3 + CTX), 2110 (IK4 + CTX).
The code meanings below are short paraphrases of the X12 code lists for people reading a queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edi.x12 import Segment, Transaction, X12Error, only_x12_errors, parse, transactions
from edi.x12_writer import Envelope, GroupSpec, SegmentSpec, TransactionSpec, write_interchange

__all__ = [
    "ACK_STATUS",
    "ELEMENT_ERRORS",
    "GROUP_ERRORS",
    "SEGMENT_ERRORS",
    "TRANSACTION_ERRORS",
    "Ack999",
    "Context",
    "ElementError",
    "SegmentError",
    "TransactionAck",
    "ack999_for",
    "group_ack",
    "read_999",
    "write_999",
]

VERSION = "005010X231A1"

# IK501 / AK901
ACK_STATUS = {
    "A": "accepted",
    "E": "accepted, with errors noted",
    "M": "rejected: message authentication failed",
    "P": "partially accepted: at least one transaction set was rejected",
    "R": "rejected",
    "W": "rejected: failed validity tests",
    "X": "rejected: content could not be analyzed after decryption",
}

# IK304: what is wrong with a segment
SEGMENT_ERRORS = {
    "1": "segment id not recognized",
    "2": "segment not expected here",
    "3": "required segment missing",
    "4": "loop repeats more often than allowed",
    "5": "segment repeats more often than allowed",
    "6": "segment not defined in this transaction set",
    "7": "segment out of order",
    "8": "segment has data element errors",
    "I4": "segment the guide marks 'not used' is present",
    "I6": "segment required by the guide's situational rule is missing",
    "I7": "loop occurs fewer times than the guide requires",
    "I8": "segment occurs fewer times than the guide requires",
    "I9": "segment the guide's situational rule excludes is present",
}

# IK403: what is wrong with an element
ELEMENT_ERRORS = {
    "1": "required element missing",
    "2": "conditionally required element missing",
    "3": "too many elements",
    "4": "value too short",
    "5": "value too long",
    "6": "invalid character",
    "7": "code value not allowed",
    "8": "invalid date",
    "9": "invalid time",
    "10": "element present although another element excludes it",
    "12": "element repeats more often than allowed",
    "13": "too many components",
    "I6": "code value not used by this implementation guide",
    "I9": "element required by the guide's situational rule is missing",
    "I10": "element the guide marks 'not used' is present",
    "I11": "element repeats fewer times than the guide requires",
    "I12": "value does not match the pattern the guide requires",
    "I13": "element the guide's situational rule excludes is present",
}

# IK502..IK506: why a transaction set was rejected
TRANSACTION_ERRORS = {
    "1": "transaction set not supported",
    "2": "SE trailer missing",
    "3": "ST and SE control numbers differ",
    "4": "SE01 segment count is wrong",
    "5": "one or more segments in error",
    "6": "transaction set id missing or invalid",
    "7": "transaction set control number missing or invalid",
    "18": "transaction set not inside a functional group",
    "19": "implementation guide reference (ST03) invalid",
    "23": "transaction set control number repeats within the group",
    "I5": "one or more segments in error (implementation guide)",
    "I6": "implementation guide not supported",
}

# AK905..AK909: why a functional group was rejected
GROUP_ERRORS = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "GE trailer missing",
    "4": "GS and GE control numbers differ",
    "5": "GE01 transaction set count is wrong",
    "6": "group control number invalid",
    "19": "group control number repeats within the interchange",
}


@dataclass(frozen=True)
class Context:
    """A CTX segment: business context (e.g. name CLM01, reference = the patient control number
    of the claim in error) or the segment that triggered a situational rule."""

    name: str
    reference: str = ""
    segment_id: str = ""
    position: str = ""
    loop: str = ""


@dataclass(frozen=True)
class ElementError:
    """Loop 2110 (IK4): position is IK401-1 (element), component IK401-2, repetition IK401-3."""

    position: int
    code: str
    component: int | None = None
    repetition: int | None = None
    reference_number: str = ""  # IK402, the data element dictionary number
    bad_value: str = ""  # IK404
    context: tuple[Context, ...] = ()

    @property
    def meaning(self) -> str:
        return ELEMENT_ERRORS.get(self.code, f"element error {self.code}")


@dataclass(frozen=True)
class SegmentError:
    """Loop 2100 (IK3): the segment's id, its position in the transaction set (ST = 1), the loop
    it sits in (IK303) and the error code (IK304)."""

    segment_id: str
    position: int
    code: str
    loop: str = ""
    context: tuple[Context, ...] = ()
    elements: tuple[ElementError, ...] = ()

    @property
    def meaning(self) -> str:
        return SEGMENT_ERRORS.get(self.code, f"segment error {self.code}")

    @property
    def claim_reference(self) -> str:
        """The patient control number a CTX*CLM01 points at, '' when there is none."""
        return next((c.reference for c in self.context if c.name == "CLM01"), "")


@dataclass(frozen=True)
class TransactionAck:
    """Loop 2000: AK2 (which set) .. IK5 (its verdict)."""

    set_id: str
    control_number: str
    status: str
    version: str = ""
    error_codes: tuple[str, ...] = ()
    errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")

    @property
    def status_meaning(self) -> str:
        return ACK_STATUS.get(self.status, f"status {self.status}")

    @property
    def error_meanings(self) -> tuple[str, ...]:
        return tuple(TRANSACTION_ERRORS.get(c, f"error {c}") for c in self.error_codes)


@dataclass(frozen=True)
class Ack999:
    """One 999 transaction set: the group it answers (AK1) and the verdicts (AK2..AK9)."""

    functional_id: str  # AK101, e.g. HC
    group_control: str  # AK102 = the GS06 being answered
    status: str  # AK901
    included: int  # AK902, transaction sets in the group
    received: int  # AK903
    accepted_count: int  # AK904
    transactions: tuple[TransactionAck, ...] = ()
    version: str = ""  # AK103
    error_codes: tuple[str, ...] = ()  # AK905..AK909
    control_number: str = ""  # ST02 of the 999 itself

    @property
    def status_meaning(self) -> str:
        return ACK_STATUS.get(self.status, f"status {self.status}")

    @property
    def error_meanings(self) -> tuple[str, ...]:
        return tuple(GROUP_ERRORS.get(c, f"error {c}") for c in self.error_codes)

    def transaction(self, control_number: str) -> TransactionAck | None:
        return next((t for t in self.transactions if t.control_number == control_number), None)


# --- reading --------------------------------------------------------------------------------


@only_x12_errors
def read_999(data: str | bytes) -> list[Ack999]:
    """Every 999 transaction set in the file. Raises `X12Error` when the file is not X12 or a
    999 is missing its AK1/AK9 or has an IK3/IK4/IK5 outside an AK2."""
    found = [t for t in transactions(data) if t.set_id == "999"]
    if not found:
        raise X12Error("no 999 transaction set in the file")
    return [_read(t) for t in found]


def _int(segment: Segment, index: int) -> int:
    value = segment[index]
    if not value.isdigit():
        raise X12Error(
            f"{segment.id}{index:02d} must be a number, got {value!r}",
            position=segment.position,
            segment_id=segment.id,
        )
    return int(value)


def _read(transaction: Transaction) -> Ack999:
    ak1: Segment | None = None
    ak9: Segment | None = None
    sets: list[TransactionAck] = []
    current: dict | None = None
    for seg in transaction.body:
        if seg.id == "AK1":
            ak1 = seg
        elif seg.id == "AK2":
            current = {"ak2": seg, "errors": [], "ik5": None}
        elif seg.id in ("IK3", "IK4", "IK5", "CTX"):
            if current is None:
                raise X12Error(f"{seg.id} outside an AK2 loop", position=seg.position)
            _add_to_set(current, seg, transaction)
            if seg.id == "IK5":
                sets.append(_finish_set(current))
                current = None
        elif seg.id == "AK9":
            ak9 = seg
    if ak1 is None or ak9 is None:
        raise X12Error(
            "999 without AK1 or AK9", position=transaction.header.position, segment_id="ST"
        )
    if current is not None:
        raise X12Error("AK2 without IK5", position=current["ak2"].position, segment_id="AK2")
    return Ack999(
        functional_id=ak1[1],
        group_control=ak1[2],
        version=ak1[3],
        status=ak9[1],
        included=_int(ak9, 2),
        received=_int(ak9, 3),
        accepted_count=_int(ak9, 4),
        error_codes=tuple(ak9[i] for i in range(5, 10) if ak9[i]),
        transactions=tuple(sets),
        control_number=transaction.control_number,
    )


def _context(seg: Segment) -> Context:
    return Context(
        name=seg.component(1, 1),
        reference=seg.component(1, 2),
        segment_id=seg[2],
        position=seg[3],
        loop=seg[4],
    )


def _add_to_set(current: dict, seg: Segment, transaction: Transaction) -> None:
    errors: list[dict] = current["errors"]
    if seg.id == "IK3":
        errors.append({"ik3": seg, "context": [], "elements": []})
    elif seg.id == "IK4":
        if not errors:
            raise X12Error("IK4 without IK3", position=seg.position, segment_id="IK4")
        errors[-1]["elements"].append({"ik4": seg, "context": []})
    elif seg.id == "CTX":
        if not errors:
            raise X12Error("CTX without IK3", position=seg.position, segment_id="CTX")
        target = errors[-1]["elements"][-1] if errors[-1]["elements"] else errors[-1]
        target["context"].append(_context(seg))
    else:
        current["ik5"] = seg


def _element_position(ik4: Segment) -> int:
    value = ik4.component(1, 1)
    if not value.isdigit():
        raise X12Error(f"IK401 must start with a number, got {value!r}", position=ik4.position)
    return int(value)


def _optional_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _finish_set(current: dict) -> TransactionAck:
    ak2, ik5 = current["ak2"], current["ik5"]
    errors = []
    for item in current["errors"]:
        ik3 = item["ik3"]
        elements = tuple(
            ElementError(
                position=_element_position(e["ik4"]),
                component=_optional_int(e["ik4"].component(1, 2)),
                repetition=_optional_int(e["ik4"].component(1, 3)),
                reference_number=e["ik4"][2],
                code=e["ik4"][3],
                bad_value=e["ik4"][4],
                context=tuple(e["context"]),
            )
            for e in item["elements"]
        )
        errors.append(
            SegmentError(
                segment_id=ik3[1],
                position=_int(ik3, 2),
                loop=ik3[3],
                code=ik3[4],
                context=tuple(item["context"]),
                elements=elements,
            )
        )
    return TransactionAck(
        set_id=ak2[1],
        control_number=ak2[2],
        version=ak2[3],
        status=ik5[1],
        error_codes=tuple(ik5[i] for i in range(2, 7) if ik5[i]),
        errors=tuple(errors),
    )


# --- writing --------------------------------------------------------------------------------


def group_ack(
    *, functional_id: str, group_control: str, version: str, sets: Sequence[TransactionAck]
) -> Ack999:
    """An `Ack999` for a group whose sets were judged one by one: AK9 follows from the IK5s
    (A all accepted, E accepted with errors, P some rejected, R all rejected)."""
    accepted = [s for s in sets if s.accepted]
    if not sets or not accepted:
        status = "R"
    elif len(accepted) < len(sets):
        status = "P"
    else:
        status = "E" if any(s.status == "E" for s in sets) else "A"
    return Ack999(
        functional_id=functional_id,
        group_control=group_control,
        version=version,
        status=status,
        included=len(sets),
        received=len(sets),
        accepted_count=len(accepted),
        transactions=tuple(sets),
    )


def ack999_for(
    data: str | bytes, *, rejections: Mapping[str, Sequence[SegmentError]] | None = None
) -> list[Ack999]:
    """What a receiver answers to `data`: one `Ack999` per functional group in it. Transaction
    sets whose ST02 is a key of `rejections` are rejected (IK5*R*5) with those errors; the
    others are accepted. For a sandbox clearinghouse and for tests."""
    rejections = rejections or {}
    acks = []
    for interchange in parse(data):
        for group in interchange.groups:
            sets = []
            for t in group.transactions:
                errors = tuple(rejections.get(t.control_number, ()))
                sets.append(
                    TransactionAck(
                        set_id=t.set_id,
                        control_number=t.control_number,
                        version=t.version,
                        status="R" if errors else "A",
                        error_codes=("5",) if errors else (),
                        errors=errors,
                    )
                )
            acks.append(
                group_ack(
                    functional_id=group.functional_id,
                    group_control=group.control_number,
                    version=group.version,
                    sets=sets,
                )
            )
    return acks


def write_999(
    ack: Ack999, *, envelope: Envelope, group_control: int, transaction_control: int | str = 1
) -> str:
    """One interchange holding a 999 (GS01 = FA) for `ack`."""
    body = list(_ack_segments(ack))
    spec = TransactionSpec("999", transaction_control, VERSION, body)
    return write_interchange(envelope, [GroupSpec("FA", VERSION, group_control, [spec])])


def _ack_segments(ack: Ack999) -> list[SegmentSpec]:
    segments: list[SegmentSpec] = [("AK1", ack.functional_id, ack.group_control, ack.version)]
    for item in ack.transactions:
        segments.append(("AK2", item.set_id, item.control_number, item.version or None))
        for error in item.errors:
            if len(error.loop) > 4:  # IK303 is AN 1/4: '2300', not '2010AA'
                raise X12Error(f"IK303 loop id is at most 4 characters, got {error.loop!r}")
            segments.append(("IK3", error.segment_id, str(error.position), error.loop, error.code))
            segments.extend(_ctx(c) for c in error.context)
            for element in error.elements:
                position = tuple(
                    str(v)
                    for v in (element.position, element.component, element.repetition)
                    if v is not None
                )
                segments.append(
                    (
                        "IK4",
                        position,
                        element.reference_number,
                        element.code,
                        element.bad_value or None,
                    )
                )
                segments.extend(_ctx(c) for c in element.context)
        segments.append(("IK5", item.status, *item.error_codes))
    counts = (str(ack.included), str(ack.received), str(ack.accepted_count))
    segments.append(("AK9", ack.status, *counts, *ack.error_codes))
    return segments


def _ctx(context: Context) -> SegmentSpec:
    return (
        "CTX",
        (context.name, context.reference),
        context.segment_id,
        context.position,
        context.loop,
    )
