"""Codes by program on the payer edit page: one table of inputs per program (MH, SUD) for
`Payer.program_codes`, its rows <-> the column, and the service's messages routed to the row
(and cell) they name.

Rows: a program day at each program level, then at any level of the program the group rule,
the evaluation codes and each service kind's code. An empty row stores nothing, so the
program-independent columns apply. Entries the page has no row for (a service kind at one
level, set through the API) are kept as they are when the page is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from payers.models import Payer
from payers.rules import ANY_LEVEL, EVALUATION, GROUP, PROGRAM_DAY, PROGRAMS
from payers.services.codes import LEVEL_UNITS, MAX_LINE_MODIFIERS
from payers.services.program_codes import (
    COLUMN,
    EVALUATION_CODES,
    PROGRAM_LABELS,
    SERVICE_UNITS,
)
from payers.views.fields import GROUP_MODES, LEVELS, TokenListField, upper_char
from payers.views.summaries import SERVICE_LABELS, as_dict, program_code_row

# Outpatient care is billed by the session, never as a program day.
DAY_LEVELS: list[tuple[str, str]] = [(lv, label) for lv, label in LEVELS if lv != "outpatient"]
SERVICE_KINDS: tuple[str, ...] = tuple(SERVICE_LABELS)
# The parts of each kind of entry, in the order of `Payer.program_codes` keys.
PARTS: dict[str, tuple[str, ...]] = {
    PROGRAM_DAY: (
        "hcpcs",
        "modifiers",
        "revenue_code",
        "type_of_bill",
        "pos",
        "condition_codes",
        "unit",
        "min_days_per_week",
        "label",
    ),
    GROUP: ("mode", "code", "modifiers"),
    EVALUATION: EVALUATION_CODES,
    **{kind: ("hcpcs", "modifiers", "unit", "label") for kind in SERVICE_KINDS},
}
# The table's columns; each row puts its parts under them (None: an empty cell).
TABLE_COLUMNS = (
    "hcpcs",
    "modifiers",
    "revenue_code",
    "type_of_bill",
    "pos",
    "condition_codes",
    "unit",
    "min_days_per_week",
    "label",
)
_SERVICE_CELLS = {"hcpcs": "hcpcs", "modifiers": "modifiers", "unit": "unit", "label": "label"}
# Where a service message about an entry lands when its words name no cell of the row.
_CODE_PART = {PROGRAM_DAY: "hcpcs", GROUP: "code", EVALUATION: "90791"}
# How the service's messages (payers.services.program_codes) begin -> the cell they are about;
# any other message ("needs a code...") is about the row's code.
_MESSAGE_CELLS = (
    ("POS", "pos"),
    ("place of service", "pos"),
    ("revenue code", "revenue_code"),
    ("type of bill", "type_of_bill"),
    ("condition", "condition_codes"),
    ("modifier", "modifiers"),
    ("mode", "mode"),
    ("unit", "unit"),
    *((f"code billed for {cpt}", cpt) for cpt in EVALUATION_CODES),
)


def field_name(program: str, level: str, kind: str, part: str) -> str:
    """The input for one part of one entry: pc_<program>_<level>_<kind>_<part>."""
    return f"pc_{program}_{level}_{kind}_{part}"


def _entries_on_page() -> list[tuple[str, str]]:
    """(level, kind) of every entry the page edits, in table order."""
    days = [(lv, PROGRAM_DAY) for lv, _ in DAY_LEVELS]
    return [*days, *((ANY_LEVEL, kind) for kind in (GROUP, EVALUATION, *SERVICE_KINDS))]


ON_PAGE = frozenset(
    (program, level, kind) for program in PROGRAMS for level, kind in _entries_on_page()
)


# --- Inputs --------------------------------------------------------------------------------


def _input(kind: str, part: str) -> forms.Field:
    if part in ("hcpcs", "code", *EVALUATION_CODES):
        return upper_char("code")
    if part in ("revenue_code", "type_of_bill", "pos"):
        return upper_char(part)
    if part == "modifiers":
        return TokenListField(kind="modifier", most=MAX_LINE_MODIFIERS)
    if part == "condition_codes":
        return TokenListField(kind="condition_code")
    if part == "mode":
        return forms.ChoiceField(required=False, choices=[("", "—"), *GROUP_MODES.items()])
    if part == "min_days_per_week":
        return forms.IntegerField(required=False, min_value=1, max_value=7)
    if part == "unit" and kind == PROGRAM_DAY:
        return forms.ChoiceField(required=False, choices=list(LEVEL_UNITS.items()))
    if part == "unit":
        return forms.ChoiceField(required=False, choices=[("", "—"), *SERVICE_UNITS.items()])
    return forms.CharField(required=False, max_length=80)  # label


_PART_LABELS = {
    "hcpcs": "code",
    "code": "code",
    "modifiers": "modifiers",
    "revenue_code": "rev code",
    "type_of_bill": "TOB",
    "pos": "POS",
    "condition_codes": "condition codes",
    "unit": "unit",
    "min_days_per_week": "min days a week",
    "mode": "billed",
    "label": "description",
    **{cpt: f"bill {cpt} as" for cpt in EVALUATION_CODES},
}


def row_label(level: str, kind: str) -> str:
    if kind == PROGRAM_DAY:
        return f"{dict(LEVELS)[level]}: program day"
    if kind == GROUP:
        return "Group"
    if kind == EVALUATION:
        return "Evaluation"
    return SERVICE_LABELS[kind]


def add_program_code_fields(fields: dict[str, forms.Field]) -> None:
    """The inputs of the "Codes by program" tables, added to a form's fields."""
    for program in PROGRAMS:
        for level, kind in _entries_on_page():
            for part in PARTS[kind]:
                label = f"{PROGRAM_LABELS[program]} {row_label(level, kind)}: {_PART_LABELS[part]}"
                field = _input(kind, part)
                field.label = label
                field.widget.attrs["aria-label"] = label
                fields[field_name(program, level, kind, part)] = field


