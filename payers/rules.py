"""Bridge from a Payer's rule columns (data edited by billing managers) to the pure coding
engine's `PayerRules`. Validation here names the column at fault, so forms and the API can
show field errors instead of failing when a claim is coded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields as dc_fields
from dataclasses import replace
from typing import Any

from coding import (
    DEFAULT_ACCEPTED_LICENSES,
    CrisisSiteCodes,
    GroupBilling,
    LevelOfCareCode,
    LicenseType,
    MinuteBand,
    PayerRules,
    PaymentClassRule,
    PerServiceDay,
    ProgramDayRules,
    ProgramServiceCode,
    ProgramServiceKind,
    RoundingRule,
    ServiceCode,
    TelehealthProfile,
)
from coding.engine import REMAPPABLE
from coding.types import CENSUS_LEVELS, DayBasis


class RuleDataError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


def _known(cls: type, data: Mapping[str, Any], column: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise RuleDataError(column, "must be an object of named settings")
    allowed = {f.name for f in dc_fields(cls)}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RuleDataError(column, f"unknown setting(s): {', '.join(unknown)}")
    return dict(data)


def _rounding(kind: str, params: Mapping[str, Any], column: str) -> RoundingRule:
    data = _known(RoundingRule, params, column)
    data["bands"] = tuple(MinuteBand(int(a), int(b)) for a, b in data.get("bands", ()))
    return RoundingRule(kind=kind, **data)


def _unit_rule(data: Mapping[str, Any] | None, column: str) -> RoundingRule | None:
    if not data:
        return None
    data = dict(data)
    return _rounding(data.pop("kind", "cpt_midpoint"), data, column)


PER_SERVICE = "per_service"
_SERVICE_CODE_KEYS = ("hcpcs", "revenue_code", "unit_minutes", "min_minutes", "modifiers", "label")


def _program_service_code(kind: str, data: Mapping[str, Any], column: str) -> ProgramServiceCode:
    if kind not in {k.value for k in ProgramServiceKind}:
        raise RuleDataError(column, f"unknown program-day service {kind!r}")
    if not isinstance(data, Mapping) or set(data) - set(_SERVICE_CODE_KEYS):
        raise RuleDataError(column, f"{kind}: settings are {', '.join(_SERVICE_CODE_KEYS)}")
    values = dict(data)
    values["modifiers"] = tuple(values.get("modifiers", ()))
    return ProgramServiceCode(**values)


def _per_service(services: Mapping[str, Any] | None, classes: Any, column: str) -> PerServiceDay:
    """A per-service day: its service map and payment classes (REFERENCE.md §14)."""
    if not services or not isinstance(services, Mapping):
        raise RuleDataError(column, "a per-service program day needs its service codes")
    rules = tuple(
        PaymentClassRule(int(c["from_services"]), str(c["label"]), c.get("apc") or None)
        for c in classes or ()
    )
    codes = {kind: _program_service_code(kind, entry, column) for kind, entry in services.items()}
    return PerServiceDay(services=codes, payment_classes=rules)


def _loc_code(data: Mapping[str, Any], column: str) -> LevelOfCareCode:
    data = dict(data)
    # Claim-form facts (TOB, POS) live beside the engine's fields.
    for key in ("type_of_bill", "pos", "plan_review_days"):
        data.pop(key, None)
    unit = data.pop("unit", None)
    services, classes = data.pop("services", None), data.pop("payment_classes", None)
    data = _known(LevelOfCareCode, data, column)
    if unit == PER_SERVICE:
        data["per_service"] = _per_service(services, classes, column)
        data.setdefault("hcpcs", "")
    elif not data.get("hcpcs"):
        raise RuleDataError(column, "each level needs an HCPCS/CPT code ('hcpcs')")
    elif services or classes:
        raise RuleDataError(column, "service codes and payment classes need unit per_service")
    data["modifiers"] = tuple(data.get("modifiers", ()))
    data["condition_codes"] = tuple(data.get("condition_codes", ()))
    data["unit_rule"] = _unit_rule(data.get("unit_rule"), column)
    return LevelOfCareCode(**data)


def _program_day(
    data: Mapping[str, Any],
    column: str,
    level: str | None = None,
    downcode: Callable[[str], LevelOfCareCode | None] | None = None,
) -> ProgramDayRules:
    data = {k: v for k, v in data.items() if k != "plan_review_days"}
    data = _known(ProgramDayRules, data, column)
    target = data.get("downcode_to")
    if target and "level" in target:
        # A short day is billed as the program's own code of another level (an SUD PHP day
        # is not downcoded to the MH IOP code: REFERENCE.md §14); none: nothing billed.
        data["downcode_to"] = downcode(target["level"]) if downcode else None
    elif target:
        data["downcode_to"] = _loc_code(target, column)
    if data.get("basis", DayBasis.CENSUS if level in CENSUS_LEVELS else None) == DayBasis.CENSUS:
        # REFERENCE.md §14: residential and withdrawal management are billed per census day;
        # hours only where the payer sets them. A payer may bill a level by attendance
        # instead ("basis": "attendance", e.g. ambulatory withdrawal management 1-WM/2-WM).
        data.setdefault("min_hours_per_day", 0)
        data.setdefault("min_hours_per_week", 0)
        data["basis"] = DayBasis.CENSUS
    return ProgramDayRules(**data)


def _group(data: Mapping[str, Any], column: str) -> GroupBilling:
    data = _known(GroupBilling, data, column)
    data["modifiers"] = tuple(data.get("modifiers", ()))
    data["unit_rule"] = _unit_rule(data.get("unit_rule"), column)
    return GroupBilling(**data)


def _telehealth(data: Mapping[str, Any]) -> TelehealthProfile:
    data = _known(TelehealthProfile, data, "telehealth")
    data["license_exception_states"] = tuple(data.get("license_exception_states", ()))
    return TelehealthProfile(**data)


def _crisis_site(data: Mapping[str, Any]) -> CrisisSiteCodes | None:
    if not data:
        return None
    data = _known(CrisisSiteCodes, data, "crisis_site_codes")
    if not data.get("places_of_service"):
        raise RuleDataError("crisis_site_codes", "list the places of service that use these codes")
    return CrisisSiteCodes(**data)


def _licenses(values: list[str]) -> frozenset[LicenseType]:
    if not values:
        return DEFAULT_ACCEPTED_LICENSES
    return frozenset(LicenseType(v) for v in values)


def _guard(column: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except RuleDataError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise RuleDataError(column, str(exc)) from exc


def _level_parts(payer: Any, level: str | None, program: str | None = None) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    minimums = (payer.program_minimums or {}).get(level) if level else None
    if minimums is not None or level in CENSUS_LEVELS:
        parts["program_day"] = _guard(
            "program_minimums",
            lambda: _program_day(
                minimums or {},
                "program_minimums",
                level,
                downcode=lambda to: _day_code(payer, program, to),
            ),
        )
    if level and level in (payer.level_of_care_codes or {}):
        parts["level_of_care"] = _guard(
            "level_of_care_codes",
            lambda: _loc_code(payer.level_of_care_codes[level], "level_of_care_codes"),
        )
    return parts


# --- Codes by program x level x service kind (REFERENCE.md §14) ----------------------------

PROGRAMS = ("mh", "sud")
ANY_LEVEL = "any"
PROGRAM_DAY, GROUP, EVALUATION = "program_day", "group", "evaluation"
SERVICE_CODE_KINDS = tuple(sorted(k.value for k in REMAPPABLE if k.value != EVALUATION))
PROGRAM_CODE_KINDS = (PROGRAM_DAY, GROUP, EVALUATION, *SERVICE_CODE_KINDS)
_COLUMN = "program_codes"


def program_entry(
    payer: Any, program: str | None, level: str | None, kind: str
) -> Mapping[str, Any] | None:
    """The payer's entry for `kind` in `program` at `level`, else at any level of the program,
    else None (the program-independent columns apply)."""
    codes = (payer.program_codes or {}).get(program) if program else None
    if not isinstance(codes, Mapping):
        return None
    for key in (level, ANY_LEVEL):
        entry = (codes.get(key) or {}).get(kind) if key else None
        if entry:
            return entry
    return None


def unit_rule_of(payer: Any, unit: str | None) -> RoundingRule | None:
    """per_15min counts with the payer's own rounding; per_hour by the hour (CPT midpoint);
    per_diem / per_session: one unit."""
    if unit == "per_15min":
        return _rounding(payer.rounding_rule, payer.rounding_params or {}, "rounding_params")
    if unit == "per_hour":
        return RoundingRule(unit_minutes=60, label="per hour")
    if unit in (None, "per_diem", "per_session", PER_SERVICE):
        return None
    raise RuleDataError(_COLUMN, f"unknown unit {unit!r}")


def _program_loc(payer: Any, entry: Mapping[str, Any]) -> LevelOfCareCode:
    """A program-day entry; its units follow `unit` and the payer's rounding."""
    code = _loc_code({k: v for k, v in entry.items() if k != "unit_rule"}, _COLUMN)
    return replace(code, unit_rule=unit_rule_of(payer, entry.get("unit")))


