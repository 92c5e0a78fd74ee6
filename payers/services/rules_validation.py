"""Checks of a payer's rule columns, with field messages a billing manager can act on.

Each column's shape is checked here first; only a payer with none of those errors is handed to
`payers.rules.validate_payer_rule_data`, which asks whether the coding engine can build its
`PayerRules` from it, so a saved payer never fails later when a claim is coded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from coding.types import (
    LEVEL_CHOICES,
    GroupBillingMode,
    RoundingKind,
    ShortDayOutcome,
    TelehealthProfile,
)
from payers.models import Payer
from payers.rules import validate_payer_rule_data
from payers.services.codes import (
    EDI_PAYER_ID_RE,
    FILING_INDICATORS,
    LEVEL_CODE_UNITS,
    LEVEL_UNITS,
    LEVELS,
    LICENSES,
    MEDSURG_CATEGORIES,
    each_shaped,
    shape_error,
)
from payers.services.program_codes import PHP_ONLY_POS, check_program_codes
from payers.services.program_services import check_per_service
from rcm.fielderrors import FieldErrors, model_errors

# --- Small checks -------------------------------------------------------------------------


def _positive_int(value: Any, *, allow_none: bool = False) -> bool:
    if value is None:
        return allow_none
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _mapping(errors: FieldErrors, column: str, value: Any) -> Mapping[str, Any] | None:
    if isinstance(value, Mapping):
        return value
    errors.add(column, "must be an object of named settings.")
    return None


def _known_keys(
    errors: FieldErrors,
    column: str,
    data: Mapping[str, Any],
    allowed: Iterable[str],
    where: str = "",
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        errors.add(column, f"{where}unknown setting(s): {', '.join(unknown)}.")


def _level_label(level: str) -> str:
    return dict(LEVEL_CHOICES).get(level, level)


def _license_label(value: str) -> str:
    return value.replace("_", " ")


# --- Simple columns -----------------------------------------------------------------------


def _check_basics(p: Payer, errors: FieldErrors) -> None:
    if p.claim_filing_indicator not in FILING_INDICATORS:
        errors.add(
            "claim_filing_indicator",
            f"{p.claim_filing_indicator!r} is not an X12 claim "
            f"filing indicator; use one of {', '.join(sorted(FILING_INDICATORS))}.",
        )
    if (
        p.institutional_filing_indicator
        and p.institutional_filing_indicator not in FILING_INDICATORS
    ):
        errors.add(
            "institutional_filing_indicator",
            f"{p.institutional_filing_indicator!r} is not an X12 claim filing indicator; use one "
            f"of {', '.join(sorted(FILING_INDICATORS))}, or leave it blank.",
        )
    for problem in claim_edits_problems(p.claim_edits):
        errors.add("claim_edits", problem)
    for name in ("timely_filing_days", "appeal_window_days", "family_min_minutes"):
        if not _positive_int(getattr(p, name)):
            errors.add(name, "Enter a whole number of at least 1.")
    if not _positive_int(p.outpatient_visits_before_auth, allow_none=True):
        errors.add(
            "outpatient_visits_before_auth",
            "Enter a whole number of at least 1, or "
            "leave it blank when outpatient visits need no authorization.",
        )
    percent = p.auth_usage_alert_percent
    if not _positive_int(percent) or percent > 100:
        errors.add("auth_usage_alert_percent", "Enter a whole percent from 1 to 100.")
    days = p.auth_expiry_alert_days
    if not (_positive_int(days) or (type(days) is int and days == 0)):
        errors.add("auth_expiry_alert_days", "Enter a whole number of days (0 or more).")
    if not isinstance(p.auth_tied_to_provider, bool):
        errors.add("auth_tied_to_provider", "Must be true or false.")
    if not EDI_PAYER_ID_RE.match(p.edi_payer_id or ""):
        errors.add("edi_payer_id", "An EDI payer id has only letters, digits and dashes.")
    if p.name and Payer.objects.filter(name=p.name).exclude(pk=p.pk).exists():
        errors.add("name", f"A payer named {p.name!r} already exists.")


def _check_licenses(p: Payer, errors: FieldErrors) -> None:
    for column in ("accepted_license_types", "supervisor_license_types"):
        values = getattr(p, column)
        if not isinstance(values, list | tuple):
            errors.add(column, "must be a list of license types.")
            continue
        for value in values:
            if value not in LICENSES:
                errors.add(
                    column,
                    f"Unknown license type {value!r}; use one of {', '.join(sorted(LICENSES))}.",
                )


def _check_crisis_site(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "crisis_site_codes", p.crisis_site_codes)
    if not data:
        return
    _known_keys(
        errors, "crisis_site_codes", data, ("first", "each_additional", "places_of_service")
    )
    for key in ("first", "each_additional"):
        message = shape_error("code", data.get(key), f"crisis code '{key}'")
        if message:
            errors.add("crisis_site_codes", message)
    places = data.get("places_of_service")
    if not places:
        errors.add("crisis_site_codes", "List the places of service that use these codes.")
    else:
        each_shaped(errors, "crisis_site_codes", "pos", places, "place of service")


def _check_license_modifiers(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "license_modifiers", p.license_modifiers)
    for license_type, modifier in (data or {}).items():
        if license_type not in LICENSES:
            errors.add("license_modifiers", f"Unknown license type {license_type!r}.")
        message = shape_error("modifier", modifier, f"modifier for {_license_label(license_type)}")
        if message:
            errors.add("license_modifiers", message)


def _check_lists(p: Payer, errors: FieldErrors) -> None:
    each_shaped(
        errors, "supervision_modifiers", "modifier", p.supervision_modifiers, "supervision modifier"
    )
    each_shaped(errors, "auth_required_codes", "code", p.auth_required_codes, "code")
    each_shaped(
        errors,
        "supervision_places_of_service",
        "pos",
        p.supervision_places_of_service,
        "place of service",
    )
    levels = p.auth_required_levels
    if not isinstance(levels, list | tuple):
        errors.add("auth_required_levels", "must be a list of levels of care.")
        return
    for level in levels:
        if level not in LEVELS:
            errors.add(
                "auth_required_levels",
                f"Unknown level of care {level!r}; use one of {', '.join(sorted(LEVELS))}.",
            )


def _check_eval_overrides(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "evaluation_code_overrides", p.evaluation_code_overrides)
    for cpt, code in (data or {}).items():
        if cpt not in ("90791", "90792"):
            errors.add(
                "evaluation_code_overrides", f"Only 90791 and 90792 can be replaced (got {cpt!r})."
            )
        message = shape_error("code", code, f"replacement for {cpt}")
        if message:
            errors.add("evaluation_code_overrides", message)


# --- Units, telehealth, group ---------------------------------------------------------------

_ROUNDING_PARAMS = ("unit_minutes", "count_unit_at", "bands", "max_units", "label")


def _check_bands(bands: Any, errors: FieldErrors) -> None:
    rows = bands if isinstance(bands, list | tuple) else None
    if rows is None or not all(isinstance(r, list | tuple) and len(r) == 2 for r in rows):
        errors.add("rounding_params", "bands are rows of [from minutes, units].")
        return
    if not all(_positive_int(a) and isinstance(b, int) and b >= 0 for a, b in rows):
        errors.add("rounding_params", "Each band needs minutes ≥ 1 and units ≥ 0.")


def _check_rounding(p: Payer, errors: FieldErrors) -> None:
    if p.rounding_rule not in {k.value for k in RoundingKind}:
        errors.add("rounding_rule", f"Unknown rounding rule {p.rounding_rule!r}.")
        return
    params = _mapping(errors, "rounding_params", p.rounding_params)
    if params is None:
        return
    _known_keys(errors, "rounding_params", params, _ROUNDING_PARAMS)
    state = p.rounding_rule == RoundingKind.STATE_TABLE
    table = ("count_unit_at" in params) or ("bands" in params)
    if state and not table:
        errors.add(
            "rounding_params",
            "A state table needs the minute a unit starts to count "
            "(count_unit_at) or minute bands.",
        )
    if table and not state:
        errors.add("rounding_params", "count_unit_at and bands only apply to a state table.")
    if "bands" in params:
        _check_bands(params["bands"], errors)
    if not _positive_int(params.get("max_units"), allow_none=True):
        errors.add("rounding_params", "max_units must be a whole number of at least 1.")


_TELEHEALTH_KEYS = tuple(TelehealthProfile.__dataclass_fields__)


def _check_telehealth(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "telehealth", p.telehealth)
    if data is None:
        return
    _known_keys(errors, "telehealth", data, _TELEHEALTH_KEYS)
    for key in ("home_pos", "other_site_pos"):
        if key in data and (message := shape_error("pos", data[key], key.replace("_", " "))):
            errors.add("telehealth", message)
    for key in ("video_modifier", "audio_only_modifier"):
        value = data.get(key)
        if value and (message := shape_error("modifier", value, key.replace("_", " "))):
            errors.add("telehealth", message)
    for key in (
        "use_facility_pos",
        "audio_only_allowed",
        "audio_only_requires_home",
        "any_state_license",
    ):
        if key in data and not isinstance(data[key], bool):
            errors.add("telehealth", f"{key.replace('_', ' ')} must be true or false.")
    states = data.get("license_exception_states", [])
    each_shaped(errors, "telehealth", "state", states, "license exception state")


def _check_group(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "group_billing", p.group_billing)
    if data is None:
        return
    modes = {m.value for m in GroupBillingMode}
    if "mode" in data and data["mode"] not in modes:
        errors.add("group_billing", f"mode must be one of {', '.join(sorted(modes))}.")
    if "code" in data and (message := shape_error("code", data["code"], "group code")):
        errors.add("group_billing", message)
    each_shaped(errors, "group_billing", "modifier", data.get("modifiers", []), "group modifier")


# --- Per-level columns ----------------------------------------------------------------------

_LEVEL_CODE_KEYS = (
    "hcpcs",
    "revenue_code",
    "unit_rule",
    "modifiers",
    "label",
    "type_of_bill",
    "pos",
    "condition_codes",
    "unit",
    "plan_review_days",
    "services",
    "payment_classes",
)
_PROGRAM_KEYS = (
    "min_hours_per_day",
    "min_hours_per_week",
    "min_days_per_week",
    "leave_days",
    "basis",
    "short_day_outcome",
    "downcode_to",
    "plan_review_days",
)


def _check_code_entry(
    entry: Mapping[str, Any],
    column: str,
    where: str,
    errors: FieldErrors,
    units: Mapping[str, str] = LEVEL_UNITS,
) -> None:
    """One billed code: HCPCS, modifiers, revenue code, TOB, POS, condition codes, unit (a
    per-service level: its service codes and payment classes instead of one HCPCS)."""
    _known_keys(errors, column, entry, _LEVEL_CODE_KEYS, where)
    per_service = entry.get("unit") == "per_service" and "per_service" in units
    checks = (
        ("code", "hcpcs", "HCPCS/CPT code"),
        ("revenue_code", "revenue_code", "revenue code"),
        ("type_of_bill", "type_of_bill", "type of bill"),
        ("pos", "pos", "place of service"),
    )
    for kind, key, what in checks:
        value = entry.get(key)
        needed = key == "hcpcs" and not per_service
        if (value or needed) and (message := shape_error(kind, value, where + what)):
            errors.add(column, message)
    each_shaped(errors, column, "modifier", entry.get("modifiers", []), where + "modifier")
    each_shaped(
        errors, column, "condition_code", entry.get("condition_codes", []), where + "condition code"
    )
    _check_unit(entry, column, where, errors, units)
    if per_service:
        check_per_service(entry, column, where, errors)
    elif entry.get("services") or entry.get("payment_classes"):
        errors.add(column, f"{where}service codes and payment classes need the per-service unit.")


def _check_unit(
    entry: Mapping[str, Any],
    column: str,
    where: str,
    errors: FieldErrors,
    units: Mapping[str, str] = LEVEL_UNITS,
) -> None:
    unit = entry.get("unit")
    if unit is None:
        return
    if unit not in units:
        errors.add(column, f"{where}unit must be one of {', '.join(units)}.")
    elif unit == "per_service" and entry.get("unit_rule"):
        errors.add(column, f"{where}a per-service day takes no unit_rule (each service has one).")
    elif unit == "per_service":
        return
    elif unit == "per_diem" and entry.get("unit_rule"):
        errors.add(column, f"{where}a per-diem code takes no unit_rule.")
    elif unit != "per_diem" and not entry.get("unit_rule"):
        errors.add(column, f"{where}a {LEVEL_UNITS[unit]} code needs a unit_rule.")


def _level_entries(errors: FieldErrors, column: str, value: Any) -> dict[str, Mapping[str, Any]]:
    data = _mapping(errors, column, value) or {}
    entries = {}
    for level, entry in data.items():
        if level not in LEVELS:
            errors.add(column, f"Unknown level of care {level!r}.")
        elif not isinstance(entry, Mapping):
            errors.add(column, f"{_level_label(level)}: must be an object of named settings.")
        else:
            entries[level] = entry
    return entries


def _check_review_days(
    entry: Mapping[str, Any], column: str, where: str, errors: FieldErrors
) -> None:
    if not _positive_int(entry.get("plan_review_days"), allow_none=True):
        errors.add(column, f"{where}plan review days must be a whole number of at least 1.")


def _check_level_codes(p: Payer, errors: FieldErrors) -> None:
    entries = _level_entries(errors, "level_of_care_codes", p.level_of_care_codes)
    for level, entry in entries.items():
        where = f"{_level_label(level)}: "
        _check_code_entry(entry, "level_of_care_codes", where, errors, LEVEL_CODE_UNITS)
        _check_review_days(entry, "level_of_care_codes", where, errors)
        if level == "iop" and entry.get("pos") == PHP_ONLY_POS:
            errors.add(
                "level_of_care_codes",
                f"{where}POS 52 is partial hospitalization; an IOP uses its real site.",
            )


def _check_hours(entry: Mapping[str, Any], where: str, errors: FieldErrors) -> None:
    for key, most in (("min_hours_per_day", 24), ("min_hours_per_week", 168)):
        value = entry.get(key)
        if value is not None and not (_number(value) and 0 <= value <= most):
            errors.add(
                "program_minimums",
                f"{where}{key.replace('_', ' ')} must be a number of hours from 0 to {most}.",
            )


def _check_short_day(entry: Mapping[str, Any], where: str, errors: FieldErrors) -> None:
    outcomes = {o.value for o in ShortDayOutcome}
    outcome = entry.get("short_day_outcome")
    if outcome is not None and outcome not in outcomes:
        errors.add(
            "program_minimums",
            f"{where}short-day outcome must be one of {', '.join(sorted(outcomes))}.",
        )
    downcode = entry.get("downcode_to")
    if outcome == ShortDayOutcome.DOWNCODE and not downcode:
        errors.add("program_minimums", f"{where}downcoding needs the code to downcode to.")
    if isinstance(downcode, Mapping) and "level" in downcode:
        if set(downcode) != {"level"} or downcode["level"] not in LEVELS:
            errors.add(
                "program_minimums",
                f'{where}downcode to a level names only the level (e.g. {{"level": "iop"}}).',
            )
    elif downcode and isinstance(downcode, Mapping):
        _check_code_entry(downcode, "program_minimums", f"{where}downcode ", errors)
    elif downcode:
        errors.add("program_minimums", f"{where}downcode_to must be an object with an hcpcs.")


def _check_program_minimums(p: Payer, errors: FieldErrors) -> None:
    entries = _level_entries(errors, "program_minimums", p.program_minimums)
    for level, entry in entries.items():
        where = f"{_level_label(level)}: "
        _known_keys(errors, "program_minimums", entry, _PROGRAM_KEYS, where)
        _check_hours(entry, where, errors)
        _check_short_day(entry, where, errors)
        _check_review_days(entry, "program_minimums", where, errors)
        days = entry.get("min_days_per_week")
        if days is not None and not (isinstance(days, int) and 0 <= days <= 7):
            errors.add("program_minimums", f"{where}days a week must be a whole number 0-7.")
        if entry.get("leave_days", "non_covered") not in ("bill", "non_covered"):
            errors.add("program_minimums", f"{where}leave days must be bill or non_covered.")
        if entry.get("basis", "census") not in ("census", "attendance"):
            errors.add("program_minimums", f"{where}a day is billed by census or attendance.")


# --- Parity comparators ---------------------------------------------------------------------

_PARITY_DAY_MAPS = {
    "medsurg_review_interval_days": MEDSURG_CATEGORIES,
    "medsurg_visit_limits": MEDSURG_CATEGORIES,
    "mhsud_review_interval_days": LEVELS,
    "mhsud_visit_limits": LEVELS,
}
_PARITY_KEYS = (
    *_PARITY_DAY_MAPS,
    "applies",
    "medsurg_auth_required_levels",
    "medsurg_outpatient_visits_before_auth",
)


def _check_parity_map(key: str, value: Any, errors: FieldErrors) -> None:
    allowed = _PARITY_DAY_MAPS[key]
    if not isinstance(value, Mapping):
        errors.add("parity_comparators", f"{key} must map a category to a number of days.")
        return
    for category, number in value.items():
        if category not in allowed:
            errors.add("parity_comparators", f"{key}: unknown category {category!r}.")
        if not _positive_int(number):
            errors.add("parity_comparators", f"{key}: {category} must be a whole number ≥ 1.")


def _check_parity(p: Payer, errors: FieldErrors) -> None:
    data = _mapping(errors, "parity_comparators", p.parity_comparators)
    if data is None:
        return
    _known_keys(errors, "parity_comparators", data, _PARITY_KEYS)
    if "applies" in data and not isinstance(data["applies"], bool):
        errors.add("parity_comparators", "applies must be true or false.")
    for category in data.get("medsurg_auth_required_levels", []) or []:
        if category not in MEDSURG_CATEGORIES:
            errors.add(
                "parity_comparators",
                f"Unknown med/surg category {category!r}; use one "
                f"of {', '.join(MEDSURG_CATEGORIES)}.",
            )
    if not _positive_int(data.get("medsurg_outpatient_visits_before_auth"), allow_none=True):
        errors.add(
            "parity_comparators",
            "medsurg_outpatient_visits_before_auth must be a whole number ≥ 1 or empty.",
        )
    for key in _PARITY_DAY_MAPS:
        if key in data:
            _check_parity_map(key, data[key], errors)


# --- Every check, then the engine --------------------------------------------------------

_CHECKS: tuple[Callable[[Payer, FieldErrors], None], ...] = (
    _check_basics,
    _check_licenses,
    _check_crisis_site,
    _check_license_modifiers,
    _check_lists,
    _check_eval_overrides,
    _check_rounding,
    _check_telehealth,
    _check_group,
    _check_level_codes,
    check_program_codes,
    _check_program_minimums,
    _check_parity,
)


# Columns the checks above describe better than the model's generic messages would.
_OWN_MESSAGES = (
    "org",
    "accepted_license_types",
    "supervision_modifiers",
    "auth_required_codes",
    "auth_required_levels",
    "rounding_rule",
    "timely_filing_days",
    "appeal_window_days",
    "family_min_minutes",
    "outpatient_visits_before_auth",
    "auth_usage_alert_percent",
    "auth_expiry_alert_days",
)


def payer_errors(payer: Payer) -> dict[str, list[str]]:
    """Every field error of an (unsaved) payer: model fields, rule shapes, then the engine."""
    errors = FieldErrors()
    found = model_errors(payer, exclude=_OWN_MESSAGES)
    if found:
        errors.merge(found)
    for check in _CHECKS:
        check(payer, errors)
    if not errors:
        for column, messages in validate_payer_rule_data(payer).items():
            for message in messages:
                errors.add(column, message)
    return errors.errors


CODE_RE = re.compile(r"^[0-9A-Z]{5}$")


def claim_edits_problems(value: Any) -> list[str]:
    """`claim_edits`: {"same_day_pairs": [["90791", "90832"], ...] (a third element "0" marks
    a pair no modifier bypasses, NCCI modifier indicator 0), "once_a_day": ["90791", ...],
    "requires_zip4": true}."""
    if value in (None, {}):
        return []
    if not isinstance(value, dict):
        return ["Claim edits must be an object."]
    problems = [f"Unknown claim edit {k!r}." for k in value if k not in CLAIM_EDIT_KEYS]
    pairs = value.get("same_day_pairs", [])
    if not isinstance(pairs, list):
        problems.append("same_day_pairs must be a list of [code, code] pairs.")
        pairs = []
    for pair in pairs:
        ok = isinstance(pair, list) and len(pair) in (2, 3)
        ok = ok and all(isinstance(c, str) and CODE_RE.match(c) for c in pair[:2])
        ok = ok and (len(pair) == 2 or pair[2] in ("0", "1"))
        if not ok:
            problems.append(
                f"Same-day pair {pair!r} must be two 5-character codes, optionally with "
                '"0" (no modifier bypasses it) or "1".'
            )
    once = value.get("once_a_day", [])
    if not isinstance(once, list) or not all(isinstance(c, str) and CODE_RE.match(c) for c in once):
        problems.append("once_a_day must be a list of 5-character codes.")
    if "requires_zip4" in value and not isinstance(value["requires_zip4"], bool):
        problems.append("requires_zip4 must be true or false.")
    return problems


CLAIM_EDIT_KEYS = ("same_day_pairs", "once_a_day", "requires_zip4")
