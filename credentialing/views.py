"""Provider pages: list, detail, gaps, and forms for billing managers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from credentialing import rules, selectors, services
from credentialing.forms import (
    AsOfForm,
    CaqhForm,
    EnrollmentForm,
    LicenseForm,
    LicenseRenewalForm,
    LicenseStatusForm,
    PrivilegeEditForm,
    PrivilegeEndForm,
    PrivilegeForm,
    ProviderFilterForm,
    ProviderForm,
    apply_errors,
)
from credentialing.models import CompactPrivilege, License, PayerEnrollment, Provider
from rcm.permissions import Cap, role_has
from rcm.views import for_model, requires

LIST_LIMIT = 500


def _today() -> dt.date:
    return timezone.localdate()


def _detail(provider: Provider) -> HttpResponse:
    return redirect(
        "credentialing:provider_detail", org_slug=provider.org.slug, public_id=provider.public_id
    )


def _provider(public_id: Any) -> Provider:
    return get_object_or_404(
        Provider.objects.select_related("supervisor", "org"), public_id=public_id
    )


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    cancel: str,
    status: int = 200,
    **extra: Any,
) -> TemplateResponse:
    context = {"form": form, "title": title, "cancel_url": cancel, **extra}
    return TemplateResponse(request, "credentialing/form.html", context, status=status)


def _form_view(
    request: HttpRequest,
    form_class: type[forms.Form],
    *,
    save: Callable[..., Any],
    done: Callable[[Any], HttpResponse],
    initial: dict[str, Any] | None = None,
    form_kwargs: dict[str, Any] | None = None,
    **page: Any,
) -> HttpResponse:
    """GET shows the form; POST runs `save(**cleaned_data)` then `done(result)`. Invalid input,
    or a service's ValidationError, shows the form again with field errors and status 400."""
    kwargs = form_kwargs or {}
    if request.method != "POST":
        return _form_page(request, form_class(initial=initial or {}, **kwargs), **page)
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            return done(save(**form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
    return _form_page(request, form, status=400, **page)


def _done(request: HttpRequest, message: str, provider: Provider) -> HttpResponse:
    messages.success(request, message)
    return _detail(provider)


# --- Lists -----------------------------------------------------------------------------------


@requires(Cap.VIEW_PROVIDERS)
def provider_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ProviderFilterForm(request.GET or {"active": "true"})
    filters = form.cleaned_data if form.is_valid() else {"active": "true"}
    providers = list(selectors.providers_list(filters=filters)[:LIST_LIMIT])
    gaps = {
        row.provider.pk: row
        for row in selectors.credentialing_gaps(org=request.org, as_of=_today())
    }
    rows = [(p, gaps.get(p.pk)) for p in providers]
    template = "credentialing/provider_list.html"
    if getattr(request, "htmx", False):
        template += "#provider-rows"
    return TemplateResponse(
        request, template, {"form": form, "rows": rows, "limited": len(providers) == LIST_LIMIT}
    )


@requires(Cap.VIEW_PROVIDERS)
def gaps(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    as_of = (form.cleaned_data.get("as_of") if form.is_valid() else None) or _today()
    rows = selectors.credentialing_gaps(org=request.org, as_of=as_of)
    return TemplateResponse(
        request, "credentialing/gaps.html", {"form": form, "rows": rows, "as_of": as_of}
    )


# --- One provider ----------------------------------------------------------------------------


@for_model(Provider)
@requires(Cap.VIEW_PROVIDERS)
def provider_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    try:
        provider = selectors.provider_with_records(public_id=public_id)
    except Provider.DoesNotExist as exc:
        raise Http404("No such provider") from exc
    today = _today()
    caqh_due = (
        provider.caqh_attested_on + dt.timedelta(days=rules.CAQH_CYCLE_DAYS)
        if provider.caqh_attested_on
        else None
    )
    context = {
        "provider": provider,
        "today": today,
        "caqh_due": caqh_due,
        "can_edit": role_has(request.membership.role, Cap.EDIT_PROVIDERS),
        "gaps": selectors.provider_gaps(provider=provider, as_of=today),
        "licenses": [(x, selectors.license_history(x)) for x in provider.licenses.all()],
        "privileges": selectors.privilege_rows(provider=provider, as_of=today),
        "enrollments": [(x, selectors.enrollment_history(x)) for x in provider.enrollments.all()],
        "alerts": provider.credentialing_alerts.filter(status="open").select_related("payer"),
    }
    return TemplateResponse(request, "credentialing/provider_detail.html", context)


@requires(Cap.EDIT_PROVIDERS)
def provider_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _form_view(
        request,
        ProviderForm,
        save=partial(services.provider_create, actor=request.user),
        done=lambda p: _done(request, f"Added {p}.", p),
        initial={"is_active": True},
        title="New provider",
        cancel=reverse("credentialing:provider_list", args=[org_slug]),
        taxonomies=rules.COMMON_TAXONOMIES,
    )


@for_model(Provider)
@requires(Cap.EDIT_PROVIDERS)
def provider_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    provider = _provider(public_id)
    return _form_view(
        request,
        ProviderForm,
        save=partial(services.provider_update, provider=provider, actor=request.user),
        done=lambda p: _done(request, f"Saved {p}.", p),
        initial=ProviderForm.initial_for(provider),
        form_kwargs={"instance": provider},
        title=f"Edit {provider}",
        cancel=_detail(provider).url,
        taxonomies=rules.COMMON_TAXONOMIES,
    )


@for_model(Provider)
@requires(Cap.EDIT_PROVIDERS)
def caqh_attest(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    provider = _provider(public_id)
    return _form_view(
        request,
        CaqhForm,
        save=partial(services.caqh_attest, provider=provider, actor=request.user),
        done=lambda p: _done(request, f"Recorded the CAQH attestation for {p}.", p),
        initial={"attested_on": _today(), "caqh_id": provider.caqh_id},
        title=f"CAQH attestation for {provider}",
        cancel=_detail(provider).url,
    )


# --- Licenses and enrollments ----------------------------------------------------------------


@for_model(Provider)
@requires(Cap.EDIT_PROVIDERS)
def license_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    provider = _provider(public_id)
    return _form_view(
        request,
        LicenseForm,
        save=partial(services.license_add, provider=provider, actor=request.user),
        done=lambda _: _done(request, "License added.", provider),
        title=f"Add a license for {provider}",
        cancel=_detail(provider).url,
    )


def _license(public_id: Any) -> License:
    return get_object_or_404(License.objects.select_related("provider__org"), public_id=public_id)


@for_model(License)
@requires(Cap.EDIT_PROVIDERS)
def license_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    lic = _license(public_id)
    return _form_view(
        request,
        LicenseForm,
        save=partial(services.license_update, license=lic, actor=request.user),
        done=lambda _: _done(request, "License saved.", lic.provider),
        initial=LicenseForm.initial_for(lic),
        title=f"Edit license {lic.state} {lic.number}",
        cancel=_detail(lic.provider).url,
    )


@for_model(License)
@requires(Cap.EDIT_PROVIDERS)
def license_renew(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    lic = _license(public_id)
    return _form_view(
        request,
        LicenseRenewalForm,
        save=partial(services.license_renew, license=lic, actor=request.user),
        done=lambda _: _done(request, f"Renewal of license {lic} recorded.", lic.provider),
        title=f"Record a renewal of license {lic}",
        cancel=_detail(lic.provider).url,
        history=selectors.license_history(lic),
    )


@for_model(License)
@requires(Cap.EDIT_PROVIDERS)
def license_status(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    lic = _license(public_id)
    return _form_view(
        request,
        LicenseStatusForm,
        save=partial(services.license_status_change, license=lic, actor=request.user),
        done=lambda _: _done(request, f"Status change of license {lic} recorded.", lic.provider),
        initial={"effective_on": _today()},
        title=f"Record a status change of license {lic}",
        cancel=_detail(lic.provider).url,
        history=selectors.license_history(lic),
    )


# --- Compact privileges ----------------------------------------------------------------------


@for_model(Provider)
@requires(Cap.EDIT_PROVIDERS)
def privilege_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    provider = _provider(public_id)
    return _form_view(
        request,
        PrivilegeForm,
        save=partial(services.privilege_record, provider=provider, actor=request.user),
        done=lambda p: _done(request, f"Recorded the {p}.", provider),
        form_kwargs={"provider": provider},
        title=f"Add a compact privilege for {provider}",
        cancel=_detail(provider).url,
    )


def _privilege(public_id: Any) -> CompactPrivilege:
    return get_object_or_404(
        CompactPrivilege.objects.select_related("provider__org", "home_license"),
        public_id=public_id,
    )


@for_model(CompactPrivilege)
@requires(Cap.EDIT_PROVIDERS)
def privilege_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    privilege = _privilege(public_id)
    return _form_view(
        request,
        PrivilegeEditForm,
        save=partial(services.privilege_correct, privilege=privilege, actor=request.user),
        done=lambda p: _done(request, f"Saved the {p}.", privilege.provider),
        initial=PrivilegeEditForm.initial_for(privilege),
        form_kwargs={"provider": privilege.provider},
        title=f"Correct the {privilege}",
        cancel=_detail(privilege.provider).url,
    )


@for_model(CompactPrivilege)
@requires(Cap.EDIT_PROVIDERS)
def privilege_end(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    privilege = _privilege(public_id)
    return _form_view(
        request,
        PrivilegeEndForm,
        save=partial(services.privilege_end, privilege=privilege, actor=request.user),
        done=lambda p: _done(request, f"The end of the {p} is recorded.", privilege.provider),
        initial={"status": "relinquished", "ended_on": _today(), "note": privilege.note},
        title=f"Record the end of the {privilege}",
        cancel=_detail(privilege.provider).url,
    )


# --- Enrollments -----------------------------------------------------------------------------


def _enrollment_initial(provider: Provider, payer_id: str | None) -> dict[str, Any]:
    """Prefill from the existing enrollment with `?payer=<id>` (links on the detail page)."""
    if not payer_id:
        return {}
    try:
        found = PayerEnrollment.objects.filter(provider=provider, payer__public_id=payer_id).first()
    except ValidationError:  # not a UUID
        return {}
    return EnrollmentForm.initial_for(found) if found else {"payer": payer_id}


@for_model(Provider)
@requires(Cap.EDIT_PROVIDERS)
def enrollment_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Add an enrollment, or update the existing one with the chosen payer (one per payer)."""
    provider = _provider(public_id)
    return _form_view(
        request,
        EnrollmentForm,
        save=partial(services.enrollment_upsert, provider=provider, actor=request.user),
        done=lambda _: _done(request, "Enrollment saved.", provider),
        initial=_enrollment_initial(provider, request.GET.get("payer")),
        title=f"Payer enrollment for {provider}",
        cancel=_detail(provider).url,
    )
