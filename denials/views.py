"""Remittance pages: upload 835s (posted at once, or by a task the page polls), the list of
remittances and one remittance (claim payments, lines, adjustments with CARC meanings, PLB,
exceptions); the posting exceptions queue with its resolve action; and the patient payment
form of the patient page's account panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from denials import selectors, services, uploads
from denials.models import PostingException, Remittance
from patients.models import Patient
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has
from rcm.views import for_model, requires

MAX_FILES = 20
MAX_FILE_BYTES = 50 * 1024 * 1024


def _job_context(result: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"job": result}
    if result.get("state") == "done":
        context["exceptions"] = list(
            selectors.exceptions_of_files(digests=result.get("digests", []))
        )
    return context


@requires(Cap.WORK_CLAIMS)
def remittances(request: HttpRequest, org_slug: str) -> HttpResponse:
    context: dict[str, Any] = {"errors": []}
    status = 200
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            context["errors"].append("Choose one or more 835, 999 or 277CA files.")
        elif len(files) > MAX_FILES or any(f.size > MAX_FILE_BYTES for f in files):
            context["errors"].append(f"Up to {MAX_FILES} files of 50 MB each at a time.")
        if context["errors"]:
            status = 400
        else:
            chosen = [(f.name, f.read()) for f in files]
            context.update(_job_context(uploads.upload_post(files=chosen, actor=request.user)))
    page = Paginator(selectors.remittances_list(), 50).get_page(request.GET.get("page"))
    context["page"] = page
    return TemplateResponse(request, "denials/remittances.html", context, status=status)


@require_GET
@requires(Cap.WORK_CLAIMS)
def upload_progress(request: HttpRequest, org_slug: str) -> HttpResponse:
    result = uploads.job_status(token=request.GET.get("job", ""))
    if result is None:
        raise Http404("No such upload.")
    context = {**_job_context(result), "token": request.GET.get("job", "")}
    return TemplateResponse(request, "denials/remittances.html#job", context)


@for_model(Remittance)
@require_GET
@requires(Cap.WORK_CLAIMS)
def remittance_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    remittance = get_object_or_404(selectors.remittances_list(), public_id=public_id)
    detail = selectors.remittance_detail(remittance=remittance)
    phi_access_record(
        request=request,
        action=PhiAccess.Action.DETAIL,
        objects=[remittance, *(row["cp"] for row in detail["payments"])],
    )
    return TemplateResponse(request, "denials/remittance_detail.html", {"d": detail})


@require_GET
@requires(Cap.WORK_CLAIMS)
def exceptions(request: HttpRequest, org_slug: str) -> HttpResponse:
    kind = request.GET.get("kind") or ""
    kind = kind if kind in PostingException.Kind.values else ""
    page = Paginator(selectors.exceptions_open(kind=kind or None), 50).get_page(
        request.GET.get("page")
    )
    counts = selectors.exception_counts()
    context = {
        "page": page,
        "kind": kind,
        "kinds": [
            (value, label, counts.get(value, 0)) for value, label in PostingException.Kind.choices
        ],
        "total": sum(counts.values()),
    }
    return TemplateResponse(request, "denials/exceptions.html", context)


@for_model(PostingException)
@require_POST
@requires(Cap.WORK_CLAIMS)
def exception_resolve(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    row = get_object_or_404(PostingException.objects, public_id=public_id)
    try:
        services.exception_resolve(
            exception=row, note=request.POST.get("note", ""), actor=request.user
        )
    except ValidationError as exc:
        for message in exc.message_dict.get("note", []):
            messages.error(request, message)
    else:
        messages.success(request, "Exception resolved.")
    return redirect(reverse("denials:exceptions", kwargs={"org_slug": org_slug}))


@for_model(Patient)
@require_POST
@requires(Cap.WORK_CLAIMS)
def patient_payment(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    try:
        services.patient_payment_record(
            patient=patient,
            amount=request.POST.get("amount", ""),
            method=request.POST.get("method", ""),
            reference=request.POST.get("reference", ""),
            actor=request.user,
        )
    except ValidationError as exc:
        for field_messages in exc.message_dict.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, "Payment recorded.")
    return redirect(
        reverse("patients:patient_detail", kwargs={"org_slug": org_slug, "public_id": public_id})
    )


def account_panel(*, request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    """The patient page's account panel (registered in DenialsConfig.ready)."""
    role = request.membership.role
    if not (role_has(role, Cap.WORK_CLAIMS) or role_has(role, Cap.VIEW_PATIENTS)):
        return None
    return {
        **selectors.patient_account(patient=patient),
        "can_record": role_has(role, Cap.WORK_CLAIMS),
        "methods": list(services.PAYMENT_METHODS.items()),
    }
