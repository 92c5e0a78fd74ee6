"""42 CFR Part 2 consent rules as pure functions over plain values (no ORM): the §2.31 element
checks behind `consent_record`, and the matching behind the disclosure gate."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any, Literal

Errors = dict[str, list[str]]
ConsentState = Literal["valid", "not_yet_signed", "revoked", "expired"]

KINDS = ("tpo", "specific", "counseling_notes")
RECIPIENT_KINDS = ("named", "class")
SIGNER_ROLES = ("patient", "guardian", "representative")
SIGNATURE_METHODS = ("wet", "electronic")
REVOCATION_METHODS = ("written", "electronic")
PURPOSES = ("treatment", "payment", "operations")
MAX_LENGTHS = {"disclosing_party": 200, "purpose": 300, "expiration_event": 200}

TEXT_FIELDS = (
    "kind",
    "disclosing_party",
    "information_scope",
    "recipient_kind",
    "recipients",
    "purpose",
    "expiration_event",
    "signer_name",
    "signer_role",
    "signature_method",
)
FLAG_FIELDS = (
    "recipient_covered_entity",
    "revocation_rights_stated",
    "redisclosure_notice_stated",
    "refusal_consequences_stated",
)
DATE_FIELDS = ("expires_on", "signed_on")
ELEMENT_FIELDS = TEXT_FIELDS + FLAG_FIELDS + DATE_FIELDS

MSG = {
    "patient": "Element 1: the consent must name the patient.",
    "kind": "Choose the consent type: TPO, specific disclosure, or SUD counseling notes.",
    "disclosing_party": "Element 2: name who may use or disclose the records "
    "(this program, by name or by class).",
    "scope_blank": "Element 3: describe specifically what information may be disclosed.",
    "scope_vague": "Element 3: describe the information specifically (for example diagnoses, "
    "dates and types of service, claims data); wording like 'all records' or "
    "'everything' is not specific enough.",
    "scope_notes_elsewhere": "Element 3: SUD counseling notes need their own separate consent "
    "(type 'SUD counseling notes'); remove them from this consent's "
    "description.",
    "scope_notes_only": "Element 3: a counseling-notes consent must be limited to SUD "
    "counseling notes; say so in the description.",
    "recipient_kind": "Element 4: say whether the recipients are named or described as a class.",
    "recipients": "Element 4: name the recipients, or describe the class of recipients.",
    "purpose": "Element 5: state the purpose of the disclosure.",
    "purpose_tpo": "Element 5: a TPO consent's purpose must be treatment, payment, and health "
    "care operations.",
    "revocation_rights_stated": "Element 6: the consent must state the right to revoke in "
    "writing, how to revoke, and the reliance exception.",
    "expiry_missing": "Element 7: give an expiration date, or an event or condition on which "
    "the consent ends.",
    "expiry_date": "Element 7: the expiration date must be after the date signed.",
    "expiry_open": "Element 7: 'end of treatment' or 'none' is allowed only for a TPO consent; "
    "give a date or a specific event.",
    "signer_name": "Element 8: give the name of the person who signed.",
    "signer_role": "Element 8: say who signed: the patient, a parent or guardian, or an "
    "authorized representative.",
    "signature_method": "Element 8: record how it was signed (wet or electronic signature).",
    "signed_on": "Element 9: the date signed is required.",
    "signed_future": "Element 9: the date signed cannot be in the future.",
    "redisclosure_notice_stated": "Element 10: a TPO consent must state that records disclosed "
    "to a HIPAA covered entity or business associate may be "
    "redisclosed under HIPAA and lose Part 2 protection (except "
    "in proceedings against the patient).",
    "redisclosure_covered_entity": "Element 10 (§2.31(a)(4)(iii)): a recipient is a HIPAA "
    "covered entity or business associate receiving the records for treatment, payment or "
    "health care operations, so the consent must state that they may be redisclosed under "
    "HIPAA (except in proceedings against the patient), whatever the consent's type.",
    "refusal_consequences_stated": "Element 10: a TPO consent must state the consequences of "
    "refusing to sign.",
}

# Wording that describes no information in particular (§2.31(a)(3) wants a specific description).
_VAGUE = re.compile(
    r"\b(everything|any and all|all (of )?(my |the )?(medical |health )?(records|information|"
    r"info|data)|any (information|records)|(entire|complete|whole) (medical |health )?(record|"
    r"chart|file)s?)\b"
)
_VAGUE_EXACT = {
    "all",
    "any",
    "records",
    "my records",
    "medical records",
    "information",
    "na",
    "n a",
    "none",
    "chart",
}
_COUNSELING_NOTES = re.compile(r"counsel{1,2}ing notes?")
# "end of treatment" / "none" style expirations (allowed for TPO only, §2.31(a)(7)).
_OPEN_ENDED = re.compile(
    r"\b(none|never|no expiration|does not expire|until revoked)\b"
    r"|end of (the )?treatment"
)


def normalize_text(value: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value.casefold()).split())


def is_vague_scope(scope: str) -> bool:
    text = normalize_text(scope)
    return text in _VAGUE_EXACT or bool(_VAGUE.search(text))


def mentions_counseling_notes(text: str) -> bool:
    return bool(_COUNSELING_NOTES.search(normalize_text(text)))


def is_open_ended_expiry(event: str) -> bool:
    return bool(_OPEN_ENDED.search(normalize_text(event)))


def normalized_elements(elements: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text, coerce the three statements to bool, keep dates as given (or None)."""
    data: dict[str, Any] = {name: str(elements.get(name) or "").strip() for name in TEXT_FIELDS}
    data.update({name: bool(elements.get(name)) for name in FLAG_FIELDS})
    data.update({name: elements.get(name) or None for name in DATE_FIELDS})
    return data


