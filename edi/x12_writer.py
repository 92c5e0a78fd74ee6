"""Writing X12: segments from plain tuples, wrapped in ISA/GS/ST envelopes whose control numbers
the caller supplies (REFERENCE.md §10 "Envelope": ISA is fixed-width, ISA13 = IEA02, GS06 =
GE02, ST02 = SE02, SE01 counts the segments from ST to SE inclusive).

A segment is written from a tuple: the id, then its elements. An element is a string, None (left
empty) or a tuple of strings (a composite, joined with the component separator). Empty trailing
elements and components are dropped, as X12 requires.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from edi.x12 import DEFAULT_DELIMITERS, Delimiters, X12Error

__all__ = [
    "Envelope",
    "GroupSpec",
    "Repeated",
    "SegmentSpec",
    "TransactionSpec",
    "amount",
    "d8",
    "hhmm",
    "quantity",
    "render_segment",
    "write_interchange",
]


class Repeated(tuple[str, ...]):
    """An element whose values repeat (joined with the repetition separator, ISA11): 5010's
    EB03 service types `30^MH^A6`. A plain tuple is a composite instead."""

    __slots__ = ()


Element = str | None | tuple[str, ...]
SegmentSpec = tuple[Element, ...]


def amount(value: Decimal) -> str:
    """An X12 R (decimal) value: no exponent, no trailing zeros (150.00 -> '150', 1.50 -> '1.5')."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise X12Error(f"amounts must be finite Decimals, got {value!r}")
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quantity(value: Decimal | int) -> str:
    return amount(Decimal(value))


def d8(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


def hhmm(value: datetime.time | datetime.datetime) -> str:
    return value.strftime("%H%M")


def render_segment(spec: SegmentSpec, delimiters: Delimiters = DEFAULT_DELIMITERS) -> str:
    """`('SV1', ('HC', '90834'), '150', 'UN', '1')` -> `SV1*HC:90834*150*UN*1` (no terminator)."""
    if not spec or not isinstance(spec[0], str):
        raise X12Error(f"a segment starts with its id: {spec!r}")
    forbidden = set(delimiters.all())
    parts = []
    for element in spec:
        if element is None:
            parts.append("")
            continue
        components = (element,) if isinstance(element, str) else tuple(element)
        for component in components:
            if not isinstance(component, str):
                raise X12Error(f"{spec[0]}: element values must be text, got {component!r}")
            if forbidden & set(component):
                raise X12Error(f"{spec[0]}: value {component!r} contains a delimiter")
        if isinstance(element, Repeated):
            if not delimiters.repetition:
                raise X12Error(f"{spec[0]}: repeated values need a repetition separator")
            parts.append(delimiters.repetition.join(v for v in components if v))
            continue
        parts.append(delimiters.component.join(_trim(list(components))))
    return delimiters.element.join(_trim(parts))


def _trim(values: list[str]) -> list[str]:
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return values


@dataclass(frozen=True)
class TransactionSpec:
    """One ST..SE set: `segments` is the body between ST and SE."""

    set_id: str  # ST01: 837, 999, 277
    control_number: str | int  # ST02, 4-9 characters (ints are zero-padded to 4)
    implementation: str  # ST03, e.g. 005010X222A1
    segments: Sequence[SegmentSpec]

    @property
    def st02(self) -> str:
        text = (
            f"{self.control_number:04d}"
            if isinstance(self.control_number, int)
            else (self.control_number)
        )
        if not 4 <= len(text) <= 9:
            raise X12Error(f"ST02 must be 4 to 9 characters, got {text!r}")
        return text


@dataclass(frozen=True)
class GroupSpec:
    """One GS..GE group. `sender`/`receiver` (GS02/GS03) default to the interchange ids."""

    functional_id: str  # GS01: HC 837, FA 999, HN 277
    version: str  # GS08
    control_number: int  # GS06 = GE02
    transactions: Sequence[TransactionSpec]
    sender: str = ""
    receiver: str = ""


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """The interchange header's parties, control number, time and usage (ISA15 P or T)."""

    sender_id: str
    receiver_id: str
    control_number: int  # ISA13 = IEA02, 1..999999999
    created: datetime.datetime
    usage: str = "P"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    ack_requested: bool = False  # ISA14: ask for a TA1
    delimiters: Delimiters = field(default=DEFAULT_DELIMITERS)
    newline: bool = False  # a line break after each terminator (readable; most receivers accept)

    def __post_init__(self) -> None:
        if self.usage not in ("P", "T"):
            raise X12Error(f"ISA15 usage must be P or T, got {self.usage!r}")
        if not 0 < self.control_number <= 999_999_999:
            raise X12Error(f"ISA13 must be 1..999999999, got {self.control_number}")
        for what, value in (("sender", self.sender_id), ("receiver", self.receiver_id)):
            if not value or len(value) > 15:
                raise X12Error(f"the ISA {what} id is 1 to 15 characters, got {value!r}")
        if not self.delimiters.repetition:
            raise X12Error("5010 needs a repetition separator (ISA11)")


def _isa(env: Envelope) -> SegmentSpec:
    d = env.delimiters
    return (
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        env.sender_qualifier,
        env.sender_id.ljust(15),
        env.receiver_qualifier,
        env.receiver_id.ljust(15),
        env.created.strftime("%y%m%d"),
        hhmm(env.created),
        d.repetition,
        "00501",
        f"{env.control_number:09d}",
        "1" if env.ack_requested else "0",
        env.usage,
        d.component,
    )


def _render_isa(env: Envelope) -> str:
    # ISA11 and ISA16 are delimiters themselves, so the ISA is joined without the value check.
    text = env.delimiters.element.join(e for e in _isa(env) if isinstance(e, str))
    if len(text) != 105:  # 106 with the terminator
        raise X12Error(f"ISA must be 106 characters, built {len(text) + 1}")
    return text


def write_interchange(envelope: Envelope, groups: Sequence[GroupSpec]) -> str:
    """One complete interchange (ISA..IEA) as text."""
    if not groups:
        raise X12Error("an interchange needs at least one functional group")
    d = envelope.delimiters
    end = d.segment + ("\n" if envelope.newline else "")
    lines = [_render_isa(envelope)]
    for group in groups:
        if not group.transactions:
            raise X12Error(f"group {group.control_number} has no transaction sets")
        if not 0 < group.control_number <= 999_999_999:
            raise X12Error(f"GS06 must be 1..999999999, got {group.control_number}")
        lines.append(render_segment(_gs(envelope, group), d))
        for spec in group.transactions:
            st02 = spec.st02
            lines.append(render_segment(("ST", spec.set_id, st02, spec.implementation), d))
            lines.extend(render_segment(s, d) for s in spec.segments)
            lines.append(render_segment(("SE", str(len(spec.segments) + 2), st02), d))
        lines.append(
            render_segment(("GE", str(len(group.transactions)), str(group.control_number)), d)
        )
    lines.append(render_segment(("IEA", str(len(groups)), f"{envelope.control_number:09d}"), d))
    return end.join(lines) + end


def _gs(env: Envelope, group: GroupSpec) -> SegmentSpec:
    return (
        "GS",
        group.functional_id,
        group.sender or env.sender_id,
        group.receiver or env.receiver_id,
        d8(env.created),
        hhmm(env.created),
        str(group.control_number),
        "X",
        group.version,
    )
