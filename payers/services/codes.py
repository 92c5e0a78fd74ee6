"""The vocabulary of payer rules: X12 code lists, the shapes of billing codes, and their messages.

Shared by the payer rule checks (`payers.services.rules_validation`), the fee schedule
(`payers.services.fee_schedule`) and the payer forms, so a code is judged the same everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from coding.types import LEVEL_CHOICES, LicenseType
from rcm.fielderrors import FieldErrors

# X12 5010 SBR09 claim filing indicator codes.
FILING_INDICATORS: dict[str, str] = {
    "11": "Other non-federal program",
    "12": "PPO",
    "13": "Point of service (POS)",
    "14": "EPO",
    "15": "Indemnity",
    "16": "HMO Medicare risk",
    "17": "Dental maintenance org",
    "AM": "Automobile medical",
    "BL": "Blue Cross/Blue Shield",
    "CH": "CHAMPUS/TRICARE",
    "CI": "Commercial insurance",
    "DS": "Disability",
    "FI": "Federal Employees Program",
    "HM": "HMO",
    "LM": "Liability medical",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "OF": "Other federal program",
    "TV": "Title V",
    "VA": "Veterans Affairs",
    "WC": "Workers' compensation",
    "ZZ": "Mutually defined",
}
# Med/surg service categories that parity (MHPAEA) checks compare MH/SUD levels against.
MEDSURG_CATEGORIES: dict[str, str] = {
    "inpatient": "Acute inpatient",
    "skilled_nursing": "Skilled nursing facility",
    "inpatient_rehab": "Inpatient rehabilitation",
    "home_health": "Home health",
    "outpatient_surgery": "Outpatient surgery",
    "advanced_imaging": "Advanced imaging",
    "outpatient_therapy": "Outpatient PT/OT/speech",
    "office_visits": "Office visits",
}
# How a level's code counts units ("unit" in level_of_care_codes; the engine reads unit_rule).
LEVEL_UNITS: dict[str, str] = {
    "per_diem": "per diem",
    "per_hour": "per hour",
    "per_15min": "per 15 min",
}
# A level's own code may also bill the day service by service (Medicare PHP/IOP, REFERENCE.md
# §14): one line per service from the entry's "services", paid by its "payment_classes".
LEVEL_CODE_UNITS: dict[str, str] = {**LEVEL_UNITS, "per_service": "per service (one line each)"}
LEVELS = frozenset(value for value, _ in LEVEL_CHOICES)
LICENSES = frozenset(lt.value for lt in LicenseType)
# CPT (5 digits, or 4 + F/T/U category II/III/PLA) or HCPCS level II (letter + 4 digits).
CODE_RE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
POS_RE = re.compile(r"^\d{2}$")
REVENUE_CODE_RE = re.compile(r"^\d{4}$")
TOB_RE = re.compile(r"^[1-9][0-9]$")  # facility type + classification
CONDITION_CODE_RE = re.compile(r"^[A-Z0-9]{2}$")
TAXONOMY_RE = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
EDI_PAYER_ID_RE = re.compile(r"^[A-Za-z0-9-]*$")
MAX_LINE_MODIFIERS = 4  # 837P SV101 / CMS-1500 box 24D

FORMAT_HINTS: dict[str, str] = {
    "code": "a CPT or HCPCS code (5 digits, or a letter and 4 digits, e.g. 90837, H0015)",
    "modifier": "2 capital letters or digits (e.g. HO, 95)",
    "pos": "a 2-digit place of service (e.g. 11, 02)",
    "revenue_code": "4 digits (e.g. 0906)",
    "type_of_bill": "2 digits: the facility type and classification (e.g. 13, 76, 86); the "
    "frequency digit is chosen for each claim",
    "condition_code": "2 capital letters or digits (e.g. 41, 92)",
    "taxonomy": "10 characters: 3 digits, 6 letters or digits, then X (e.g. 261QM0801X)",
    "state": "a 2-letter state code (e.g. WA)",
}
PATTERNS: dict[str, re.Pattern[str]] = {
    "code": CODE_RE,
    "modifier": MODIFIER_RE,
    "pos": POS_RE,
    "revenue_code": REVENUE_CODE_RE,
    "type_of_bill": TOB_RE,
    "condition_code": CONDITION_CODE_RE,
    "state": re.compile(r"^[A-Z]{2}$"),
    "taxonomy": TAXONOMY_RE,
}


def shape_error(kind: str, value: Any, what: str = "") -> str | None:
    """A message when `value` is not shaped like a `kind` ("code", "modifier", "pos"...)."""
    if isinstance(value, str) and PATTERNS[kind].match(value):
        return None
    return f"{what or kind.replace('_', ' ')} {value!r} must be {FORMAT_HINTS[kind]}."


def each_shaped(errors: FieldErrors, column: str, kind: str, values: Any, what: str) -> None:
    """Every value of the list `values` must be shaped like a `kind`; errors land on `column`."""
    if not isinstance(values, list | tuple):
        errors.add(column, f"{what} must be a list.")
        return
    for value in values:
        message = shape_error(kind, value, what)
        if message:
            errors.add(column, message)
