"""The disclosure gate used by claims: consent in force on the date, covering purpose and
recipient; the accounting of disclosures; the §2.32 notice and scope summary."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from consent.gate import (
    consent_for_disclosure,
    consent_scope_summary,
    disclosure_record,
)
from consent.models import Disclosure
from consent.notice import STATEMENT_1, STATEMENT_2, statement_text
from consent.selectors import consent_status_for_patient, disclosures_for_patient
from tests import factories

D = datetime.date


def _ask(patient, *, on_date, kind="health_plan", name="Acme Health Plan", purpose="payment"):
    return consent_for_disclosure(
        patient=patient, recipient_kind=kind, recipient_name=name, purpose=purpose, on_date=on_date
    )


def _specific(patient, **fields):
    defaults = dict(
        kind="specific",
        recipient_kind="named",
        recipients="Acme Health Plan",
        purpose="Billing Acme Health Plan for the IOP admission",
        expiration_event="",
        expires_on=D(2026, 12, 31),
        recipient_covered_entity=True,  # a health plan, for payment (§2.31(a)(4)(iii))
        redisclosure_notice_stated=True,
        refusal_consequences_stated=False,
    )
    return factories.part2_consent(patient, **{**defaults, **fields})


def test_a_patient_without_consent_is_refused(in_org_a):
    decision = _ask(factories.patient(), on_date=D(2026, 11, 2))
    assert (decision.allowed, decision.consent) == (False, None)
    assert decision.reasons == ["No Part 2 consent is on file for this patient."]


def test_a_tpo_class_consent_covers_a_health_plan_for_payment(in_org_a):
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    decision = _ask(consent.patient, on_date=D(2026, 11, 2))
    assert (decision.allowed, decision.consent) == (True, consent)


@pytest.mark.parametrize("purpose", ["treatment", "payment", "operations"])
def test_a_tpo_consent_covers_each_tpo_purpose(in_org_a, purpose):
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    assert _ask(consent.patient, on_date=D(2026, 4, 1), purpose=purpose).allowed


def test_revocation_is_prospective_for_disclosures(in_org_a):
    consent = factories.part2_consent(
        signed_on=D(2026, 3, 1), revoked_on=D(2026, 6, 1), revocation_method="written"
    )
    before = _ask(consent.patient, on_date=D(2026, 5, 31))
    on_the_day = _ask(consent.patient, on_date=D(2026, 6, 1))
    after = _ask(consent.patient, on_date=D(2026, 7, 1))
    assert (before.allowed, on_the_day.allowed, after.allowed) == (True, False, False)
    assert "revoked on 2026-06-01" in after.reasons[0]


def test_a_disclosure_dated_before_the_signature_is_refused(in_org_a):
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    decision = _ask(consent.patient, on_date=D(2026, 2, 28))
    assert not decision.allowed and "not yet signed" in decision.reasons[0]


def test_an_expired_consent_is_refused(in_org_a):
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5), expires_on=D(2026, 2, 1))
    assert _ask(consent.patient, on_date=D(2026, 1, 31)).allowed
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and "expired on 2026-02-01" in decision.reasons[0]


def test_a_named_recipient_matches_case_insensitively(in_org_a):
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    assert _ask(consent.patient, on_date=D(2026, 2, 1), name="ACME health plan").allowed


def test_a_named_recipient_mismatch_is_refused(in_org_a):
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), name="Beta Insurance")
    assert not decision.allowed
    assert "does not cover the recipient Beta Insurance" in decision.reasons[0]


def test_a_specific_consent_does_not_cover_a_purpose_it_does_not_name(in_org_a):
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), purpose="operations")
    assert not decision.allowed and "does not cover operations" in decision.reasons[0]


def test_a_class_without_health_plans_does_not_cover_a_health_plan(in_org_a):
    consent = factories.part2_consent(signed_on=D(2026, 1, 5), recipients="My treating providers")
    assert not _ask(consent.patient, on_date=D(2026, 2, 1)).allowed
    assert _ask(consent.patient, on_date=D(2026, 2, 1), kind="provider", name="Dr. Lee").allowed


def test_an_older_consent_in_force_still_covers_when_a_newer_one_is_revoked(in_org_a):
    patient = factories.patient()
    older = factories.part2_consent(patient, signed_on=D(2026, 1, 5))
    factories.part2_consent(
        patient, signed_on=D(2026, 3, 1), revoked_on=D(2026, 4, 1), revocation_method="electronic"
    )
    assert _ask(patient, on_date=D(2026, 5, 1)).consent == older


def test_a_counseling_notes_consent_never_authorises_a_billing_disclosure(in_org_a):
    consent = factories.part2_consent(
        kind="counseling_notes", information_scope="SUD counseling notes", signed_on=D(2026, 1, 5)
    )
    assert not _ask(consent.patient, on_date=D(2026, 2, 1)).allowed


def test_an_unknown_purpose_is_refused(in_org_a):
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    assert not _ask(consent.patient, on_date=D(2026, 2, 1), purpose="marketing").allowed


def test_disclosure_record_appends_to_the_accounting(in_org_a):
    actor = factories.member(in_org_a, role="biller")
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    for n in (1, 2):
        disclosure_record(
            patient=consent.patient,
            consent=consent,
            recipient="Acme Health Plan",
            purpose="payment",
            description="837P claim lines",
            channel="837P",
            reference=f"CLM{n}",
            actor=actor,
        )
    rows = list(disclosures_for_patient(patient=consent.patient))
    assert [r.reference for r in rows] == ["CLM2", "CLM1"]
    assert {r.disclosed_by for r in rows} == {actor}


def test_disclosure_record_refuses_another_patients_consent_and_blank_fields(in_org_a):
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        disclosure_record(
            patient=factories.patient(),
            consent=consent,
            recipient="",
            purpose="payment",
            description="837P",
            channel="837P",
            reference="",
            actor=None,
        )
    assert set(exc.value.message_dict) == {"consent", "recipient"}
    assert Disclosure.objects.count() == 0


def test_the_scope_summary_explains_the_consent_without_the_signer_name(in_org_a):
    consent = factories.part2_consent(
        signed_on=D(2026, 1, 5), revoked_on=D(2026, 2, 1), revocation_method="written"
    )
    summary = consent_scope_summary(consent)
    assert str(consent.public_id) in summary
    assert consent.information_scope in summary and consent.recipients in summary
    assert "Revoked on 2026-02-01" in summary
    assert consent.signer_name not in summary


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        ("none", "missing"),
        ("tpo", "valid"),
        ("revoked", "revoked"),
        ("expired", "expired"),
        ("future", "missing"),
        ("notes_only", "missing"),
    ],
)
def test_consent_status_for_badges(in_org_a, setup, status):
    patient = factories.patient()
    make = {
        "tpo": lambda: factories.part2_consent(patient, signed_on=D(2026, 1, 5)),
        "revoked": lambda: factories.part2_consent(
            patient, signed_on=D(2026, 1, 5), revoked_on=D(2026, 2, 1), revocation_method="written"
        ),
        "expired": lambda: _specific(patient, signed_on=D(2026, 1, 5), expires_on=D(2026, 2, 1)),
        "future": lambda: factories.part2_consent(patient, signed_on=D(2026, 4, 1)),
        "notes_only": lambda: factories.part2_consent(
            patient,
            kind="counseling_notes",
            information_scope="SUD counseling notes",
            signed_on=D(2026, 1, 5),
        ),
    }
    if setup != "none":
        make[setup]()
    assert consent_status_for_patient(patient=patient, on_date=D(2026, 3, 1)) == status


# 42 CFR 2.32(a) as amended by 89 FR 12472 (2024): the statements are required word for word.
STATEMENT_1_OF_THE_RULE = " ".join(
    """This record which has been disclosed to you is protected by Federal confidentiality rules
    (42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony
    that describes the information contained in this record, in any civil, criminal,
    administrative, or legislative proceedings by any Federal, State, or local authority, against
    the patient, unless authorized by the consent of the patient, except as provided at 42 CFR
    2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition,
    the Federal rules prohibit you from making any other use or disclosure of this record unless
    at least one of the following applies: (i) Further use or disclosure is expressly permitted
    by the written consent of the individual whose information is being disclosed in this record
    or as otherwise permitted by 42 CFR part 2. (ii) You are a covered entity or business
    associate and have received the record for treatment, payment, or health care operations, or
    (iii) You have received the record from a covered entity or business associate as permitted
    by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or
    other information is NOT sufficient to meet the required elements of written consent to
    further use or redisclose the record (see 42 CFR 2.31).""".split()
)


def test_statement_1_is_the_2024_rules_long_form_word_for_word():
    """42 CFR 2.32(a)(1), 89 FR 12472."""
    assert STATEMENT_1 == STATEMENT_1_OF_THE_RULE
    assert statement_text(1) == STATEMENT_1


def test_statement_2_is_the_2024_rules_short_form_word_for_word():
    """42 CFR 2.32(a)(2), 89 FR 12472: "use or disclosure", not the superseded 2018 wording."""
    assert STATEMENT_2 == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
    assert statement_text(2) == STATEMENT_2


@pytest.mark.parametrize("statement", [1, 2])
def test_each_disclosure_keeps_the_statement_and_scope_explanation_it_carried(in_org_a, statement):
    """42 CFR 2.32(a) one of two statements, 2.32(b) a clear explanation of the scope."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    row = disclosure_record(
        patient=consent.patient,
        consent=consent,
        recipient="Acme Health Plan",
        purpose="payment",
        description="837P claim lines",
        channel="837P",
        reference="CLM1",
        actor=None,
        statement=statement,
    )
    row.refresh_from_db()
    assert row.notice_statement == statement
    assert row.scope_explanation == consent_scope_summary(consent)


@pytest.mark.parametrize("statement", [0, 3])
def test_a_disclosure_without_statement_1_or_2_is_refused(in_org_a, statement):
    """42 CFR 2.32(a): every consented disclosure carries statement 1 or statement 2."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        disclosure_record(
            patient=consent.patient,
            consent=consent,
            recipient="Acme Health Plan",
            purpose="payment",
            description="837P",
            channel="837P",
            reference="",
            actor=None,
            statement=statement,
        )
    assert list(exc.value.message_dict) == ["notice_statement"]
    assert Disclosure.objects.count() == 0
