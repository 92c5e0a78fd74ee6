"""Payer columns <-> PayerForm values: `payer_columns` turns a valid form's cleaned data into
the payer's rule columns, `payer_initial` does the inverse for editing."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from coding.types import GroupBillingMode, ShortDayOutcome, TelehealthProfile
from payers.models import Payer
from payers.rules import PER_SERVICE
from payers.services.codes import MEDSURG_CATEGORIES
from payers.views.fields import LEVELS, LICENSES
from payers.views.program_codes import program_codes_column, program_codes_initial
from payers.views.summaries import as_dict, telehealth_summary


def _rounding_columns(d: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if d["rounding_rule"] == Payer.Rounding.STATE_TABLE:
        if d.get("rounding_bands"):
            params["bands"] = d["rounding_bands"]
        elif d.get("count_unit_at"):
            params["count_unit_at"] = d["count_unit_at"]
    if d.get("max_units"):
        params["max_units"] = d["max_units"]
    if d.get("rounding_label"):
        params["label"] = d["rounding_label"]
    return {"rounding_rule": d["rounding_rule"], "rounding_params": params}


def _telehealth_column(d: Mapping[str, Any]) -> dict[str, Any]:
    th = {key[3:]: d[key] for key in d if key.startswith("th_")}
    th["video_modifier"] = th["video_modifier"] or None
    th["audio_only_modifier"] = th["audio_only_modifier"] or None
    th["label"] = telehealth_summary(th)
    return th


def _unit_rule(unit: str, rounding: Mapping[str, Any]) -> dict[str, Any] | None:
    if unit == "per_hour":
        return {"kind": "cpt_midpoint", "unit_minutes": 60}
    if unit == "per_15min":  # the payer's own 15-minute rounding
        params = {k: v for k, v in rounding["rounding_params"].items() if k != "label"}
        return {"kind": rounding["rounding_rule"], **params}
    return None


def _level_code(d: Mapping[str, Any], level: str, rounding: Mapping[str, Any]) -> dict[str, Any]:
    entry = {
        p: d[f"loc_{level}_{p}"]
        for p in (
            "hcpcs",
            "modifiers",
            "revenue_code",
            "type_of_bill",
            "pos",
            "condition_codes",
            "unit",
            "label",
        )
    }
    entry["unit"] = entry["unit"] or "per_diem"
    rule = _unit_rule(entry["unit"], rounding)
    if rule:
        entry["unit_rule"] = rule
    return {k: v for k, v in entry.items() if v not in ("", None, [])}


def _program_entry(d: Mapping[str, Any], level: str) -> dict[str, Any] | None:
    day, week = d[f"pm_{level}_day"], d[f"pm_{level}_week"]
    review, days, leave = d[f"pm_{level}_review"], d[f"pm_{level}_days"], d[f"pm_{level}_leave"]
    basis = d[f"pm_{level}_basis"]
    if day is None and week is None and not (review or days or leave or basis):
        return None
    entry: dict[str, Any] = {  # levels with only a review cadence have no hour minimum
        "min_hours_per_day": float(day or 0),
        "min_hours_per_week": float(week or 0),
        "short_day_outcome": d[f"pm_{level}_short"] or ShortDayOutcome.PAY.value,
    }
    if entry["short_day_outcome"] == ShortDayOutcome.DOWNCODE:
        if d[f"pm_{level}_down_level"]:
            entry["downcode_to"] = {"level": d[f"pm_{level}_down_level"]}
        else:
            entry["downcode_to"] = {"hcpcs": d[f"pm_{level}_down_hcpcs"]}
            if d[f"pm_{level}_down_revenue"]:
                entry["downcode_to"]["revenue_code"] = d[f"pm_{level}_down_revenue"]
    if review:
        entry["plan_review_days"] = review
    if days:
        entry["min_days_per_week"] = days
    if leave:
        entry["leave_days"] = leave
    if basis:
        entry["basis"] = basis
    return entry


def _per_key(d: Mapping[str, Any], prefix: str, keys: Iterable[str]) -> dict[str, int]:
    return {k: d[f"{prefix}{k}"] for k in keys if d.get(f"{prefix}{k}")}


def _parity_column(d: Mapping[str, Any]) -> dict[str, Any]:
    levels = [lv for lv, _ in LEVELS]
    return {
        "applies": d["parity_applies"],
        "medsurg_auth_required_levels": d["ms_auth_levels"],
        "medsurg_outpatient_visits_before_auth": d["ms_visits_before_auth"],
        "medsurg_review_interval_days": _per_key(d, "ms_review_", MEDSURG_CATEGORIES),
        "medsurg_visit_limits": _per_key(d, "ms_limit_", MEDSURG_CATEGORIES),
        "mhsud_review_interval_days": _per_key(d, "mh_review_", levels),
        "mhsud_visit_limits": _per_key(d, "mh_limit_", levels),
    }


_PLAIN = (
    "name",
    "edi_payer_id",
    "kind",
    "claim_filing_indicator",
    "institutional_filing_indicator",
    "institutional_payer_id",
    "professional_claim_period",
    "institutional_billing_cycle",
    "timely_filing_days",
    "appeal_window_days",
    "is_active",
    "accepted_license_types",
    "pays_under_supervisor",
    "supervision_modifiers",
    "supervisor_license_types",
    "supervision_places_of_service",
    "z_code_primary_allowed",
    "auth_required_levels",
    "auth_required_codes",
    "outpatient_visits_before_auth",
    "auth_tied_to_provider",
    "auth_expiry_alert_days",
    "auth_usage_alert_percent",
    "family_min_minutes",
)


def payer_columns(d: Mapping[str, Any]) -> dict[str, Any]:
    """The Payer columns described by a valid PayerForm's cleaned data."""
    rounding = _rounding_columns(d)
    columns = {name: d[name] for name in _PLAIN}
    columns.update(rounding)
    columns["telehealth"] = _telehealth_column(d)
    columns["license_modifiers"] = _per_key(d, "licmod_", [lt for lt, _ in LICENSES])
    columns["group_billing"] = {
        "mode": d["group_mode"],
        "code": d["group_code"],
        "modifiers": d["group_modifiers"],
    }
    columns["evaluation_code_overrides"] = _per_key(d, "eval_", ["90791", "90792"])
    columns["level_of_care_codes"] = {
        lv: _level_code(d, lv, rounding)
        for lv, _ in LEVELS
        if d[f"loc_{lv}_hcpcs"] or d[f"loc_{lv}_unit"] == PER_SERVICE
    }
    programs = {lv: _program_entry(d, lv) for lv, _ in LEVELS}
    columns["program_minimums"] = {lv: e for lv, e in programs.items() if e}
    columns["program_codes"] = program_codes_column(d)
    columns["parity_comparators"] = _parity_column(d)
    columns["crisis_site_codes"] = _crisis_column(d)
    columns["claim_edits"] = _claim_edits_column(d)
    return columns


