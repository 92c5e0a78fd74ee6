"""Facility pages: the list, each facility's page (its billing facts and billing profiles), the
create/edit form (billing NPI, TIN, taxonomy, address, POS) and the billing profile forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from facilities.models import PROFILE_PROGRAM_CHOICES, BillingProfile, Facility
from facilities.services import (
    billing_profile_create,
    billing_profile_deactivate,
    billing_profile_update,
    facility_create,
    facility_update,
)
from payers.models import Payer
from payers.views.fields import upper_char
from rcm.pages import form_page, page, save_valid
from rcm.permissions import Cap
from rcm.views import for_model, requires


class FacilityForm(forms.Form):
    name = forms.CharField(max_length=120)
    npi = forms.CharField(label="Type-2 NPI", max_length=10, required=False)
    tin = forms.CharField(
        label="TIN (EIN)", max_length=10, required=False, help_text="9 digits, e.g. 12-3456789"
    )
    taxonomy = upper_char("taxonomy", label="Taxonomy", max_length=10)
    address_line1 = forms.CharField(label="Address", max_length=120)
    city = forms.CharField(max_length=60)
    state = forms.CharField(max_length=2)
    postal_code = forms.CharField(max_length=10)
    pos = upper_char("pos", required=True, label="Place of service", initial="11")
    bill_type = upper_char(
        "type_of_bill",
        label="Type of bill: facility type (e.g. 13, 76, 89)",
        help_text="Blank: each payer's level data says.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")


FACILITY_FIELDS = list(FacilityForm.base_fields)


class BillingProfileForm(forms.Form):
    program = forms.ChoiceField(choices=PROFILE_PROGRAM_CHOICES, required=False)
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.all(),
        to_field_name="public_id",
        required=False,
        empty_label="Any payer",
    )
    billing_name = forms.CharField(max_length=60, label="Billing provider name")
    npi = forms.CharField(label="Type-2 NPI", max_length=10)
    tin = forms.CharField(label="TIN (EIN)", max_length=10, help_text="9 digits")
    taxonomy = upper_char("taxonomy", required=True, label="Taxonomy", max_length=10)
    address_line1 = forms.CharField(
        label="Street address", max_length=55, help_text="No PO box (837 2010AA)"
    )
    address_line2 = forms.CharField(label="Address line 2", max_length=55, required=False)
    city = forms.CharField(max_length=30)
    state = forms.CharField(max_length=2)
    postal_code = forms.CharField(label="ZIP+4", max_length=10, help_text="e.g. 97201-1234")
    pay_to_address_line1 = forms.CharField(
        label="Pay-to address",
        max_length=55,
        required=False,
        help_text="Blank: the billing address",
    )
    pay_to_address_line2 = forms.CharField(
        label="Pay-to address line 2", max_length=55, required=False
    )
    pay_to_city = forms.CharField(label="Pay-to city", max_length=30, required=False)
    pay_to_state = forms.CharField(label="Pay-to state", max_length=2, required=False)
    pay_to_postal_code = forms.CharField(label="Pay-to ZIP", max_length=10, required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, profile: BillingProfile | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = [profile.payer_id] if profile is not None and profile.payer_id else []
        payers = Payer.objects.filter(is_active=True) | Payer.objects.filter(pk__in=keep)
        self.fields["payer"].queryset = payers.order_by("name")


PROFILE_FORM_FIELDS = list(BillingProfileForm.base_fields)


@requires(Cap.VIEW_PROVIDERS)
def facility_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    facilities = Facility.objects.order_by("name")
    return TemplateResponse(request, "facilities/facility_list.html", {"facilities": facilities})


@for_model(Facility)
@requires(Cap.VIEW_PROVIDERS)
def facility_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    facility = get_object_or_404(Facility.objects, public_id=public_id)
    profiles = facility.billing_profiles.select_related("payer").order_by(
        "-is_active", "program", "payer__name"
    )
    return TemplateResponse(
        request,
        "facilities/facility_detail.html",
        {"facility": facility, "profiles": profiles},
    )


def _save_facility(request: HttpRequest, facility: Facility | None, form: FacilityForm) -> Facility:
    if facility is None:
        return facility_create(actor=request.user, **form.cleaned_data)
    return facility_update(facility=facility, actor=request.user, **form.cleaned_data)


def _facility_form_page(request: HttpRequest, facility: Facility | None) -> HttpResponse:
    initial = {f: getattr(facility, f) for f in FACILITY_FIELDS} if facility else None
    form = FacilityForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda: _save_facility(request, facility, form),
        template="facilities/facility_form.html",
        context={"facility": facility},
        done=lambda saved: redirect(
            "facilities:facility_detail", org_slug=request.org.slug, public_id=saved.public_id
        ),
    )


@requires(Cap.EDIT_PAYER_RULES)
def facility_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _facility_form_page(request, None)


@for_model(Facility)
@requires(Cap.EDIT_PAYER_RULES)
def facility_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    facility = get_object_or_404(Facility.objects, public_id=public_id)
    return _facility_form_page(request, facility)


# --- Billing profiles --------------------------------------------------------------------------


def _profile_page(
    request: HttpRequest, facility: Facility, profile: BillingProfile | None
) -> HttpResponse:
    initial = {"is_active": True}
    if profile is not None:
        initial = {f: getattr(profile, f) for f in PROFILE_FORM_FIELDS}
    form = BillingProfileForm(request.POST or None, initial=initial, profile=profile)

    def save() -> BillingProfile:
        if profile is None:
            return billing_profile_create(
                actor=request.user, facility=facility, **form.cleaned_data
            )
        return billing_profile_update(profile=profile, actor=request.user, **form.cleaned_data)

    if request.method == "POST":
        saved = save_valid(form, save)
        if saved is not None:
            messages.success(request, f"Saved the billing profile for {saved.scope_label}.")
            return redirect(
                "facilities:facility_detail",
                org_slug=request.org.slug,
                public_id=facility.public_id,
            )
    context = {"form": form, "facility": facility, "profile": profile}
    return page(request, "facilities/billing_profile_form.html", context, form)


@for_model(Facility)
@requires(Cap.EDIT_PAYER_RULES)
def billing_profile_create_view(
    request: HttpRequest, org_slug: str, public_id: Any
) -> HttpResponse:
    facility = get_object_or_404(Facility.objects, public_id=public_id)
    return _profile_page(request, facility, None)


def _profile(public_id: Any) -> BillingProfile:
    return get_object_or_404(
        BillingProfile.objects.select_related("facility", "payer"), public_id=public_id
    )


@for_model(BillingProfile)
@requires(Cap.EDIT_PAYER_RULES)
def billing_profile_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    profile = _profile(public_id)
    return _profile_page(request, profile.facility, profile)


@for_model(BillingProfile)
@requires(Cap.EDIT_PAYER_RULES)
@require_POST
def billing_profile_deactivate_view(
    request: HttpRequest, org_slug: str, public_id: Any
) -> HttpResponse:
    profile = _profile(public_id)
    billing_profile_deactivate(profile=profile, actor=request.user)
    messages.success(
        request,
        f"The billing profile for {profile.scope_label} is inactive; claims use the next one.",
    )
    return redirect(
        "facilities:facility_detail", org_slug=org_slug, public_id=profile.facility.public_id
    )
