"""42 CFR Part 2 consent rules as pure functions over plain values (no ORM): the §2.31 element
checks behind `consent_record`, and the matching behind the disclosure gate."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Errors = dict[str, list[str]]
ConsentState = Literal["valid", "not_yet_signed", "revoked", "expired"]

KINDS = ("tpo", "specific", "counseling_notes")
RECIPIENT_KINDS = ("named", "class")
SIGNER_ROLES = ("patient", "guardian", "representative")
SIGNATURE_METHODS = ("wet", "electronic")
REVOCATION_METHODS = ("written", "electronic")
# §2.31(a)(5)-(4) as data: the purposes and the kinds of recipient the signed consent names,
# ticked when it is recorded. The gate decides from these only (never from the consent's words),
# and a consent without them releases nothing. A TPO consent's purposes are treatment, payment
# and operations by definition: `normalized_elements` fills them when none is ticked.
CONSENT_PURPOSES: dict[str, str] = {
    "treatment": "Treatment",
    "payment": "Payment",
    "operations": "Health care operations",
    "patient_request": "At the patient's request",
}
PURPOSES = tuple(CONSENT_PURPOSES)  # what the gate may be asked about
TPO_PURPOSES = ("treatment", "payment", "operations")
# The gate's `recipient_kind` values; any other kind asked about is "other" and is covered only
# by a consent that names the recipient.
OTHER_RECIPIENT = "other"
CONSENT_RECIPIENT_KINDS: dict[str, str] = {
    "provider": "Treating providers",
    "health_plan": "Health plans and third-party payers",
    "clearinghouse": "Clearinghouses and business associates helping to operate this program",
    OTHER_RECIPIENT: "Other named individuals or organizations",
}
MAX_LENGTHS = {"disclosing_party": 200, "purpose": 300, "expiration_event": 200}

# The consent's scope as data (§2.31(a)(3)): what kinds of information it releases. A disclosure
# states what it carries in the same terms, and the gate releases it only when the consent
# covers every one (a consent for attendance dates does not release a claim with diagnoses).
INFORMATION_CATEGORIES: dict[str, str] = {
    "demographics": "Demographics and insurance identifiers",
    "attendance": "Attendance and dates of service",
    "diagnoses": "Diagnoses",
    "services": "Services and procedures (codes, units, level of care)",
    "claims_payment": "Claims and payment data",
    "treatment_records": "Treatment records (plans, progress summaries, medications)",
    "counseling_notes": "SUD counseling notes",
}
COUNSELING_NOTES = "counseling_notes"
# What a claim or a 278 carries; a TPO consent for billing normally releases all of these.
BILLING_CATEGORIES = ("demographics", "attendance", "diagnoses", "services", "claims_payment")

# The legal basis of each disclosure in the accounting. "consent" rows come from the disclosure
# gate only; the others need no consent but are logged for the accounting, each with what its
# section asks to be documented. §2.54 (public health) is left out: it allows de-identified
# data only, so no patient's accounting holds it.
CONSENT = "consent"
LEGAL_BASES: dict[str, str] = {
    CONSENT: "Patient consent (42 CFR 2.31, 2.33)",
    "medical_emergency": "Medical emergency (42 CFR 2.51)",
    "research": "Scientific research (42 CFR 2.52)",
    "audit_evaluation": "Management or financial audit, program evaluation (42 CFR 2.53)",
    "court_order": "Court order, noncriminal purposes (42 CFR 2.64)",
    "court_order_criminal": "Court order, investigation or prosecution of a patient (42 CFR 2.65)",
    "court_order_program": "Court order, investigation or prosecution of the program (42 CFR 2.66)",
    "crime_on_premises": "Crime on the premises or against program personnel (42 CFR 2.12(c)(5))",
    "child_abuse_report": "Report of suspected child abuse or neglect under state law "
    "(42 CFR 2.12(c)(6))",
}
# What to write in `basis_detail` for each basis without consent.
BASIS_DETAIL: dict[str, str] = {
    "medical_emergency": "Give the nature of the emergency (42 CFR 2.51(c)); name the medical "
    "personnel and their affiliation as the recipient.",
    "research": "Name the research project and the IRB or privacy board approval or "
    "waiver it was disclosed under (42 CFR 2.52).",
    "audit_evaluation": "Name the audit or evaluation and who performs it, e.g. the payer or "
    "oversight agency (42 CFR 2.53).",
    "court_order": "Give the court, the docket number and the date of the order (42 CFR 2.64).",
    "court_order_criminal": "Give the court, the docket number and the date of the order "
    "(42 CFR 2.65).",
    "court_order_program": "Give the court, the docket number and the date of the order "
    "(42 CFR 2.66).",
    "crime_on_premises": "Say what was reported and to which law enforcement agency "
    "(42 CFR 2.12(c)(5)).",
    "child_abuse_report": "Name the state or local authority and the report's reference "
    "(42 CFR 2.12(c)(6)).",
}
NO_CONSENT_BASES = tuple(BASIS_DETAIL)
# §2.25(a): the accounting covers the 3 years before the request.
ACCOUNTING_YEARS = 3

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
LIST_FIELDS = ("information_categories", "purposes", "recipient_kinds")
ELEMENT_FIELDS = TEXT_FIELDS + FLAG_FIELDS + DATE_FIELDS + LIST_FIELDS

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
    "categories_blank": "Element 3: tick each kind of information the consent releases; "
    "every disclosure is compared with them.",
    "categories_unknown": "Element 3: unknown kind of information: {codes}.",
    "categories_notes_elsewhere": "Element 3: SUD counseling notes need their own separate "
    "consent (type 'SUD counseling notes'); untick them here.",
    "categories_notes_only": "Element 3: a counseling-notes consent releases SUD counseling "
    "notes only; untick the other kinds of information.",
    "recipient_kind": "Element 4: say whether the recipients are named or described as a class.",
    "recipients": "Element 4: name the recipients, or describe the class of recipients.",
    "recipient_kinds_blank": "Element 4: tick each kind of recipient the consent names; every "
    "disclosure is compared with them.",
    "recipient_kinds_unknown": "Element 4: unknown kind of recipient: {codes}.",
    "recipient_kinds_other_class": "Element 4: other individuals or organizations are covered "
    "only by name; choose 'Named recipient' and list them, or untick them.",
    "recipient_kinds_notes": "Element 4: SUD counseling notes are never disclosed to health "
    "plans or payers; untick health plans and third-party payers.",
    "purpose": "Element 5: state the purpose of the disclosure.",
    "purposes_blank": "Element 5: tick each purpose the consent names; every disclosure is "
    "compared with them.",
    "purposes_unknown": "Element 5: unknown purpose: {codes}.",
    "purposes_tpo": "Element 5: a TPO consent's purposes are treatment, payment and health care "
    "operations; tick all three (or none: they are filled in).",
    "purposes_notes": "Element 5: SUD counseling notes are never disclosed for payment; untick "
    "payment.",
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
# "none" and "end of treatment" style expirations (allowed for TPO only, §2.31(a)(7)).
_NO_EXPIRY = re.compile(r"\b(none|never|no expiration|does not expire|until revoked)\b")
# The one event the system can evaluate: the end of treatment (the episodes' discharge dates).
_END_OF_TREATMENT = re.compile(r"\b(end|completion) of (the |my )?treatment\b")


def normalize_text(value: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value.casefold()).split())


def is_vague_scope(scope: str) -> bool:
    text = normalize_text(scope)
    return text in _VAGUE_EXACT or bool(_VAGUE.search(text))


def mentions_counseling_notes(text: str) -> bool:
    return bool(_COUNSELING_NOTES.search(normalize_text(text)))


def is_end_of_treatment(event: str) -> bool:
    return bool(_END_OF_TREATMENT.search(normalize_text(event)))


# Words that may stand beside an expiration without adding a condition of their own:
# revocation is always possible (§2.31(a)(6)), and notes such as "(TPO consent)".
_HARMLESS = frozenset(
    (
        "or and the my of a an this it i is in whichever comes earlier first sooner until "
        "unless revoked revoke revokes revocation writing stays remains effect valid consent "
        "tpo patient"
    ).split()
)


def _other_conditions(text: str, stated: re.Pattern[str]) -> bool:
    """Whether `text` adds a condition beyond the one `stated` (and harmless words)."""
    return any(word not in _HARMLESS for word in stated.sub(" ", text).split())


def is_no_expiry(event: str) -> bool:
    """ "None", "never", "until revoked" and nothing else (§2.31(a)(7) allows "none" for TPO).
    A text that adds any other condition is not "no expiry": the gate must not read
    "end of treatment or until revoked" or "none, but at most a year" as never expiring."""
    text = normalize_text(event)
    return bool(_NO_EXPIRY.search(text)) and not _other_conditions(text, _NO_EXPIRY)


def end_of_treatment_only(event: str) -> bool:
    """The end of treatment (optionally "or until revoked"), with no further condition the
    system cannot evaluate ("never longer than one year" makes it pending: refused)."""
    text = normalize_text(event)
    return is_end_of_treatment(text) and not _other_conditions(text, _END_OF_TREATMENT)


def is_open_ended_expiry(event: str) -> bool:
    return is_no_expiry(event) or is_end_of_treatment(event)


def normalized_categories(value: Any) -> list[str]:
    """Category codes without blanks or repeats, in INFORMATION_CATEGORIES order (unknown codes
    last, kept so the check can name them)."""
    return normalized_codes(value, INFORMATION_CATEGORIES)


def category_labels(codes: Iterable[str]) -> list[str]:
    return [INFORMATION_CATEGORIES.get(code, code) for code in codes]


def normalized_codes(value: Any, known: Mapping[str, str]) -> list[str]:
    """Codes without blanks or repeats, in `known` order (unknown codes last, kept so the check
    can name them)."""
    if isinstance(value, str):
        value = [value]
    codes = {str(code).strip() for code in (value or []) if str(code).strip()}
    order = list(known)
    return sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))


def purpose_labels(codes: Iterable[str]) -> list[str]:
    return [CONSENT_PURPOSES.get(code, code) for code in codes]


def recipient_kind_labels(codes: Iterable[str]) -> list[str]:
    return [CONSENT_RECIPIENT_KINDS.get(code, code) for code in codes]


def normalized_elements(elements: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text, coerce the statements to bool, keep dates as given (or None), categories as
    a list of codes."""
    data: dict[str, Any] = {name: str(elements.get(name) or "").strip() for name in TEXT_FIELDS}
    data.update({name: bool(elements.get(name)) for name in FLAG_FIELDS})
    data.update({name: elements.get(name) or None for name in DATE_FIELDS})
    data["information_categories"] = normalized_categories(elements.get("information_categories"))
    data["purposes"] = normalized_codes(elements.get("purposes"), CONSENT_PURPOSES)
    data["recipient_kinds"] = normalized_codes(
        elements.get("recipient_kinds"), CONSENT_RECIPIENT_KINDS
    )
    if data["kind"] == "tpo" and not data["purposes"]:
        data["purposes"] = list(TPO_PURPOSES)  # what a TPO consent is for, by definition
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
        _categories,
        _recipients,
        _recipient_kinds,
        _purpose,
        _purposes,
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


