"""Authorization pages: list with usage and badges, detail (reviews, ledger), create, review."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from authorizations import selectors, services
from authorizations.forms import AuthorizationForm, ReviewForm, apply_errors
from authorizations.models import PriorAuthorization
from patients.models import LevelOfCare
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap
from rcm.views import for_model, requires

LIST_FILTERS = ("status", "level_of_care", "needs_attention")


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET[key] for key in LIST_FILTERS if request.GET.get(key)}


def _percent_used(auth: PriorAuthorization) -> int:
    if not auth.units_authorized:
        return 100 if auth.units_used else 0
    share = auth.units_used / auth.units_authorized * Decimal(100)
    return max(0, min(100, int(share)))


@requires(Cap.VIEW_AUTHORIZATIONS)
def auth_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    filters = _filters(request)
    rows = list(
        selectors.authorizations_with_usage(
            org=request.org, filters=filters, today=timezone.localdate()
        )[:500]
    )
    for row in rows:
        row.percent_used = _percent_used(row)
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=rows)
    template = "authorizations/auth_list.html"
    if getattr(request, "htmx", False):
        template += "#rows"
    return TemplateResponse(
        request,
        template,
        {
            "rows": rows,
            "filters": filters,
            "statuses": PriorAuthorization.Status.choices,
            "levels": LevelOfCare.choices,
        },
    )


def _get_with_usage(request: HttpRequest, public_id: Any) -> PriorAuthorization:
    try:
        return selectors.authorization_with_usage(
            org=request.org, public_id=public_id, today=timezone.localdate()
        )
    except PriorAuthorization.DoesNotExist as exc:
        raise Http404("No such authorization") from exc


@requires(Cap.VIEW_AUTHORIZATIONS)
@for_model(PriorAuthorization)
def auth_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    auth = _get_with_usage(request, public_id)
    auth.percent_used = _percent_used(auth)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[auth])
    return TemplateResponse(
        request,
        "authorizations/auth_detail.html",
        {
            "auth": auth,
            "reviews": selectors.authorization_reviews(authorization=auth),
            "ledger": selectors.authorization_ledger(authorization=auth),
        },
    )


def _auth_fields(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["codes"] = services.normalize_codes(data.get("codes"))
    data["next_review_date"] = data.get("next_review_date") or None
    return data


@requires(Cap.EDIT_AUTHORIZATIONS)
def auth_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = AuthorizationForm(
        request.POST or None, initial={"coverage": request.GET.get("coverage")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            auth = services.authorization_create(
                actor=request.user, **_auth_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(
                "authorizations:auth_detail", org_slug=org_slug, public_id=auth.public_id
            )
    status = 400 if request.method == "POST" else 200
    # The coverage choices name every covered patient (name and MRN): a PHI list read.
    phi_access_record(
        request=request, action=PhiAccess.Action.LIST, objects=form.fields["coverage"].queryset
    )
    return TemplateResponse(request, "authorizations/auth_form.html", {"form": form}, status=status)


def _review_fields(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["units_added"] = data.get("units_added") or Decimal("0")
    return data


@requires(Cap.EDIT_AUTHORIZATIONS)
@for_model(PriorAuthorization)
def review_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    auth = _get_with_usage(request, public_id)
    form = ReviewForm(
        request.POST or None,
        initial={"review_date": timezone.localdate(), "criteria": auth.criteria},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.concurrent_review_record(
                authorization=auth, actor=request.user, **_review_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(
                "authorizations:auth_detail", org_slug=org_slug, public_id=auth.public_id
            )
    status = 400 if request.method == "POST" else 200
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[auth])
    return TemplateResponse(
        request, "authorizations/review_form.html", {"form": form, "auth": auth}, status=status
    )
