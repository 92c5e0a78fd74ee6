"""Claim pages: the work queues (tabs with counts, filters, sorting, pages, saved filters, next
claim, bulk submit, build) and one claim (lines, diagnoses, findings with their fixes, history,
the sessions billed, actions). Every action posts the claim's version: a stale one answers 409
with the claim as it is now and says so."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from claims import selectors, services
from claims.forms import NoteForm, ReasonForm, SavedFilterForm, VersionForm
from claims.models import Claim, SavedQueueFilter
from credentialing.models import Provider
from patients.models import LevelOfCare, Program
from payers.models import Payer
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has
from rcm.tenancy.context import current_part2_access
from rcm.views import for_model, requires

ACTIONS_AFTER_SENDING = ("submitted", "accepted", "paid", "denied")


# --- Query strings ---------------------------------------------------------------------------


def queue_url(request: HttpRequest, queue: str, params: dict[str, str] | None = None) -> str:
    query = {"queue": queue, **(params or {})}
    base = reverse("claims:queue", kwargs={"org_slug": request.org.slug})
    return f"{base}?{urlencode(query)}"


def _query(request: HttpRequest) -> dict[str, Any]:
    """queue, filters, sort and page from the query string; field errors collected."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    for name, parse, default in (
        ("queue", lambda: selectors.parse_queue(request.GET.get("queue")), None),
        ("filters", lambda: selectors.parse_filters(request.GET), selectors.QueueFilters()),
        ("sort", lambda: selectors.parse_sort(request.GET.get("sort")), "priority"),
    ):
        try:
            found[name] = parse()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            found[name] = default
    if found["queue"] is None:
        found["queue"] = selectors.QUEUES["held"]
    page = request.GET.get("page", "1")
    found["page"] = int(page) if page.isdigit() and len(page) < 7 else 1
    found["errors"] = [
        f"{key.replace('_', ' ').capitalize()}: {message}"
        for key, messages_ in errors.items()
        for message in messages_
    ]
    return found


# --- The queue page --------------------------------------------------------------------------


def _choices() -> dict[str, Any]:
    return {
        "payers": list(Payer.objects.order_by("name").values_list("public_id", "name")),
        "providers": [
            (p.public_id, str(p))
            for p in Provider.objects.filter(is_active=True).order_by("last_name", "first_name")
        ],
        "programs": Program.choices,
        "levels": LevelOfCare.choices,
        "edit_codes": selectors.edit_codes_held(),
        "assigned_choices": list(selectors.ASSIGNED_CHOICES.items()),
        "sorts": list(selectors.SORTS.items()),
    }


def _queue_context(request: HttpRequest, q: dict[str, Any]) -> dict[str, Any]:
    queue, filters, sort = q["queue"], q["filters"], q["sort"]
    page = selectors.claims_in_queue(
        queue=queue, filters=filters, sort=sort, user=request.user, page=q["page"]
    )
    counts = selectors.queue_counts(user=request.user, filters=filters)
    params = filters.params()
    sort_params = {} if sort == "priority" else {"sort": sort}
    tabs = [
        {
            "key": key,
            "label": item.label,
            "help": item.help,
            "count": counts[key],
            # The aging bucket belongs to the awaiting-payment tab alone.
            "url": queue_url(
                request, key, {**{k: v for k, v in params.items() if k != "bucket"}, **sort_params}
            ),
            "current": key == queue.key,
        }
        for key, item in selectors.QUEUES.items()
    ]
    here = {**params, **sort_params}
    return {
        "queue": queue,
        "page": page,
        "tabs": tabs,
        "filters": filters,
        "sort": sort,
        "errors": q["errors"],
        "here_params": here,
        "next_page_url": queue_url(request, queue.key, {**here, "page": str(page.page + 1)}),
        "previous_page_url": queue_url(request, queue.key, {**here, "page": str(page.page - 1)}),
        "clear_url": queue_url(request, queue.key),
        "buckets": [
            (b, queue_url(request, queue.key, {**here, "bucket": b.key}))
            for b in selectors.aging_buckets(user=request.user, filters=filters)
        ]
        if queue.key == "awaiting_payment"
        else [],
        # Inside the results (re-rendered when the filters change): what "next" and "save" use.
        "saved": [
            (f, queue_url(request, f.queue, {k: str(v) for k, v in f.params.items()}))
            for f in selectors.saved_filters_of(user=request.user)
        ],
        "filter_form": SavedFilterForm(),
    }


