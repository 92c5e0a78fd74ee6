"""Payer and facility pages. Billing managers edit every payer rule through structured inputs;
the form turns them into the payer's rule columns and the services validate and save them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from patients.coding.types import (
    LICENSE_LABELS,
    GroupBillingMode,
    LicenseType,
    ShortDayOutcome,
    TelehealthProfile,
)
from patients.models import Facility, LevelOfCare, Payer
from patients.payer_catalog import catalog_install
from patients.rules import validate_payer_rule_data
from patients.services.facilities import facility_create, facility_update
from patients.services.payers import (
    FILING_INDICATORS,
    FORMAT_HINTS,
    LEVEL_UNITS,
    MAX_LINE_MODIFIERS,
    MEDSURG_CATEGORIES,
    PATTERNS,
    fee_rate_set,
    payer_create,
    payer_update,
    shape_error,
)
from rcm.permissions import Cap
from rcm.views import for_model, requires

LEVELS: list[tuple[str, str]] = list(LevelOfCare.choices)
LICENSES: list[tuple[str, str]] = [(lt.value, LICENSE_LABELS[lt]) for lt in LicenseType]
SHORT_DAY = {
    ShortDayOutcome.DENY.value: "deny the day",
    ShortDayOutcome.DOWNCODE.value: "downcode",
    ShortDayOutcome.PAY.value: "pay anyway",
    ShortDayOutcome.INFORMATIONAL.value: "pay, informational message",
}
GROUP_MODES = {
    GroupBillingMode.PER_SESSION.value: "one unit per session",
    GroupBillingMode.PER_15_MIN.value: "per 15 minutes attended",
}


def _shaped(kind: str) -> RegexValidator:
    return RegexValidator(PATTERNS[kind], f"Enter {FORMAT_HINTS[kind]}.")


class TokenListField(forms.CharField):
    """Comma- or space-separated codes (modifiers, HCPCS, condition codes) as an upper-case list."""

    def __init__(self, *, kind: str, most: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.kind, self.most = kind, most

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return [t.upper() for t in re.split(r"[\s,]+", text) if t]

    def validate(self, value: list[str]) -> None:
        if self.most is not None and len(value) > self.most:
            raise ValidationError(f"At most {self.most}.")
        bad = [shape_error(self.kind, token) for token in value]
        if any(bad):
            raise ValidationError([b for b in bad if b])


class UpperCharField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return super().to_python(value).upper()


def _upper_char(kind: str, **kwargs: Any) -> forms.CharField:
    """A code-shaped input (code, modifier, POS...), upper-cased before it is checked."""
    kwargs.setdefault("required", False)
    field = UpperCharField(validators=[_shaped(kind)], **kwargs)
    field.widget.attrs.setdefault("aria-label", kwargs.get("label", kind))
    return field


def _cell(field: forms.Field, label: str) -> forms.Field:
    field.label = label
    field.widget.attrs["aria-label"] = label
    return field


def _hours(label: str, most: int) -> forms.DecimalField:
    return _cell(
        forms.DecimalField(
            required=False, min_value=0, max_value=most, decimal_places=2, max_digits=5
        ),
        label,
    )


def _count(label: str) -> forms.IntegerField:
    return _cell(forms.IntegerField(required=False, min_value=1), label)


# --- The payer rules form ---------------------------------------------------------------------


class PayerForm(forms.Form):
    name = forms.CharField(max_length=120)
    edi_payer_id = forms.CharField(label="EDI payer id", max_length=20, required=False)
    kind = forms.ChoiceField(choices=Payer.Kind.choices)
    claim_filing_indicator = forms.ChoiceField(
        label="Claim filing indicator (SBR09)",
        choices=[(k, f"{k} — {v}") for k, v in FILING_INDICATORS.items()],
    )
    timely_filing_days = forms.IntegerField(min_value=1, label="Timely filing (days)")
    appeal_window_days = forms.IntegerField(min_value=1, label="Appeal window (days)")
    is_active = forms.BooleanField(required=False, label="Active")

    rounding_rule = forms.ChoiceField(
        label="Unit rounding for 15-minute codes", choices=Payer.Rounding.choices
    )
    count_unit_at = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=15,
        label="State table: a unit counts from minute",
        help_text="15 = whole units only; 8 = from the midpoint; 1 = any started unit.",
    )
    rounding_bands = forms.CharField(
        required=False,
        max_length=200,
        label="State table bands (instead)",
        help_text="from-minute=units, e.g. 8=1, 23=2, 38=3",
    )
    max_units = forms.IntegerField(required=False, min_value=1, label="Maximum units a day")
    rounding_label = forms.CharField(
        required=False,
        max_length=80,
        label="Name of the rule",
        help_text='e.g. "per 15 min: whole units only"',
    )

    th_home_pos = _upper_char("pos", required=True, label="POS when the patient is at home")
    th_other_site_pos = _upper_char("pos", required=True, label="POS when not at home")
    th_use_facility_pos = forms.BooleanField(
        required=False, label="Bill the in-person POS instead of 02/10"
    )
    th_video_modifier = _upper_char(
        "modifier", label="Video modifier", help_text="95, GT, or blank for none"
    )
    th_audio_only_modifier = _upper_char(
        "modifier", label="Audio-only modifier", help_text="93, FQ, or blank for none"
    )
    th_audio_only_allowed = forms.BooleanField(required=False, label="Audio-only is paid")
    th_audio_only_requires_home = forms.BooleanField(
        required=False, label="Audio-only only with the patient at home"
    )

    accepted_license_types = forms.MultipleChoiceField(
        required=False,
        choices=LICENSES,
        widget=forms.CheckboxSelectMultiple,
        label="Licenses it pays as rendering",
        help_text="None ticked = the engine's default set.",
    )
    pays_under_supervisor = forms.BooleanField(
        required=False, label="Pays other clinicians' services under a supervisor"
    )
    supervision_modifiers = TokenListField(
        kind="modifier", most=MAX_LINE_MODIFIERS, label="Modifiers on supervised services"
    )

    auth_required_levels = forms.MultipleChoiceField(
        required=False,
        choices=LEVELS,
        widget=forms.CheckboxSelectMultiple,
        label="Levels of care that need authorization",
    )
    auth_required_codes = TokenListField(kind="code", label="Codes that need authorization")
    outpatient_visits_before_auth = forms.IntegerField(
        required=False,
        min_value=1,
        label="Outpatient visits before authorization is needed",
        help_text="Blank: outpatient visits never need one.",
    )

    family_min_minutes = forms.IntegerField(min_value=1, label="Family therapy minimum (min)")
    group_mode = forms.ChoiceField(label="Group billing", choices=list(GROUP_MODES.items()))
    group_code = _upper_char("code", required=True, label="Group code")
    group_modifiers = TokenListField(
        kind="modifier", most=MAX_LINE_MODIFIERS, label="Group modifiers"
    )
    eval_90791 = _upper_char("code", label="Bill 90791 as", help_text="e.g. H0031; blank: 90791")
    eval_90792 = _upper_char("code", label="Bill 90792 as", help_text="blank: 90792")

    parity_applies = forms.BooleanField(required=False, label="Parity (MHPAEA) applies")
    ms_auth_levels = forms.MultipleChoiceField(
        required=False,
        choices=list(MEDSURG_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Med/surg services that need authorization",
    )
    ms_visits_before_auth = forms.IntegerField(
        required=False, min_value=1, label="Med/surg office visits before authorization"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lt, label in LICENSES:
            self.fields[f"licmod_{lt}"] = _upper_char("modifier", label=label)
        for level, label in LEVELS:
            self._add_level_fields(level, label)
        for cat, label in MEDSURG_CATEGORIES.items():
            self.fields[f"ms_review_{cat}"] = _count(f"{label}: review every (days)")
            self.fields[f"ms_limit_{cat}"] = _count(f"{label}: visit limit")

    def _add_level_fields(self, level: str, label: str) -> None:
        f = self.fields
        f[f"loc_{level}_hcpcs"] = _cell(_upper_char("code"), f"{label}: code")
        f[f"loc_{level}_modifiers"] = _cell(
            TokenListField(kind="modifier", most=4), f"{label}: modifiers"
        )
        f[f"loc_{level}_revenue_code"] = _cell(_upper_char("revenue_code"), f"{label}: rev code")
        f[f"loc_{level}_type_of_bill"] = _cell(_upper_char("type_of_bill"), f"{label}: TOB")
        f[f"loc_{level}_pos"] = _cell(_upper_char("pos"), f"{label}: POS")
        f[f"loc_{level}_condition_codes"] = _cell(
            TokenListField(kind="condition_code"), f"{label}: condition codes"
        )
        f[f"loc_{level}_unit"] = _cell(
            forms.ChoiceField(required=False, choices=list(LEVEL_UNITS.items())), f"{label}: unit"
        )
        f[f"loc_{level}_label"] = _cell(
            forms.CharField(required=False, max_length=80), f"{label}: description"
        )
        f[f"pm_{level}_day"] = _hours(f"{label}: minimum hours a day", 24)
        f[f"pm_{level}_week"] = _hours(f"{label}: minimum hours a week", 168)
        f[f"pm_{level}_short"] = _cell(
            forms.ChoiceField(required=False, choices=[("", "—"), *SHORT_DAY.items()]),
            f"{label}: short day",
        )
        f[f"pm_{level}_down_hcpcs"] = _cell(_upper_char("code"), f"{label}: downcode to")
        f[f"pm_{level}_down_revenue"] = _cell(
            _upper_char("revenue_code"), f"{label}: downcode rev code"
        )
        f[f"pm_{level}_review"] = _count(f"{label}: treatment plan review (days)")
        f[f"mh_review_{level}"] = _count(f"{label}: review every (days)")
        f[f"mh_limit_{level}"] = _count(f"{label}: visit limit")

    # Field groups for the template.
    def _bound(self, names: Iterable[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def general(self) -> list[forms.BoundField]:
        return self._bound(
            [
                "name",
                "edi_payer_id",
                "kind",
                "claim_filing_indicator",
                "timely_filing_days",
                "appeal_window_days",
                "is_active",
            ]
        )

    def units(self) -> list[forms.BoundField]:
        return self._bound(
            ["rounding_rule", "count_unit_at", "rounding_bands", "max_units", "rounding_label"]
        )

    def telehealth(self) -> list[forms.BoundField]:
        return self._bound([n for n in self.fields if n.startswith("th_")])

    def licensure(self) -> list[forms.BoundField]:
        return self._bound(
            ["accepted_license_types", "pays_under_supervisor", "supervision_modifiers"]
        )

    def license_modifiers(self) -> list[forms.BoundField]:
        return self._bound(f"licmod_{lt}" for lt, _ in LICENSES)

    def authorization(self) -> list[forms.BoundField]:
        return self._bound(
            ["auth_required_levels", "auth_required_codes", "outpatient_visits_before_auth"]
        )

    def services(self) -> list[forms.BoundField]:
        return self._bound(
            [
                "family_min_minutes",
                "group_mode",
                "group_code",
                "group_modifiers",
                "eval_90791",
                "eval_90792",
            ]
        )

    def level_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        parts = (
            "hcpcs",
            "modifiers",
            "revenue_code",
            "type_of_bill",
            "pos",
            "condition_codes",
            "unit",
            "label",
        )
        return [(label, self._bound(f"loc_{lv}_{p}" for p in parts)) for lv, label in LEVELS]

    def program_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        parts = ("day", "week", "short", "down_hcpcs", "down_revenue", "review")
        return [(label, self._bound(f"pm_{lv}_{p}" for p in parts)) for lv, label in LEVELS]

    def parity(self) -> list[forms.BoundField]:
        return self._bound(["parity_applies", "ms_auth_levels", "ms_visits_before_auth"])

    def medsurg_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (label, self._bound([f"ms_review_{c}", f"ms_limit_{c}"]))
            for c, label in MEDSURG_CATEGORIES.items()
        ]

    def mhsud_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, self._bound([f"mh_review_{lv}", f"mh_limit_{lv}"])) for lv, label in LEVELS]

    def clean_rounding_bands(self) -> list[list[int]]:
        text = self.cleaned_data.get("rounding_bands") or ""
        rows = [part.split("=") for part in re.split(r"[\s,]+", text.strip()) if part]
        if not all(len(r) == 2 and r[0].isdigit() and r[1].isdigit() for r in rows):
            raise ValidationError("Write each band as from-minute=units, e.g. 8=1, 23=2.")
        return sorted([int(a), int(b)] for a, b in rows)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rounding_rule") == Payer.Rounding.STATE_TABLE and not (
            data.get("count_unit_at") or data.get("rounding_bands")
        ):
            self.add_error(
                "count_unit_at", "A state table needs the minute a unit counts from, or bands."
            )
        for level, _ in LEVELS:
            self._clean_level(level, data)
        return data

    def _clean_level(self, level: str, data: Mapping[str, Any]) -> None:
        row = [
            data.get(f"loc_{level}_{p}")
            for p in ("modifiers", "revenue_code", "type_of_bill", "pos", "condition_codes")
        ]
        if any(row) and not data.get(f"loc_{level}_hcpcs"):
            self.add_error(
                f"loc_{level}_hcpcs", "Enter the code billed for this level, or clear the row."
            )
        hours = data.get(f"pm_{level}_day") is not None or data.get(f"pm_{level}_week") is not None
        short = data.get(f"pm_{level}_short")
        if hours and not short:
            self.add_error(f"pm_{level}_short", "Choose what a short day gets.")
        if short == ShortDayOutcome.DOWNCODE and not data.get(f"pm_{level}_down_hcpcs"):
            self.add_error(f"pm_{level}_down_hcpcs", "Enter the code to downcode to.")


# --- Payer columns <-> form values --------------------------------------------------------------


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
    review = d[f"pm_{level}_review"]
    if day is None and week is None and not review:
        return None
    entry: dict[str, Any] = {  # levels with only a review cadence have no hour minimum
        "min_hours_per_day": float(day or 0),
        "min_hours_per_week": float(week or 0),
        "short_day_outcome": d[f"pm_{level}_short"] or ShortDayOutcome.PAY.value,
    }
    if entry["short_day_outcome"] == ShortDayOutcome.DOWNCODE:
        entry["downcode_to"] = {"hcpcs": d[f"pm_{level}_down_hcpcs"]}
        if d[f"pm_{level}_down_revenue"]:
            entry["downcode_to"]["revenue_code"] = d[f"pm_{level}_down_revenue"]
    if review:
        entry["plan_review_days"] = review
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
    "timely_filing_days",
    "appeal_window_days",
    "is_active",
    "accepted_license_types",
    "pays_under_supervisor",
    "supervision_modifiers",
    "auth_required_levels",
    "auth_required_codes",
    "outpatient_visits_before_auth",
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
        lv: _level_code(d, lv, rounding) for lv, _ in LEVELS if d[f"loc_{lv}_hcpcs"]
    }
    programs = {lv: _program_entry(d, lv) for lv, _ in LEVELS}
    columns["program_minimums"] = {lv: e for lv, e in programs.items() if e}
    columns["parity_comparators"] = _parity_column(d)
    return columns


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _initial_units(p: Payer) -> dict[str, Any]:
    params = _dict(p.rounding_params)
    bands = params.get("bands") or []
    return {
        "rounding_rule": p.rounding_rule,
        "count_unit_at": params.get("count_unit_at"),
        "rounding_bands": ", ".join(f"{a}={b}" for a, b in bands),
        "max_units": params.get("max_units"),
        "rounding_label": params.get("label", ""),
    }


def _initial_telehealth(p: Payer) -> dict[str, Any]:
    th = {**dataclasses.asdict(TelehealthProfile()), **_dict(p.telehealth)}
    return {f"th_{k}": ("" if v is None else v) for k, v in th.items() if k != "label"}


def _initial_levels(p: Payer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for level, entry in _dict(p.level_of_care_codes).items():
        entry = _dict(entry)
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
    for level, entry in _dict(p.program_minimums).items():
        entry = _dict(entry)
        no_minimum = not entry.get("min_hours_per_day") and not entry.get("min_hours_per_week")
        down = _dict(entry.get("downcode_to"))
        out.update(
            {
                f"pm_{level}_day": None if no_minimum else entry.get("min_hours_per_day"),
                f"pm_{level}_week": None if no_minimum else entry.get("min_hours_per_week"),
                f"pm_{level}_short": "" if no_minimum else entry.get("short_day_outcome", ""),
                f"pm_{level}_down_hcpcs": down.get("hcpcs", ""),
                f"pm_{level}_down_revenue": down.get("revenue_code", ""),
                f"pm_{level}_review": entry.get("plan_review_days"),
            }
        )
    return out


def _initial_parity(p: Payer) -> dict[str, Any]:
    pc = _dict(p.parity_comparators)
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
        out.update({f"{prefix}{k}": v for k, v in _dict(pc.get(key)).items()})
    return out


def payer_initial(p: Payer) -> dict[str, Any]:
    """Form values describing a payer's columns (the inverse of `payer_columns`)."""
    group = _dict(p.group_billing)
    evals = _dict(p.evaluation_code_overrides)
    initial = {name: getattr(p, name) for name in _PLAIN}
    initial.update(
        {
            "group_mode": group.get("mode", GroupBillingMode.PER_SESSION.value),
            "group_code": group.get("code", "90853"),
            "group_modifiers": group.get("modifiers", []),
            "eval_90791": evals.get("90791", ""),
            "eval_90792": evals.get("90792", ""),
            **{f"licmod_{k}": v for k, v in _dict(p.license_modifiers).items()},
            **_initial_units(p),
            **_initial_telehealth(p),
            **_initial_levels(p),
            **_initial_programs(p),
            **_initial_parity(p),
        }
    )
    return initial


