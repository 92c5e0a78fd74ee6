"""Intake and clinical-admin pages: search, registration, coverage, episodes, levels of care,
treatment plans and session entry with a live coding preview (htmx partials)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from patients import answers
from patients import forms as f
from patients.coding_bridge import preview_of_session, preview_summary
from patients.models import Coverage, EpisodeOfCare, LevelOfCare, Patient, Session, TreatmentPlan
from patients.panels import panels_for
from patients.selectors import (
    auth_requirement,
    coding_ready_sessions,
    current_segment,
    episode_detail,
    episodes_qs,
    patient_overview,
    patient_search,
    session_corrections,
    session_list,
    sessions_qs,
)
from patients.services import clinical as services
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap
from rcm.views import for_model, requires


def _slug(request: HttpRequest) -> str:
    return request.org.slug


def _url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return reverse(f"patients:{name}", kwargs={"org_slug": _slug(request), **kwargs})


def consent_url(request: HttpRequest, patient: Patient) -> str | None:
    """Link to the Part 2 consent form (the consent app answers where it is)."""
    return answers.consent_form_url(org_slug=_slug(request), patient=patient)


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], shown: Any
) -> TemplateResponse:
    """A form page that shows the patient's name and DOB: that is a PHI read, logged."""
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[shown])
    return TemplateResponse(request, template, context)


# --- Patients -------------------------------------------------------------------------------


@requires(Cap.VIEW_PATIENTS)
def patient_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    # POST keeps names, dates of birth and member ids out of URLs (proxy logs, history).
    form = f.PatientSearchForm(request.POST if request.method == "POST" else None)
    results: list[Patient] | None = None
    if form.is_bound and form.is_valid() and any(form.criteria().values()):
        results = patient_search(org=request.org, **form.criteria())
        phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=results)
    return TemplateResponse(
        request, "patients/patient_list.html", {"form": form, "results": results}
    )


@requires(Cap.EDIT_PATIENTS)
def patient_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = f.PatientForm(request.POST or None)
    cov_form = f.CoverageForm(request.POST or None, prefix="coverage")
    if request.method == "POST" and form.is_valid() and cov_form.is_valid():
        coverage = None if cov_form.is_blank() else cov_form.facts()
        try:
            patient = services.patient_register(
                actor=request.user, coverage=coverage, **form.cleaned_data
            )
        except ValidationError as exc:
            f.apply_errors(exc, {"": form, "coverage_": cov_form})
        else:
            messages.success(request, f"Registered {patient.display_name} (MRN {patient.mrn}).")
            return redirect(_url(request, "patient_detail", public_id=patient.public_id))
    return TemplateResponse(
        request, "patients/patient_form.html", {"form": form, "cov_form": cov_form}
    )


@for_model(Patient)
@requires(Cap.VIEW_PATIENTS)
def patient_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    overview = patient_overview(patient=patient)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[patient])
    return TemplateResponse(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "o": overview,
            "consent_url": consent_url(request, patient),
            "panels": panels_for(request=request, patient=patient),
        },
    )


def _patient_initial(patient: Patient) -> dict[str, Any]:
    # The SSN is never shown again once saved: blank keeps it.
    return {name: getattr(patient, name) for name in f.PatientForm.base_fields if name != "ssn"}


