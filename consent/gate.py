"""The disclosure gate: every release of Part 2 records with the patient's consent (claims, 278s,
270s, appeals) goes through `disclosure_record`, which asks `consent_for_disclosure` and, when it
allows, appends the release to the accounting (§2.25). The outbound document carries one of the
two §2.32(a) statements (consent.notice, verbatim) and `consent_scope_summary` (§2.32(b)); the
disclosure row keeps which statement and which scope explanation were sent.

It fails closed:
- It is asked on the disclosure (transmission) date, today in the org's time zone, never on the
  date of service: a consent revoked or expired since the service no longer releases its claim.
- The caller states what the disclosure carries (consent.rules.INFORMATION_CATEGORIES); the
  consent must release every one of them (a consent for attendance dates does not release a
  claim with diagnoses). SUD counseling notes never leave through the gate.
- 'End of treatment' expirations resolve to the discharge date of the patient's Part 2 episodes
  (an open mental-health episode does not extend them; signed after the last discharge, the
  consent has already ended); any other event the system cannot evaluate refuses the
  disclosure rather than guess.
- A recipient that is a HIPAA covered entity or business associate (health plan, provider,
  clearinghouse) needs a consent carrying the §2.31(a)(4)(iii) redisclosure statement.

Purposes and recipients are decided from data only, never from the consent's words (a purpose
"not for payment" must not match "payment"): the consent's ticked `purposes` must include the
purpose asked about and its ticked `recipient_kinds` the recipient's kind (consent.rules). A
class consent then covers that kind; a named consent also needs the recipient's name on its list
(case-insensitive, one name per line or separated by semicolons); a recipient of any other kind
is covered by name only. A consent recorded without the ticks releases nothing. SUD
counseling-notes consents never authorise these disclosures (notes are never sent to payers).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consent import rules
from consent.models import Disclosure, Part2Consent
from consent.notice import STATEMENTS
from consent.selectors import (
    consent_expiry,
    consents_for_patient,
    consents_of_patients,
    treatment_episodes,
    treatment_episodes_of,
)
from rcm.tenancy import require_org

_STATE_REASON = {
    "not_yet_signed": "was not yet signed on {on}",
    "revoked": "was revoked on {revoked}",
    "expired": "expired on {expires}",
}


@dataclass(frozen=True)
class DisclosureRequest:
    """What is about to leave: to whom, why, and which kinds of information it carries."""

    recipient_kind: str  # 'health_plan' | 'provider' | 'clearinghouse' | other (by name only)
    recipient_name: str
    purpose: str  # 'treatment' | 'payment' | 'operations' | 'patient_request'
    carries: tuple[str, ...]


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    consent: Part2Consent | None
    reasons: list[str] = field(default_factory=list)
    on_date: datetime.date | None = None  # the disclosure date the gate was asked on


@dataclass(frozen=True)
class ConsentRecords:
    """A patient's disclosure consents (newest signature first, counseling-notes consents left
    out) and Part 2 treatment episodes: what the gate reads, loaded for many patients at once
    by `consent_records`."""

    consents: list[Part2Consent]
    episodes: list[rules.Episode]


def consent_records(*, patient_ids: Iterable[int]) -> dict[int, ConsentRecords]:
    """What the gate reads about each patient, in three queries however many patients (a
    claims batch asks the gate for every Part 2 claim)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    consents: dict[int, list[Part2Consent]] = {pk: [] for pk in ids}
    episodes: dict[int, list[rules.Episode]] = {pk: [] for pk in ids}
    rows = consents_of_patients(patient_ids=ids)
    for consent in rows.exclude(kind=Part2Consent.Kind.COUNSELING_NOTES):
        consents[consent.patient_id].append(consent)
    for patient_id, admit, discharge in treatment_episodes_of(patient_ids=ids):
        episodes[patient_id].append((admit, discharge))
    return {pk: ConsentRecords(consents[pk], episodes[pk]) for pk in ids}