def _claim_edits_column(d: Mapping[str, Any]) -> dict[str, Any]:
    """The page's claim-edit inputs as the `claim_edits` document (bad pairs are kept as typed,
    so the payer's validation names them)."""
    pairs = []
    for line in (d.get("same_day_pairs") or "").splitlines():
        parts = line.replace(",", " ").upper().split()
        if parts:
            pairs.append(parts)
    once = (d.get("once_a_day") or "").replace(",", " ").upper().split()
    edits: dict[str, Any] = {}
    if pairs:
        edits["same_day_pairs"] = pairs
    if once:
        edits["once_a_day"] = once
    if not d.get("requires_zip4", True):
        edits["requires_zip4"] = False
    return edits


def _initial_claim_edits(p: Payer) -> dict[str, Any]:
    edits = as_dict(p.claim_edits)
    return {
        "same_day_pairs": "\n".join(" ".join(pair) for pair in edits.get("same_day_pairs", [])),
        "once_a_day": " ".join(edits.get("once_a_day", [])),
        "requires_zip4": edits.get("requires_zip4", True),
    }


# A per-service level's service codes and payment classes have no inputs on the page.
PER_SERVICE_PARTS = ("services", "payment_classes")


def with_per_service_parts_kept(levels: Mapping[str, Any], p: Payer) -> dict[str, Any]:
    """`levels` (from the page) with the payer's service codes and payment classes kept on
    each level still billed per service (set through the API or the starter catalog)."""
    kept = {lv: dict(entry) for lv, entry in levels.items()}
    for level, entry in kept.items():
        stored = as_dict(as_dict(p.level_of_care_codes).get(level))
        if entry.get("unit") == PER_SERVICE:
            entry.update({k: stored[k] for k in PER_SERVICE_PARTS if k in stored})
    return kept


def _crisis_column(d: Mapping[str, Any]) -> dict[str, Any]:
    if not (d["crisis_first_code"] or d["crisis_additional_code"] or d["crisis_places_of_service"]):
        return {}
    return {
        "first": d["crisis_first_code"],
        "each_additional": d["crisis_additional_code"],
        "places_of_service": d["crisis_places_of_service"],
    }