@for_model(Patient)
@requires(Cap.EDIT_PATIENTS)
def patient_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Demographics and the signature on file; a blank MRN or SSN keeps the saved one."""
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    form = f.PatientForm(request.POST or None, initial=_patient_initial(patient))
    if request.method == "POST" and form.is_valid():
        kept = ("mrn", "ssn")
        changes = {k: v for k, v in form.cleaned_data.items() if k not in kept or v}
        try:
            services.patient_update(patient=patient, actor=request.user, **changes)
        except ValidationError as exc:
            f.apply_errors(exc, {"": form})
        else:
            messages.success(request, "Patient details saved.")
            return redirect(_url(request, "patient_detail", public_id=patient.public_id))
    context = {"form": form, "patient": patient}
    return _form_page(request, "patients/patient_edit.html", context, patient)


@for_model(Patient)
@requires(Cap.EDIT_PATIENTS)
def coverage_add(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    form = f.CoverageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_add(patient=patient, actor=request.user, **form.facts())
        except ValidationError as exc:
            f.apply_errors(exc, {"": form})
        else:
            messages.success(request, "Coverage added.")
            return redirect(_url(request, "patient_detail", public_id=patient.public_id))
    return _form_page(
        request, "patients/coverage_form.html", {"form": form, "patient": patient}, patient
    )


@for_model(Coverage)
@requires(Cap.EDIT_PATIENTS)
def coverage_edit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """A coverage's plan, group and subscriber facts, MSP type and assignment of benefits."""
    coverage = get_object_or_404(
        Coverage.objects.select_related("patient", "payer"), public_id=public_id
    )
    initial = f.coverage_edit_initial(coverage)
    form = f.CoverageEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_update(coverage=coverage, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            f.apply_errors(exc, {"": form})
        else:
            messages.success(request, f"Coverage with {coverage.payer.name} saved.")
            return redirect(_url(request, "patient_detail", public_id=coverage.patient.public_id))
    context = {"form": form, "patient": coverage.patient, "coverage": coverage}
    return _form_page(request, "patients/coverage_edit.html", context, coverage)


# --- Episodes -------------------------------------------------------------------------------


@for_model(Patient)
@requires(Cap.EDIT_PATIENTS)
def episode_admit(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    form = f.EpisodeAdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_admit(patient=patient, actor=request.user, **form.facts())
        except ValidationError as exc:
            f.apply_errors(exc, {"": form}, aliases={"diagnoses": "dx_1"})
        else:
            messages.success(request, f"Admitted to {episode.get_program_display()}.")
            return redirect(_url(request, "episode_detail", public_id=episode.public_id))
    return _form_page(
        request, "patients/episode_form.html", {"form": form, "patient": patient}, patient
    )


def _episode(public_id: Any) -> EpisodeOfCare:
    return get_object_or_404(episodes_qs().select_related("patient"), public_id=public_id)


@for_model(EpisodeOfCare)
@requires(Cap.VIEW_PATIENTS)
def episode_detail_view(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    episode = _episode(public_id)
    detail = episode_detail(episode=episode)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[episode])
    auth = None
    if detail.current and episode.status == EpisodeOfCare.Status.ACTIVE:
        auth = auth_requirement(
            patient=episode.patient, level=detail.current.level, on_date=detail.current.start_date
        )
    return TemplateResponse(
        request,
        "patients/episode_detail.html",
        {"episode": episode, "d": detail, "auth": auth, "discharge_form": f.DischargeForm()},
    )


@for_model(EpisodeOfCare)
@requires(Cap.EDIT_PATIENTS)
def episode_claim_facts(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """The episode's admission and discharge facts for institutional claims (UB-04/837I)."""
    episode = _episode(public_id)
    initial = {name: getattr(episode, name) for name in services.CLAIM_FACTS}
    form = f.EpisodeClaimFactsForm(
        request.POST or None, initial=initial, current_attending=episode.attending_provider
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_update(episode=episode, actor=request.user, **form.facts())
        except ValidationError as exc:
            f.apply_errors(exc, {"": form})
        else:
            messages.success(request, "Claim facts saved.")
            return redirect(_url(request, "episode_detail", public_id=episode.public_id))
    context = {"form": form, "episode": episode, "patient": episode.patient}
    return _form_page(request, "patients/episode_claim_facts.html", context, episode)


def _transition_preview(
    request: HttpRequest, episode: EpisodeOfCare, form: f.LevelTransitionForm
) -> HttpResponse:
    level = form.data.get("new_level", "")
    on_date = form.cleaned_data.get("on_date") if form.is_valid() else None
    auth = None
    if level in LevelOfCare.values:
        auth = auth_requirement(
            patient=episode.patient, level=level, on_date=on_date or timezone.localdate()
        )
    return TemplateResponse(
        request, "patients/level_transition.html#auth", {"auth": auth, "episode": episode}
    )


@for_model(EpisodeOfCare)
@requires(Cap.EDIT_PATIENTS)
def level_transition(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    episode = _episode(public_id)
    form = f.LevelTransitionForm(request.POST or None)
    if request.method == "POST" and request.htmx:
        return _transition_preview(request, episode, form)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.level_transition(
                episode=episode, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            f.apply_errors(exc, {"": form}, aliases={"level": "new_level"})
        else:
            level = f"{result.segment.get_level_display()} from {result.segment.start_date}."
            notice = messages.warning if result.auth.action_needed else messages.success
            notice(request, f"Moved to {level} {result.auth.message}")
            return redirect(_url(request, "episode_detail", public_id=episode.public_id))
    context = {"form": form, "episode": episode, "current": current_segment(episode)}
    return _form_page(request, "patients/level_transition.html", context, episode)


@for_model(EpisodeOfCare)
@requires(Cap.EDIT_PATIENTS)
def plan_create(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    episode = _episode(public_id)
    form = f.TreatmentPlanForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.treatment_plan_create(
                episode=episode,
                actor=request.user,
                effective_date=form.cleaned_data["effective_date"],
                goals=form.goals(),
            )
        except ValidationError as exc:
            f.apply_errors(exc, {"": form}, aliases={"goals": "goal_1"})
        else:
            messages.success(request, f"Plan saved; review due {plan.review_due_date}.")
            return redirect(_url(request, "episode_detail", public_id=episode.public_id))
    return _form_page(
        request, "patients/plan_form.html", {"form": form, "episode": episode}, episode
    )


# --- Sessions -------------------------------------------------------------------------------


@requires(Cap.VIEW_PATIENTS)
def session_list_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = session_list(kind=kind if kind in dict(f.SERVICE_KIND_CHOICES) else "")
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=rows)
    return TemplateResponse(
        request,
        "patients/session_list.html",
        {"rows": rows, "kinds": f.SERVICE_KIND_CHOICES, "kind": kind},
    )


def _session_initial(request: HttpRequest) -> dict[str, Any]:
    """Today, and the patient's MRN when the page was opened from a patient."""
    initial: dict[str, Any] = {"service_date": timezone.localdate()}
    try:
        patient_id = uuid.UUID(request.GET.get("patient", ""))
    except ValueError:
        return initial
    patient = Patient.objects.filter(public_id=patient_id).first()
    if patient is not None:
        initial["patient"] = patient.mrn
    return initial


@requires(Cap.RECORD_SESSIONS)
def session_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = f.SessionForm(request.POST or None, initial=_session_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_record(actor=request.user, **form.facts())
        except ValidationError as exc:
            f.apply_errors(exc, {"": form}, aliases=f.SESSION_ERROR_ALIASES)
        else:
            messages.success(request, "Session recorded.")
            return redirect(_url(request, "session_detail", public_id=session.public_id))
    return TemplateResponse(request, "patients/session_form.html", {"form": form, "preview": None})


@require_POST
@requires(Cap.RECORD_SESSIONS)
def session_preview(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The live "what would be billed and why" partial for the session form."""
    form = f.SessionForm(request.POST)
    form.is_valid()
    facts = form.facts()
    preview: dict[str, Any] = {"form_errors": _plain_errors(form)}
    if {"patient", "kind", "rendering_provider"} <= set(facts):
        session = services.session_assemble(**facts)
        problems = services.session_errors(session)
        preview["form_errors"] += [m for msgs in problems.values() for m in msgs]
        preview["coding"] = _coding(session)
    return TemplateResponse(request, "patients/session_form.html#preview", {"preview": preview})


def _coding(session: Session) -> dict[str, Any]:
    """What the session would bill and why: the same path as the API's `coding/preview/`."""
    return preview_summary(preview_of_session(session=session))


def _plain_errors(form: f.SessionFactsForm, skip: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{form.fields[name].label or name}: {message}" if name in form.fields else message
        for name, messages_ in form.errors.items()
        if name not in skip
        for message in messages_
    ]


@for_model(Session)
@requires(Cap.VIEW_PATIENTS)
def session_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    session = get_object_or_404(coding_ready_sessions(sessions_qs()), public_id=public_id)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[session])
    coding = _coding(session)
    next_statuses = [
        (value, label)
        for value, label in Session.Status.choices
        if value in services.STATUS_CHANGES.get(session.status, set())
    ]
    return TemplateResponse(
        request,
        "patients/session_detail.html",
        {
            "session": session,
            "coding": coding,
            "next_statuses": next_statuses,
            "corrections": session_corrections(session=session),
            "authorization": answers.service_authorization(session=session),
            "claim": answers.session_claim(session=session),
        },
    )


def _correction_preview(
    request: HttpRequest, session: Session, form: f.SessionCorrectionForm
) -> HttpResponse:
    """What the corrected session would bill, and what is still wrong (htmx partial)."""
    form.is_valid()
    preview: dict[str, Any] = {"form_errors": _plain_errors(form, skip=("reason",))}
    candidate = services.session_correction_assemble(session=session, **form.changes())
    problems = services.session_errors(candidate)
    preview["form_errors"] += [m for msgs in problems.values() for m in msgs]
    preview["coding"] = _coding(candidate)
    return TemplateResponse(request, "patients/session_correct.html#preview", {"preview": preview})


@for_model(Session)
@requires(Cap.RECORD_SESSIONS)
def session_correction(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Correct a recorded session: pre-filled with what is saved; saved with a reason."""
    session = get_object_or_404(coding_ready_sessions(sessions_qs()), public_id=public_id)
    form = f.SessionCorrectionForm(request.POST or None, session=session)
    if request.method == "POST" and request.htmx:
        return _correction_preview(request, session, form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.session_correct(
                    session=session,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_revision=form.cleaned_data.get("revision"),
                    **form.changes(),
                )
            except ValidationError as exc:
                f.apply_errors(exc, {"": form}, aliases=f.SESSION_ERROR_ALIASES)
            else:
                messages.success(request, "Session corrected; the change is in its history.")
                return redirect(_url(request, "session_detail", public_id=session.public_id))
        status = 400
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[session])
    preview = {"coding": _coding(session), "form_errors": []}
    return TemplateResponse(
        request,
        "patients/session_correct.html",
        {"session": session, "form": form, "preview": preview},
        status=status,
    )


def _session_action(request: HttpRequest, public_id: Any, run: Any, done: str) -> HttpResponse:
    session = get_object_or_404(sessions_qs(), public_id=public_id)
    try:
        run(session)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(
            "patients:session_detail", org_slug=request.org.slug, public_id=session.public_id
        )
    messages.success(request, done)
    return redirect(
        "patients:session_detail", org_slug=request.org.slug, public_id=session.public_id
    )


@for_model(Session)
@requires(Cap.RECORD_SESSIONS)
@require_POST
def session_status(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    status = request.POST.get("status", "")
    return _session_action(
        request,
        public_id,
        lambda s: services.session_set_status(session=s, status=status, actor=request.user),
        "Session status updated; authorized units were adjusted.",
    )


@for_model(Session)
@requires(Cap.RECORD_SESSIONS)
@require_POST
def session_sign_note(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    return _session_action(
        request,
        public_id,
        lambda s: services.session_sign_note(session=s, actor=request.user),
        "Note marked as signed.",
    )


@for_model(TreatmentPlan)
@requires(Cap.RECORD_SESSIONS)
@require_POST
def plan_sign(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    plan = get_object_or_404(TreatmentPlan.objects.select_related("episode"), public_id=public_id)
    try:
        services.treatment_plan_sign_as(plan=plan, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Treatment plan signed.")
    return redirect("patients:episode_detail", org_slug=org_slug, public_id=plan.episode.public_id)


def _date_action(request: HttpRequest, field: str, run: Any, done: str) -> None:
    try:
        day = datetime.date.fromisoformat(request.POST.get(field, ""))
        run(day)
    except ValueError:
        messages.error(request, "Enter a date as YYYY-MM-DD.")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@for_model(EpisodeOfCare)
@requires(Cap.EDIT_PATIENTS)
@require_POST
def episode_discharge(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    episode = get_object_or_404(EpisodeOfCare.objects.all(), public_id=public_id)
    form = f.DischargeForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("patients:episode_detail", org_slug=org_slug, public_id=episode.public_id)
    try:
        services.episode_discharge(episode=episode, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Discharged; the open level of care ends on the discharge date.")
    return redirect("patients:episode_detail", org_slug=org_slug, public_id=episode.public_id)


@for_model(Coverage)
@requires(Cap.EDIT_PATIENTS)
@require_POST
def coverage_end(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    coverage = get_object_or_404(Coverage.objects.select_related("patient"), public_id=public_id)
    _date_action(
        request,
        "end_date",
        lambda day: services.coverage_end(coverage=coverage, end_date=day, actor=request.user),
        "Coverage ended.",
    )
    return redirect(
        "patients:patient_detail", org_slug=org_slug, public_id=coverage.patient.public_id
    )


urlpatterns = [
    path("", patient_list, name="patient_list"),
    path("new/", patient_create, name="patient_create"),
    path("<uuid:public_id>/", patient_detail, name="patient_detail"),
    path("<uuid:public_id>/edit/", patient_edit, name="patient_edit"),
    path("<uuid:public_id>/coverages/new/", coverage_add, name="coverage_add"),
    path("coverages/<uuid:public_id>/edit/", coverage_edit, name="coverage_edit"),
    path("<uuid:public_id>/episodes/new/", episode_admit, name="episode_admit"),
    path("episodes/<uuid:public_id>/", episode_detail_view, name="episode_detail"),
    path("episodes/<uuid:public_id>/transition/", level_transition, name="level_transition"),
    path("episodes/<uuid:public_id>/discharge/", episode_discharge, name="episode_discharge"),
    path("episodes/<uuid:public_id>/claim-facts/", episode_claim_facts, name="episode_claim_facts"),
    path("coverages/<uuid:public_id>/end/", coverage_end, name="coverage_end"),
    path("episodes/<uuid:public_id>/plans/new/", plan_create, name="plan_create"),
    path("plans/<uuid:public_id>/sign/", plan_sign, name="plan_sign"),
    path("sessions/", session_list_view, name="session_list"),
    path("sessions/new/", session_create, name="session_create"),
    path("sessions/preview/", session_preview, name="session_preview"),
    path("sessions/<uuid:public_id>/", session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/correct/", session_correction, name="session_correct"),
    path("sessions/<uuid:public_id>/status/", session_status, name="session_status"),
    path("sessions/<uuid:public_id>/sign-note/", session_sign_note, name="session_sign_note"),
]
