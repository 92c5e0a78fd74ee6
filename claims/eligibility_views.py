"""Eligibility pages: the patient page's "Eligibility" panel (registered in ClaimsConfig.ready),
the "Check eligibility" button (htmx: it queues the check and the card region polls until the
answer arrives), and one coverage's history of checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from claims.eligibility import eligibility_check_request
from claims.eligibility_selectors import coverage_cards, coverage_history, latest_check
from claims.models import EligibilityCheck
from patients.models import Coverage
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has
from rcm.views import for_model, requires

CARD = "claims/_eligibility_card.html"


def eligibility_panel(*, request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    """The patient page's Eligibility panel: each coverage's latest card."""
    role = request.membership.role
    if not role_has(role, Cap.VIEW_PATIENTS):
        return None
    return {
        "cards": coverage_cards(patient=patient),
        "can_check": role_has(role, Cap.EDIT_PATIENTS),
    }


def _card(request: HttpRequest, coverage: Coverage, check: EligibilityCheck | None, **extra: Any):
    can_check = role_has(request.membership.role, Cap.EDIT_PATIENTS)
    row = {"coverage": coverage, "check": check, **extra}
    return TemplateResponse(request, CARD, {"row": row, "can_check": can_check})


@for_model(Coverage)
@requires(Cap.EDIT_PATIENTS)
@require_POST
def eligibility_check(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Queue a check of the coverage; answer with its card region, which polls for the card."""
    coverage = get_object_or_404(Coverage.objects.select_related("payer"), public_id=public_id)
    try:
        check = eligibility_check_request(
            coverage=coverage, actor=request.user, source=EligibilityCheck.Source.MANUAL, defer=True
        )
    except ValidationError as exc:
        response = _card(request, coverage, latest_check(coverage=coverage), errors=exc.messages)
        response.status_code = 400
        return response
    return _card(request, coverage, check)


@for_model(EligibilityCheck)
@requires(Cap.VIEW_PATIENTS)
@require_GET
def eligibility_card(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """One check's card region (what the button's region polls every second)."""
    check = get_object_or_404(
        EligibilityCheck.objects.select_related("coverage__payer", "requested_by"),
        public_id=public_id,
    )
    if check.done:
        phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[check])
    return _card(request, check.coverage, check)


@for_model(Coverage)
@requires(Cap.VIEW_PATIENTS)
@require_GET
def eligibility_history(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Every check of one coverage, newest first: when, who, what the payer said, and what
    changed on the card since the answer before."""
    coverage = get_object_or_404(
        Coverage.objects.select_related("payer", "patient"), public_id=public_id
    )
    checks = coverage_history(coverage=coverage)
    phi_access_record(
        request=request, action=PhiAccess.Action.DETAIL, objects=[coverage.patient, *checks]
    )
    return TemplateResponse(
        request,
        "claims/eligibility_history.html",
        {
            "coverage": coverage,
            "patient": coverage.patient,
            "checks": checks,
            "can_check": role_has(request.membership.role, Cap.EDIT_PATIENTS),
        },
    )
