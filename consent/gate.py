"""The disclosure gate: every release of Part 2 records (claims, 278s, 270s, appeals) asks
`consent_for_disclosure` first, records the release with `disclosure_record`, and stamps the
outbound document with one of the two §2.32(a) statements (consent.notice, verbatim) plus
`consent_scope_summary` (§2.32(b)); the disclosure row keeps which statement and which scope
explanation were sent.

Matching is deliberately simple (see consent.rules): TPO consents cover treatment, payment and
operations; a specific consent covers a purpose when its purpose text uses that purpose's words.
A class of recipients covers a recipient kind when its description uses the kind's words
("health plans", "third-party payers" -> health_plan); named recipients must match the name
(case-insensitive, one name per line or separated by semicolons). Event-based expirations cannot
be evaluated by machine and are treated as unexpired until a date is recorded. SUD
counseling-notes consents never authorise these disclosures (notes are never sent to payers).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from consent import rules
from consent.models import Disclosure, Part2Consent
from consent.notice import STATEMENTS
from consent.selectors import consent_state_of, consents_for_patient
from rcm.tenancy import require_org

_STATE_REASON = {
    "not_yet_signed": "was not yet signed on {on}",
    "revoked": "was revoked on {revoked}",
    "expired": "expired on {expires}",
}


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    consent: Part2Consent | None
    reasons: list[str] = field(default_factory=list)


def consent_for_disclosure(
    *, patient: Any, recipient_kind: str, recipient_name: str, purpose: str, on_date: datetime.date
) -> GateDecision:
    """Allowed when a consent in force on `on_date` covers the purpose and the recipient.
    recipient_kind: 'health_plan' | 'provider' | 'clearinghouse' (others match by name only);
    purpose: 'payment' | 'treatment' | 'operations'."""
    if purpose not in rules.PURPOSES:
        return GateDecision(False, None, [f"Unknown disclosure purpose '{purpose}'."])
    consents = list(
        consents_for_patient(patient=patient).exclude(kind=Part2Consent.Kind.COUNSELING_NOTES)
    )
    if not consents:
        return GateDecision(False, None, ["No Part 2 consent is on file for this patient."])
    reasons: list[str] = []
    for consent in consents:  # newest signature first
        problems = _problems(consent, recipient_kind, recipient_name, purpose, on_date)
        if not problems:
            return GateDecision(True, consent, [f"Covered by {_label(consent)}."])
        reasons.extend(f"{_label(consent)} {problem}." for problem in problems)
    return GateDecision(False, None, reasons)


def _label(consent: Part2Consent) -> str:
    return f"The {consent.get_kind_display()} consent signed {consent.signed_on}"


def _problems(
    consent: Part2Consent,
    recipient_kind: str,
    recipient_name: str,
    purpose: str,
    on_date: datetime.date,
) -> list[str]:
    state = consent_state_of(consent, on_date=on_date)
    if state != "valid":
        return [
            _STATE_REASON[state].format(
                on=on_date, revoked=consent.revoked_on, expires=consent.expires_on
            )
        ]
    problems = []
    if not rules.purpose_covered(kind=consent.kind, purpose_text=consent.purpose, purpose=purpose):
        problems.append(f"does not cover {purpose}")
    if not rules.recipient_covered(
        recipient_kind_of_consent=consent.recipient_kind,
        recipients=consent.recipients,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name,
    ):
        problems.append(f"does not cover the recipient {recipient_name or recipient_kind}")
    return problems


def disclosure_record(
    *,
    patient: Any,
    consent: Part2Consent,
    recipient: str,
    purpose: str,
    description: str,
    channel: str,
    reference: str,
    actor: Any,
    statement: int = 1,
) -> Disclosure:
    """Append one row to the accounting of disclosures (§2.25). Ask the gate first; this only
    records what was released. `description` says what, never PHI text. `statement` is the
    §2.32(a) statement stamped on the document (1, the long form, or 2, the short form); the
    row keeps it and the §2.32(b) scope explanation sent with it."""
    values = {
        "recipient": recipient,
        "purpose": purpose,
        "description": description,
        "channel": channel,
        "reference": reference,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    errors = _disclosure_errors(patient, consent, values)
    if statement not in STATEMENTS:
        errors["notice_statement"] = ["Choose §2.32(a) statement 1 or 2."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Disclosure.objects.create(
            patient=patient,
            consent=consent,
            disclosed_by=actor,
            notice_statement=statement,
            scope_explanation=consent_scope_summary(consent),
            **values,
        )


def _disclosure_errors(patient: Any, consent: Part2Consent, values: dict[str, str]) -> rules.Errors:
    errors: rules.Errors = {}
    if patient is None or patient.org_id != require_org().pk or consent.patient_id != patient.pk:
        errors["consent"] = ["This consent belongs to another patient."]
    for name, value in values.items():
        limit = Disclosure._meta.get_field(name).max_length
        if not value and name != "reference":
            errors[name] = [f"Say what the {name} of the disclosure was."]
        elif len(value) > limit:
            errors[name] = [f"Keep this under {limit} characters."]
    return errors


def consent_scope_summary(consent: Part2Consent) -> str:
    """A plain-text explanation of the consent's scope to attach to outbound documents
    (§2.32(b)). No signer name or other identifiers beyond the consent's own id."""
    expiry = str(consent.expires_on) if consent.expires_on else consent.expiration_event
    lines = [
        f"42 CFR Part 2 consent {consent.public_id}: {consent.get_kind_display()}, signed "
        f"{consent.signed_on} by the {consent.get_signer_role_display().lower()}.",
        f"Information that may be disclosed: {consent.information_scope}",
        f"Recipients ({consent.get_recipient_kind_display().lower()}): {consent.recipients}",
        f"Purpose: {consent.purpose}",
        f"Expires: {expiry}",
    ]
    if consent.revoked_on:
        lines.append(f"Revoked on {consent.revoked_on}; disclosures after that are not authorised.")
    return "\n".join(lines)