# --- Readable summaries -----------------------------------------------------------------------


def units_summary(p: Payer) -> str:
    params = _dict(p.rounding_params)
    text = (
        Payer.Rounding(p.rounding_rule).label
        if p.rounding_rule in Payer.Rounding.values
        else str(p.rounding_rule)
    )
    if p.rounding_rule == Payer.Rounding.STATE_TABLE:
        detail = params.get("label") or "state table"
        if params.get("bands"):
            rows = ", ".join(f"{a}+ min = {b}" for a, b in params["bands"])
            detail += f" ({rows})"
        elif params.get("count_unit_at"):
            detail += f" (a 15-min unit counts from minute {params['count_unit_at']})"
        text = f"{text} — {detail}"
    if params.get("max_units"):
        text += f", at most {params['max_units']} units a day"
    return text


def telehealth_summary(th: Mapping[str, Any]) -> str:
    d = {**dataclasses.asdict(TelehealthProfile()), **_dict(th)}
    where = (
        "the in-person POS"
        if d["use_facility_pos"]
        else f"POS {d['home_pos']} at home / {d['other_site_pos']} elsewhere"
    )
    video = f"modifier {d['video_modifier']} video" if d["video_modifier"] else "no video modifier"
    if not d["audio_only_allowed"]:
        audio = "audio-only not paid"
    else:
        audio = f"{d['audio_only_modifier'] or 'no modifier'} audio-only"
        audio += " (patient at home only)" if d["audio_only_requires_home"] else ""
    return f"{where}, {video}, {audio}"