def consent_for_disclosure(
    *,
    patient: Any,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    carries: Iterable[str],
    records: ConsentRecords | None = None,
) -> GateDecision:
    """Allowed when a consent in force today (the disclosure date, in the org's zone) covers
    the purpose, the recipient and every category the disclosure carries. `records`: the
    patient's consents and episodes as a batch loaded them (`consent_records`)."""
    request = DisclosureRequest(
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
        purpose=purpose,
        carries=tuple(rules.normalized_categories(list(carries))),
    )
    return _decide(patient, request, timezone.localdate(), records)


def _decide(
    patient: Any,
    request: DisclosureRequest,
    on_date: datetime.date,
    records: ConsentRecords | None = None,
) -> GateDecision:
    refused = _request_problems(request)
    if refused:
        return GateDecision(False, None, refused, on_date)
    if records is None:
        consents = list(
            consents_for_patient(patient=patient).exclude(kind=Part2Consent.Kind.COUNSELING_NOTES)
        )
    else:
        consents = records.consents
    if not consents:
        return GateDecision(
            False, None, ["No Part 2 consent is on file for this patient."], on_date
        )
    episodes = treatment_episodes(patient=patient) if records is None else records.episodes
    reasons: list[str] = []
    for consent in consents:  # newest signature first
        problems = _problems(consent, request, on_date, episodes)
        if not problems:
            return GateDecision(True, consent, [f"Covered by {_label(consent)}."], on_date)
        reasons.extend(f"{_label(consent)} {problem}." for problem in problems)
    return GateDecision(False, None, reasons, on_date)


def _request_problems(request: DisclosureRequest) -> list[str]:
    problems = []
    if request.purpose not in rules.PURPOSES:
        problems.append(f"Unknown disclosure purpose '{request.purpose}'.")
    return problems + rules.carries_errors(request.carries)


def _label(consent: Part2Consent) -> str:
    return f"The {consent.get_kind_display()} consent signed {consent.signed_on}"


def _problems(
    consent: Part2Consent,
    request: DisclosureRequest,
    on_date: datetime.date,
    episodes: list[rules.Episode],
) -> list[str]:
    state_problem = _state_problem(consent, on_date, episodes)
    if state_problem:
        return [state_problem]
    return [
        problem
        for problem in (
            _purpose_problem(consent, request),
            _recipient_problem(consent, request, on_date),
            _statement_problem(consent, request),
            _scope_problem(consent, request),
        )
        if problem
    ]


def _state_problem(
    consent: Part2Consent, on_date: datetime.date, episodes: list[rules.Episode]
) -> str:
    expiry = consent_expiry(consent, episodes=episodes)
    state = rules.consent_state(
        signed_on=consent.signed_on,
        revoked_on=consent.revoked_on,
        expires_on=expiry.on,
        on_date=on_date,
    )
    if state != "valid":
        return _STATE_REASON[state].format(
            on=on_date, revoked=consent.revoked_on, expires=expiry.on
        ) + (f" (treatment ended {expiry.treatment_ended})" if expiry.treatment_ended else "")
    if expiry.pending_event and rules.is_end_of_treatment(expiry.pending_event):
        return (
            "ends at the end of treatment, but the patient has no Part 2 episode of care to "
            "tell when that is, so it cannot authorise an automatic disclosure"
        )
    if expiry.pending_event:
        return (
            f"ends on an event the system cannot evaluate ('{expiry.pending_event}'), so it "
            "cannot authorise an automatic disclosure"
        )
    return ""


def _purpose_problem(consent: Part2Consent, request: DisclosureRequest) -> str:
    if not consent.purposes:
        return (
            "names no purpose (recorded before purposes were kept as data); record the signed "
            "consent again with its purposes ticked"
        )
    if rules.purpose_covered(purposes=consent.purposes, purpose=request.purpose):
        return ""
    (label,) = rules.purpose_labels([request.purpose])
    return f"does not cover the purpose '{label.lower()}' (not ticked on the consent)"