def _service_code(payer: Any, entry: Mapping[str, Any]) -> ServiceCode:
    data = {k: v for k, v in entry.items() if k != "unit"}
    data = _known(ServiceCode, data, _COLUMN)
    data["modifiers"] = tuple(data.get("modifiers", ()))
    data["unit_rule"] = unit_rule_of(payer, entry.get("unit"))
    if not data.get("hcpcs") and not data["modifiers"]:
        raise RuleDataError(_COLUMN, "an entry needs a code ('hcpcs') or modifiers")
    return ServiceCode(**data)


def _program_parts(payer: Any, program: str | None, level: str | None) -> dict[str, Any]:
    """Engine fields that the payer's program x level x kind entries set for this service."""
    parts: dict[str, Any] = {}
    if entry := program_entry(payer, program, level, PROGRAM_DAY):
        parts["level_of_care"] = _guard(_COLUMN, lambda: _program_loc(payer, entry))
    if entry := program_entry(payer, program, level, GROUP):
        parts["group"] = _guard(_COLUMN, lambda: _group(entry, _COLUMN))
    if entry := program_entry(payer, program, level, EVALUATION):
        parts["evaluation_code_overrides"] = dict(entry)
    codes = {}
    for kind in SERVICE_CODE_KINDS:
        if entry := program_entry(payer, program, level, kind):
            codes[kind] = _guard(_COLUMN, lambda e=entry: _service_code(payer, e))
    if codes:
        parts["service_codes"] = codes
    return parts


