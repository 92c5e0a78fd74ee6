"""Forms for the authorization pages. They only parse input; the services validate, and their
field errors are put back on the form by `apply_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from authorizations.models import ConcurrentReview, Criteria, PriorAuthorization
from credentialing.models import Provider
from patients.models import Coverage, EpisodeOfCare, LevelOfCare

DATE = forms.DateInput(attrs={"type": "date"})


class CoverageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Coverage) -> str:
        return f"{obj.patient.display_name} ({obj.patient.mrn}) · {obj.payer.name}"


class EpisodeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: EpisodeOfCare) -> str:
        return f"{obj.patient.mrn} · {obj.get_program_display()} · admitted {obj.admit_date}"


class ProviderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Provider) -> str:
        return f"{obj} (NPI {obj.npi})"


class AuthorizationForm(forms.Form):
    coverage = CoverageChoice(
        queryset=Coverage.objects.select_related("patient", "payer").order_by("patient__mrn"),
        to_field_name="public_id",
    )
    episode = EpisodeChoice(
        queryset=EpisodeOfCare.objects.select_related("patient").order_by("patient__mrn"),
        to_field_name="public_id",
        required=False,
    )
    level_of_care = forms.ChoiceField(choices=LevelOfCare.choices)
    asam_level = forms.CharField(max_length=8, required=False, label="ASAM level")
    codes = forms.CharField(
        required=False,
        label="Authorized codes",
        help_text="CPT/HCPCS or revenue codes, separated by commas, each with any required "
        "modifiers after colons, e.g. H0015:HQ, 1002, 90837. Blank: any code at this level.",
    )
    provider = ProviderChoice(
        queryset=Provider.objects.filter(is_active=True).order_by("last_name", "first_name"),
        to_field_name="public_id",
        required=False,
        label="Rendering provider",
        help_text="The provider the authorization is tied to (required when the payer ties "
        "authorizations to the provider).",
    )
    unit_type = forms.ChoiceField(choices=PriorAuthorization.UnitType.choices)
    units_authorized = forms.DecimalField(max_digits=8, decimal_places=2)
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    status = forms.ChoiceField(
        choices=PriorAuthorization.Status.choices, initial=PriorAuthorization.Status.APPROVED
    )
    auth_number = forms.CharField(max_length=50, required=False, label="Auth number")
    next_review_date = forms.DateField(widget=DATE, required=False)
    criteria = forms.ChoiceField(choices=[("", "—"), *Criteria.choices], required=False)


class ReviewForm(forms.Form):
    review_date = forms.DateField(widget=DATE)
    outcome = forms.ChoiceField(choices=ConcurrentReview.Outcome.choices)
    units_added = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    new_end_date = forms.DateField(widget=DATE, required=False)
    next_review_date = forms.DateField(widget=DATE, required=False)
    criteria = forms.ChoiceField(choices=[("", "—"), *Criteria.choices], required=False)
    reviewer = forms.CharField(max_length=120, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's `{field: [message]}` to the form; unknown fields become form-wide."""
    detail: dict[str, Any] = (
        exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    )
    for field, messages in detail.items():
        form.add_error(field if field in form.fields else None, messages)
