"""Payer pages: the list, starter catalog install, the rules form, the detail page and fee rates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from payers.catalog import catalog_install
from payers.models import Payer
from payers.rules import validate_payer_rule_data
from payers.services.codes import MAX_LINE_MODIFIERS
from payers.services.fee_schedule import fee_rate_set
from payers.services.payers import payer_create, payer_update
from payers.views.columns import payer_columns, payer_initial, with_per_service_parts_kept
from payers.views.fields import LICENSES, TokenListField, upper_char
from payers.views.payer_form import PayerForm
from payers.views.program_codes import errors_on_rows, kept_rows, with_entries_off_the_page
from payers.views.summaries import (
    level_table,
    parity_table,
    payer_summary,
    program_code_tables,
)
from rcm.pages import form_page, page, save_valid
from rcm.permissions import Cap
from rcm.views import for_model, requires


class FeeRateForm(forms.Form):
    code = upper_char("code", required=True, label="Code")
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


@requires(Cap.VIEW_PROVIDERS)
def payer_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    payers = Payer.objects.annotate(rate_count=Count("rates")).order_by("name")
    return TemplateResponse(request, "payers/list.html", {"payers": payers})


@require_POST
@requires(Cap.EDIT_PAYER_RULES)
def payer_install_starter(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        results = catalog_install(org=request.org, actor=request.user)
    except ValidationError as exc:  # e.g. a payer of the same name added meanwhile
        messages.error(request, f"Starter payers not installed: {'; '.join(exc.messages)}")
        return redirect("payers:payer_list", org_slug=org_slug)
    added = [p.name for p, created in results if created]
    messages.success(
        request,
        f"Installed {len(added)} starter payer(s): "
        f"{', '.join(added) or 'all were already present'}.",
    )
    return redirect("payers:payer_list", org_slug=org_slug)


def _save_payer(request: HttpRequest, payer: Payer | None, form: PayerForm) -> Payer:
    columns = payer_columns(form.cleaned_data)
    try:
        if payer is None:
            return payer_create(actor=request.user, **columns)
        # Codes by program the page has no row for (set through the API) stay as they are,
        # and so do a per-service level's service codes and payment classes.
        columns["program_codes"] = with_entries_off_the_page(columns["program_codes"], payer)
        columns["level_of_care_codes"] = with_per_service_parts_kept(
            columns["level_of_care_codes"], payer
        )
        return payer_update(payer=payer, actor=request.user, **columns)
    except ValidationError as exc:
        raise errors_on_rows(exc) from exc


def _payer_form_page(request: HttpRequest, payer: Payer | None) -> HttpResponse:
    form = PayerForm(request.POST or None, initial=payer_initial(payer or Payer()))
    return form_page(
        request,
        form,
        lambda: _save_payer(request, payer, form),
        template="payers/form.html",
        context={"payer": payer, "program_codes_kept": kept_rows(payer or Payer())},
        done=lambda saved: redirect(
            "payers:payer_detail", org_slug=request.org.slug, public_id=saved.public_id
        ),
    )


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
        "program_codes": program_code_tables(payer),
        "parity": parity_table(payer),
        "problems": validate_payer_rule_data(payer),
        "rates": payer.rates.order_by("code", "license_type", "effective_from"),
        "rate_form": rate_form or FeeRateForm(),
    }


@for_model(Payer)
@requires(Cap.VIEW_PROVIDERS)
def payer_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    payer = get_object_or_404(Payer.objects, public_id=public_id)
    return TemplateResponse(request, "payers/detail.html", _detail_context(payer))


@for_model(Payer)
@requires(Cap.EDIT_PAYER_RULES)
def fee_rate_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    payer = get_object_or_404(Payer.objects, public_id=public_id)
    form = FeeRateForm(request.POST or None)
    saved = None
    if request.method == "POST":
        saved = save_valid(
            form, lambda: fee_rate_set(payer=payer, actor=request.user, **form.cleaned_data)
        )
    if saved is not None and not request.htmx:
        messages.success(request, f"Saved the {saved.code} rate.")
        return redirect("payers:payer_detail", org_slug=org_slug, public_id=payer.public_id)
    context = _detail_context(payer, None if saved else form)
    if request.htmx:  # the fee schedule section swaps in place (errors included)
        return TemplateResponse(request, "payers/detail.html#fee_schedule", context)
    return page(request, "payers/rate_form.html", context, form)
