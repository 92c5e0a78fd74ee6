"""Checks of a payer's codes by program x level x service kind (`Payer.program_codes`), with
messages that name the program, level and kind at fault. Sources: REFERENCE.md §2 (code
patterns by level) and §14 (codes depend on the program; POS 52 is partial hospitalization)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payers.rules import (
    ANY_LEVEL,
    EVALUATION,
    GROUP,
    PROGRAM_CODE_KINDS,
    PROGRAM_DAY,
    PROGRAMS,
)
from payers.services.codes import LEVEL_UNITS, LEVELS, each_shaped, shape_error
from rcm.fielderrors import FieldErrors

COLUMN = "program_codes"
PROGRAM_LABELS = {"mh": "MH", "sud": "SUD"}
SERVICE_UNITS = {"per_session": "per session", "per_15min": "per 15 min", "per_hour": "per hour"}
_DAY_KEYS = (
    "hcpcs",
    "revenue_code",
    "modifiers",
    "label",
    "type_of_bill",
    "pos",
    "condition_codes",
    "unit",
    "min_days_per_week",
)
_SERVICE_KEYS = ("hcpcs", "modifiers", "unit", "label")
_GROUP_KEYS = ("mode", "code", "modifiers")
EVALUATION_CODES = ("90791", "90792")
# POS 52 is "psychiatric facility - partial hospitalization": never an IOP (REFERENCE.md §14).
PHP_ONLY_POS = "52"


def _add(errors: FieldErrors, where: str, message: str) -> None:
    errors.add(COLUMN, f"{where}: {message}")


def _unknown(errors: FieldErrors, where: str, entry: Mapping[str, Any], allowed: tuple) -> None:
    extra = sorted(set(entry) - set(allowed))
    if extra:
        _add(errors, where, f"unknown setting(s) {', '.join(extra)}.")


def _shape(errors: FieldErrors, where: str, kind: str, value: Any, what: str) -> None:
    if value not in (None, "") and (message := shape_error(kind, value, what)):
        _add(errors, where, message)


def _check_day(errors: FieldErrors, where: str, level: str, entry: Mapping[str, Any]) -> None:
    _unknown(errors, where, entry, _DAY_KEYS)
    if level == ANY_LEVEL:
        _add(errors, where, "program-day codes belong to a level of care, not 'any'.")
    if not entry.get("hcpcs"):
        _add(errors, where, "needs an HCPCS/CPT code.")
    _shape(errors, where, "code", entry.get("hcpcs"), "code")
    _shape(errors, where, "revenue_code", entry.get("revenue_code"), "revenue code")
    _shape(errors, where, "type_of_bill", entry.get("type_of_bill"), "type of bill")
    _shape(errors, where, "pos", entry.get("pos"), "place of service")
    if level == "iop" and entry.get("pos") == PHP_ONLY_POS:
        _add(errors, where, "POS 52 is partial hospitalization; an IOP uses its real site.")
    each_shaped(errors, COLUMN, "modifier", entry.get("modifiers", []), f"{where}: modifier")
    each_shaped(
        errors, COLUMN, "condition_code", entry.get("condition_codes", []), f"{where}: condition"
    )
    if entry.get("unit") not in (None, *LEVEL_UNITS):
        _add(errors, where, f"unit must be one of {', '.join(LEVEL_UNITS)}.")
    days = entry.get("min_days_per_week")
    if days is not None and not (isinstance(days, int) and 1 <= days <= 7):
        _add(errors, where, "minimum days a week must be a whole number 1-7.")


def _check_group(errors: FieldErrors, where: str, entry: Mapping[str, Any]) -> None:
    _unknown(errors, where, entry, _GROUP_KEYS)
    if entry.get("mode") not in ("per_session", "per_15min"):
        _add(errors, where, "mode must be per_session or per_15min.")
    if not entry.get("code"):
        _add(errors, where, "needs a group code.")
    _shape(errors, where, "code", entry.get("code"), "group code")
    each_shaped(errors, COLUMN, "modifier", entry.get("modifiers", []), f"{where}: modifier")


def _check_evaluation(errors: FieldErrors, where: str, entry: Mapping[str, Any]) -> None:
    _unknown(errors, where, entry, EVALUATION_CODES)
    for cpt in EVALUATION_CODES:
        _shape(errors, where, "code", entry.get(cpt), f"code billed for {cpt}")


def _check_service(errors: FieldErrors, where: str, entry: Mapping[str, Any]) -> None:
    _unknown(errors, where, entry, _SERVICE_KEYS)
    if not entry.get("hcpcs") and not entry.get("modifiers"):
        _add(errors, where, "needs a code, or modifiers to add to the CPT code.")
    _shape(errors, where, "code", entry.get("hcpcs"), "code")
    each_shaped(errors, COLUMN, "modifier", entry.get("modifiers", []), f"{where}: modifier")
    if entry.get("unit") not in (None, *SERVICE_UNITS):
        _add(errors, where, f"unit must be one of {', '.join(SERVICE_UNITS)}.")


def _check_entry(errors: FieldErrors, where: str, level: str, kind: str, entry: Any) -> None:
    if not isinstance(entry, Mapping):
        _add(errors, where, "must be an object of named settings.")
    elif kind == PROGRAM_DAY:
        _check_day(errors, where, level, entry)
    elif kind == GROUP:
        _check_group(errors, where, entry)
    elif kind == EVALUATION:
        _check_evaluation(errors, where, entry)
    else:
        _check_service(errors, where, entry)


def _levels_of(errors: FieldErrors, program: str, levels: Any) -> Mapping[str, Any]:
    if program not in PROGRAMS:
        errors.add(COLUMN, f"Unknown program {program!r}; use mh or sud.")
        return {}
    if not isinstance(levels, Mapping):
        errors.add(COLUMN, f"{PROGRAM_LABELS[program]}: must map levels of care to codes.")
        return {}
    return levels


def check_program_codes(p: Any, errors: FieldErrors) -> None:
    data = p.program_codes
    if not isinstance(data, Mapping):
        errors.add(COLUMN, "must be an object keyed by program (mh, sud).")
        return
    for program, levels in data.items():
        for level, kinds in _levels_of(errors, program, levels).items():
            where = f"{PROGRAM_LABELS[program]} {level}"
            if level != ANY_LEVEL and level not in LEVELS:
                errors.add(COLUMN, f"{where}: unknown level of care.")
                continue
            if not isinstance(kinds, Mapping):
                errors.add(COLUMN, f"{where}: must map service kinds to codes.")
                continue
            for kind, entry in kinds.items():
                if kind not in PROGRAM_CODE_KINDS:
                    errors.add(COLUMN, f"{where}: unknown service kind {kind!r}.")
                else:
                    _check_entry(errors, f"{where} {kind.replace('_', ' ')}", level, kind, entry)