@require_GET
@requires(Cap.WORK_CLAIMS)
def queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    q = _query(request)
    context = _queue_context(request, q)
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=context["page"].rows)
    if request.htmx:
        return TemplateResponse(request, "claims/queue.html#results", context)
    context.update(
        _choices(),
        can_build=role_has(request.membership.role, Cap.BUILD_CLAIMS),
    )
    status = 400 if q["errors"] else 200
    return TemplateResponse(request, "claims/queue.html", context, status=status)


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    queue = request.POST.get("queue", "held")
    queue = queue if queue in selectors.QUEUES else "held"
    try:
        params = selectors.parse_filters(request.POST).params()
    except ValidationError:
        params = {}
    return redirect(queue_url(request, queue, params))


@require_POST
@requires(Cap.WORK_CLAIMS)
def next_claim(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Take the next claim of the queue (assigned to you) and open it."""
    try:
        queue = selectors.parse_queue(request.POST.get("queue"))
        filters = selectors.parse_filters(request.POST)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back_to_queue(request)
    skip = [v for v in request.POST.getlist("skip") if _is_uuid(v)]
    claim = services.claim_next(queue=queue, filters=filters, user=request.user, skip=skip)
    if claim is None:
        messages.info(request, f"No claim is waiting in {queue.label}.")
        return _back_to_queue(request)
    return redirect(_claim_url(request, claim, queue.key))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_POST
@requires(Cap.BUILD_CLAIMS)
def build(request: HttpRequest, org_slug: str) -> HttpResponse:
    summary = services.claims_build(actor=request.user, org_slug=org_slug)
    if summary.claims:
        messages.success(
            request,
            f"Built {summary.claims} claim{'s' if summary.claims != 1 else ''} from "
            f"{summary.sessions} sessions: {summary.ready} ready, {summary.held} held.",
        )
    else:
        messages.info(request, "No completed session is waiting for a claim.")
    return redirect(queue_url(request, "held"))


def _selected(request: HttpRequest) -> list[tuple[str, int]]:
    """The checked rows: "<claim id>:<version>" each."""
    picked = []
    for value in request.POST.getlist("claim"):
        public_id, _, version = value.partition(":")
        if _is_uuid(public_id) and version.isdigit():
            picked.append((public_id, int(version)))
    return picked


@require_POST
@requires(Cap.WORK_CLAIMS)
def submit_selected(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Submit the checked ready claims (all or none: one stale row stops the lot)."""
    picked = _selected(request)
    if not picked:
        messages.error(request, "Select the ready claims to submit (x on a row).")
        return _back_to_queue(request)
    try:
        batches = services.claims_submit_selected(selected=picked, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        _say_submitted(request, batches, len(picked))
    return _back_to_queue(request)


def _say_submitted(request: HttpRequest, batches: list[Any], chosen: int) -> None:
    sent = sum(b.claim_count for b in batches)
    if sent:
        messages.success(
            request,
            f"Submitted {sent} claim(s) in {len(batches)} batch(es): awaiting acknowledgment.",
        )
    if sent < chosen:
        messages.error(
            request,
            f"{chosen - sent} claim(s) could not go and are held again: see their findings.",
        )


# --- Saved filters ---------------------------------------------------------------------------


@require_POST
@requires(Cap.WORK_CLAIMS)
def filter_save(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = SavedFilterForm(request.POST)
    try:
        queue = selectors.parse_queue(request.POST.get("queue"))
        filters = selectors.parse_filters(request.POST)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_queue(request)
    if not form.is_valid():
        messages.error(request, "Give the saved filter a name (up to 60 characters).")
        return _back_to_queue(request)
    params = filters.params()
    sort = request.POST.get("sort", "")
    if sort in selectors.SORTS and sort != "priority":
        params["sort"] = sort
    name = form.cleaned_data["name"].strip()
    try:
        with transaction.atomic():
            SavedQueueFilter.objects.create(
                user=request.user, name=name, queue=queue.key, params=params
            )
    except IntegrityError:
        messages.error(request, f"You already have a saved filter named “{name}”.")
    else:
        messages.success(request, f"Saved “{name}”.")
    return redirect(queue_url(request, queue.key, params))


@for_model(SavedQueueFilter)
@require_POST
@requires(Cap.WORK_CLAIMS)
def filter_delete(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    saved = get_object_or_404(SavedQueueFilter, public_id=public_id, user=request.user)
    saved.delete()
    messages.success(request, f"Deleted the saved filter “{saved.name}”.")
    return redirect(queue_url(request, saved.queue))


# --- One claim -------------------------------------------------------------------------------


def _claim_url(request: HttpRequest, claim: Claim, queue: str = "") -> str:
    url = reverse(
        "claims:claim_detail", kwargs={"org_slug": request.org.slug, "public_id": claim.public_id}
    )
    return f"{url}?{urlencode({'queue': queue})}" if queue else url


def _detail(public_id: Any) -> selectors.ClaimDetail:
    try:
        return selectors.claim_detail(public_id=public_id)
    except Claim.DoesNotExist as exc:
        raise Http404("No such claim") from exc


def _available_actions(claim: Claim, user: Any) -> set[str]:
    status = claim.status
    actions = {"note"}
    if status in ("held", "ready", "on_hold"):
        actions |= {"scrub", "cancel"}
    if status in ("held", "ready"):
        actions.add("hold")
    if status == "on_hold":
        actions.add("release")
    if status == "ready":
        actions.add("submit")
    if status in ACTIONS_AFTER_SENDING:
        actions |= {"replace", "void"}
    if claim.assigned_to_id != user.pk:
        actions.add("assign")
    return actions


def _claim_page(
    request: HttpRequest,
    public_id: Any,
    *,
    status: int = 200,
    forms_: dict[str, Any] | None = None,
) -> HttpResponse:
    detail = _detail(public_id)
    claim = detail.claim
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[claim])
    queue = request.GET.get("queue") or request.POST.get("queue") or ""
    queue = queue if queue in selectors.QUEUES else ""
    initial = {"version": claim.version}
    forms_ = forms_ or {}
    context = {
        "d": detail,
        "claim": claim,
        "queue": selectors.QUEUES.get(queue),
        "queue_back_url": queue_url(request, queue or "held"),
        "actions": _available_actions(claim, request.user),
        "sees_patients": role_has(request.membership.role, Cap.VIEW_PATIENTS),
        "version_form": VersionForm(initial=initial),
        "hold_form": forms_.get("hold") or ReasonForm(initial=initial, prefix="hold"),
        "cancel_form": forms_.get("cancel") or ReasonForm(initial=initial, prefix="cancel"),
        "replace_form": forms_.get("replace") or ReasonForm(initial=initial, prefix="replace"),
        "void_form": forms_.get("void") or ReasonForm(initial=initial, prefix="void"),
        "note_form": forms_.get("note") or NoteForm(initial=initial, prefix="note"),
        "diagnoses": list(enumerate(claim.diagnoses, start=1)),
    }
    return TemplateResponse(request, "claims/claim_detail.html", context, status=status)


@for_model(Claim)
@require_GET
@requires(Cap.WORK_CLAIMS)
def claim_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    return _claim_page(request, public_id)


def _run_action(request: HttpRequest, claim: Claim, action: str, form: Any) -> tuple[str, Claim]:
    """Call the action's service; answer what to tell the biller and which claim to show."""
    data = form.cleaned_data
    user, version, slug = request.user, data["version"], request.org.slug
    if action == "scrub":
        findings = services.claim_scrub(claim=claim, actor=user, version=version, org_slug=slug)
        errors = sum(1 for f in findings if f.holds)
        where = "held" if errors else "ready to submit"
        return f"Re-scrubbed: {errors} error(s), {len(findings) - errors} other; {where}.", claim
    if action == "hold":
        services.claim_hold(claim=claim, actor=user, reason=data["reason"], version=version)
        return "Claim put on hold.", claim
    if action == "release":
        services.claim_release(claim=claim, actor=user, version=version, org_slug=slug)
        return f"Hold released; the claim is {claim.get_status_display().lower()}.", claim
    if action == "cancel":
        services.claim_cancel(claim=claim, actor=user, reason=data["reason"], version=version)
        return "Claim cancelled; its sessions can be billed again.", claim
    if action in ("replace", "void"):
        service = services.claim_replace if action == "replace" else services.claim_void
        new = service(
            claim=claim, actor=user, reason=data["reason"], version=version, org_slug=slug
        )
        what = "Replacement" if action == "replace" else "Void"
        return f"{what} {new.control_number} built ({new.get_status_display().lower()}).", new
    if action == "note":
        # A note never conflicts with another change: the version is not checked.
        services.claim_note(
            claim=claim, actor=user, note=data["note"], follow_up_on=data.get("follow_up_on")
        )
        return "Note added.", claim
    if action == "assign":
        services.claim_assign(claim=claim, actor=user, assignee=user, version=version)
        return "Assigned to you.", claim
    if action == "submit":
        batches = services.claims_submit_selected(
            selected=[(str(claim.public_id), version)], actor=user
        )
        if not batches:
            return "The claim could not go and is held again: see its findings.", claim
        return f"Submitted in {batches[0].file_name}: awaiting acknowledgment.", claim
    raise Http404("No such action")


FORMS = {
    "scrub": VersionForm,
    "release": VersionForm,
    "assign": VersionForm,
    "submit": VersionForm,
    "hold": ReasonForm,
    "cancel": ReasonForm,
    "replace": ReasonForm,
    "void": ReasonForm,
    "note": NoteForm,
}


def _form_for(action: str, data: QueryDict) -> Any:
    form_class = FORMS[action]
    prefix = None if form_class is VersionForm else action
    return form_class(data, prefix=prefix)


@for_model(Claim)
@require_POST
@requires(Cap.WORK_CLAIMS)
def claim_action(request: HttpRequest, org_slug: str, public_id: Any, action: str) -> HttpResponse:
    claim = get_object_or_404(Claim, public_id=public_id)
    form = _form_for(action, request.POST)
    if not form.is_valid():
        messages.error(request, _form_problem(form))
        return _claim_page(request, public_id, status=400, forms_={action: form})
    try:
        with transaction.atomic():
            done, shown = _run_action(request, claim, action, form)
    except services.StaleClaim as exc:
        messages.error(request, " ".join(exc.messages))
        return _claim_page(request, public_id, status=409)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _claim_page(request, public_id, status=400, forms_={action: form})
    messages.success(request, done)
    return redirect(_claim_url(request, shown, request.POST.get("queue", "")))


def _form_problem(form: Any) -> str:
    if "version" in form.errors:
        return "The form did not say which version of the claim you saw; reload the page."
    names = [form.fields[name].label or name for name in form.errors if name in form.fields]
    if not names:
        return "Check the form."
    return f"Fill in: {', '.join(str(n).capitalize() for n in names)}."


@for_model(Claim)
@require_GET
@requires(Cap.WORK_CLAIMS)
def claim_837(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """The claim's 837 as it would be sent now: PHI (names, birth date, address, member id),
    so only for roles that see patients, and the read is logged."""
    if not role_has(request.membership.role, Cap.VIEW_PATIENTS):
        raise PermissionDenied
    claim = get_object_or_404(Claim.objects.select_related("payer"), public_id=public_id)
    preview = selectors.claim_837_preview(claim=claim)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[claim])
    return TemplateResponse(request, "claims/claim_837.html", {"claim": claim, "preview": preview})


# --- The clearinghouse account ---------------------------------------------------------------


def _clearinghouse_page(
    request: HttpRequest, form: Any, *, test: tuple[bool, str] | None = None, status: int = 200
) -> HttpResponse:
    from claims.clearinghouse.services import account_of_org
    from claims.models import AcknowledgmentFile, SubmissionBatch

    account = account_of_org()
    can_manage = role_has(request.membership.role, Cap.MANAGE_CLEARINGHOUSE)
    since = timezone.now() - dt.timedelta(days=30)
    batches = SubmissionBatch.objects.all()
    if not current_part2_access():
        batches = batches.exclude(part2=True)
    acks = AcknowledgmentFile.objects.all()
    if not current_part2_access():
        acks = acks.exclude(part2=True)
    context = {
        "account": account,
        "can_manage": can_manage,
        "credentials": account.credentials_summary() if account and can_manage else None,
        "settings_shown": _shown_settings(account),
        "counts": {
            "batches": batches.filter(created_at__gte=since).count(),
            "batches_total": batches.count(),
            "acks": acks.filter(received_at__gte=since).count(),
            "acks_refused": acks.filter(received_at__gte=since, status="refused").count(),
        },
        "form": form if can_manage else None,
        "test": test,
    }
    return TemplateResponse(request, "claims/clearinghouse.html", context, status=status)


def _shown_settings(account: Any) -> list[tuple[str, Any]]:
    if account is None:
        return []
    from claims.clearinghouse.services import FOLDER_SETTINGS, SFTP_CHOICES, SFTP_SETTINGS

    keys = {
        "sftp": (*SFTP_SETTINGS, *SFTP_CHOICES),
        "folder": FOLDER_SETTINGS,
    }.get(account.adapter, ())
    stored = account.settings or {}
    return [(key.replace("_", " "), stored.get(key, "")) for key in keys]


@requires(Cap.WORK_CLAIMS)
def clearinghouse(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The org's clearinghouse account: everyone who works claims sees it (never its secrets);
    admins and billing managers edit it and test its connection."""
    from claims.clearinghouse.services import (
        account_of_org,
        account_values,
        clearinghouse_account_save,
    )
    from claims.forms import ClearinghouseForm
    from rcm.pages import save_valid

    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    can_manage = role_has(request.membership.role, Cap.MANAGE_CLEARINGHOUSE)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    account = account_of_org()
    credentials = account.credentials_summary() if account else None
    form = ClearinghouseForm(
        request.POST if request.method == "POST" else None,
        initial=account_values(account) or None,
        credentials=credentials,
    )
    if request.method == "POST":
        saved = save_valid(
            form,
            lambda: clearinghouse_account_save(values=dict(form.cleaned_data), actor=request.user),
        )
        if saved is not None:
            messages.success(request, "Saved the clearinghouse account.")
            return redirect("claims:clearinghouse", org_slug=org_slug)
        return _clearinghouse_page(request, form, status=400)
    return _clearinghouse_page(request, form)


@require_POST
@requires(Cap.MANAGE_CLEARINGHOUSE)
def clearinghouse_test(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Connect with the saved account and list its folders; say how it went (no PHI, no
    secrets: the adapters' messages name hosts and folders only)."""
    from claims.clearinghouse.services import (
        account_of_org,
        account_values,
        clearinghouse_connection_test,
    )
    from claims.forms import ClearinghouseForm

    account = account_of_org()
    if account is None:
        result = (False, "Save the clearinghouse account first.")
    else:
        result = clearinghouse_connection_test(account=account)
    form = ClearinghouseForm(
        initial=account_values(account) or None,
        credentials=account.credentials_summary() if account else None,
    )
    return _clearinghouse_page(request, form, test=result)
