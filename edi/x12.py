"""Reading X12 5010 interchanges: delimiters from the ISA, segments, then the envelope tree.

`parse(text)` returns the file's interchanges (ISA..IEA), each holding functional groups
(GS..GE) holding transaction sets (ST..SE) holding segments (REFERENCE.md §10 "Envelope").

The reader is lenient about layout and strict about structure:

- tolerated: a UTF-8 byte-order mark, prose before the first ISA, CR/LF line breaks and
  indentation between segments, a segment terminator that is itself a line break, an ISA whose
  fixed-width fields were padded wrongly, several interchanges (each with its own delimiters);
- recorded, not raised (`Interchange.problems`): trailer counts and control numbers that do not
  match their headers, as real-world files often get them wrong;
- raised as `X12Error` (and only that type) with the segment's position: no ISA, a truncated
  file (an envelope never closed), segments outside an envelope, an unreadable segment id.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

__all__ = [
    "DEFAULT_DELIMITERS",
    "Delimiters",
    "FunctionalGroup",
    "Interchange",
    "Segment",
    "Transaction",
    "X12Error",
    "has_interchange",
    "only_x12_errors",
    "parse",
    "parse_bare",
    "transactions",
]

_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_ISA_ELEMENTS = 16


class X12Error(ValueError):
    """Malformed X12. `position` is the 1-based segment number in the file, when known."""

    def __init__(self, message: str, *, position: int | None = None, segment_id: str = ""):
        self.message = message
        self.position = position
        self.segment_id = segment_id
        where = ""
        if position is not None:
            where = f" (segment {position}{' ' + segment_id if segment_id else ''})"
        super().__init__(message + where)


@dataclass(frozen=True)
class Delimiters:
    """The four separators an interchange declares in its ISA (ISA11, ISA16 and the characters
    after ISA and after ISA16). `repetition` is empty when ISA11 is not a separator (4010's U)."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"

    def __post_init__(self) -> None:
        chars = [self.element, self.component, self.segment] + (
            [self.repetition] if self.repetition else []
        )
        if any(len(c) != 1 or c.isalnum() or c == " " for c in chars):
            raise X12Error(f"delimiters must be single non-alphanumeric characters: {chars!r}")
        if len(set(chars)) != len(chars):
            raise X12Error(f"delimiters must all differ: {chars!r}")

    def all(self) -> str:
        return self.element + self.component + self.repetition + self.segment


DEFAULT_DELIMITERS = Delimiters()


@dataclass(frozen=True)
class Segment:
    """One segment. `elements[0]` is the segment id, so `seg[1]` is the first data element
    (X12 numbering: SV101 is `seg.component(1, 1)`). Missing elements read as ''."""

    elements: tuple[str, ...]
    position: int  # 1-based, counted over the whole file
    delimiters: Delimiters = DEFAULT_DELIMITERS

    @property
    def id(self) -> str:
        return self.elements[0]

    def __getitem__(self, index: int) -> str:
        return self.element(index)

    def __len__(self) -> int:
        return len(self.elements) - 1

    def element(self, index: int) -> str:
        if index < 0:
            raise IndexError("X12 element positions start at 1")
        return self.elements[index] if index < len(self.elements) else ""

    def components(self, index: int) -> tuple[str, ...]:
        """The components of a composite element ('' element gives ())."""
        value = self.element(index)
        return tuple(value.split(self.delimiters.component)) if value else ()

    def component(self, index: int, sub: int) -> str:
        """Component `sub` (1-based) of element `index`, '' when absent."""
        parts = self.components(index)
        return parts[sub - 1] if 0 < sub <= len(parts) else ""

    def repetitions(self, index: int) -> tuple[str, ...]:
        value = self.element(index)
        if not value:
            return ()
        rep = self.delimiters.repetition
        return tuple(value.split(rep)) if rep else (value,)

    def __str__(self) -> str:
        return self.delimiters.element.join(self.elements)


@dataclass(frozen=True)
class Transaction:
    """ST..SE inclusive. Positions inside the set (as a 999 reports them) are index + 1."""

    segments: tuple[Segment, ...]

    @property
    def header(self) -> Segment:
        return self.segments[0]

    @property
    def set_id(self) -> str:
        return self.header[1]

    @property
    def control_number(self) -> str:
        return self.header[2]

    @property
    def version(self) -> str:
        return self.header[3]

    @property
    def body(self) -> tuple[Segment, ...]:
        """The segments between ST and SE."""
        return self.segments[1:-1]

    def position_of(self, segment: Segment) -> int:
        return segment.position - self.header.position + 1


@dataclass(frozen=True)
class FunctionalGroup:
    header: Segment  # GS
    trailer: Segment  # GE
    transactions: tuple[Transaction, ...]

    @property
    def functional_id(self) -> str:
        return self.header[1]

    @property
    def sender(self) -> str:
        return self.header[2]

    @property
    def receiver(self) -> str:
        return self.header[3]

    @property
    def control_number(self) -> str:
        return self.header[6]

    @property
    def version(self) -> str:
        return self.header[8]


@dataclass(frozen=True)
class Interchange:
    header: Segment  # ISA
    trailer: Segment  # IEA
    groups: tuple[FunctionalGroup, ...]
    delimiters: Delimiters
    problems: tuple[str, ...] = field(default=())

    @property
    def sender(self) -> tuple[str, str]:
        """(qualifier, id) from ISA05/ISA06, padding removed."""
        return self.header[5].strip(), self.header[6].strip()

    @property
    def receiver(self) -> tuple[str, str]:
        return self.header[7].strip(), self.header[8].strip()

    @property
    def control_number(self) -> str:
        return self.header[13]

    @property
    def usage(self) -> str:
        return self.header[15]

    @property
    def date(self) -> str:
        return self.header[9]

    @property
    def time(self) -> str:
        return self.header[10]


# --- tokenizing -----------------------------------------------------------------------------


def _as_text(data: str | bytes) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            data = data.decode("latin-1")  # X12 is ASCII; never fail on a stray byte
    if not isinstance(data, str):
        raise X12Error(f"expected text or bytes, got {type(data).__name__}")
    return data.lstrip("\ufeff")


_ISA_START = re.compile(r"ISA(?=[^A-Za-z0-9\s])")


def _find_isa(text: str, start: int) -> int:
    match = _ISA_START.search(text, start)
    return -1 if match is None else match.start()


def _read_delimiters(text: str, at: int, position: int) -> tuple[Delimiters, int]:
    """Delimiters of the ISA starting at `at` and the index where that ISA ends (its terminator).

    ISA16 is found by counting element separators rather than by fixed offsets, so an ISA with
    badly padded fields (seen in the wild) still reads.
    """
    element = text[at + 3]
    index = at + 3
    for _ in range(_ISA_ELEMENTS - 1):
        index = text.find(element, index + 1)
        if index < 0:
            raise X12Error("ISA segment is truncated", position=position, segment_id="ISA")
    component_at, terminator_at = index + 1, index + 2
    if terminator_at >= len(text):
        raise X12Error("ISA segment is truncated", position=position, segment_id="ISA")
    repetition = text[at:index].split(element)[11]
    if len(repetition) != 1 or repetition.isalnum() or repetition in (element, text[component_at]):
        # 4010 put a standards id (U) here, not a separator; a file that declares the same
        # character for repetition and components (seen in the wild) gets components only.
        repetition = ""
    try:
        delimiters = Delimiters(
            element=element,
            component=text[component_at],
            repetition=repetition,
            segment=text[terminator_at],
        )
    except X12Error as exc:
        raise X12Error(exc.message, position=position, segment_id="ISA") from None
    return delimiters, terminator_at


def _segments(text: str) -> Iterator[Segment]:
    """Every segment in the file, each interchange split with its own delimiters."""
    position = 0
    start = _find_isa(text, 0)
    if start < 0:
        raise X12Error("no ISA segment found: not an X12 interchange")
    while start >= 0:
        delimiters, _ = _read_delimiters(text, start, position + 1)
        cursor = start
        while True:
            end = text.find(delimiters.segment, cursor)
            raw = text[cursor:] if end < 0 else text[cursor:end]
            cursor = len(text) if end < 0 else end + 1
            raw = raw.strip()
            if raw:
                position += 1
                segment = _segment(raw, delimiters, position)
                yield segment
                if segment.id == "IEA":
                    break
            if cursor >= len(text):
                return
        start = _find_isa(text, cursor)
        leftover = text[cursor : start if start >= 0 else len(text)].strip()
        if leftover:
            raise X12Error(f"unexpected text after IEA: {leftover[:30]!r}", position=position + 1)


def _segment(raw: str, delimiters: Delimiters, position: int) -> Segment:
    elements = raw.split(delimiters.element)
    seg_id = elements[0]
    if not _SEGMENT_ID.fullmatch(seg_id):
        raise X12Error(f"not a segment id: {seg_id[:20]!r}", position=position)
    if seg_id == "ISA" and len(elements) != _ISA_ELEMENTS + 1:
        raise X12Error(
            f"ISA has {len(elements) - 1} elements, expected 16",
            position=position,
            segment_id="ISA",
        )
    return Segment(elements=tuple(elements), position=position, delimiters=delimiters)


# --- the envelope tree ----------------------------------------------------------------------


_P = ParamSpec("_P")
_R = TypeVar("_R")


def only_x12_errors(reader: Callable[_P, _R]) -> Callable[_P, _R]:
    """Readers promise one failure type: anything unexpected inside surfaces as `X12Error`
    (a reader bug on odd input must not become a 500 in the caller)."""

    @functools.wraps(reader)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return reader(*args, **kwargs)
        except X12Error:
            raise
        except Exception as exc:
            raise X12Error(f"unreadable X12: {exc.__class__.__name__}: {exc}") from exc

    return wrapper


@only_x12_errors
def parse(data: str | bytes) -> list[Interchange]:
    """Every interchange in `data`. Raises `X12Error` (only) when the text is not X12."""
    return _Builder(_segments(_as_text(data))).interchanges()


def transactions(data: str | bytes) -> list[Transaction]:
    """Every transaction set in the file, in order (all interchanges and groups)."""
    return [t for i in parse(data) for g in i.groups for t in g.transactions]


def has_interchange(data: str | bytes) -> bool:
    """Whether the text holds an ISA at all (else it may be bare ST..SE sets, `parse_bare`)."""
    return _find_isa(_as_text(data), 0) >= 0


# ST, its element separator, the set id, the separator again, the control number, then the
# first character that is none of those: the segment terminator.
_BARE_ST = re.compile(
    r"(?<![A-Za-z0-9])ST([^A-Za-z0-9\s])\d{3}\1(?:[A-Za-z0-9]|\1)*([^A-Za-z0-9 ])"
)
_COMPOSITE_HINT = r"(?:SVC|SV1|SV2|SV3|CLM|HI|PLB|STC){e}[A-Z0-9]{{2,3}}([^A-Za-z0-9\s])"


@only_x12_errors
def parse_bare(data: str | bytes) -> list[Transaction]:
    """Transaction sets sent without an ISA/GS envelope (ST..SE only; some payers' portals
    hand out 835s so). Without an ISA the delimiters are inferred: the element separator follows
    ST, the segment terminator is the first other character after ST02, the component separator
    is the one composites use (':' when none appears) and repetition is not a separator."""
    text = _as_text(data)
    match = _BARE_ST.search(text)
    if match is None:
        raise X12Error("no ISA segment and no ST segment found: not X12")
    element, terminator = match.group(1), match.group(2)
    if terminator in "\r\n":
        terminator = "\n"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    hint = re.search(_COMPOSITE_HINT.format(e=re.escape(element)), text[match.start() :])
    component = hint.group(1) if hint and hint.group(1) not in (element, terminator) else ":"
    delimiters = Delimiters(element=element, component=component, repetition="", segment=terminator)
    return _bare_sets(text[match.start() :], delimiters)


def _bare_sets(text: str, delimiters: Delimiters) -> list[Transaction]:
    def segments() -> Iterator[Segment]:
        position = 0
        for raw in text.split(delimiters.segment):
            if raw.strip():
                position += 1
                yield _segment(raw.strip(), delimiters, position)

    builder = _Builder(segments())
    found = []
    for segment in builder._segments:
        builder._last = segment
        if segment.id != "ST":
            raise X12Error("expected ST", position=segment.position, segment_id=segment.id)
        found.append(builder._transaction(segment))
    return found


class _Builder:
    def __init__(self, segments: Iterator[Segment]):
        self._segments = segments
        self._last: Segment | None = None
        self._problems: list[str] = []

    def _next(self, expecting: str) -> Segment:
        segment = next(self._segments, None)
        if segment is None:
            position = self._last.position + 1 if self._last else None
            raise X12Error(f"file ends before {expecting}: truncated", position=position)
        self._last = segment
        return segment

    def interchanges(self) -> list[Interchange]:
        result = []
        for segment in self._segments:
            self._last = segment
            if segment.id != "ISA":
                raise X12Error("expected ISA", position=segment.position, segment_id=segment.id)
            result.append(self._interchange(segment))
        return result

    def _interchange(self, isa: Segment) -> Interchange:
        self._problems = []
        groups = []
        while True:
            segment = self._next("IEA")
            if segment.id == "IEA":
                break
            if segment.id != "GS":
                raise X12Error(
                    "expected GS or IEA", position=segment.position, segment_id=segment.id
                )
            groups.append(self._group(segment))
        self._check(segment, 1, len(groups), "IEA01 (group count)")
        self._check(segment, 2, isa[13], "IEA02 (ISA13 control number)")
        return Interchange(isa, segment, tuple(groups), isa.delimiters, tuple(self._problems))

    def _group(self, gs: Segment) -> FunctionalGroup:
        sets = []
        while True:
            segment = self._next("GE")
            if segment.id == "GE":
                break
            if segment.id != "ST":
                raise X12Error(
                    "expected ST or GE", position=segment.position, segment_id=segment.id
                )
            sets.append(self._transaction(segment))
        self._check(segment, 1, len(sets), "GE01 (transaction count)")
        self._check(segment, 2, gs[6], "GE02 (GS06 control number)")
        return FunctionalGroup(gs, segment, tuple(sets))

    def _transaction(self, st: Segment) -> Transaction:
        segments = [st]
        while True:
            segment = self._next("SE")
            segments.append(segment)
            if segment.id == "SE":
                break
            if segment.id in ("ISA", "IEA", "GS", "GE", "ST"):
                raise X12Error(
                    f"{segment.id} inside transaction set {st[2]!r} (SE missing)",
                    position=segment.position,
                    segment_id=segment.id,
                )
        self._check(segment, 1, len(segments), "SE01 (segment count)")
        self._check(segment, 2, st[2], "SE02 (ST02 control number)")
        return Transaction(tuple(segments))

    def _check(self, trailer: Segment, index: int, expected: int | str, what: str) -> None:
        found = trailer[index]
        same = (
            found.isdigit() and int(found) == expected
            if isinstance(expected, int)
            else found.strip() == expected.strip()
            or (found.isdigit() and expected.isdigit() and int(found) == int(expected))
        )
        if not same:
            self._problems.append(
                f"segment {trailer.position} {trailer.id}: {what} is {found!r}, expected "
                f"{expected!r}"
            )