def _labels(values: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(v, v) for v in values) or "none"


def _license_summary(p: Payer) -> list[tuple[str, str]]:
    names = dict(LICENSES)
    accepted = p.accepted_license_types or []
    rows = [
        ("Licenses paid", _labels(accepted, names) if accepted else "engine default set"),
        ("Not paid", _labels([lt for lt in names if accepted and lt not in accepted], names)),
    ]
    if p.pays_under_supervisor:
        mods = ", ".join(p.supervision_modifiers) or "no modifier"
        rows.append(("Supervision", f"bills others' services under a supervisor with {mods}"))
    else:
        rows.append(("Supervision", "does not pay under a supervisor"))
    mods = _dict(p.license_modifiers)
    rows.append(
        (
            "License modifiers",
            ", ".join(f"{names.get(k, k)} {v}" for k, v in mods.items()) or "none",
        )
    )
    return rows


def _auth_summary(p: Payer) -> str:
    levels = dict(LEVELS)
    parts = [f"levels: {_labels(p.auth_required_levels, levels)}"]
    if p.auth_required_codes:
        parts.append(f"codes: {', '.join(p.auth_required_codes)}")
    if p.outpatient_visits_before_auth:
        parts.append(f"outpatient after {p.outpatient_visits_before_auth} visits")
    return "; ".join(parts)


