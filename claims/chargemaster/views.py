"""Chargemaster pages: the list (filter by code), add, edit, end-date and CSV import. Billers
read; billing managers and admins write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from claims.chargemaster.csv_import import COLUMNS, chargemaster_import_csv
from claims.chargemaster.services import (
    chargemaster_entry_create,
    chargemaster_entry_end,
    chargemaster_entry_update,
)
from claims.models import ChargemasterEntry
from payers.views.fields import TokenListField
from rcm.pages import page, save_valid
from rcm.permissions import Cap
from rcm.views import for_model, requires

DATE = forms.DateInput(attrs={"type": "date"})
PER_PAGE = 100


class ChargeFilterForm(forms.Form):
    code = forms.CharField(required=False, max_length=5, label="Code or revenue code")


class ChargemasterEntryForm(forms.Form):
    code = forms.CharField(
        required=False, max_length=5, label="HCPCS/CPT", help_text="Blank with a revenue code"
    )
    revenue_code = forms.CharField(required=False, max_length=4, label="Revenue code")
    modifiers = TokenListField(kind="modifier", most=4, label="Modifiers", help_text="e.g. HQ 95")
    description = forms.CharField(required=False, max_length=120)
    amount = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, label="Charge")
    effective_from = forms.DateField(widget=DATE, label="Effective from")
    effective_to = forms.DateField(required=False, widget=DATE, label="Through (blank = open)")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")


class NewChargeForm(ChargemasterEntryForm):
    supersede = forms.BooleanField(
        required=False,
        label="End an earlier open-ended charge of this code the day before",
    )


class EndChargeForm(forms.Form):
    effective_to = forms.DateField(widget=DATE, label="Last day this charge applies")


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Columns: " + ", ".join(COLUMNS))
    supersede = forms.BooleanField(
        required=False,
        label="End earlier open-ended charges of the same codes the day before the new ones",
    )


ENTRY_FORM_FIELDS = list(ChargemasterEntryForm.base_fields)


def _list_url(request: HttpRequest) -> str:
    return reverse("claims:chargemaster_list", kwargs={"org_slug": request.org.slug})


@requires(Cap.WORK_CLAIMS)
def chargemaster_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ChargeFilterForm(request.GET or None)
    rows = ChargemasterEntry.objects.order_by(
        "code", "revenue_code", "modifiers", "-effective_from"
    )
    code = form.cleaned_data["code"].strip().upper() if form.is_valid() else ""
    if code:
        rows = rows.filter(Q(code__startswith=code) | Q(revenue_code__startswith=code))
    paged = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": paged, "code": code}
    return TemplateResponse(request, "claims/chargemaster_list.html", context)


def _entry_page(request: HttpRequest, entry: ChargemasterEntry | None) -> HttpResponse:
    if entry is None:
        form: forms.Form = NewChargeForm(request.POST or None, initial={"is_active": True})
    else:
        initial = {name: getattr(entry, name) for name in ENTRY_FORM_FIELDS}
        form = ChargemasterEntryForm(request.POST or None, initial=initial)

    def save() -> ChargemasterEntry:
        data = dict(form.cleaned_data)
        if entry is None:
            return chargemaster_entry_create(actor=request.user, **data)
        return chargemaster_entry_update(entry=entry, actor=request.user, **data)

    if request.method == "POST":
        saved = save_valid(form, save)
        if saved is not None:
            messages.success(request, f"Saved the {saved.code or saved.revenue_code} charge.")
            return redirect(_list_url(request) + f"?code={saved.code or saved.revenue_code}")
    return page(request, "claims/chargemaster_form.html", {"form": form, "entry": entry}, form)


@requires(Cap.EDIT_PAYER_RULES)
def chargemaster_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _entry_page(request, None)


@for_model(ChargemasterEntry)
@requires(Cap.EDIT_PAYER_RULES)
def chargemaster_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    entry = get_object_or_404(ChargemasterEntry.objects, public_id=public_id)
    return _entry_page(request, entry)


@for_model(ChargemasterEntry)
@requires(Cap.EDIT_PAYER_RULES)
def chargemaster_end(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    entry = get_object_or_404(ChargemasterEntry.objects, public_id=public_id)
    form = EndChargeForm(request.POST or None, initial={"effective_to": entry.effective_to})

    def save() -> ChargemasterEntry:
        return chargemaster_entry_end(
            entry=entry, effective_to=form.cleaned_data["effective_to"], actor=request.user
        )

    if request.method == "POST":
        saved = save_valid(form, save)
        if saved is not None:
            messages.success(request, f"The charge ends on {saved.effective_to}.")
            return redirect(_list_url(request) + f"?code={saved.code or saved.revenue_code}")
    return page(request, "claims/chargemaster_end.html", {"form": form, "entry": entry}, form)


@requires(Cap.EDIT_PAYER_RULES)
def chargemaster_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Upload a CSV chargemaster: every row is added, or none (each problem named by row)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = chargemaster_import_csv(
                content=upload.read(),
                actor=request.user,
                supersede=form.cleaned_data["supersede"],
            )
        except ValidationError as exc:
            problems = exc.message_dict.get("csv", exc.messages)
        else:
            ended = (
                f"; {result.superseded} earlier charges end the day before"
                if result.superseded
                else ""
            )
            messages.success(request, f"Imported {result.created} charges{ended}.")
            return redirect(_list_url(request))
    status = 400 if form.is_bound and (form.errors or problems) else 200
    context = {"form": form, "problems": problems, "columns": COLUMNS}
    return TemplateResponse(request, "claims/chargemaster_import.html", context, status=status)
