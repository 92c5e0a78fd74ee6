"""The payer rules form: every payer rule as structured inputs, grouped for the template."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from coding.types import ShortDayOutcome
from payers.models import Payer
from payers.services.codes import (
    FILING_INDICATORS,
    LEVEL_CODE_UNITS,
    MAX_LINE_MODIFIERS,
    MEDSURG_CATEGORIES,
)
from payers.views.fields import (
    GROUP_MODES,
    LEVELS,
    LICENSES,
    SHORT_DAY,
    TokenListField,
    upper_char,
)
from payers.views.program_codes import (
    add_program_code_fields,
    clean_program_codes,
    program_code_tables,
)


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


class PayerForm(forms.Form):
    name = forms.CharField(max_length=120)
    edi_payer_id = forms.CharField(label="EDI payer id", max_length=20, required=False)
    kind = forms.ChoiceField(choices=Payer.Kind.choices)
    claim_filing_indicator = forms.ChoiceField(
        label="Claim filing indicator (SBR09)",
        choices=[(k, f"{k} — {v}") for k, v in FILING_INDICATORS.items()],
    )
    institutional_filing_indicator = forms.ChoiceField(
        label="Claim filing indicator on 837I (blank: the same)",
        choices=[("", "the same"), *[(k, f"{k} — {v}") for k, v in FILING_INDICATORS.items()]],
        required=False,
    )
    institutional_payer_id = forms.CharField(
        label="EDI payer id on 837I (blank: the same)", max_length=20, required=False
    )
    professional_claim_period = forms.ChoiceField(
        label="Professional claims cover",
        choices=Payer._meta.get_field("professional_claim_period").choices,
    )
    institutional_billing_cycle = forms.ChoiceField(
        label="Per-diem (837I) billing cycle",
        choices=Payer._meta.get_field("institutional_billing_cycle").choices,
    )
    same_day_pairs = forms.CharField(
        label="Codes not billed together the same day",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='One pair a line, e.g. "90791 90832"; add " 0" when no modifier (59/X{EPSU}) '
        "bypasses it (NCCI modifier indicator 0).",
    )
    once_a_day = forms.CharField(
        label="Codes billed once a day",
        required=False,
        help_text="Blank: 90791, 90792, 90839.",
    )
    requires_zip4 = forms.BooleanField(
        label="Billing address needs ZIP+4", required=False, initial=True
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

    th_home_pos = upper_char("pos", required=True, label="POS when the patient is at home")
    th_other_site_pos = upper_char("pos", required=True, label="POS when not at home")
    th_use_facility_pos = forms.BooleanField(
        required=False, label="Bill the in-person POS instead of 02/10"
    )
    th_video_modifier = upper_char(
        "modifier", label="Video modifier", help_text="95, GT, or blank for none"
    )
    th_audio_only_modifier = upper_char(
        "modifier", label="Audio-only modifier", help_text="93, FQ, or blank for none"
    )
    th_audio_only_allowed = forms.BooleanField(required=False, label="Audio-only is paid")
    th_any_state_license = forms.BooleanField(
        required=False, label="Accepts a clinician's license of any state"
    )
    th_license_exception_states = TokenListField(
        kind="state",
        label="Patient states where it accepts an out-of-state license",
        help_text="Otherwise the license (or a compact privilege) must be where the patient is.",
    )
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
    supervisor_license_types = forms.MultipleChoiceField(
        required=False,
        choices=LICENSES,
        widget=forms.CheckboxSelectMultiple,
        label="Supervisors it pays under (incident-to)",
        help_text="None ticked = any licence it pays as rendering. Medicare: physician, "
        "psychologist, NP, PA, CNS (not LCSW, LMFT, LPC).",
    )
    supervision_places_of_service = TokenListField(
        kind="pos",
        label="Places of service where it pays under a supervisor",
        help_text="Blank = anywhere. e.g. 11 12",
    )
    crisis_first_code = upper_char(
        "code", label="Crisis at a non-office, non-facility site: first code"
    )
    crisis_additional_code = upper_char("code", label="... each additional 30 minutes")
    crisis_places_of_service = TokenListField(
        kind="pos",
        label="... at these places of service",
        help_text="Medicare: G0017/G0018 at e.g. 12 13 14 15 16 33 (blank = 90839/90840 "
        "everywhere)",
    )
    z_code_primary_allowed = forms.BooleanField(
        required=False, label="A Z code may be the primary diagnosis"
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
        help_text="Blank: outpatient visits never need one. Counted per calendar year on "
        "the coverage billed.",
    )
    auth_tied_to_provider = forms.BooleanField(
        required=False,
        label="Authorizations are tied to the rendering provider",
        help_text="A service billed under another provider does not use the authorization.",
    )

    auth_expiry_alert_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=7,
        label="Alert before an authorization ends (days)",
        help_text="The UR queue shows an authorization ending within this many days.",
    )
    auth_usage_alert_percent = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=80,
        label="Alert when this share of units or days is used (%)",
    )
    family_min_minutes = forms.IntegerField(min_value=1, label="Family therapy minimum (min)")
    group_mode = forms.ChoiceField(label="Group billing", choices=list(GROUP_MODES.items()))
    group_code = upper_char("code", required=True, label="Group code")
    group_modifiers = TokenListField(
        kind="modifier", most=MAX_LINE_MODIFIERS, label="Group modifiers"
    )
    eval_90791 = upper_char("code", label="Bill 90791 as", help_text="e.g. H0031; blank: 90791")
    eval_90792 = upper_char("code", label="Bill 90792 as", help_text="blank: 90792")

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
            self.fields[f"licmod_{lt}"] = upper_char("modifier", label=label)
        for level, label in LEVELS:
            self._add_level_fields(level, label)
        for cat, label in MEDSURG_CATEGORIES.items():
            self.fields[f"ms_review_{cat}"] = _count(f"{label}: review every (days)")
            self.fields[f"ms_limit_{cat}"] = _count(f"{label}: visit limit")
        add_program_code_fields(self.fields)

    def _add_level_fields(self, level: str, label: str) -> None:
        f = self.fields
        f[f"loc_{level}_hcpcs"] = _cell(upper_char("code"), f"{label}: code")
        f[f"loc_{level}_modifiers"] = _cell(
            TokenListField(kind="modifier", most=4), f"{label}: modifiers"
        )
        f[f"loc_{level}_revenue_code"] = _cell(upper_char("revenue_code"), f"{label}: rev code")
        f[f"loc_{level}_type_of_bill"] = _cell(upper_char("type_of_bill"), f"{label}: TOB")
        f[f"loc_{level}_pos"] = _cell(upper_char("pos"), f"{label}: POS")
        f[f"loc_{level}_condition_codes"] = _cell(
            TokenListField(kind="condition_code"), f"{label}: condition codes"
        )
        f[f"loc_{level}_unit"] = _cell(
            forms.ChoiceField(required=False, choices=list(LEVEL_CODE_UNITS.items())),
            f"{label}: unit",
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
        f[f"pm_{level}_down_level"] = _cell(
            forms.ChoiceField(required=False, choices=[("", "—"), *LEVELS]),
            f"{label}: downcode to the program's code of",
        )
        f[f"pm_{level}_down_hcpcs"] = _cell(upper_char("code"), f"{label}: downcode to")
        f[f"pm_{level}_down_revenue"] = _cell(
            upper_char("revenue_code"), f"{label}: downcode rev code"
        )
        f[f"pm_{level}_review"] = _count(f"{label}: treatment plan review (days)")
        f[f"pm_{level}_days"] = _cell(
            forms.IntegerField(required=False, min_value=1, max_value=7),
            f"{label}: minimum days a week",
        )
        f[f"pm_{level}_basis"] = _cell(
            forms.ChoiceField(
                required=False,
                choices=[("", "—"), ("census", "census day"), ("attendance", "attended hours")],
            ),
            f"{label}: a day is billed by",
        )
        f[f"pm_{level}_leave"] = _cell(
            forms.ChoiceField(
                required=False,
                choices=[("", "—"), ("bill", "billed"), ("non_covered", "non-covered")],
            ),
            f"{label}: leave / bed-hold days",
        )
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

    def claims(self) -> list[forms.BoundField]:
        return self._bound(
            [
                "institutional_filing_indicator",
                "institutional_payer_id",
                "professional_claim_period",
                "institutional_billing_cycle",
                "same_day_pairs",
                "once_a_day",
                "requires_zip4",
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
            [
                "accepted_license_types",
                "pays_under_supervisor",
                "supervision_modifiers",
                "supervisor_license_types",
                "supervision_places_of_service",
            ]
        )

    def license_modifiers(self) -> list[forms.BoundField]:
        return self._bound(f"licmod_{lt}" for lt, _ in LICENSES)

    def authorization(self) -> list[forms.BoundField]:
        return self._bound(
            [
                "auth_required_levels",
                "auth_required_codes",
                "outpatient_visits_before_auth",
                "auth_tied_to_provider",
                "auth_expiry_alert_days",
                "auth_usage_alert_percent",
            ]
        )

    def services(self) -> list[forms.BoundField]:
        return self._bound(
            [
                "z_code_primary_allowed",
                "crisis_first_code",
                "crisis_additional_code",
                "crisis_places_of_service",
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
        parts = (
            "day",
            "week",
            "days",
            "short",
            "down_level",
            "down_hcpcs",
            "down_revenue",
            "basis",
            "leave",
            "review",
        )
        return [(label, self._bound(f"pm_{lv}_{p}" for p in parts)) for lv, label in LEVELS]

    def program_code_tables(self) -> list[dict[str, Any]]:
        return program_code_tables(self)

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
        clean_program_codes(self, data)
        crisis = [data.get(n) for n in ("crisis_first_code", "crisis_additional_code")]
        if (any(crisis) or data.get("crisis_places_of_service")) and not (
            all(crisis) and data.get("crisis_places_of_service")
        ):
            self.add_error(
                "crisis_first_code",
                "Site crisis codes need both codes and the places of service they apply at.",
            )
        return data

    def _clean_level(self, level: str, data: Mapping[str, Any]) -> None:
        row = [
            data.get(f"loc_{level}_{p}")
            for p in ("modifiers", "revenue_code", "type_of_bill", "pos", "condition_codes")
        ]
        per_service = data.get(f"loc_{level}_unit") == "per_service"
        if any(row) and not data.get(f"loc_{level}_hcpcs") and not per_service:
            self.add_error(
                f"loc_{level}_hcpcs", "Enter the code billed for this level, or clear the row."
            )
        hours = data.get(f"pm_{level}_day") is not None or data.get(f"pm_{level}_week") is not None
        short = data.get(f"pm_{level}_short")
        if hours and not short:
            self.add_error(f"pm_{level}_short", "Choose what a short day gets.")
        down = data.get(f"pm_{level}_down_hcpcs") or data.get(f"pm_{level}_down_level")
        if short == ShortDayOutcome.DOWNCODE and not down:
            self.add_error(
                f"pm_{level}_down_hcpcs", "Enter the code (or the level) to downcode to."
            )