def _recipient_problem(
    consent: Part2Consent, request: DisclosureRequest, on_date: datetime.date
) -> str:
    name = request.recipient_name or request.recipient_kind
    if not consent.recipient_kinds:
        return (
            "names no kind of recipient (recorded before recipients were kept as data); record "
            "the signed consent again with its recipients ticked"
        )
    wanted_kind = rules.recipient_kind_of(request.recipient_kind)
    if wanted_kind not in consent.recipient_kinds:
        (label,) = rules.recipient_kind_labels([wanted_kind])
        return f"does not cover {label.lower()} such as {name} (not ticked on the consent)"
    covered = rules.recipient_covered(
        recipient_kind_of_consent=consent.recipient_kind,
        recipients=consent.recipients,
        recipient_kinds=consent.recipient_kinds,
        recipient_kind=request.recipient_kind,
        recipient_name=request.recipient_name,
    )
    if not covered:
        return f"does not cover the recipient {name}"
    revoked_on = rules.recipient_revoked_on(
        revocations=[(r.recipient, r.revoked_on) for r in consent.recipient_revocations.all()],
        recipient_name=request.recipient_name,
        on_date=on_date,
    )
    return f"was revoked for {name} on {revoked_on}" if revoked_on else ""


def _statement_problem(consent: Part2Consent, request: DisclosureRequest) -> str:
    """§2.31(a)(4)(iii): releasing to a covered entity or business associate for TPO needs a
    consent that states the HIPAA redisclosure."""
    if request.recipient_kind not in rules.COVERED_ENTITY_RECIPIENT_KINDS:
        return ""
    if consent.redisclosure_notice_stated:
        return ""
    return (
        "does not state that records given to a HIPAA covered entity or business associate "
        "may be redisclosed under HIPAA (§2.31(a)(4)(iii))"
    )


def _scope_problem(consent: Part2Consent, request: DisclosureRequest) -> str:
    if not consent.information_categories:
        return (
            "releases no information category (recorded before the scope was kept as data); "
            "record the signed consent again with its categories"
        )
    missing = rules.uncovered_categories(
        released=consent.information_categories, carries=request.carries
    )
    if not missing:
        return ""
    return "does not release " + "; ".join(rules.category_labels(missing)).lower()