def program_day_entry(payer: Any, program: str | None, level: str | None) -> Mapping[str, Any]:
    """The raw program-day entry of `program` at `level`: the program's own, else the level's
    program-independent one, else empty (claim-form facts such as POS and revenue code)."""
    if not level:
        return {}
    entry = program_entry(payer, program, level, PROGRAM_DAY)
    return entry or (payer.level_of_care_codes or {}).get(level) or {}


def _day_code(payer: Any, program: str | None, level: str) -> LevelOfCareCode | None:
    """The program-day code of `program` at `level` (its own entry, else the level's)."""
    if entry := program_entry(payer, program, level, PROGRAM_DAY):
        return _program_loc(payer, entry)
    if entry := (payer.level_of_care_codes or {}).get(level):
        return _loc_code(entry, "level_of_care_codes")
    return None


def _each_program_entry(payer: Any) -> list[tuple[str, str, str]]:
    found = []
    for program, levels in (payer.program_codes or {}).items():
        for level, kinds in (levels or {}).items() if isinstance(levels, Mapping) else ():
            for kind in kinds or {} if isinstance(kinds, Mapping) else ():
                found.append((program, level, kind))
    return found


# Engine field -> (payer column, builder). Each column is built on its own, so validation can
# report every bad column at once.
_COLUMNS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "rounding": (
        "rounding_params",
        lambda p: _rounding(p.rounding_rule, p.rounding_params or {}, "rounding_params"),
    ),
    "telehealth": ("telehealth", lambda p: _telehealth(p.telehealth or {})),
    "accepted_licenses": ("accepted_license_types", lambda p: _licenses(p.accepted_license_types)),
    "license_modifiers": (
        "license_modifiers",
        lambda p: {LicenseType(k): v for k, v in (p.license_modifiers or {}).items()},
    ),
    "group": ("group_billing", lambda p: _group(p.group_billing or {}, "group_billing")),
    "crisis_site": ("crisis_site_codes", lambda p: _crisis_site(p.crisis_site_codes or {})),
    "supervisor_licenses": (
        "supervisor_license_types",
        lambda p: frozenset(LicenseType(v) for v in p.supervisor_license_types or ()),
    ),
}


def payer_rules_for(
    payer: Any, *, level: str | None = None, program: str | None = None
) -> PayerRules:
    """The engine's view of `payer` for a service of `program` (mh/sud) at `level`: the
    program's own entries where the payer has them, else its program-independent columns
    (raises RuleDataError)."""
    built = {
        name: _guard(column, lambda b=build: b(payer)) for name, (column, build) in _COLUMNS.items()
    }
    fields: dict[str, Any] = {
        "evaluation_code_overrides": dict(payer.evaluation_code_overrides or {}),
        **built,
        **_level_parts(payer, level, program),
        **_program_parts(payer, program, level),
    }
    return PayerRules(
        name=payer.name,
        pays_under_supervisor=payer.pays_under_supervisor,
        supervision_modifiers=tuple(payer.supervision_modifiers or ()),
        family_min_minutes=payer.family_min_minutes,
        supervision_places=frozenset(payer.supervision_places_of_service or ()),
        **fields,
    )


def validate_payer_rule_data(payer: Any) -> dict[str, list[str]]:
    """Field errors for the JSON rule columns; empty when every column and level builds."""
    errors: dict[str, list[str]] = {}
    for column, build in _COLUMNS.values():
        try:
            _guard(column, lambda b=build: b(payer))
        except RuleDataError as exc:
            errors.setdefault(exc.column, []).append(exc.message)
    for level in sorted(set(payer.program_minimums or {}) | set(payer.level_of_care_codes or {})):
        try:
            _level_parts(payer, level)
        except RuleDataError as exc:
            errors.setdefault(exc.column, []).append(f"{exc.message} (level {level})")
    for program, level, _kind in _each_program_entry(payer):
        try:
            _program_parts(payer, program, None if level == ANY_LEVEL else level)
        except RuleDataError as exc:
            errors.setdefault(exc.column, []).append(f"{exc.message} ({program} {level})")
    if not errors:
        try:
            payer_rules_for(payer)
        except (RuleDataError, TypeError, ValueError) as exc:
            errors.setdefault("__all__", []).append(str(exc))
    return errors