def _initial_units(p: Payer) -> dict[str, Any]:
    params = as_dict(p.rounding_params)
    bands = params.get("bands") or []
    return {
        "rounding_rule": p.rounding_rule,
        "count_unit_at": params.get("count_unit_at"),
        "rounding_bands": ", ".join(f"{a}={b}" for a, b in bands),
        "max_units": params.get("max_units"),
        "rounding_label": params.get("label", ""),
    }


def _initial_telehealth(p: Payer) -> dict[str, Any]:
    th = {**dataclasses.asdict(TelehealthProfile()), **as_dict(p.telehealth)}
    return {f"th_{k}": ("" if v is None else v) for k, v in th.items() if k != "label"}


def _initial_levels(p: Payer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for level, entry in as_dict(p.level_of_care_codes).items():
        entry = as_dict(entry)
        unit = entry.get("unit") or ("per_15min" if entry.get("unit_rule") else "per_diem")
        out.update(
            {
                f"loc_{level}_{k}": entry.get(k)
                for k in (
                    "hcpcs",
                    "modifiers",
                    "revenue_code",
                    "type_of_bill",
                    "pos",
                    "condition_codes",
                    "label",
                )
            }
        )
        out[f"loc_{level}_unit"] = unit
    return out


def _initial_programs(p: Payer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for level, entry in as_dict(p.program_minimums).items():
        entry = as_dict(entry)
        no_minimum = not entry.get("min_hours_per_day") and not entry.get("min_hours_per_week")
        down = as_dict(entry.get("downcode_to"))
        out.update(
            {
                f"pm_{level}_day": None if no_minimum else entry.get("min_hours_per_day"),
                f"pm_{level}_week": None if no_minimum else entry.get("min_hours_per_week"),
                f"pm_{level}_short": "" if no_minimum else entry.get("short_day_outcome", ""),
                f"pm_{level}_down_level": down.get("level", ""),
                f"pm_{level}_down_hcpcs": down.get("hcpcs", ""),
                f"pm_{level}_down_revenue": down.get("revenue_code", ""),
                f"pm_{level}_review": entry.get("plan_review_days"),
                f"pm_{level}_days": entry.get("min_days_per_week"),
                f"pm_{level}_leave": entry.get("leave_days", ""),
                f"pm_{level}_basis": entry.get("basis", ""),
            }
        )
    return out


def _initial_parity(p: Payer) -> dict[str, Any]:
    pc = as_dict(p.parity_comparators)
    out = {
        "parity_applies": pc.get("applies", p.kind not in ("medicare", "self_pay")),
        "ms_auth_levels": pc.get("medsurg_auth_required_levels", []),
        "ms_visits_before_auth": pc.get("medsurg_outpatient_visits_before_auth"),
    }
    for key, prefix in (
        ("medsurg_review_interval_days", "ms_review_"),
        ("medsurg_visit_limits", "ms_limit_"),
        ("mhsud_review_interval_days", "mh_review_"),
        ("mhsud_visit_limits", "mh_limit_"),
    ):
        out.update({f"{prefix}{k}": v for k, v in as_dict(pc.get(key)).items()})
    return out


def payer_initial(p: Payer) -> dict[str, Any]:
    """Form values describing a payer's columns (the inverse of `payer_columns`)."""
    group = as_dict(p.group_billing)
    evals = as_dict(p.evaluation_code_overrides)
    initial = {name: getattr(p, name) for name in _PLAIN}
    initial.update(
        {
            "group_mode": group.get("mode", GroupBillingMode.PER_SESSION.value),
            "group_code": group.get("code", "90853"),
            "group_modifiers": group.get("modifiers", []),
            "eval_90791": evals.get("90791", ""),
            "eval_90792": evals.get("90792", ""),
            "crisis_first_code": as_dict(p.crisis_site_codes).get("first", ""),
            "crisis_additional_code": as_dict(p.crisis_site_codes).get("each_additional", ""),
            "crisis_places_of_service": as_dict(p.crisis_site_codes).get("places_of_service", []),
            **{f"licmod_{k}": v for k, v in as_dict(p.license_modifiers).items()},
            **_initial_units(p),
            **_initial_claim_edits(p),
            **_initial_telehealth(p),
            **_initial_levels(p),
            **_initial_programs(p),
            **_initial_parity(p),
            **program_codes_initial(p),
        }
    )
    return initial
