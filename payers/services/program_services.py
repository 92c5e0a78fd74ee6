"""Checks of a level's per-service program day (Medicare PHP/IOP, REFERENCE.md §14): the codes
of the services inside the day (`services`: kind -> HCPCS, revenue code, unit minutes, minimum
minutes) and the day's payment classes (`payment_classes`: from how many qualifying services,
label, APC), with messages that name the service or class at fault."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coding.types import ProgramServiceKind, program_service_label
from payers.services.codes import each_shaped, shape_error
from rcm.fielderrors import FieldErrors

SERVICE_KEYS = ("hcpcs", "revenue_code", "unit_minutes", "min_minutes", "modifiers", "label")
CLASS_KEYS = ("from_services", "label", "apc")
KINDS = frozenset(kind.value for kind in ProgramServiceKind)
# Kinds the engine codes from minutes when the payer names no HCPCS (CPT 90832-90837,
# 90846/90847, 90791); every other kind needs the payer's code.
CPT_BY_MINUTES = frozenset(
    {
        ProgramServiceKind.INDIVIDUAL_PSYCHOTHERAPY.value,
        ProgramServiceKind.FAMILY_WITH_PATIENT.value,
        ProgramServiceKind.FAMILY_WITHOUT_PATIENT.value,
        ProgramServiceKind.DIAGNOSTIC_EVALUATION.value,
    }
)


def _whole(value: Any, *, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _check_service(kind: str, entry: Any, column: str, where: str, errors: FieldErrors) -> None:
    label = f"{where}{program_service_label(kind)}: "
    if not isinstance(entry, Mapping):
        errors.add(column, f"{label}must be an object of named settings.")
        return
    extra = sorted(set(entry) - set(SERVICE_KEYS))
    if extra:
        errors.add(column, f"{label}unknown setting(s) {', '.join(extra)}.")
    hcpcs = entry.get("hcpcs")
    if not hcpcs and kind not in CPT_BY_MINUTES:
        errors.add(column, f"{label}needs the HCPCS code billed for it.")
    for key, kind_of, what in (
        ("hcpcs", "code", "code"),
        ("revenue_code", "revenue_code", "revenue code"),
    ):
        value = entry.get(key)
        if value and (message := shape_error(kind_of, value, label + what)):
            errors.add(column, message)
    if entry.get("unit_minutes") is not None and not _whole(entry["unit_minutes"], least=1):
        errors.add(column, f"{label}unit minutes must be a whole number of at least 1.")
    if entry.get("min_minutes") is not None and not _whole(entry["min_minutes"], least=0):
        errors.add(column, f"{label}minimum minutes must be a whole number of at least 0.")
    each_shaped(errors, column, "modifier", entry.get("modifiers", []), label + "modifier")


def _check_classes(classes: Any, column: str, where: str, errors: FieldErrors) -> None:
    if not isinstance(classes, list | tuple):
        errors.add(column, f"{where}payment classes must be a list.")
        return
    floors = []
    for n, row in enumerate(classes, start=1):
        label = f"{where}payment class {n}: "
        if not isinstance(row, Mapping) or set(row) - set(CLASS_KEYS):
            errors.add(column, f"{label}settings are {', '.join(CLASS_KEYS)}.")
            continue
        if not _whole(row.get("from_services"), least=1):
            errors.add(column, f"{label}'from services' must be a whole number of at least 1.")
        else:
            floors.append(row["from_services"])
        if not row.get("label"):
            errors.add(column, f"{label}needs a label (e.g. '4 or more services').")
        apc = row.get("apc")
        if apc not in (None, "") and not (isinstance(apc, str) and apc.isdigit() and len(apc) == 4):
            errors.add(column, f"{label}APC {apc!r} must be 4 digits (e.g. 5863).")
    if len(floors) != len(set(floors)):
        errors.add(column, f"{where}two payment classes start at the same number of services.")


def check_per_service(
    entry: Mapping[str, Any], column: str, where: str, errors: FieldErrors
) -> None:
    """A per-service level entry: at least one service code, each well formed, and its
    payment classes."""
    services = entry.get("services")
    if not isinstance(services, Mapping) or not services:
        errors.add(column, f"{where}a per-service day needs the codes of its services.")
    else:
        for kind, service in services.items():
            if kind not in KINDS:
                errors.add(column, f"{where}unknown program-day service {kind!r}.")
            else:
                _check_service(kind, service, column, where, errors)
    _check_classes(entry.get("payment_classes", []), column, where, errors)