def _service_summary(p: Payer) -> list[tuple[str, str]]:
    group = _dict(p.group_billing)
    mode = GROUP_MODES.get(group.get("mode", "per_session"), group.get("mode"))
    code = " ".join([group.get("code", "90853"), *group.get("modifiers", [])])
    evals = _dict(p.evaluation_code_overrides)
    rows = [
        ("Family therapy", f"at least {p.family_min_minutes} minutes"),
        ("Group", f"{code}, {mode}"),
    ]
    rows += [("Evaluation", f"{cpt} billed as {code}") for cpt, code in evals.items()]
    return rows


def payer_summary(p: Payer) -> list[tuple[str, str]]:
    """(topic, sentence) rows describing every rule of the payer in plain words."""
    return [
        (
            "Filing",
            f"claim filing indicator {p.claim_filing_indicator}; timely filing "
            f"{p.timely_filing_days} days; appeal window {p.appeal_window_days} days",
        ),
        ("Units", units_summary(p)),
        ("Telehealth", telehealth_summary(p.telehealth)),
        *_license_summary(p),
        ("Authorization", _auth_summary(p)),
        *_service_summary(p),
    ]


def level_table(p: Payer) -> list[dict[str, Any]]:
    codes, programs = _dict(p.level_of_care_codes), _dict(p.program_minimums)
    rows = []
    for level, label in LEVELS:
        code, program = _dict(codes.get(level)), _dict(programs.get(level))
        if code or program:
            down = _dict(program.get("downcode_to"))
            rows.append(
                {
                    "label": label,
                    "code": code,
                    "program": program,
                    "auth": level in (p.auth_required_levels or []),
                    "unit": LEVEL_UNITS.get(code.get("unit", ""), ""),
                    "short": SHORT_DAY.get(program.get("short_day_outcome", ""), ""),
                    "downcode": " ".join(
                        filter(None, [down.get("hcpcs"), down.get("revenue_code")])
                    ),
                }
            )
    return rows


