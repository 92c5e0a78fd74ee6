"""Facility pages: the list and the create/edit form (billing NPI, taxonomy, address, POS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from facilities.models import Facility
from facilities.services import facility_create, facility_update
from payers.views.fields import upper_char
from rcm.pages import form_page
from rcm.permissions import Cap
from rcm.views import for_model, requires


class FacilityForm(forms.Form):
    name = forms.CharField(max_length=120)
    npi = forms.CharField(label="Type-2 NPI", max_length=10, required=False)
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


@requires(Cap.VIEW_PROVIDERS)
def facility_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    facilities = Facility.objects.order_by("name")
    return TemplateResponse(request, "facilities/facility_list.html", {"facilities": facilities})


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
        done=lambda saved: redirect("facilities:facility_list", org_slug=request.org.slug),
    )


@requires(Cap.EDIT_PAYER_RULES)
def facility_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _facility_form_page(request, None)


@for_model(Facility)
@requires(Cap.EDIT_PAYER_RULES)
def facility_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    facility = get_object_or_404(Facility.objects, public_id=public_id)
    return _facility_form_page(request, facility)