def _rows_of(level: str, kind: str) -> list[tuple[str, dict[str, str]]]:
    """(row label, {table column: part}) for the table rows of one entry."""
    if kind == PROGRAM_DAY:
        return [(row_label(level, kind), {c: c for c in TABLE_COLUMNS})]
    if kind == GROUP:
        return [("Group", {"hcpcs": "code", "modifiers": "modifiers", "unit": "mode"})]
    if kind == EVALUATION:
        return [(f"Evaluation: bill {cpt} as", {"hcpcs": cpt}) for cpt in EVALUATION_CODES]
    return [(row_label(level, kind), _SERVICE_CELLS)]


def program_code_tables(form: forms.Form) -> list[dict[str, Any]]:
    """Per program: its key, label, program-day rows and any-level rows, each row a label and
    one bound field (or None) per table column."""
    tables = []
    for program in PROGRAMS:
        rows: dict[str, list[tuple[str, list[Any]]]] = {"day_rows": [], "any_rows": []}
        for level, kind in _entries_on_page():
            for label, cells in _rows_of(level, kind):
                bound = [
                    form[field_name(program, level, kind, cells[c])] if c in cells else None
                    for c in TABLE_COLUMNS
                ]
                rows["day_rows" if kind == PROGRAM_DAY else "any_rows"].append((label, bound))
        tables.append({"key": program, "label": PROGRAM_LABELS[program], **rows})
    return tables


# --- Row checks ----------------------------------------------------------------------------


def _row_errors(data: Mapping[str, Any], program: str, level: str, kind: str) -> dict[str, str]:
    """{part: message} for a row that has something in it but not what it needs."""
    value = {part: data.get(field_name(program, level, kind, part)) for part in PARTS[kind]}
    if kind == PROGRAM_DAY:
        rest = [v for p, v in value.items() if p not in ("hcpcs", "unit")]
        filled = any(rest) or value["unit"] not in ("", None, "per_diem")
        if filled and not value["hcpcs"]:
            return {"hcpcs": "Enter the code billed for this program day, or clear the row."}
    elif kind == GROUP:
        errors = {}
        if value["code"] and not value["mode"]:
            errors["mode"] = "Choose how the group is billed."
        if (value["mode"] or value["modifiers"]) and not value["code"]:
            errors["code"] = "Enter the group code, or clear the row."
        return errors
    elif kind in SERVICE_KINDS:
        if (value["unit"] or value["label"]) and not (value["hcpcs"] or value["modifiers"]):
            return {"hcpcs": "Enter a code, or modifiers to add to the CPT code, or clear the row."}
    return {}


def clean_program_codes(form: forms.Form, data: Mapping[str, Any]) -> None:
    """Row checks of the "Codes by program" tables; the service checks the entries."""
    for program in PROGRAMS:
        for level, kind in _entries_on_page():
            names = [field_name(program, level, kind, part) for part in PARTS[kind]]
            if any(name in form.errors for name in names):
                continue  # a cell of the row is already refused; say nothing more about it
            for part, message in _row_errors(data, program, level, kind).items():
                form.add_error(field_name(program, level, kind, part), message)