def parity_table(p: Payer) -> dict[str, Any]:
    pc = _dict(p.parity_comparators)
    review, limits = (
        _dict(pc.get("medsurg_review_interval_days")),
        _dict(pc.get("medsurg_visit_limits")),
    )
    auth = pc.get("medsurg_auth_required_levels") or []
    medsurg = [
        {"label": label, "auth": c in auth, "review": review.get(c), "limit": limits.get(c)}
        for c, label in MEDSURG_CATEGORIES.items()
        if c in auth or c in review or c in limits
    ]
    mh_review, mh_limit = (
        _dict(pc.get("mhsud_review_interval_days")),
        _dict(pc.get("mhsud_visit_limits")),
    )
    mhsud = [
        {
            "label": label,
            "auth": lv in (p.auth_required_levels or []),
            "review": mh_review.get(lv),
            "limit": mh_limit.get(lv),
        }
        for lv, label in LEVELS
        if lv in mh_review or lv in mh_limit or lv in (p.auth_required_levels or [])
    ]
    return {
        "applies": pc.get("applies"),
        "medsurg": medsurg,
        "mhsud": mhsud,
        "ms_visits": pc.get("medsurg_outpatient_visits_before_auth"),
    }


# --- Fee rate and facility forms ----------------------------------------------------------------


