"""Which of a service's reasons explain which line: the trace stays one flat list (the order
decisions were made in), and each line is given the reasons that concern it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

from .types import ServiceLine


@cache
def _token(word: str) -> re.Pattern[str]:
    """`word` standing alone: 90834 is not named by 908345, attendee 1 not by attendee 10."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(word)}(?![0-9A-Za-z])")


def names(reason: str, word: str) -> bool:
    return bool(_token(word).search(reason))


def _concerns(reason: str, line: ServiceLine, codes: frozenset[str], others: Iterable[str]) -> bool:
    mine = line.patient_ref is not None and names(reason, line.patient_ref)
    if not mine and any(names(reason, ref) for ref in others):
        return False  # about another attendee
    # A reason that names no billed code is about the whole service: who bills, the place,
    # the week, the payer's modifiers.
    return names(reason, line.code) or not any(names(reason, code) for code in codes)


def reasons_of_line(
    line: ServiceLine, reasons: Sequence[str], lines: Sequence[ServiceLine], refs: Iterable[str]
) -> tuple[str, ...]:
    """The reasons that name `line`'s code, or name no billed code at all; for one attendee's
    line, none that are about another attendee only (`refs`: every attendee's label)."""
    codes = frozenset(other.code for other in lines)
    others = [ref for ref in refs if ref != line.patient_ref]
    return tuple(reason for reason in reasons if _concerns(reason, line, codes, others))
