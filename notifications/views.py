"""The notification centre and preferences. Every member has their own; nobody sees another's
(each lookup is by the signed-in user as well as the public id)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import selectors, services
from notifications.kinds import EMAIL_CHOICES
from notifications.models import Notification
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.views import for_model

PAGE_SIZE = 50


def _own(request: HttpRequest, public_id: Any) -> Notification:
    return get_object_or_404(Notification.objects.filter(user=request.user), public_id=public_id)


@require_GET
def centre(request: HttpRequest, org_slug: str) -> HttpResponse:
    page = Paginator(selectors.notifications_of(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    # The bodies may name patients.
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=rows)
    return TemplateResponse(request, "notifications/centre.html", {"page": page, "rows": rows})


@for_model(Notification)
@require_GET
def open_notification(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Following a notification marks it read and goes to the item it is about."""
    notification = _own(request, public_id)
    services.notification_mark_read(notification=notification, actor=request.user)
    if notification.url:  # a path inside this org (checked when it was created)
        return redirect(notification.url)
    return redirect("notifications:centre", org_slug=org_slug)


@for_model(Notification)
@require_POST
def mark_read(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    services.notification_mark_read(notification=_own(request, public_id), actor=request.user)
    return redirect("notifications:centre", org_slug=org_slug)


@require_POST
def read_all(request: HttpRequest, org_slug: str) -> HttpResponse:
    n = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"{n} notification(s) marked read.")
    return redirect("notifications:centre", org_slug=org_slug)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, org_slug: str) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        # A kind left out of the form keeps its email choice (a checkbox left out is off).
        choices = {
            kind.code: (
                request.POST.get(f"in_app_{kind.code}") == "on",
                request.POST.get(f"email_{kind.code}", email),
            )
            for kind, _, email in selectors.preferences_of(user=request.user)
        }
        try:
            services.preferences_set(actor=request.user, choices=choices)
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications:preferences", org_slug=org_slug)
    context = {
        "rows": selectors.preferences_of(user=request.user),
        "email_choices": EMAIL_CHOICES,
        "errors": errors,
    }
    return TemplateResponse(request, "notifications/preferences.html", context, status=status)
