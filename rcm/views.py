from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from rcm.models import Membership
from rcm.permissions import Cap, role_has
from rcm.selectors import memberships_for_user, phi_reads


def requires(cap: Cap) -> Callable:
    """Org views: the member's role must carry `cap` (members without it get 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None or not role_has(membership.role, cap):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = cap  # type: ignore[attr-defined]
        return wrapped

    return decorator


def root(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = memberships_for_user(user=request.user)
    if len(memberships) == 1:
        return redirect("home", org_slug=memberships[0].org.slug)
    return redirect("org_choose")


@login_required
def org_choose(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "rcm/org_choose.html", {"memberships": memberships_for_user(user=request.user)}
    )


def home(request: HttpRequest, org_slug: str) -> HttpResponse:
    from rcm.home import home_summary

    return TemplateResponse(request, "rcm/home.html", {"summary": home_summary(org=request.org)})


@requires(Cap.VIEW_AUDIT)
def access_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    return TemplateResponse(request, "rcm/access_log.html", {"rows": phi_reads()})


def for_model(model: type) -> Callable:
    """Mark a view whose URL carries an object id of `model` (used by the outsider sweep)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        view.sweep_model = model  # type: ignore[attr-defined]
        return view

    return decorator


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens: create (shown once) and revoke."""
    from django.core.exceptions import ValidationError

    from rcm.tokens import api_token_issue, api_token_revoke, api_tokens_of

    context: dict[str, Any] = {"errors": []}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                api_token_revoke(user=request.user, public_id=request.POST["revoke"])
            else:
                _, context["new_token"] = api_token_issue(
                    user=request.user, name=request.POST.get("name", "")
                )
        except (ValidationError, ValueError) as exc:
            context["errors"] = getattr(exc, "messages", [str(exc)])
            status = 400
    context["tokens"] = api_tokens_of(user=request.user)
    return TemplateResponse(request, "rcm/api_tokens.html", context, status=status)


@requires(Cap.MANAGE_MEMBERS)
def members(request: HttpRequest, org_slug: str) -> HttpResponse:
    from rcm.members import members_of_org

    return TemplateResponse(request, "rcm/members.html", {"members": members_of_org()})


@for_model(Membership)
@requires(Cap.MANAGE_MEMBERS)
@require_POST
def member_part2_access(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    from rcm.members import membership_set_part2_access

    membership = get_object_or_404(Membership.objects.select_related("user"), public_id=public_id)
    allowed = request.POST.get("part2_access") == "on"
    membership_set_part2_access(membership=membership, allowed=allowed, actor=request.user)
    verb = "is granted" if allowed else "no longer has"
    messages.success(request, f"{membership.user.username} {verb} Part 2 access.")
    return redirect("members", org_slug=org_slug)


@requires(Cap.MANAGE_MEMBERS)
def org_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Admins set the org's time zone (dates of service and "today" follow it)."""
    from django import forms
    from django.core.exceptions import ValidationError

    from rcm.orgs import organization_update_settings
    from rcm.timezones import zone_choices

    class SettingsForm(forms.Form):
        time_zone = forms.ChoiceField(
            choices=zone_choices(),
            help_text="Dates of service, today's date and night jobs follow this zone.",
        )

    form = SettingsForm(request.POST or None, initial={"time_zone": request.org.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_update_settings(
                org=request.org, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"Time zone set to {org.time_zone}.")
            return redirect("org_settings", org_slug=org_slug)
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, "rcm/org_settings.html", {"form": form}, status=status)


@requires(Cap.RUN_JOBS)
def jobs_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Admins see every scheduled job (schedule, what it does, its last run and last failure in
    this org) and may run one now: it is queued for the worker (rcm.tasks.run_job, the code the
    schedule runs) under a key of its own, so it runs even when tonight's run is done."""
    import json

    from django.utils import timezone

    from rcm.jobs import SCHEDULES, job_named, jobs, last_runs, manual_key
    from rcm.tasks import enqueue_on_commit, run_job

    if request.method == "POST":
        name = request.POST.get("job", "")
        try:
            job_named(name)
        except KeyError as exc:
            messages.error(request, str(exc.args[0]))
            return redirect("jobs", org_slug=org_slug)
        key = manual_key(timezone.now().astimezone(request.org.zone))
        enqueue_on_commit(run_job.s(request.org.pk, name, key))
        messages.success(request, f"{name} is queued for the worker (run {key}).")
        return redirect("jobs", org_slug=org_slug)
    runs = last_runs(200)
    for run in runs:
        try:
            run.data = json.loads(run.detail or "{}")
        except ValueError:
            run.data = {"error": run.detail}
    rows = []
    for job in jobs():
        mine = [r for r in runs if r.task_name == job.task_name]
        rows.append(
            {
                "job": job,
                "schedule": SCHEDULES[job.schedule],
                "last": next((r for r in mine if r.status == "done"), None),
                "failure": next((r for r in mine if r.status != "done"), None),
            }
        )
    return TemplateResponse(request, "rcm/jobs.html", {"rows": rows, "runs": runs[:30]})
