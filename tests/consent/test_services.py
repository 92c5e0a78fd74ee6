"""consent_record checks every §2.31 element and saves nothing on error; consent_revoke is
written or electronic, prospective only, and refuses a second revocation."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from consent import rules
from consent.models import Part2Consent
from consent.services import consent_record, consent_revoke
from tests import factories
from tests.consent.elements import (
    MISSING_ELEMENTS,
    MISSING_IDS,
    days_ago,
    today,
    valid_elements,
    without,
)


def _record_errors(patient, **elements) -> dict:
    with pytest.raises(ValidationError) as exc:
        consent_record(patient=patient, actor=None, **elements)
    assert Part2Consent.objects.count() == 0
    return exc.value.message_dict


def test_a_complete_tpo_consent_is_recorded_with_who_recorded_it(in_org_a):
    staff = factories.member(in_org_a, role="intake")
    patient = factories.patient()
    consent = consent_record(patient=patient, actor=staff, **valid_elements())
    consent.refresh_from_db()
    assert (consent.kind, consent.recorded_by, consent.signer_name) == ("tpo", staff, "Alex Rivera")


@pytest.mark.parametrize(("keys", "field", "prefix"), MISSING_ELEMENTS, ids=MISSING_IDS)
def test_each_missing_element_is_refused_with_its_field_message_and_nothing_saved(
    in_org_a, keys, field, prefix
):
    errors = _record_errors(factories.patient(), **without(keys))
    assert errors[field][0].startswith(prefix)


def test_a_consent_without_a_patient_is_refused_as_element_1(in_org_a):
    assert _record_errors(None, **valid_elements())["patient"][0].startswith("Element 1:")


@pytest.mark.parametrize("scope", ["all records", "everything"])
def test_a_vague_information_scope_is_refused(in_org_a, scope):
    errors = _record_errors(factories.patient(), **valid_elements(information_scope=scope))
    assert "not specific" in errors["information_scope"][0]


@pytest.mark.parametrize("kind", ["tpo", "specific"])
def test_counseling_notes_cannot_be_part_of_a_tpo_or_specific_consent(in_org_a, kind):
    elements = valid_elements(
        kind=kind,
        information_scope="Diagnoses and SUD counseling notes",
        expires_on=today() + datetime.timedelta(days=30),
        expiration_event="",
    )
    errors = _record_errors(factories.patient(), **elements)
    assert "separate consent" in errors["information_scope"][0]


def test_a_counseling_notes_consent_is_its_own_record_limited_to_the_notes(in_org_a):
    patient = factories.patient()
    elements = valid_elements(
        kind="counseling_notes",
        recipient_kind="named",
        recipients="Dr. Jordan Park",
        recipient_kinds=["provider"],
        purpose="Continuity of care",
        purposes=["treatment"],
        expiration_event="",
        expires_on=today() + datetime.timedelta(30),
    )
    errors = _record_errors(patient, **elements)
    assert errors["information_scope"][0].startswith("Element 3: a counseling-notes consent")
    assert errors["information_categories"][0].startswith("Element 3: a counseling-notes consent")
    consent = consent_record(
        patient=patient,
        actor=None,
        **{
            **elements,
            "information_scope": "SUD counseling notes from individual sessions",
            "information_categories": ["counseling_notes"],
        },
    )
    assert consent.kind == "counseling_notes"


@pytest.mark.parametrize("kind", ["tpo", "specific"])
def test_the_counseling_notes_category_belongs_to_a_notes_consent_only(in_org_a, kind):
    """42 CFR 2.31(b): SUD counseling notes need a separate consent, never combined."""
    elements = valid_elements(
        kind=kind,
        information_categories=["diagnoses", "counseling_notes"],
        expires_on=today() + datetime.timedelta(days=30),
        expiration_event="",
    )
    errors = _record_errors(factories.patient(), **elements)
    assert errors == {"information_categories": [rules.MSG["categories_notes_elsewhere"]]}


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ([], "categories_blank"),
        (["diagnoses", "everything"], "categories_unknown"),
    ],
)
def test_a_consent_must_name_known_kinds_of_information(in_org_a, categories, message):
    """42 CFR 2.31(a)(3): the scope as data; blank or unknown categories are refused."""
    errors = _record_errors(
        factories.patient(), **valid_elements(information_categories=categories)
    )
    expected = rules.MSG[message].format(codes="everything")
    assert errors == {"information_categories": [expected]}


def test_the_database_refuses_notes_mixed_into_a_tpo_consent(in_org_a):
    """42 CFR 2.31(b) as a database invariant too."""
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.part2_consent(information_categories=["diagnoses", "counseling_notes"])


def test_end_of_treatment_expiry_is_allowed_for_tpo_only(in_org_a):
    patient = factories.patient()
    specific = valid_elements(kind="specific", expiration_event="End of treatment")
    assert _record_errors(patient, **specific)["expiration_event"][0].startswith("Element 7:")
    assert consent_record(
        patient=patient, actor=None, **valid_elements(expiration_event="End of treatment")
    ).pk


def test_an_expiration_date_must_fall_after_the_signature(in_org_a):
    errors = _record_errors(factories.patient(), **valid_elements(expires_on=days_ago(3)))
    assert errors["expires_on"] == ["Element 7: the expiration date must be after the date signed."]


def test_a_signature_dated_in_the_future_is_refused(in_org_a):
    tomorrow = today() + datetime.timedelta(days=1)
    errors = _record_errors(factories.patient(), **valid_elements(signed_on=tomorrow))
    assert errors["signed_on"][0].startswith("Element 9:")


def test_a_specific_consent_must_tick_its_purposes(in_org_a):
    """42 CFR 2.31(a)(5) as data: only a TPO consent's purposes are known by definition."""
    elements = valid_elements(kind="specific", purposes=[], expiration_event="", expires_on=today())
    errors = _record_errors(factories.patient(), **elements)
    assert errors == {"purposes": [rules.MSG["purposes_blank"]]}


