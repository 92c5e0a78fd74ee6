"""Which of a service's reasons explain which line: the trace stays one flat list (the order
decisions were made in), and each line is given the reasons that concern it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from .types import ServiceLine


@cache
def _token(word: str) -> re.Pattern[str]:
    """`word` standing alone: 90834 is not named by 908345, attendee 1 not by attendee 10."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(word)}(?![0-9A-Za-z])")


def names(reason: str, word: str) -> bool:
    return bool(_token(word).search(reason))


_WORD = re.compile(r"[0-9A-Za-z]+")


@lru_cache(maxsize=8192)
def _words(reason: str) -> frozenset[str]:
    """The reason's words: a code (letters and digits only) stands alone in a reason exactly
    when it is one of them. Reasons repeat across services, so they are read once."""
    return frozenset(_WORD.findall(reason))


def explain_lines(
    lines: Sequence[ServiceLine], reasons: Sequence[str], refs: Iterable[str]
) -> list[tuple[str, ...]]:
    """For each line, the reasons that name its code or no billed code at all; for one
    attendee's line, none that are about another attendee only (`refs`: every attendee's
    label). Each reason is read once, whatever the number of lines."""
    codes = frozenset(line.code for line in lines)
    labels = list(refs)
    facts = [
        (reason, _words(reason), {ref for ref in labels if names(reason, ref)})
        for reason in reasons
    ]
    return [
        tuple(r for r, words, named in facts if _concerns(line, codes, words, named))
        for line in lines
    ]


def _concerns(
    line: ServiceLine, codes: frozenset[str], words: frozenset[str], named: set[str]
) -> bool:
    if named - {line.patient_ref} and line.patient_ref not in named:
        return False  # about another attendee only
    # A reason that names no billed code is about the whole service: who bills, the place,
    # the week, the payer's modifiers.
    return line.code in words or not (codes & words)