def element_errors(data: Mapping[str, Any], *, has_patient: bool, today: datetime.date) -> Errors:
    """Every §2.31 element, each with a message naming it. `data` is `normalized_elements`."""
    errors: Errors = {}
    if not has_patient:
        _add(errors, "patient", MSG["patient"])
    if data["kind"] not in KINDS:
        _add(errors, "kind", MSG["kind"])
    for check in (
        _party,
        _scope,
        _recipients,
        _purpose,
        _revocation,
        _expiry,
        _signature,
        _signed_on,
        _tpo_statements,
        _lengths,
    ):
        check(data, errors, today)
    return errors


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _party(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if not data["disclosing_party"]:
        _add(errors, "disclosing_party", MSG["disclosing_party"])


def _scope(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    scope, kind = data["information_scope"], data["kind"]
    if not scope:
        _add(errors, "information_scope", MSG["scope_blank"])
    elif is_vague_scope(scope):
        _add(errors, "information_scope", MSG["scope_vague"])
    elif kind == "counseling_notes" and not mentions_counseling_notes(scope):
        _add(errors, "information_scope", MSG["scope_notes_only"])
    elif kind in ("tpo", "specific") and mentions_counseling_notes(scope):
        _add(errors, "information_scope", MSG["scope_notes_elsewhere"])


def _recipients(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if data["recipient_kind"] not in RECIPIENT_KINDS:
        _add(errors, "recipient_kind", MSG["recipient_kind"])
    if not data["recipients"]:
        _add(errors, "recipients", MSG["recipients"])


def _purpose(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    purpose = normalize_text(data["purpose"])
    if not purpose:
        _add(errors, "purpose", MSG["purpose"])
    elif data["kind"] == "tpo" and not all(word in purpose for word in PURPOSES):
        _add(errors, "purpose", MSG["purpose_tpo"])


def _revocation(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if not data["revocation_rights_stated"]:
        _add(errors, "revocation_rights_stated", MSG["revocation_rights_stated"])


def _expiry(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    expires_on, event, signed_on = data["expires_on"], data["expiration_event"], data["signed_on"]
    if expires_on is None and not event:
        _add(errors, "expires_on", MSG["expiry_missing"])
    if expires_on is not None and signed_on is not None and expires_on <= signed_on:
        _add(errors, "expires_on", MSG["expiry_date"])
    if event and data["kind"] in ("specific", "counseling_notes") and is_open_ended_expiry(event):
        _add(errors, "expiration_event", MSG["expiry_open"])


def _signature(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if not data["signer_name"]:
        _add(errors, "signer_name", MSG["signer_name"])
    if data["signer_role"] not in SIGNER_ROLES:
        _add(errors, "signer_role", MSG["signer_role"])
    if data["signature_method"] not in SIGNATURE_METHODS:
        _add(errors, "signature_method", MSG["signature_method"])


def _signed_on(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if data["signed_on"] is None:
        _add(errors, "signed_on", MSG["signed_on"])
    elif data["signed_on"] > today:
        _add(errors, "signed_on", MSG["signed_future"])


def _tpo_statements(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    """§2.31(a)(4)(iii): the HIPAA redisclosure statement goes with every TPO consent and with
    any consent whose recipient is a covered entity or business associate receiving for TPO;
    the consequences of refusing to sign go with TPO consents."""
    if not data["redisclosure_notice_stated"]:
        if data["kind"] == "tpo":
            _add(errors, "redisclosure_notice_stated", MSG["redisclosure_notice_stated"])
        elif data["recipient_covered_entity"]:
            _add(errors, "redisclosure_notice_stated", MSG["redisclosure_covered_entity"])
    if data["kind"] == "tpo" and not data["refusal_consequences_stated"]:
        _add(errors, "refusal_consequences_stated", MSG["refusal_consequences_stated"])


def _lengths(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    for name, limit in MAX_LENGTHS.items():
        if len(data[name]) > limit:
            _add(errors, name, f"Keep this under {limit} characters.")


def revocation_errors(
    *,
    signed_on: datetime.date,
    already_revoked_on: datetime.date | None,
    revoked_on: datetime.date | None,
    method: str,
    today: datetime.date,
) -> Errors:
    errors: Errors = {}
    if already_revoked_on is not None:
        _add(errors, "revoked_on", f"This consent was already revoked on {already_revoked_on}.")
        return errors
    if revoked_on is None:
        _add(errors, "revoked_on", "Give the date the patient revoked the consent.")
    elif revoked_on < signed_on:
        _add(
            errors,
            "revoked_on",
            "Revocation is prospective: it cannot be dated before the "
            f"consent was signed ({signed_on}).",
        )
    elif revoked_on > today:
        _add(errors, "revoked_on", "The revocation date cannot be in the future.")
    if method not in REVOCATION_METHODS:
        _add(errors, "method", "Revocation must be in writing or electronic: choose which.")
    return errors


# --- The disclosure gate's matching ----------------------------------------------------------


def consent_state(
    *,
    signed_on: datetime.date,
    revoked_on: datetime.date | None,
    expires_on: datetime.date | None,
    on_date: datetime.date,
) -> ConsentState:
    """State on `on_date`. Revocation is prospective: a disclosure dated before `revoked_on` was
    permitted. `expires_on` is the first day the consent no longer authorises disclosure."""
    if signed_on > on_date:
        return "not_yet_signed"
    if revoked_on is not None and revoked_on <= on_date:
        return "revoked"
    if expires_on is not None and expires_on <= on_date:
        return "expired"
    return "valid"


# Words a specific consent's purpose text must contain to cover a gate purpose.
PURPOSE_TERMS: dict[str, tuple[str, ...]] = {
    "payment": ("payment", "billing", "claim", "reimbursement"),
    "treatment": ("treatment", "care coordination"),
    "operations": ("operations",),
}
# Words a class description must contain to cover a kind of recipient.
CLASS_TERMS: dict[str, tuple[str, ...]] = {
    "health_plan": ("health plan", "third party payer", "payer", "insurer", "insurance"),
    "provider": ("provider", "clinician", "treating"),
    "clearinghouse": ("clearinghouse", "business associate", "operate this program"),
}


def purpose_covered(*, kind: str, purpose_text: str, purpose: str) -> bool:
    """TPO covers treatment, payment and operations; a specific consent covers a purpose only
    when its purpose text uses one of that purpose's words (PURPOSE_TERMS)."""
    if purpose not in PURPOSES:
        return False
    if kind == "tpo":
        return True
    text = normalize_text(purpose_text)
    return any(normalize_text(term) in text for term in PURPOSE_TERMS[purpose])


def named_recipients(recipients: str) -> list[str]:
    """Named recipients are one per line or separated by semicolons."""
    parts = re.split(r"[;\n]", recipients)
    return [" ".join(p.split()).casefold() for p in parts if p.strip()]


def recipient_covered(
    *, recipient_kind_of_consent: str, recipients: str, recipient_kind: str, recipient_name: str
) -> bool:
    """A class consent covers a kind of recipient when its description uses one of the kind's
    words (CLASS_TERMS); a named consent covers a recipient whose name it lists (any case)."""
    if recipient_kind_of_consent == "class":
        text = normalize_text(recipients)
        terms = CLASS_TERMS.get(recipient_kind, ())
        return any(normalize_text(term) in text for term in terms)
    wanted = " ".join(recipient_name.split()).casefold()
    return bool(wanted) and wanted in named_recipients(recipients)