class FeeRateForm(forms.Form):
    code = _upper_char("code", required=True, label="Code")
    modifiers = TokenListField(kind="modifier", most=MAX_LINE_MODIFIERS, label="Modifiers")
    license_type = forms.ChoiceField(
        required=False, choices=[("", "any license"), *LICENSES], label="License type"
    )
    rate = forms.DecimalField(max_digits=10, decimal_places=2, label="Rate ($)")
    effective_from = forms.DateField(
        label="Effective from", widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        required=False, label="Effective to", widget=forms.DateInput(attrs={"type": "date"})
    )


class FacilityForm(forms.Form):
    name = forms.CharField(max_length=120)
    npi = forms.CharField(label="Type-2 NPI", max_length=10, required=False)
    taxonomy = _upper_char("taxonomy", label="Taxonomy", max_length=10)
    address_line1 = forms.CharField(label="Address", max_length=120)
    city = forms.CharField(max_length=60)
    state = forms.CharField(max_length=2)
    postal_code = forms.CharField(max_length=10)
    pos = _upper_char("pos", required=True, label="Place of service", initial="11")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")


FACILITY_FIELDS = list(FacilityForm.base_fields)

# --- Views ----------------------------------------------------------------------------------


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in detail.items():
        for message in messages_:
            if field in form.fields:
                form.add_error(field, message)
            else:
                where = (
                    ""
                    if field in ("__all__", "non_field_errors")
                    else f"{field.replace('_', ' ').capitalize()}: "
                )
                form.add_error(None, f"{where}{message}")


