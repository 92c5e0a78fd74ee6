"""Remittance pages: upload 835s (posted at once, or by a task the page polls), the list of
remittances and one remittance (claim payments, lines, adjustments with CARC meanings, PLB,
exceptions); the posting exceptions queue with its resolve action; and the patient payment
form of the patient page's account panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from denials import codes, parity, selectors, services, uploads
from denials.appeals import letter_pdf
from denials.models import Appeal, Denial, ParityEscalation, PostingException, Remittance
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


# --- Denial work ----------------------------------------------------------------------
# Denial pages: the work queue (filters, priority with its reasons, next denial), one denial

ACTIONS = (
    "take",
    "note",
    "correct",
    "appeal",
    "write_off",
    "approve_write_off",
    "reject_write_off",
    "escalate",
)


def _detail_url(request: HttpRequest, denial: Denial) -> str:
    return reverse(
        "denials:detail", kwargs={"org_slug": request.org.slug, "public_id": denial.public_id}
    )


@require_GET
@requires(Cap.WORK_CLAIMS)
def queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    errors: list[str] = []
    try:
        filters = selectors.parse_filters(request.GET)
    except ValidationError as exc:
        errors = [
            f"{k.replace('_', ' ').capitalize()}: {m}"
            for k, v in exc.message_dict.items()
            for m in v
        ]
        filters = selectors.DenialFilters()
    rows = list(selectors.denials_in_queue(filters=filters, user=request.user)[:100])
    context = {
        "rows": rows,
        "filters": filters,
        "errors": errors,
        "payers": selectors.payers_for_filter(),
        "root_causes": codes.ROOT_CAUSES,
        "statuses": Denial.Status.choices,
    }
    template = "denials/queue.html#results" if request.htmx else "denials/queue.html"
    return TemplateResponse(request, template, context, status=400 if errors else 200)


@require_POST
@requires(Cap.WORK_CLAIMS)
def next_denial(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        filters = selectors.parse_filters(request.POST)
    except ValidationError:
        filters = selectors.DenialFilters()
    skip = [s for s in request.POST.getlist("skip") if len(s) == 36]
    denial = services.denial_next(filters=filters, user=request.user, skip=skip)
    if denial is None:
        messages.info(request, "No open denial left in this queue.")
        return redirect("denials:queue", org_slug=org_slug)
    return redirect(_detail_url(request, denial))


def _page(request: HttpRequest, public_id: Any, *, status: int = 200) -> HttpResponse:
    try:
        d = selectors.denial_detail(public_id=public_id)
    except Denial.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[d.denial])
    context = {
        "d": d,
        "denial": d.denial,
        "can_approve": role_has(request.membership.role, Cap.APPROVE_WRITE_OFFS),
        "threshold": services.denial_settings_of().write_off_approval_threshold,
        "outcomes": [c for c in Appeal.Outcome.choices if c[0] != "pending"],
    }
    return TemplateResponse(request, "denials/detail.html", context, status=status)


@for_model(Denial)
@require_GET
@requires(Cap.WORK_CLAIMS)
def detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    return _page(request, public_id)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _run(request: HttpRequest, denial: Denial, action: str) -> tuple[str, str]:
    """Call the action's service: (what to tell the biller, where to go)."""
    user, v, post = request.user, _version(request), request.POST
    here = _detail_url(request, denial)
    if action == "take":
        services.denial_assign(denial=denial, actor=user, assignee=user, version=v)
        return "Assigned to you.", here
    if action == "note":
        services.denial_note(denial=denial, actor=user, note=post.get("note", ""))
        return "Note added.", here
    if action == "correct":
        new = services.denial_correct(
            denial=denial,
            actor=user,
            reason=post.get("reason", ""),
            version=v,
            org_slug=request.org.slug,
        )
        return f"Replacement claim {new.control_number} built.", here
    if action == "appeal":
        appeal = services.denial_appeal(denial=denial, actor=user, version=v)
        url = reverse(
            "denials:appeal_page",
            kwargs={"org_slug": request.org.slug, "public_id": appeal.public_id},
        )
        return f"{appeal.level_name} opened; the letter is ready.", url
    if action == "write_off":
        row = services.denial_write_off(
            denial=denial, actor=user, reason=post.get("reason", ""), version=v
        )
        if row.status == Denial.Status.WRITE_OFF_PENDING:
            return "Over the approval threshold: a billing manager will decide.", here
        return "Written off.", here
    if action in ("approve_write_off", "reject_write_off"):
        if not role_has(request.membership.role, Cap.APPROVE_WRITE_OFFS):
            raise PermissionDenied
        services.denial_write_off_decide(
            denial=denial,
            actor=user,
            approve=action == "approve_write_off",
            reason=post.get("reason", ""),
            version=v,
            role=request.membership.role,
        )
        return "Write-off decided.", here
    esc = services.denial_escalate_parity(denial=denial, actor=user, version=v)
    url = reverse(
        "denials:escalation", kwargs={"org_slug": request.org.slug, "public_id": esc.public_id}
    )
    return "Parity escalation opened.", url


