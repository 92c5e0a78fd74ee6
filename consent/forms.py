"""Consent capture and revocation forms. Fields parse input only; the §2.31 checks live in
consent.rules (via the services) so the pages and the API give the same messages."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from consent import qso_rules, rules
from consent.models import Part2Consent

TPO_RECIPIENTS = (
    "My treating providers, health plans, third-party payers, and people helping "
    "to operate this program"
)
TPO_SCOPE = (
    "Demographics and insurance information, diagnoses, dates and types of services, level of "
    "care, treatment plans and progress summaries, medications, and claims and billing "
    "information"
)
# The same scope as data (consent.rules.INFORMATION_CATEGORIES): never SUD counseling notes.
TPO_CATEGORIES = [*rules.BILLING_CATEGORIES, "treatment_records"]
# The same recipients and purposes as data (what the gate decides from).
TPO_RECIPIENT_KINDS = ["provider", "health_plan", "clearinghouse"]
TPO_PURPOSE = "Treatment, payment, and health care operations"
TPO_PURPOSES = list(rules.TPO_PURPOSES)
TPO_EXPIRATION = "None: this TPO consent stays in effect until I revoke it in writing"


def tpo_preset(*, org_name: str) -> dict[str, Any]:
    """Standard TPO wording (§2.31(a)(4)(iv) class of recipients). The statements stay
    unchecked: staff confirm the signed document actually contains them."""
    return {
        "kind": "tpo",
        "disclosing_party": org_name,
        "information_scope": TPO_SCOPE,
        "information_categories": TPO_CATEGORIES,
        "recipient_kind": "class",
        "recipients": TPO_RECIPIENTS,
        "recipient_kinds": TPO_RECIPIENT_KINDS,
        "purpose": TPO_PURPOSE,
        "purposes": TPO_PURPOSES,
        "expiration_event": TPO_EXPIRATION,
    }


def _choices(field_choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "— choose —"), *field_choices]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Consent type", required=False, choices=_choices(Part2Consent.Kind.choices)
    )
    disclosing_party = forms.CharField(label="Who may disclose", max_length=200, required=False)
    information_scope = forms.CharField(
        label="Information to be disclosed", required=False, widget=_area()
    )
    information_categories = forms.MultipleChoiceField(
        label="Kinds of information released",
        required=False,
        choices=list(rules.INFORMATION_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what the signed consent releases. Every disclosure is compared with "
        "these: one carrying anything not ticked is refused.",
    )
    recipient_kind = forms.ChoiceField(
        label="Recipients are", required=False, choices=_choices(Part2Consent.RecipientKind.choices)
    )
    recipients = forms.CharField(
        label="Recipients",
        required=False,
        widget=_area(2),
        help_text="Named recipients: one per line.",
    )
    recipient_kinds = forms.MultipleChoiceField(
        label="Kinds of recipient named",
        required=False,
        choices=list(rules.CONSENT_RECIPIENT_KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick only the recipients the signed consent names. Every disclosure is "
        "compared with these, never with the wording: a recipient not ticked is refused.",
    )
    recipient_covered_entity = forms.BooleanField(
        required=False,
        label="A recipient is a HIPAA covered entity or business associate (a health plan, "
        "provider or clearinghouse) receiving the records for treatment, payment or operations",
    )
    purpose = forms.CharField(label="Purpose", max_length=300, required=False)
    purposes = forms.MultipleChoiceField(
        label="Purposes named",
        required=False,
        choices=list(rules.CONSENT_PURPOSES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick only the purposes the signed consent names (a TPO consent: treatment, "
        "payment and operations, filled in when none is ticked). A disclosure for a purpose "
        "not ticked is refused.",
    )
    revocation_rights_stated = forms.BooleanField(
        required=False,
        label="The consent states the right to revoke in writing, how to "
        "revoke, and that actions already taken in reliance stand",
    )
    expires_on = forms.DateField(label="Expires on (date)", required=False, widget=_date_input())
    expiration_event = forms.CharField(
        label="…or expires on this event or condition", max_length=200, required=False
    )
    signer_name = forms.CharField(label="Signed by (name)", max_length=200, required=False)
    signer_role = forms.ChoiceField(
        label="Signer is", required=False, choices=_choices(Part2Consent.SignerRole.choices)
    )
    signature_method = forms.ChoiceField(
        label="Signature",
        required=False,
        choices=_choices(Part2Consent._meta.get_field("signature_method").choices),
    )
    signed_on = forms.DateField(label="Date signed", required=False, widget=_date_input())
    redisclosure_notice_stated = forms.BooleanField(
        required=False,
        label="The consent states that records given to a HIPAA covered "
        "entity or business associate may be redisclosed under HIPAA",
    )
    refusal_consequences_stated = forms.BooleanField(
        required=False, label="The consent states the consequences of refusing to sign"
    )

    def groups(self) -> list[dict[str, Any]]:
        """The ten §2.31 elements in order, each with its bound fields (for the template)."""
        return [
            {
                "number": number,
                "title": title,
                "hint": hint,
                "fields": [self[name] for name in names],
            }
            for number, title, hint, names in ELEMENT_GROUPS
        ]


# (number, heading, plain-English hint, fields). Element 1 (the patient) comes from the URL.
ELEMENT_GROUPS: list[tuple[str, str, str, list[str]]] = [
    (
        "",
        "Type of consent",
        "TPO covers treatment, payment and operations in one consent. "
        "SUD counseling notes always need their own separate consent.",
        ["kind"],
    ),
    ("1", "Patient", "The consent names the patient whose records it covers.", []),
    (
        "2",
        "Who may use or disclose",
        "This program, by name, or a class such as 'my treating providers'.",
        ["disclosing_party"],
    ),
    (
        "3",
        "What information",
        "Describe it specifically: diagnoses, dates of service, claims data… Not 'all records'.",
        ["information_scope", "information_categories"],
    ),
    (
        "4",
        "Recipients",
        "Named people or organizations, or a class such as 'health plans and third-party payers'.",
        ["recipient_kind", "recipients", "recipient_kinds", "recipient_covered_entity"],
    ),
    (
        "5",
        "Purpose",
        "Why the information is disclosed. A TPO consent says 'treatment, "
        "payment, and health care operations'.",
        ["purpose", "purposes"],
    ),
    (
        "6",
        "Right to revoke",
        "The patient can revoke in writing at any time, except for "
        "actions already taken in reliance on the consent.",
        ["revocation_rights_stated"],
    ),
    (
        "7",
        "Expiration",
        "A date, or an event. 'End of treatment' or 'none' is allowed only for TPO consents.",
        ["expires_on", "expiration_event"],
    ),
    (
        "8",
        "Signature",
        "The patient or a person authorized to sign for them; wet or electronic.",
        ["signer_name", "signer_role", "signature_method"],
    ),
    ("9", "Date signed", "The day the consent was signed; not a future date.", ["signed_on"]),
    (
        "10",
        "HIPAA redisclosure and refusal statements",
        "Redisclosure under HIPAA: every TPO consent, and any consent whose recipient is a "
        "covered entity or business associate receiving for TPO (§2.31(a)(4)(iii)). What "
        "happens if the patient refuses to sign: TPO consents.",
        ["redisclosure_notice_stated", "refusal_consequences_stated"],
    ),
]


WHOLE_CONSENT = "Every recipient (the whole consent)"


class RevokeForm(forms.Form):
    recipient = forms.ChoiceField(label="Revoke for", required=False)
    revoked_on = forms.DateField(
        label="Revocation received on", required=False, widget=_date_input()
    )
    method = forms.ChoiceField(
        label="Revoked",
        required=False,
        widget=forms.RadioSelect,
        choices=Part2Consent._meta.get_field("revocation_method").choices,
    )

    def __init__(self, *args: Any, recipients: list[str] | None = None, **kwargs: Any) -> None:
        """`recipients`: the named recipients the consent may still be revoked for (partial
        revocation); none offered, the whole consent is revoked."""
        super().__init__(*args, **kwargs)
        if recipients:
            self.fields["recipient"].choices = [
                ("", WHOLE_CONSENT),
                *((name, f"Only {name}") for name in recipients),
            ]
        else:
            del self.fields["recipient"]


def initial_for_create(*, preset: str, org_name: str, today: datetime.date) -> dict[str, Any]:
    initial: dict[str, Any] = {"signed_on": today, "signer_role": "patient"}
    if preset == "tpo":
        initial.update(tpo_preset(org_name=org_name))
    return initial


class DisclosureWithoutConsentForm(forms.Form):
    """A disclosure that needed no consent, logged for the accounting (§2.25)."""

    legal_basis = forms.ChoiceField(
        label="Legal basis",
        required=False,
        choices=_choices([(code, rules.LEGAL_BASES[code]) for code in rules.NO_CONSENT_BASES]),
    )
    basis_detail = forms.CharField(
        label="What the section asks to be documented",
        max_length=300,
        required=False,
        help_text="The nature of the emergency; the court, docket number and date of the "
        "order; the audit or study and who performs it. No patient details.",
    )
    recipient = forms.CharField(
        label="Recipient (name, and affiliation for emergency personnel)",
        max_length=200,
        required=False,
    )
    recipient_address = forms.CharField(
        label="Recipient's address (when known)", max_length=300, required=False
    )
    purpose = forms.CharField(label="Purpose", max_length=300, required=False)
    information_categories = forms.MultipleChoiceField(
        label="Kinds of information disclosed",
        required=False,
        choices=list(rules.INFORMATION_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="What was disclosed (no PHI text)", max_length=300, required=False
    )
    channel = forms.CharField(
        label="How (phone, fax, letter, portal ...)", max_length=30, required=False
    )
    reference = forms.CharField(label="Reference", max_length=60, required=False)


def _organizations() -> Any:
    from consent.selectors import billing_companies

    return billing_companies()


class QsoAgreementForm(forms.Form):
    """A signed qualified service organization agreement (42 CFR 2.11) with a billing company."""

    counterparty = forms.ModelChoiceField(
        label="Billing company",
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="— choose —",
    )
    services = forms.MultipleChoiceField(
        label="Services it provides",
        required=False,
        choices=list(qso_rules.SERVICES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    effective_on = forms.DateField(label="In force from", required=False, widget=_date_input())
    ends_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=_date_input(),
        help_text="The first day it is no longer in force. Blank: until it is ended here.",
    )
    qso_bound_by_part2 = forms.BooleanField(
        required=False,
        label="The agreement states that the billing company acknowledges it is fully bound by "
        "42 CFR Part 2 in receiving, storing, processing or otherwise dealing with patient "
        "records",
    )
    qso_resists_judicial_efforts = forms.BooleanField(
        required=False,
        label="The agreement states that it will resist in judicial proceedings any effort to "
        "obtain access to patient records except as Part 2 permits",
    )
    document_reference = forms.CharField(
        label="Signed agreement kept at",
        max_length=300,
        required=False,
        help_text="File name, document id or link to the signed copy.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = _organizations()


class QsoEndForm(forms.Form):
    ends_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=_date_input(),
        help_text="The first day the agreement is no longer in force. Its staff lose Part 2 "
        "access that day.",
    )