def test_a_tpo_consent_recorded_without_purpose_ticks_is_for_treatment_payment_and_operations(
    in_org_a,
):
    consent = consent_record(patient=factories.patient(), actor=None, **valid_elements(purposes=[]))
    consent.refresh_from_db()
    assert consent.purposes == ["treatment", "payment", "operations"]


@pytest.mark.parametrize(
    "fields",
    [
        {"purposes": ["payment"]},  # a TPO consent is for all three
        {"purposes": ["payment", "marketing"]},
        {"recipient_kinds": ["insurer"]},
        {"recipient_kinds": ["provider", "other"]},  # others are covered by name only
        {
            "kind": "counseling_notes",
            "information_scope": "SUD counseling notes",
            "information_categories": ["counseling_notes"],
            "purposes": ["payment"],
            "recipient_kinds": ["provider"],
        },
        {
            "kind": "counseling_notes",
            "information_scope": "SUD counseling notes",
            "information_categories": ["counseling_notes"],
            "purposes": ["treatment"],
            "recipient_kinds": ["health_plan"],
        },
    ],
)
def test_the_database_refuses_purposes_and_recipient_kinds_the_rules_refuse(in_org_a, fields):
    """42 CFR 2.31(a)(4)-(5) as database invariants too; notes never go to payers."""
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.part2_consent(**fields)


def test_a_tpo_purpose_must_name_treatment_payment_and_operations(in_org_a):
    errors = _record_errors(factories.patient(), **valid_elements(purpose="Payment only"))
    assert errors["purpose"][0].startswith("Element 5: a TPO consent")


def test_a_specific_consent_to_a_recipient_outside_hipaa_needs_no_tpo_statements(in_org_a):
    """42 CFR 2.31(a)(4)(iii) applies only when the recipient is a covered entity or BA."""
    elements = valid_elements(
        kind="specific",
        purpose="At the patient's request: verify attendance for the court",
        purposes=["patient_request"],
        recipient_kind="named",
        recipients="County Drug Court Probation Office",
        recipient_kinds=["other"],
        recipient_covered_entity=False,
        redisclosure_notice_stated=False,
        expiration_event="",
        refusal_consequences_stated=False,
        expires_on=today(),
    )
    assert consent_record(patient=factories.patient(), actor=None, **elements).pk