@for_model(Denial)
@require_POST
@requires(Cap.WORK_CLAIMS)
def action(request: HttpRequest, org_slug: str, public_id: Any, action: str) -> HttpResponse:
    denial = get_object_or_404(Denial, public_id=public_id)
    try:
        with transaction.atomic():
            done, url = _run(request, denial, action)
    except services.StaleDenial as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, public_id, status=409)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _page(request, public_id, status=400)
    messages.success(request, done)
    return redirect(url)


# --- Appeals ---------------------------------------------------------------------------------


def _appeal(request: HttpRequest, public_id: Any) -> Appeal:
    appeal = get_object_or_404(
        Appeal.objects.select_related("denial", "denial__claim", "denial__payer"),
        public_id=public_id,
    )
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[appeal.denial])
    return appeal


@for_model(Appeal)
@require_GET
@requires(Cap.WORK_CLAIMS)
def appeal_page(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    appeal = _appeal(request, public_id)
    context = {
        "appeal": appeal,
        "denial": appeal.denial,
        "sections": _sections(appeal.letter),
        "outcomes": [c for c in Appeal.Outcome.choices if c[0] != "pending"],
        "print": request.GET.get("print") == "1",
    }
    return TemplateResponse(request, "denials/appeal.html", context)


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """The stored letter back into (heading, paragraphs): headings are the upper-case lines."""
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line and line.isupper():
            found.append((line.capitalize(), []))
        elif line and found:
            found[-1][1].append(line)
    return found


@for_model(Appeal)
@require_GET
@requires(Cap.WORK_CLAIMS)
def appeal_pdf(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    appeal = _appeal(request, public_id)
    pdf = letter_pdf(
        appeal.letter, title=f"{appeal.level_name} - {appeal.denial.claim.control_number}"
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"appeal-{appeal.denial.claim.control_number}-level{appeal.level}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        raise ValidationError({"amount_recovered": "Enter an amount."}) from None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError({"decided_on": "Enter a date (YYYY-MM-DD)."}) from None


@for_model(Appeal)
@require_POST
@requires(Cap.WORK_CLAIMS)
def appeal_outcome(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    appeal = _appeal(request, public_id)
    try:
        with transaction.atomic():
            services.appeal_record_outcome(
                appeal=appeal,
                actor=request.user,
                outcome=request.POST.get("outcome", ""),
                amount_recovered=_amount(request.POST.get("amount_recovered", "")),
                decided_on=_date(request.POST.get("decided_on", "")),
                version=_version(request),
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        status = 409 if isinstance(exc, services.StaleDenial) else 400
        context = {
            "appeal": appeal,
            "denial": appeal.denial,
            "sections": _sections(appeal.letter),
            "outcomes": [c for c in Appeal.Outcome.choices if c[0] != "pending"],
        }
        return TemplateResponse(request, "denials/appeal.html", context, status=status)
    messages.success(request, "Outcome recorded.")
    return redirect(_detail_url(request, appeal.denial))


# --- Parity escalations ----------------------------------------------------------------------


@for_model(ParityEscalation)
@require_GET
@requires(Cap.WORK_CLAIMS)
def escalation(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    esc = get_object_or_404(
        ParityEscalation.objects.select_related("denial", "denial__claim", "denial__payer"),
        public_id=public_id,
    )
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[esc.denial])
    context = {
        "esc": esc,
        "denial": esc.denial,
        "regulator": parity.REGULATORS.get(esc.regulator, {}),
        "nqtl_request": parity.NQTL_REQUEST,
        "rarcs": [(r, selectors.code_meaning(r, rarc=True)) for r in esc.denial.rarcs],
        "carc_meaning": selectors.code_meaning(esc.denial.carc),
    }
    return TemplateResponse(request, "denials/escalation.html", context)


@for_model(ParityEscalation)
@require_POST
@requires(Cap.WORK_CLAIMS)
def escalation_update(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    esc = get_object_or_404(ParityEscalation, public_id=public_id)
    try:
        with transaction.atomic():
            services.parity_escalation_update(
                escalation=esc,
                actor=request.user,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                version=_version(request),
            )
        messages.success(request, "Escalation updated.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("denials:escalation", org_slug=org_slug, public_id=esc.public_id)


# --- Settings --------------------------------------------------------------------------------


@requires(Cap.APPROVE_WRITE_OFFS)
def settings_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The org's write-off approval threshold (billing managers and admins)."""
    current = services.denial_settings_of()
    status = 200
    if request.method == "POST":
        try:
            amount = _amount(request.POST.get("write_off_approval_threshold", ""))
            if amount is None:
                raise ValidationError({"write_off_approval_threshold": "Enter an amount."})
            with transaction.atomic():
                current = services.denial_settings_save(
                    actor=request.user, write_off_approval_threshold=amount
                )
            messages.success(request, "Saved.")
            return redirect("denials:settings", org_slug=org_slug)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            status = 400
    return TemplateResponse(request, "denials/settings.html", {"current": current}, status=status)