def _categories(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    codes, kind = data["information_categories"], data["kind"]
    unknown = [code for code in codes if code not in INFORMATION_CATEGORIES]
    if not codes:
        _add(errors, "information_categories", MSG["categories_blank"])
    elif unknown:
        message = MSG["categories_unknown"].format(codes=", ".join(unknown))
        _add(errors, "information_categories", message)
    elif kind == "counseling_notes" and codes != [COUNSELING_NOTES]:
        _add(errors, "information_categories", MSG["categories_notes_only"])
    elif kind in ("tpo", "specific") and COUNSELING_NOTES in codes:
        _add(errors, "information_categories", MSG["categories_notes_elsewhere"])


def _recipients(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    if data["recipient_kind"] not in RECIPIENT_KINDS:
        _add(errors, "recipient_kind", MSG["recipient_kind"])
    if not data["recipients"]:
        _add(errors, "recipients", MSG["recipients"])


def _recipient_kinds(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    codes, kind = data["recipient_kinds"], data["kind"]
    unknown = [code for code in codes if code not in CONSENT_RECIPIENT_KINDS]
    if not codes:
        _add(errors, "recipient_kinds", MSG["recipient_kinds_blank"])
    elif unknown:
        message = MSG["recipient_kinds_unknown"].format(codes=", ".join(unknown))
        _add(errors, "recipient_kinds", message)
    elif OTHER_RECIPIENT in codes and data["recipient_kind"] == "class":
        _add(errors, "recipient_kinds", MSG["recipient_kinds_other_class"])
    elif kind == "counseling_notes" and "health_plan" in codes:
        _add(errors, "recipient_kinds", MSG["recipient_kinds_notes"])


def _purpose(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    purpose = normalize_text(data["purpose"])
    if not purpose:
        _add(errors, "purpose", MSG["purpose"])
    elif data["kind"] == "tpo" and not all(word in purpose for word in TPO_PURPOSES):
        _add(errors, "purpose", MSG["purpose_tpo"])


def _purposes(data: Mapping[str, Any], errors: Errors, today: datetime.date) -> None:
    codes, kind = data["purposes"], data["kind"]
    unknown = [code for code in codes if code not in CONSENT_PURPOSES]
    if not codes:
        _add(errors, "purposes", MSG["purposes_blank"])
    elif unknown:
        _add(errors, "purposes", MSG["purposes_unknown"].format(codes=", ".join(unknown)))
    elif kind == "tpo" and codes != list(TPO_PURPOSES):
        _add(errors, "purposes", MSG["purposes_tpo"])
    elif kind == "counseling_notes" and "payment" in codes:
        _add(errors, "purposes", MSG["purposes_notes"])


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


def recipient_revocation_errors(
    *,
    recipient_kind_of_consent: str,
    recipients: str,
    recipient: str,
    already_revoked_for: Iterable[str],
    consent_revoked_on: datetime.date | None,
) -> Errors:
    """Partial revocation (SAMHSA FAQ): only for a recipient the consent names, once. The dates
    and method are checked by `revocation_errors` like a whole revocation."""
    errors: Errors = {}
    wanted = " ".join(recipient.split()).casefold()
    if consent_revoked_on is not None:
        _add(errors, "recipient", f"This consent was already revoked on {consent_revoked_on}.")
    elif recipient_kind_of_consent != "named":
        _add(
            errors,
            "recipient",
            "Only a consent that names its recipients can be revoked for one of them; "
            "revoke the whole consent instead.",
        )
    elif wanted not in named_recipients(recipients):
        _add(errors, "recipient", "Choose one of the recipients the consent names.")
    elif wanted in {" ".join(r.split()).casefold() for r in already_revoked_for}:
        _add(errors, "recipient", f"The consent was already revoked for {recipient.strip()}.")
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


def purpose_covered(*, purposes: Iterable[str], purpose: str) -> bool:
    """A consent covers a purpose only when it is ticked (§2.31(a)(5)); its words do not count."""
    return purpose in PURPOSES and purpose in set(purposes)


def recipient_kind_of(recipient_kind: str) -> str:
    """The consent tick a gate recipient kind needs: its own, or 'other' (by name only)."""
    known = set(CONSENT_RECIPIENT_KINDS) - {OTHER_RECIPIENT}
    return recipient_kind if recipient_kind in known else OTHER_RECIPIENT


def recipient_names(recipients: str) -> list[str]:
    """Named recipients as written: one per line or separated by semicolons."""
    return [" ".join(p.split()) for p in re.split(r"[;\n]", recipients) if p.strip()]


def named_recipients(recipients: str) -> list[str]:
    """Named recipients, case-folded for matching."""
    return [name.casefold() for name in recipient_names(recipients)]


def recipient_covered(
    *,
    recipient_kind_of_consent: str,
    recipients: str,
    recipient_kinds: Iterable[str],
    recipient_kind: str,
    recipient_name: str,
) -> bool:
    """§2.31(a)(4): the recipient's kind must be ticked on the consent; a class consent then
    covers it (never an 'other' recipient, who is covered by name only), a named consent covers
    it when it lists the recipient's name (any case)."""
    wanted_kind = recipient_kind_of(recipient_kind)
    if wanted_kind not in set(recipient_kinds):
        return False
    if recipient_kind_of_consent == "class":
        return wanted_kind != OTHER_RECIPIENT
    if recipient_kind_of_consent != "named":
        return False
    wanted = " ".join(recipient_name.split()).casefold()
    return bool(wanted) and wanted in named_recipients(recipients)


# Recipients that are HIPAA covered entities or business associates when they receive records
# for TPO: a consent releasing to them must carry the §2.31(a)(4)(iii) statement.
COVERED_ENTITY_RECIPIENT_KINDS = ("health_plan", "provider", "clearinghouse")


def carries_errors(carries: Iterable[str]) -> list[str]:
    """What a disclosure says it carries, checked before any consent is looked at. SUD
    counseling notes never leave through the gate (REFERENCE §8: never sent to payers)."""
    codes = normalized_categories(list(carries))
    unknown = [code for code in codes if code not in INFORMATION_CATEGORIES]
    if not codes:
        return ["The disclosure must say what it carries (information categories)."]
    if unknown:
        return [f"Unknown information category: {', '.join(unknown)}."]
    if COUNSELING_NOTES in codes:
        return ["SUD counseling notes are never released through the disclosure gate."]
    return []


def uncovered_categories(*, released: Iterable[str], carries: Iterable[str]) -> list[str]:
    """The categories a disclosure carries that the consent does not release (§2.31(a)(3))."""
    allowed = set(released)
    return [code for code in normalized_categories(list(carries)) if code not in allowed]


@dataclass(frozen=True)
class Expiry:
    """When a consent stops authorising disclosures. `on` is the first day it no longer does
    (None: no date, yet); `pending_event` is an expiration event the system cannot evaluate;
    `treatment_ended` is the discharge date an 'end of treatment' expiry resolved to."""

    on: datetime.date | None
    pending_event: str = ""
    treatment_ended: datetime.date | None = None


Episode = tuple[datetime.date, datetime.date | None]  # (admit_date, discharge_date)


def end_of_treatment(
    *, signed_on: datetime.date, episodes: Sequence[Episode]
) -> datetime.date | None:
    """The last day of the treatment the consent was signed in: the discharge date after which
    the patient has no episode in care (a readmission on or before that day continues the
    treatment). None while an episode is open, or when there is no episode at all. Signed after
    every episode was discharged: the treatment had already ended (the last discharge), so the
    consent fails closed rather than never expire."""
    spans = sorted(
        (admit, discharge)
        for admit, discharge in episodes
        if discharge is None or discharge >= signed_on
    )
    if not spans:
        return max((discharge for _, discharge in episodes if discharge), default=None)
    ended: datetime.date | None = None
    for admit, discharge in spans:
        if ended is not None and admit > ended:
            return ended  # a gap: treatment ended, a later admission is a new treatment
        if discharge is None:
            return None
        ended = max(ended or discharge, discharge)
    return ended


def resolve_expiry(
    *,
    expires_on: datetime.date | None,
    expiration_event: str,
    signed_on: datetime.date,
    episodes: Sequence[Episode],
) -> Expiry:
    """§2.31(a)(7): a date, an event or a condition. 'None'/'until revoked' never expires;
    'end of treatment' resolves to the episodes' discharge date (the consent covers the
    discharge day and stops the day after; with no episode to resolve it to it stays pending);
    any other event cannot be evaluated by the system and is returned as pending (the gate
    refuses rather than guess). `episodes` are the patient's Part 2 episodes only."""
    event = expiration_event.strip()
    if end_of_treatment_only(event) and episodes:
        ended = end_of_treatment(signed_on=signed_on, episodes=episodes)
        after = ended + datetime.timedelta(days=1) if ended else None
        dates = [d for d in (expires_on, after) if d is not None]
        return Expiry(on=min(dates) if dates else None, treatment_ended=ended)
    if not event or is_no_expiry(event):
        return Expiry(on=expires_on)
    return Expiry(on=expires_on, pending_event=event)


def recipient_revoked_on(
    *,
    revocations: Iterable[tuple[str, datetime.date]],
    recipient_name: str,
    on_date: datetime.date,
) -> datetime.date | None:
    """The date the consent was revoked for this named recipient, when on or before `on_date`
    (partial revocation is prospective like a whole one)."""
    wanted = " ".join(recipient_name.split()).casefold()
    for name, revoked_on in revocations:
        if " ".join(name.split()).casefold() == wanted and revoked_on <= on_date:
            return revoked_on
    return None


def no_consent_basis_errors(*, legal_basis: str, basis_detail: str) -> Errors:
    """A disclosure without consent names its legal basis (Subpart D or E, or a §2.12(c)
    exception) and what that section asks to be documented."""
    errors: Errors = {}
    if legal_basis == CONSENT:
        _add(
            errors,
            "legal_basis",
            "Disclosures with consent are recorded by the disclosure gate, which checks the "
            "consent first; choose the legal basis of a disclosure made without consent.",
        )
    elif legal_basis not in NO_CONSENT_BASES:
        _add(errors, "legal_basis", "Choose the legal basis of the disclosure.")
    elif not basis_detail.strip():
        _add(errors, "basis_detail", BASIS_DETAIL[legal_basis])
    return errors


def accounting_start(today: datetime.date) -> datetime.date:
    """The first day of the §2.25 accounting period: 3 years before `today`."""
    try:
        return today.replace(year=today.year - ACCOUNTING_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ACCOUNTING_YEARS, day=28)
