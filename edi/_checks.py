"""Cheap structural checks shared by the 837 dataclasses (edi.claim837): each raises a
ValueError that names the class and the field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import NoReturn

MAX_MODIFIERS = 4

_NPI = re.compile(r"\d{10}")
_TIN = re.compile(r"\d{9}")
_ZIP = re.compile(r"\d{5}(\d{4})?")
_STATE = re.compile(r"[A-Z]{2}")
_ICD10 = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
_TAXONOMY = re.compile(r"[0-9A-Z]{9}X")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
_REVENUE = re.compile(r"\d{4}")
_TWO_DIGITS = re.compile(r"\d{2}")
# The characters an X12 writer uses as delimiters may never appear inside a value.
_DELIMITERS = frozenset("*:^~>|")


def _fail(owner: str, message: str) -> NoReturn:
    raise ValueError(f"{owner}: {message}")


def _match(owner: str, name: str, pattern: re.Pattern[str], value: str, what: str) -> None:
    if not pattern.fullmatch(value):
        _fail(owner, f"{name} must be {what}, got {value!r}")


def _text(owner: str, name: str, value: str, *, max_len: int, required: bool = True) -> None:
    if required and not value.strip():
        _fail(owner, f"{name} is required")
    if len(value) > max_len:
        _fail(owner, f"{name} is at most {max_len} characters, got {len(value)}")
    if _DELIMITERS & set(value):
        _fail(owner, f"{name} may not contain any of {''.join(sorted(_DELIMITERS))}")


def _money(owner: str, name: str, value: Decimal, *, signed: bool = False) -> None:
    if not isinstance(value, Decimal):
        _fail(owner, f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite() or (value < 0 and not signed):
        _fail(owner, f"{name} must be a finite amount{'' if signed else ' >= 0'}, got {value}")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        _fail(owner, f"{name} has more than 2 decimal places: {value}")


def _one_of(owner: str, name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        _fail(owner, f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _modifiers(owner: str, modifiers: tuple[str, ...]) -> None:
    if len(modifiers) > MAX_MODIFIERS:
        _fail(owner, f"at most {MAX_MODIFIERS} modifiers, got {len(modifiers)}")
    for modifier in modifiers:
        _match(owner, "modifier", _MODIFIER, modifier, "2 letters or digits")


def _adjustments(owner: str, adjustments: tuple) -> None:
    """CAS: one segment per group code, six reason/amount/quantity triplets in it."""
    groups = [a.group for a in adjustments]
    for group in set(groups):
        if groups.count(group) > 6:
            _fail(owner, f"at most 6 adjustments per group code, {group} has {groups.count(group)}")