# --- Rows <-> the column -------------------------------------------------------------------


def _entry(d: Mapping[str, Any], program: str, level: str, kind: str) -> dict[str, Any] | None:
    entry = {part: d.get(field_name(program, level, kind, part)) for part in PARTS[kind]}
    if kind == PROGRAM_DAY:
        if not entry["hcpcs"]:
            return None
        entry["unit"] = entry["unit"] or "per_diem"
    elif kind == GROUP and not entry["code"]:
        return None
    elif kind in SERVICE_KINDS and not (entry["hcpcs"] or entry["modifiers"]):
        return None
    return {k: v for k, v in entry.items() if v not in ("", None, [])} or None


def program_codes_column(d: Mapping[str, Any]) -> dict[str, Any]:
    """`Payer.program_codes` described by a valid form's cleaned data (empty rows: nothing)."""
    codes: dict[str, Any] = {}
    for program in PROGRAMS:
        for level, kind in _entries_on_page():
            entry = _entry(d, program, level, kind)
            if entry:
                codes.setdefault(program, {}).setdefault(level, {})[kind] = entry
    return codes


def program_codes_initial(p: Payer) -> dict[str, Any]:
    """Form values describing `p.program_codes` (the inverse of `program_codes_column`)."""
    initial: dict[str, Any] = {}
    codes = as_dict(p.program_codes)
    for program, level, kind in sorted(ON_PAGE):
        entry = as_dict(as_dict(as_dict(codes.get(program)).get(level)).get(kind))
        if not entry:
            continue
        for part in PARTS[kind]:
            initial[field_name(program, level, kind, part)] = entry.get(part)
        if kind == PROGRAM_DAY:
            initial[field_name(program, level, kind, "unit")] = entry.get("unit") or "per_diem"
    return initial


def entries_off_the_page(p: Payer) -> list[tuple[str, str, str, Any]]:
    """(program, level, kind, entry) of `p.program_codes` entries the page has no row for."""
    found = []
    for program, levels in as_dict(p.program_codes).items():
        for level, kinds in as_dict(levels).items():
            for kind, entry in as_dict(kinds).items():
                if (program, level, kind) not in ON_PAGE:
                    found.append((program, level, kind, entry))
    return found


def kept_rows(p: Payer) -> list[dict[str, Any]]:
    """The entries the page keeps as they are, in words (for a note on the page)."""
    return [
        {"program": PROGRAM_LABELS.get(program, program), **program_code_row(level, kind, entry)}
        for program, level, kind, entry in entries_off_the_page(p)
    ]


def with_entries_off_the_page(codes: Mapping[str, Any], p: Payer) -> dict[str, Any]:
    """`codes` (from the page) plus the payer's entries the page does not edit, unchanged."""
    merged = {
        program: {lv: dict(k) for lv, k in levels.items()} for program, levels in codes.items()
    }
    for program, level, kind, entry in entries_off_the_page(p):
        merged.setdefault(program, {}).setdefault(level, {})[kind] = entry
    return merged


# --- Service messages onto the rows --------------------------------------------------------

_WHERE = {
    f"{PROGRAM_LABELS[program]} {level} {kind.replace('_', ' ')}: ": (program, level, kind)
    for program, level, kind in ON_PAGE
}


def _cell_of(message: str) -> tuple[str, str] | None:
    """(input name, message without its row prefix) for a program-codes message about a row of
    the page, else None."""
    for prefix, (program, level, kind) in _WHERE.items():
        if message.startswith(prefix):
            text = message[len(prefix) :]
            part = next(
                (p for start, p in _MESSAGE_CELLS if text.startswith(start) and p in PARTS[kind]),
                _CODE_PART.get(kind, "hcpcs"),
            )
            return field_name(program, level, kind, part), text[:1].upper() + text[1:]
    return None


def errors_on_rows(exc: ValidationError) -> ValidationError:
    """The service's errors with each program-codes message about a row moved onto its cell."""
    if not hasattr(exc, "error_dict") or COLUMN not in exc.error_dict:
        return exc
    detail = exc.message_dict
    routed = {field: list(messages) for field, messages in detail.items() if field != COLUMN}
    for message in detail[COLUMN]:
        name, text = _cell_of(message) or (COLUMN, message)
        routed.setdefault(name, []).append(text)
    return ValidationError(routed)