def disclosure_record(
    *,
    patient: Any,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    carries: Iterable[str],
    description: str,
    channel: str,
    actor: Any,
    reference: str = "",
    recipient_address: str = "",
    statement: int = 1,
    records: ConsentRecords | None = None,
) -> Disclosure:
    """Ask the gate (today, in the org's zone) and, when it allows, append the release to the
    accounting of disclosures (§2.25) under the consent that covers it. Refused: raises
    ValidationError({"consent": reasons}), records nothing, and nothing may be sent.
    `description` says what, never PHI text. `statement` is the §2.32(a) statement stamped on
    the document (1, the long form, or 2, the short form); the row keeps it and the §2.32(b)
    scope explanation sent with it. `records`: the patient's consents and episodes as a batch
    loaded them (`consent_records`; a claims batch discloses for many patients)."""
    values = {
        "recipient": recipient_name,
        "recipient_address": recipient_address,
        "purpose": purpose,
        "description": description,
        "channel": channel,
        "reference": reference,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    errors = _disclosure_errors(patient, values)
    if statement not in STATEMENTS:
        errors["notice_statement"] = ["Choose §2.32(a) statement 1 or 2."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = consent_for_disclosure(
            patient=patient,
            recipient_kind=recipient_kind,
            recipient_name=values["recipient"],
            purpose=values["purpose"],
            carries=carries,
            records=records,
        )
        if not decision.allowed or decision.consent is None:
            raise ValidationError({"consent": decision.reasons})
        return Disclosure.objects.create(
            patient=patient,
            legal_basis=rules.CONSENT,
            consent=decision.consent,
            disclosed_by=actor,
            information_categories=list(rules.normalized_categories(list(carries))),
            notice_statement=statement,
            scope_explanation=consent_scope_summary(decision.consent),
            **values,
        )


def disclosure_record_without_consent(
    *,
    patient: Any,
    legal_basis: str,
    basis_detail: str,
    recipient_name: str,
    purpose: str,
    carries: Iterable[str],
    description: str,
    channel: str,
    actor: Any,
    reference: str = "",
    recipient_address: str = "",
) -> Disclosure:
    """Log a disclosure that needed no consent (medical emergency §2.51, research §2.52, audit
    or evaluation §2.53, court orders §2.64-2.66, §2.12(c)(5)/(6) reports) for the accounting,
    with its legal basis and what that section asks to be documented (`basis_detail`).
    Raises ValidationError({field: [message]}); nothing is saved on error."""
    values = {
        "recipient": recipient_name,
        "recipient_address": recipient_address,
        "purpose": purpose,
        "description": description,
        "channel": channel,
        "reference": reference,
        "basis_detail": basis_detail,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    codes = rules.normalized_categories(list(carries))
    errors = {
        **_disclosure_errors(patient, values),
        **rules.no_consent_basis_errors(
            legal_basis=legal_basis or "", basis_detail=values["basis_detail"]
        ),
        **_category_errors(codes),
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Disclosure.objects.create(
            patient=patient,
            legal_basis=legal_basis,
            disclosed_by=actor,
            information_categories=codes,
            **values,
        )


_OPTIONAL = ("reference", "recipient_address", "basis_detail")


def _disclosure_errors(patient: Any, values: dict[str, str]) -> rules.Errors:
    errors: rules.Errors = {}
    if patient is None or patient.org_id != require_org().pk:
        errors["patient"] = ["Name a patient of this organization."]
    for name, value in values.items():
        limit = Disclosure._meta.get_field(name).max_length
        if not value and name not in _OPTIONAL:
            errors[name] = [f"Say what the {name} of the disclosure was."]
        elif len(value) > limit:
            errors[name] = [f"Keep this under {limit} characters."]
    return errors


def _category_errors(codes: list[str]) -> rules.Errors:
    unknown = [code for code in codes if code not in rules.INFORMATION_CATEGORIES]
    if not codes:
        return {"information_categories": ["Tick each kind of information disclosed."]}
    if unknown:
        return {"information_categories": [f"Unknown kind of information: {', '.join(unknown)}."]}
    return {}


def consent_scope_summary(consent: Part2Consent) -> str:
    """The clear explanation of the consent's scope that goes with every disclosure under it
    (§2.32(b)): what it releases, to whom, why, until when. No signer name or other identifiers
    beyond the consent's own id."""
    expiry = str(consent.expires_on) if consent.expires_on else consent.expiration_event
    if consent.expires_on and consent.expiration_event:
        expiry = f"{consent.expires_on}, or {consent.expiration_event} if earlier"
    categories = "; ".join(rules.category_labels(consent.information_categories)) or "none"
    recipient_kinds = "; ".join(rules.recipient_kind_labels(consent.recipient_kinds)) or "none"
    purposes = "; ".join(rules.purpose_labels(consent.purposes)) or "none"
    lines = [
        f"42 CFR Part 2 consent {consent.public_id}: {consent.get_kind_display()}, signed "
        f"{consent.signed_on} by the {consent.get_signer_role_display().lower()}.",
        f"Information that may be disclosed: {consent.information_scope}",
        f"Kinds of information released: {categories}.",
        f"Recipients ({consent.get_recipient_kind_display().lower()}): {consent.recipients}",
        f"Kinds of recipient: {recipient_kinds}.",
        f"Purpose: {consent.purpose}",
        f"Purposes: {purposes}.",
        f"Expires: {expiry}",
    ]
    for partial in consent.recipient_revocations.all():
        lines.append(f"Revoked for {partial.recipient} on {partial.revoked_on}.")
    if consent.revoked_on:
        lines.append(f"Revoked on {consent.revoked_on}; disclosures after that are not authorised.")
    return "\n".join(lines)