@pytest.mark.parametrize("kind", ["specific", "counseling_notes"])
def test_any_consent_to_a_covered_entity_for_tpo_must_state_hipaa_redisclosure(in_org_a, kind):
    """42 CFR 2.31(a)(4)(iii): whatever the consent's kind, when the recipient is a covered
    entity or business associate receiving for TPO, the HIPAA redisclosure statement is
    required (the refusal statement stays a TPO-consent element). Counseling notes go to a
    treating provider (never to a payer)."""
    notes = kind == "counseling_notes"
    elements = valid_elements(
        kind=kind,
        information_scope="SUD counseling notes" if notes else "Claims data",
        information_categories=["counseling_notes" if notes else "claims_payment"],
        purpose="Continuity of care" if notes else "Billing Acme Health Plan",
        purposes=["treatment" if notes else "payment"],
        recipient_kind="named",
        recipients="Dr. Jordan Park" if notes else "Acme Health Plan",
        recipient_kinds=["provider" if notes else "health_plan"],
        recipient_covered_entity=True,
        redisclosure_notice_stated=False,
        refusal_consequences_stated=False,
        expiration_event="",
        expires_on=today(),
    )
    errors = _record_errors(factories.patient(), **elements)
    assert list(errors) == ["redisclosure_notice_stated"]
    assert errors["redisclosure_notice_stated"][0].startswith("Element 10 (§2.31(a)(4)(iii))")
    elements["redisclosure_notice_stated"] = True
    assert consent_record(patient=factories.patient(), actor=None, **elements).pk


def test_the_database_refuses_a_covered_entity_consent_without_the_statement(in_org_a):
    """42 CFR 2.31(a)(4)(iii) as a database invariant too."""
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.part2_consent(
            kind="specific",
            expiration_event="",
            expires_on=today() + datetime.timedelta(days=30),
            signed_on=today(),
            recipient_covered_entity=True,
            redisclosure_notice_stated=False,
        )


def test_revocation_records_date_method_and_who(in_org_a):
    staff = factories.member(in_org_a, role="compliance")
    consent = factories.part2_consent(signed_on=days_ago(10))
    consent_revoke(consent=consent, revoked_on=days_ago(1), method="written", actor=staff)
    consent.refresh_from_db()
    assert (consent.revoked_on, consent.revocation_method, consent.revoked_recorded_by) == (
        days_ago(1),
        "written",
        staff,
    )


@pytest.mark.parametrize(
    ("revoked_on", "method", "field"),
    [
        (11, "written", "revoked_on"),  # before the signature: revocation is prospective only
        (-1, "written", "revoked_on"),  # in the future
        (None, "written", "revoked_on"),
        (1, "verbal", "method"),  # must be in writing or electronic
        (1, "", "method"),
    ],
)
def test_an_invalid_revocation_is_refused(in_org_a, revoked_on, method, field):
    consent = factories.part2_consent(signed_on=days_ago(10))
    with pytest.raises(ValidationError) as exc:
        consent_revoke(
            consent=consent,
            method=method,
            actor=None,
            revoked_on=None if revoked_on is None else days_ago(revoked_on),
        )
    assert field in exc.value.message_dict
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_a_consent_cannot_be_revoked_twice(in_org_a):
    consent = factories.part2_consent(signed_on=days_ago(10))
    consent_revoke(consent=consent, revoked_on=days_ago(5), method="written", actor=None)
    with pytest.raises(ValidationError) as exc:
        consent_revoke(consent=consent, revoked_on=days_ago(1), method="electronic", actor=None)
    assert "already revoked" in exc.value.message_dict["revoked_on"][0]
    consent.refresh_from_db()
    assert consent.revoked_on == days_ago(5)


def test_a_patient_of_another_org_cannot_be_named_on_a_consent(org_a, org_b):
    from rcm.tenancy import org_context

    with org_context(org_b):
        outsider = factories.patient()
    with org_context(org_a):
        errors = _record_errors(outsider, **valid_elements())
    assert errors["patient"][0].startswith("Element 1:")
