"""The UR work queue page: alerts most urgent first, filters, and the htmx actions on a row
(record a review outcome, assign, snooze, resolve). Reads need VIEW_AUTHORIZATIONS, actions
EDIT_AUTHORIZATIONS; every action is recorded (who, when) by authorizations.ur."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from authorizations import ur
from authorizations.models import ConcurrentReview, UrAlert
from payers.models import Payer
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap
from rcm.views import for_model, requires

ACTIONS = ("review", "assign", "snooze", "resolve")


def _context(request: HttpRequest, filters: ur.QueueFilters) -> dict[str, Any]:
    rows = list(ur.ur_queue(filters=filters, user=request.user)[:200])
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=rows)
    return {
        "rows": rows,
        "filters": filters,
        "kinds": UrAlert.Kind.choices,
        "statuses": [*UrAlert.Status.choices, ("all", "All")],
        "payers": list(Payer.objects.order_by("name").values_list("public_id", "name")),
        "assignees": ur.ur_assignees(),
        "outcomes": [c for c in ConcurrentReview.Outcome.choices if c[0] in ur.REVIEW_OUTCOMES],
        "auth_kinds": [k.value for k in ur.AUTH_KINDS],
        "today": timezone.localdate(),
    }


@require_GET
@requires(Cap.VIEW_AUTHORIZATIONS)
def ur_queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    filters = ur.QueueFilters.parse(request.GET)
    template = "authorizations/ur_queue.html"
    if request.htmx:
        template += "#results"
    return TemplateResponse(request, template, _context(request, filters))


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw) if raw.strip() else None
    except InvalidOperation:
        raise ValidationError({"units_added": ["Enter a number of units."]}) from None


def _int(raw: str, name: str) -> int:
    raw = raw.strip()
    if not raw:
        return 0
    if not raw.isdigit():
        raise ValidationError({name: ["Enter a whole number."]})
    return int(raw)


def review_outcome_from(data: Any) -> ur.ReviewOutcome:
    return ur.ReviewOutcome(
        outcome=data.get("outcome", ""),
        review_date=_date(data.get("review_date", "")) or timezone.localdate(),
        days_added=_int(str(data.get("days_added", "")), "days_added"),
        units_added=_decimal(str(data.get("units_added", ""))),
        auth_number=str(data.get("auth_number", "")).strip()[:50],
        next_review_date=_date(str(data.get("next_review_date", ""))),
        reason=str(data.get("reason", "")).strip(),
        reviewer=str(data.get("reviewer", "")).strip()[:120],
        notes=str(data.get("notes", "")).strip(),
    )


def run_action(request: Any, alert: UrAlert, action: str, data: Any) -> tuple[UrAlert, str]:
    """Call the action's service with the posted `data`: (the alert, what to tell the user)."""
    user = request.user
    if action == "review":
        alert = ur.ur_review_record(alert=alert, outcome=review_outcome_from(data), actor=user)
        return alert, alert.resolution
    if action == "assign":
        name = str(data.get("assignee", "")).strip()
        assignee = None
        if name == "me":
            assignee = user
        elif name:
            assignee = get_user_model().objects.filter(username=name).first()
            if assignee is None:
                raise ValidationError({"assignee": ["Choose a member who works authorizations."]})
        alert = ur.ur_alert_assign(alert=alert, assignee=assignee, actor=user)
        return alert, f"Assigned to {assignee.username if assignee else 'nobody'}."
    if action == "snooze":
        alert = ur.ur_alert_snooze(
            alert=alert,
            until=_date(str(data.get("snoozed_until", ""))),
            reason=str(data.get("snooze_reason", "")),
            actor=user,
        )
        return alert, f"Snoozed until {alert.snoozed_until}."
    alert = ur.ur_alert_resolve(alert=alert, resolution=str(data.get("resolution", "")), actor=user)
    return alert, "Resolved."


@for_model(UrAlert)
@require_POST
@requires(Cap.EDIT_AUTHORIZATIONS)
def ur_action(request: HttpRequest, org_slug: str, public_id: Any, action: str) -> HttpResponse:
    alert = get_object_or_404(UrAlert.objects.select_related("authorization"), public_id=public_id)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    errors: list[str] = []
    done = ""
    try:
        alert, done = run_action(request, alert, action, request.POST)
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms]
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[alert])
    if not request.htmx:
        for message in errors:
            messages.error(request, message)
        if done:
            messages.success(request, done)
        return redirect("authorizations:ur_queue", org_slug=org_slug)
    alert = ur.ur_queue(filters=ur.QueueFilters(status="all"), user=request.user).get(pk=alert.pk)
    context = {
        **_context_for_row(request),
        "a": alert,
        "errors": errors,
        "done": done,
        "filters": ur.QueueFilters.parse(request.POST),
    }
    return TemplateResponse(
        request,
        "authorizations/ur_queue.html#row",
        context,  # htmx swaps only 2xx answers
    )


def _context_for_row(request: HttpRequest) -> dict[str, Any]:
    return {
        "assignees": ur.ur_assignees(),
        "outcomes": [c for c in ConcurrentReview.Outcome.choices if c[0] in ur.REVIEW_OUTCOMES],
        "auth_kinds": [k.value for k in ur.AUTH_KINDS],
        "today": timezone.localdate(),
    }
