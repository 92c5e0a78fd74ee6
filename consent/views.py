"""Consent capture, detail, revocation, the accounting of disclosures and qualified service
organization agreements (thin views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from consent import rules, selectors
from consent.forms import (
    ConsentForm,
    DisclosureWithoutConsentForm,
    QsoAgreementForm,
    QsoEndForm,
    RevokeForm,
    initial_for_create,
)
from consent.gate import consent_scope_summary, disclosure_record_without_consent
from consent.models import Part2Consent, QualifiedServiceAgreement
from consent.notice import STATEMENT_1, STATEMENT_2
from consent.services import (
    consent_record,
    consent_revoke,
    consent_revoke_recipient,
    qso_agreement_end,
    qso_agreement_record,
)
from patients.models import Patient
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap
from rcm.views import for_model, requires


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _data(request: HttpRequest) -> Any:
    """Bind on every POST, even an empty one, so missing elements get their messages."""
    return request.POST if request.method == "POST" else None


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _get_consent(public_id: Any) -> Part2Consent:
    return get_object_or_404(
        Part2Consent.objects.select_related("patient", "recorded_by", "revoked_recorded_by"),
        public_id=public_id,
    )


@requires(Cap.RECORD_CONSENT)
@for_model(Patient)
def consent_create(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    initial = initial_for_create(
        preset=request.GET.get("preset", ""), org_name=request.org.name, today=timezone.localdate()
    )
    form = ConsentForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            consent = consent_record(patient=patient, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Consent recorded.")
            return redirect(
                "consent:consent_detail", org_slug=org_slug, public_id=consent.public_id
            )
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[patient])
    return TemplateResponse(
        request,
        "consent/consent_form.html",
        {"form": form, "patient": patient},
        status=_status(request),
    )


@requires(Cap.VIEW_PATIENTS)
@for_model(Part2Consent)
def consent_detail(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    consent = _get_consent(public_id)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[consent])
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "consent/consent_detail.html",
        {
            "consent": consent,
            "patient": consent.patient,
            "state": selectors.consent_state_of(consent, on_date=today),
            "expiry": selectors.consent_expiry(consent),
            "categories": rules.category_labels(consent.information_categories),
            "recipient_kinds": rules.recipient_kind_labels(consent.recipient_kinds),
            "purposes": rules.purpose_labels(consent.purposes),
            "disclosures": consent.disclosures.select_related("disclosed_by"),
            "summary": consent_scope_summary(consent),
            "statement_1": STATEMENT_1,
            "statement_2": STATEMENT_2,
        },
    )


@requires(Cap.RECORD_CONSENT)
@for_model(Part2Consent)
def consent_revoke_view(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    consent = _get_consent(public_id)
    form = RevokeForm(
        _data(request),
        initial={"revoked_on": timezone.localdate(), "method": "written"},
        recipients=selectors.recipients_still_named(consent),
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = _revoke(request, consent, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{done} Disclosures made before the revocation date stand.")
            return redirect("consent:consent_detail", org_slug=org_slug, public_id=public_id)
    # The page names the consent and the patient's MRN: a PHI read.
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[consent])
    return TemplateResponse(
        request,
        "consent/consent_revoke.html",
        {"form": form, "consent": consent},
        status=_status(request),
    )


def _revoke(request: HttpRequest, consent: Part2Consent, data: dict[str, Any]) -> str:
    when = {"revoked_on": data["revoked_on"], "method": data["method"], "actor": request.user}
    recipient = data.get("recipient") or ""
    if recipient:
        consent_revoke_recipient(consent=consent, recipient=recipient, **when)
        return f"Consent revoked for {recipient}; its other recipients keep it."
    consent_revoke(consent=consent, **when)
    return "Consent revoked."


@requires(Cap.VIEW_PATIENTS)
@for_model(Patient)
def disclosure_accounting(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    today = timezone.localdate()
    disclosures = list(selectors.disclosure_accounting(patient=patient, today=today))
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[patient])
    phi_access_record(request=request, action=PhiAccess.Action.LIST, objects=disclosures)
    return TemplateResponse(
        request,
        "consent/disclosure_accounting.html",
        {
            "patient": patient,
            "disclosures": disclosures,
            "since": rules.accounting_start(today),
            "consents": selectors.consents_for_patient(patient=patient),
            "status": selectors.consent_status_for_patient(patient=patient, on_date=today),
        },
    )


@requires(Cap.LOG_DISCLOSURES)
@for_model(Patient)
def disclosure_create(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    """Log a disclosure made without consent (emergency, audit, court order ...)."""
    patient = get_object_or_404(Patient.objects, public_id=public_id)
    form = DisclosureWithoutConsentForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            disclosure_record_without_consent(
                patient=patient,
                actor=request.user,
                recipient_name=data.pop("recipient"),
                carries=data.pop("information_categories"),
                **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Disclosure logged in the accounting.")
            return redirect("consent:disclosure_accounting", org_slug=org_slug, public_id=public_id)
    phi_access_record(request=request, action=PhiAccess.Action.DETAIL, objects=[patient])
    return TemplateResponse(
        request,
        "consent/disclosure_form.html",
        {"form": form, "patient": patient},
        status=_status(request),
    )


# --- Qualified service organization agreements (§2.11) -----------------------------------------


@requires(Cap.MANAGE_AGREEMENTS)
def agreement_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {"agreement": a, "status": _agreement_status(a, today)} for a in selectors.qso_agreements()
    ]
    return TemplateResponse(request, "consent/agreement_list.html", {"rows": rows, "today": today})


def _agreement_status(agreement: QualifiedServiceAgreement, today: Any) -> str:
    if agreement.in_force_on(today):
        return "in_force"
    return "future" if agreement.effective_on > today else "ended"


@requires(Cap.MANAGE_AGREEMENTS)
def agreement_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = QsoAgreementForm(_data(request), initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = qso_agreement_record(
                counterparty=data.pop("counterparty"), actor=request.user, **data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Agreement with {agreement.counterparty} recorded.")
            return redirect("consent:agreement_list", org_slug=org_slug)
    return TemplateResponse(
        request, "consent/agreement_form.html", {"form": form}, status=_status(request)
    )


@requires(Cap.MANAGE_AGREEMENTS)
@for_model(QualifiedServiceAgreement)
def agreement_end(request: HttpRequest, org_slug: str, public_id: Any) -> HttpResponse:
    agreement = get_object_or_404(
        QualifiedServiceAgreement.objects.select_related("counterparty"), public_id=public_id
    )
    form = QsoEndForm(_data(request), initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            qso_agreement_end(
                agreement=agreement, ends_on=form.cleaned_data["ends_on"], actor=request.user
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Agreement with {agreement.counterparty} ends on {form.cleaned_data['ends_on']}; "
                "its staff lose Part 2 access that day.",
            )
            return redirect("consent:agreement_list", org_slug=org_slug)
    return TemplateResponse(
        request,
        "consent/agreement_end.html",
        {"form": form, "agreement": agreement},
        status=_status(request),
    )