def _saved(form: forms.Form, save: Callable[[], Any]) -> Any:
    """Run `save` when the form is valid; service errors land on the form. None = not saved."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], form: forms.Form
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, template, context, status=status)


@requires(Cap.VIEW_PROVIDERS)
def payer_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    payers = Payer.objects.annotate(rate_count=Count("rates")).order_by("name")
    return TemplateResponse(request, "patients/payers/list.html", {"payers": payers})


@require_POST
@requires(Cap.EDIT_PAYER_RULES)
def payer_install_starter(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        results = catalog_install(org=request.org, actor=request.user)
    except ValidationError as exc:  # e.g. a payer of the same name added meanwhile
        messages.error(request, f"Starter payers not installed: {'; '.join(exc.messages)}")
        return redirect("patients:payer_list", org_slug=org_slug)
    added = [p.name for p, created in results if created]
    messages.success(
        request,
        f"Installed {len(added)} starter payer(s): "
        f"{', '.join(added) or 'all were already present'}.",
    )
    return redirect("patients:payer_list", org_slug=org_slug)


def _payer_form_page(request: HttpRequest, payer: Payer | None) -> HttpResponse:
    form = PayerForm(request.POST or None, initial=payer_initial(payer or Payer()))
    if request.method == "POST":
        if payer is None:
            saved = _saved(
                form, lambda: payer_create(actor=request.user, **payer_columns(form.cleaned_data))
            )
        else:
            saved = _saved(
                form,
                lambda: payer_update(
                    payer=payer, actor=request.user, **payer_columns(form.cleaned_data)
                ),
            )
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return redirect(
                "patients:payer_detail", org_slug=request.org.slug, public_id=saved.public_id
            )
    return _page(request, "patients/payers/form.html", {"form": form, "payer": payer}, form)


@requires(Cap.EDIT_PAYER_RULES)
def payer_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _payer_form_page(request, None)


@for_model(Payer)
@requires(Cap.EDIT_PAYER_RULES)
def payer_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    payer = get_object_or_404(Payer.objects, public_id=public_id)
    return _payer_form_page(request, payer)


def _detail_context(payer: Payer, rate_form: FeeRateForm | None = None) -> dict[str, Any]:
    return {
        "payer": payer,
        "summary": payer_summary(payer),
        "levels": level_table(payer),
        "parity": parity_table(payer),
        "problems": validate_payer_rule_data(payer),
        "rates": payer.rates.order_by("code", "license_type", "effective_from"),
        "rate_form": rate_form or FeeRateForm(),
    }


@for_model(Payer)
@requires(Cap.VIEW_PROVIDERS)
def payer_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    payer = get_object_or_404(Payer.objects, public_id=public_id)
    return TemplateResponse(request, "patients/payers/detail.html", _detail_context(payer))


@for_model(Payer)
@requires(Cap.EDIT_PAYER_RULES)
def fee_rate_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    payer = get_object_or_404(Payer.objects, public_id=public_id)
    form = FeeRateForm(request.POST or None)
    saved = None
    if request.method == "POST":
        saved = _saved(
            form, lambda: fee_rate_set(payer=payer, actor=request.user, **form.cleaned_data)
        )
    if saved is not None and not request.htmx:
        messages.success(request, f"Saved the {saved.code} rate.")
        return redirect("patients:payer_detail", org_slug=org_slug, public_id=payer.public_id)
    context = _detail_context(payer, None if saved else form)
    if request.htmx:  # the fee schedule section swaps in place (errors included)
        return TemplateResponse(request, "patients/payers/detail.html#fee_schedule", context)
    return _page(request, "patients/payers/rate_form.html", context, form)


@requires(Cap.VIEW_PROVIDERS)
def facility_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    facilities = Facility.objects.order_by("name")
    return TemplateResponse(
        request, "patients/payers/facility_list.html", {"facilities": facilities}
    )


def _facility_form_page(request: HttpRequest, facility: Facility | None) -> HttpResponse:
    initial = {f: getattr(facility, f) for f in FACILITY_FIELDS} if facility else None
    form = FacilityForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if facility is None:
            saved = _saved(form, lambda: facility_create(actor=request.user, **form.cleaned_data))
        else:
            saved = _saved(
                form,
                lambda: facility_update(facility=facility, actor=request.user, **form.cleaned_data),
            )
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("patients:facility_list", org_slug=request.org.slug)
    return _page(
        request, "patients/payers/facility_form.html", {"form": form, "facility": facility}, form
    )


@requires(Cap.EDIT_PAYER_RULES)
def facility_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _facility_form_page(request, None)


@for_model(Facility)
@requires(Cap.EDIT_PAYER_RULES)
def facility_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    facility = get_object_or_404(Facility.objects, public_id=public_id)
    return _facility_form_page(request, facility)


urlpatterns = [
    path("payers/", payer_list, name="payer_list"),
    path("payers/new/", payer_create_view, name="payer_create"),
    path("payers/install-starter/", payer_install_starter, name="payer_install_starter"),
    path("payers/<uuid:public_id>/", payer_detail, name="payer_detail"),
    path("payers/<uuid:public_id>/edit/", payer_edit, name="payer_edit"),
    path("payers/<uuid:public_id>/rates/new/", fee_rate_add, name="fee_rate_add"),
    path("facilities/", facility_list, name="facility_list"),
    path("facilities/new/", facility_create_view, name="facility_create"),
    path("facilities/<uuid:public_id>/edit/", facility_edit, name="facility_edit"),
]
