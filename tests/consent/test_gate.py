"""The disclosure gate used by claims, 278s and appeals (consent.gate): a consent in force on the
disclosure date covering the purpose, the recipient and everything the disclosure carries; the
accounting of disclosures (§2.25); the §2.32 notice and scope explanation. Each test names the
rule it checks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.gate import consent_for_disclosure, consent_scope_summary, disclosure_record
from consent.models import Disclosure
from consent.notice import STATEMENT_1, STATEMENT_2, statement_text
from consent.rules import BILLING_CATEGORIES
from consent.selectors import consent_status_for_patient, disclosures_for_patient
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import on

D = datetime.date


def _ask(
    patient,
    *,
    on_date,
    kind="health_plan",
    name="Acme Health Plan",
    purpose="payment",
    carries=BILLING_CATEGORIES,
):
    with on(on_date):
        return consent_for_disclosure(
            patient=patient,
            recipient_kind=kind,
            recipient_name=name,
            purpose=purpose,
            carries=carries,
        )


def _record(patient, *, on_date, **overrides):
    values = dict(
        patient=patient,
        recipient_kind="health_plan",
        recipient_name="Acme Health Plan",
        purpose="payment",
        carries=BILLING_CATEGORIES,
        description="837P claim lines",
        channel="837P",
        reference="CLM1",
        actor=None,
    )
    values.update(overrides)
    with on(on_date):
        return disclosure_record(**values)


def _specific(patient, **fields):
    defaults = dict(
        signed_on=D(2026, 1, 5),
        kind="specific",
        recipient_kind="named",
        recipients="Acme Health Plan",
        recipient_kinds=["health_plan"],
        purpose="Billing Acme Health Plan for the IOP admission",
        purposes=["payment"],
        expiration_event="",
        expires_on=D(2026, 12, 31),
        recipient_covered_entity=True,  # a health plan, for payment (§2.31(a)(4)(iii))
        redisclosure_notice_stated=True,
        refusal_consequences_stated=False,
    )
    return factories.part2_consent(patient, **{**defaults, **fields})


def _attendance_only(patient, **fields):
    return _specific(
        patient,
        information_scope="Dates of attendance",
        information_categories=["attendance"],
        **fields,
    )


# --- Consent in force on the disclosure date (§2.31(a)(7), revocation §2.31(a)(6)) ----------


def test_a_patient_without_consent_is_refused(in_org_a):
    """42 CFR 2.33: no consent, no consented disclosure."""
    decision = _ask(factories.patient(), on_date=D(2026, 11, 2))
    assert (decision.allowed, decision.consent) == (False, None)
    assert decision.reasons == ["No Part 2 consent is on file for this patient."]


def test_a_tpo_class_consent_covers_a_health_plan_for_payment(in_org_a):
    """42 CFR 2.31(a)(4)(i): the TPO class wording names health plans and third-party payers."""
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    decision = _ask(consent.patient, on_date=D(2026, 11, 2))
    assert (decision.allowed, decision.consent, decision.on_date) == (True, consent, D(2026, 11, 2))


@pytest.mark.parametrize("purpose", ["treatment", "payment", "operations"])
def test_a_tpo_consent_covers_each_tpo_purpose(in_org_a, purpose):
    """42 CFR 2.33(a)(2): a single TPO consent covers treatment, payment and operations."""
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    assert _ask(consent.patient, on_date=D(2026, 4, 1), purpose=purpose).allowed


def test_revocation_is_prospective_for_disclosures(in_org_a):
    """42 CFR 2.31(a)(6): revocation works from its date on; what was sent before stands."""
    consent = factories.part2_consent(
        signed_on=D(2026, 3, 1), revoked_on=D(2026, 6, 1), revocation_method="written"
    )
    before = _ask(consent.patient, on_date=D(2026, 5, 31))
    on_the_day = _ask(consent.patient, on_date=D(2026, 6, 1))
    after = _ask(consent.patient, on_date=D(2026, 7, 1))
    assert (before.allowed, on_the_day.allowed, after.allowed) == (True, False, False)
    assert "revoked on 2026-06-01" in after.reasons[0]


def test_the_gate_is_asked_on_the_transmission_date_not_the_date_of_service(in_org_a):
    """REFERENCE §14 / 42 CFR 2.31(a)(6): a claim for a May service transmitted after a June
    revocation is refused; the caller cannot pass the date of service instead."""
    consent = factories.part2_consent(
        signed_on=D(2026, 3, 1), revoked_on=D(2026, 6, 1), revocation_method="written"
    )
    decision = _ask(consent.patient, on_date=D(2026, 6, 15))
    assert not decision.allowed and decision.on_date == D(2026, 6, 15)
    with pytest.raises(TypeError):
        consent_for_disclosure(  # type: ignore[call-arg]
            patient=consent.patient,
            recipient_kind="health_plan",
            recipient_name="Acme Health Plan",
            purpose="payment",
            carries=BILLING_CATEGORIES,
            on_date=D(2026, 5, 20),
        )


def test_the_disclosure_date_is_the_clinics_local_date(in_org_a):
    """REFERENCE §14: the gate's today is the org's, not UTC's. At 23:30 in New York on the day
    before the revocation it is already the revocation date in UTC; the claim still goes."""
    in_org_a.time_zone = "America/New_York"
    in_org_a.save(update_fields=["time_zone"])
    with org_context(in_org_a):
        _revoked_at_midnight_new_york()


def _revoked_at_midnight_new_york():
    consent = factories.part2_consent(
        signed_on=D(2026, 3, 1), revoked_on=D(2026, 6, 1), revocation_method="written"
    )
    kwargs = dict(
        patient=consent.patient,
        recipient_kind="health_plan",
        recipient_name="Acme Health Plan",
        purpose="payment",
        carries=BILLING_CATEGORIES,
    )
    with on(D(2026, 5, 31), 23, 30):
        assert timezone.now().astimezone(datetime.UTC).date() == D(2026, 6, 1)
        assert consent_for_disclosure(**kwargs).allowed
    with on(D(2026, 6, 1), 0, 30):
        assert not consent_for_disclosure(**kwargs).allowed


def test_a_disclosure_dated_before_the_signature_is_refused(in_org_a):
    """42 CFR 2.31(a)(9): a consent authorises nothing before it is signed."""
    consent = factories.part2_consent(signed_on=D(2026, 3, 1))
    decision = _ask(consent.patient, on_date=D(2026, 2, 28))
    assert not decision.allowed and "not yet signed" in decision.reasons[0]


def test_an_expired_consent_is_refused(in_org_a):
    """42 CFR 2.31(a)(7): the expiration date is the first day the consent no longer works."""
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5), expires_on=D(2026, 2, 1))
    assert _ask(consent.patient, on_date=D(2026, 1, 31)).allowed
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and "expired on 2026-02-01" in decision.reasons[0]


def test_an_older_consent_in_force_still_covers_when_a_newer_one_is_revoked(in_org_a):
    patient = factories.patient()
    older = factories.part2_consent(patient, signed_on=D(2026, 1, 5))
    factories.part2_consent(
        patient, signed_on=D(2026, 3, 1), revoked_on=D(2026, 4, 1), revocation_method="electronic"
    )
    assert _ask(patient, on_date=D(2026, 5, 1)).consent == older


# --- "End of treatment" resolves to the discharge date (§2.31(a)(7)) -------------------------


def _end_of_treatment_consent(patient, signed_on=D(2026, 1, 5)):
    return factories.part2_consent(
        patient, signed_on=signed_on, expiration_event="End of treatment"
    )


def _part2_episode(patient, **fields):
    return factories.episode(patient, program="sud", part2_applies=True, **fields)


def test_an_end_of_treatment_consent_works_through_the_discharge_day_only(in_org_a):
    """42 CFR 2.31(a)(7): 'end of treatment' is the Part 2 episode's discharge date."""
    patient = factories.patient()
    _part2_episode(patient, admit_date=D(2026, 1, 2), discharge_date=D(2026, 5, 1))
    _end_of_treatment_consent(patient)
    assert _ask(patient, on_date=D(2026, 5, 1)).allowed
    decision = _ask(patient, on_date=D(2026, 5, 2))
    assert not decision.allowed
    assert "expired on 2026-05-02 (treatment ended 2026-05-01)" in decision.reasons[0]


def test_an_open_mental_health_episode_does_not_extend_an_sud_consent(in_org_a):
    """42 CFR 2.31(a)(7): the consent ends with the Part 2 treatment; an MH episode still open
    is another treatment (the discharge day is covered, the day after is not)."""
    patient = factories.patient()
    _part2_episode(patient, admit_date=D(2026, 1, 2), discharge_date=D(2026, 5, 1))
    factories.episode(patient, program="mh", admit_date=D(2026, 1, 2), discharge_date=None)
    _end_of_treatment_consent(patient)
    assert _ask(patient, on_date=D(2026, 5, 1)).allowed
    decision = _ask(patient, on_date=D(2026, 5, 2))
    assert not decision.allowed and "(treatment ended 2026-05-01)" in decision.reasons[0]


def test_an_sud_program_episode_counts_as_part2_treatment(in_org_a):
    """An SUD-program episode is Part 2 treatment even when the flag is not set."""
    patient = factories.patient()
    factories.episode(patient, program="sud", admit_date=D(2026, 1, 2), discharge_date=None)
    _end_of_treatment_consent(patient)
    assert _ask(patient, on_date=D(2027, 1, 1)).allowed


def test_an_end_of_treatment_consent_holds_while_a_part2_episode_is_open(in_org_a):
    """42 CFR 2.31(a)(7): no discharge yet, treatment has not ended."""
    patient = factories.patient()
    _part2_episode(patient, admit_date=D(2026, 1, 2), discharge_date=None)
    _end_of_treatment_consent(patient)
    assert _ask(patient, on_date=D(2027, 1, 1)).allowed


def test_a_consent_signed_after_the_part2_discharge_fails_closed(in_org_a):
    """42 CFR 2.31(a)(7): treatment had already ended when it was signed; it never releases
    (rather than never expire), even while an MH episode is open."""
    patient = factories.patient()
    _part2_episode(patient, admit_date=D(2025, 6, 1), discharge_date=D(2025, 12, 1))
    factories.episode(patient, program="mh", admit_date=D(2025, 6, 1), discharge_date=None)
    _end_of_treatment_consent(patient, signed_on=D(2026, 1, 5))
    decision = _ask(patient, on_date=D(2026, 1, 5))
    assert not decision.allowed
    assert "expired on 2025-12-02 (treatment ended 2025-12-01)" in decision.reasons[0]


def test_an_end_of_treatment_consent_without_a_part2_episode_fails_closed(in_org_a):
    """42 CFR 2.31(a)(7): with only an MH episode there is no Part 2 treatment to end."""
    patient = factories.patient()
    factories.episode(patient, program="mh", admit_date=D(2026, 1, 2), discharge_date=None)
    _end_of_treatment_consent(patient)
    decision = _ask(patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and "no Part 2 episode of care" in decision.reasons[0]


def test_a_readmission_after_a_gap_does_not_revive_an_ended_treatment_consent(in_org_a):
    """42 CFR 2.31(a)(7): the consent ended with the treatment it was signed in."""
    patient = factories.patient()
    _part2_episode(patient, admit_date=D(2026, 1, 2), discharge_date=D(2026, 3, 1))
    _part2_episode(patient, admit_date=D(2026, 6, 1), discharge_date=None)
    _end_of_treatment_consent(patient)
    assert not _ask(patient, on_date=D(2026, 6, 10)).allowed


def test_an_expiration_event_the_system_cannot_evaluate_refuses_the_disclosure(in_org_a):
    """42 CFR 2.31(a)(7): the gate cannot tell whether 'completion of the drug court program'
    has happened, so it refuses rather than guess (fails closed)."""
    consent = _specific(
        factories.patient(),
        signed_on=D(2026, 1, 5),
        expires_on=None,
        expiration_event="Completion of the drug court program",
    )
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed
    assert "cannot evaluate ('Completion of the drug court program')" in decision.reasons[0]


# --- Purpose and recipients (§2.31(a)(4), (a)(5)) ---------------------------------------------


def test_a_named_recipient_matches_case_insensitively(in_org_a):
    """42 CFR 2.31(a)(4)(i): the named recipient."""
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    assert _ask(consent.patient, on_date=D(2026, 2, 1), name="ACME health plan").allowed


def test_a_named_recipient_mismatch_is_refused(in_org_a):
    """42 CFR 2.31(a)(4)(i): anyone else is not a recipient of this consent."""
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), name="Beta Insurance")
    assert not decision.allowed
    assert "does not cover the recipient Beta Insurance" in decision.reasons[0]


def test_a_specific_consent_does_not_cover_a_purpose_it_does_not_name(in_org_a):
    """42 CFR 2.31(a)(5): the purpose."""
    consent = _specific(factories.patient(), signed_on=D(2026, 1, 5))
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), purpose="operations")
    assert not decision.allowed
    assert "does not cover the purpose 'health care operations'" in decision.reasons[0]


def test_a_class_without_health_plans_does_not_cover_a_health_plan(in_org_a):
    """42 CFR 2.31(a)(4)(i): a class of recipients covers only the kinds it names."""
    consent = factories.part2_consent(
        signed_on=D(2026, 1, 5),
        recipients="My treating providers",
        recipient_kinds=["provider"],
    )
    assert not _ask(consent.patient, on_date=D(2026, 2, 1)).allowed
    assert _ask(consent.patient, on_date=D(2026, 2, 1), kind="provider", name="Dr. Lee").allowed


def _treatment_only(patient, **fields):
    """The reviewer's consent: its words mention payment, health plans and payers, only to
    exclude them."""
    return _specific(
        patient,
        signed_on=D(2026, 1, 5),
        recipient_kind="class",
        recipients="My treating providers only. Not to any health plan, insurer or payer",
        recipient_kinds=["provider"],
        purpose="For my treatment only; not for payment or billing",
        purposes=["treatment"],
        **fields,
    )


def test_a_consent_that_excludes_payment_in_words_refuses_a_claim_to_a_health_plan(in_org_a):
    """42 CFR 2.31(a)(4)-(5): the gate decides from the recipients and purpose the patient
    named (the ticks), never from words the patient used to exclude them."""
    consent = _treatment_only(factories.patient())
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and decision.consent is None
    assert "does not cover the purpose 'payment'" in decision.reasons[0]
    assert "does not cover health plans and third-party payers" in decision.reasons[1]
    assert _ask(
        consent.patient, on_date=D(2026, 2, 1), kind="provider", name="Dr. Lee", purpose="treatment"
    ).allowed


def test_a_consent_ticking_payment_and_health_plans_allows_a_claim_to_a_health_plan(in_org_a):
    """42 CFR 2.31(a)(4)-(5): the ticks name the purpose and the recipient."""
    consent = _specific(
        factories.patient(),
        signed_on=D(2026, 1, 5),
        recipient_kind="class",
        recipients="My health insurance",
        recipient_kinds=["health_plan"],
        purpose="So my insurance is billed",
        purposes=["payment"],
    )
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), name="Any Health Plan")
    assert (decision.allowed, decision.consent) == (True, consent)


_ALL_TICKED = {
    "purposes": ["treatment", "payment", "operations"],
    "recipient_kinds": ["provider", "health_plan", "clearinghouse"],
}


@pytest.mark.parametrize(
    ("field", "code", "kind", "purpose", "reason"),
    [
        ("purposes", "treatment", "provider", "treatment", "the purpose 'treatment'"),
        ("purposes", "payment", "health_plan", "payment", "the purpose 'payment'"),
        ("purposes", "operations", "clearinghouse", "operations", "the purpose 'health care"),
        ("recipient_kinds", "provider", "provider", "treatment", "treating providers such as"),
        ("recipient_kinds", "health_plan", "health_plan", "payment", "health plans and third"),
        ("recipient_kinds", "clearinghouse", "clearinghouse", "payment", "clearinghouses and"),
    ],
)
def test_each_missing_tick_refuses_with_a_reason_that_names_it(
    in_org_a, field, code, kind, purpose, reason
):
    """42 CFR 2.31(a)(4)-(5): a class consent with every purpose and kind of recipient ticked
    but one refuses exactly that one, and says so."""
    ticked = {**_ALL_TICKED, field: [c for c in _ALL_TICKED[field] if c != code]}
    ask = dict(on_date=D(2026, 2, 1), kind=kind, name="Acme", purpose=purpose)
    complete = _specific(factories.patient(), recipient_kind="class", **_ALL_TICKED)
    assert _ask(complete.patient, **ask).allowed
    consent = _specific(factories.patient(), recipient_kind="class", **ticked)
    decision = _ask(consent.patient, **ask)
    assert not decision.allowed and len(decision.reasons) == 1
    assert f"does not cover {reason}" in decision.reasons[0]


@pytest.mark.parametrize(
    ("field", "reason"),
    [("purposes", "names no purpose"), ("recipient_kinds", "names no kind of recipient")],
)
def test_a_consent_recorded_before_purposes_and_recipients_were_data_releases_nothing(
    in_org_a, field, reason
):
    """42 CFR 2.31(a)(4)-(5), failing closed like a consent without information categories."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5), **{field: []})
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and reason in decision.reasons[0]


def test_a_covered_entity_recipient_needs_a_consent_with_the_hipaa_statement(in_org_a):
    """42 CFR 2.31(a)(4)(iii): a consent that does not state HIPAA redisclosure releases
    nothing to a health plan, provider or clearinghouse; a court liaison is not one."""
    consent = _specific(
        factories.patient(),
        signed_on=D(2026, 1, 5),
        recipients="Acme Health Plan\nCounty Court Liaison",
        recipient_kinds=["health_plan", "other"],
        purpose="Billing and court reports",
        recipient_covered_entity=False,
        redisclosure_notice_stated=False,
    )
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and "§2.31(a)(4)(iii)" in decision.reasons[0]
    assert _ask(
        consent.patient, on_date=D(2026, 2, 1), kind="court", name="County Court Liaison"
    ).allowed


def test_a_counseling_notes_consent_never_authorises_a_billing_disclosure(in_org_a):
    """42 CFR 2.31(b): counseling notes have their own consent; never sent to payers."""
    consent = factories.part2_consent(
        kind="counseling_notes",
        information_scope="SUD counseling notes",
        information_categories=["counseling_notes"],
        signed_on=D(2026, 1, 5),
    )
    assert not _ask(consent.patient, on_date=D(2026, 2, 1)).allowed


def test_an_unknown_purpose_is_refused(in_org_a):
    """42 CFR 2.31(a)(5): only treatment, payment and operations go through the gate."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    assert not _ask(consent.patient, on_date=D(2026, 2, 1), purpose="marketing").allowed


# --- What the disclosure carries against the consent's scope (§2.31(a)(3)) --------------------


def test_a_consent_for_attendance_dates_does_not_release_a_claim_with_diagnoses(in_org_a):
    """42 CFR 2.31(a)(3): the disclosure must stay inside the information the consent names."""
    consent = _attendance_only(factories.patient(), signed_on=D(2026, 1, 5))
    claim = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not claim.allowed
    assert (
        "does not release demographics and insurance identifiers; diagnoses" in (claim.reasons[0])
    )
    verification = _ask(consent.patient, on_date=D(2026, 2, 1), carries=["attendance"])
    assert verification.allowed


@pytest.mark.parametrize(
    ("released", "carries", "allowed"),
    [
        (["attendance", "diagnoses"], ["attendance", "diagnoses"], True),
        (["attendance", "diagnoses"], ["attendance"], True),
        (["attendance", "diagnoses"], ["attendance", "diagnoses", "services"], False),
        (["claims_payment"], ["treatment_records"], False),
    ],
)
def test_every_category_carried_must_be_released(in_org_a, released, carries, allowed):
    """42 CFR 2.31(a)(3): one category beyond the consent refuses the whole disclosure."""
    consent = _specific(
        factories.patient(), signed_on=D(2026, 1, 5), information_categories=released
    )
    assert _ask(consent.patient, on_date=D(2026, 2, 1), carries=carries).allowed is allowed


@pytest.mark.parametrize(
    ("carries", "reason"),
    [
        ([], "must say what it carries"),
        (["everything"], "Unknown information category: everything"),
        (["counseling_notes"], "SUD counseling notes are never released"),
    ],
)
def test_a_disclosure_that_does_not_say_what_it_carries_or_carries_notes_is_refused(
    in_org_a, carries, reason
):
    """42 CFR 2.31(a)(3) and 2.31(b): the caller states the contents; notes never leave."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    decision = _ask(consent.patient, on_date=D(2026, 2, 1), carries=carries)
    assert not decision.allowed and reason in decision.reasons[0]


def test_a_consent_recorded_before_the_scope_was_data_releases_nothing(in_org_a):
    """42 CFR 2.31(a)(3), failing closed: no categories, no disclosure."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5), information_categories=[])
    decision = _ask(consent.patient, on_date=D(2026, 2, 1))
    assert not decision.allowed and "releases no information category" in decision.reasons[0]


# --- Recording the release (§2.25, §2.32) ----------------------------------------------------


def test_disclosure_record_appends_to_the_accounting(in_org_a):
    """42 CFR 2.25: every consented disclosure is accounted for, under its consent."""
    actor = factories.member(in_org_a, role="biller")
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    for n in (1, 2):
        _record(
            consent.patient,
            on_date=D(2026, 2, 1),
            reference=f"CLM{n}",
            actor=actor,
            recipient_address="PO Box 1, Hartford, CT 06101",
        )
    rows = list(disclosures_for_patient(patient=consent.patient))
    assert [r.reference for r in rows] == ["CLM2", "CLM1"]
    assert {(r.disclosed_by, r.consent) for r in rows} == {(actor, consent)}
    assert rows[0].information_categories == list(BILLING_CATEGORIES)
    assert rows[0].recipient_address == "PO Box 1, Hartford, CT 06101"


def test_disclosure_record_asks_the_gate_and_records_nothing_when_refused(in_org_a):
    """42 CFR 2.31(a)(3): a refused disclosure is neither recorded nor sent."""
    consent = _attendance_only(factories.patient(), signed_on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        _record(consent.patient, on_date=D(2026, 2, 1))
    assert "does not release" in exc.value.message_dict["consent"][0]
    assert Disclosure.objects.count() == 0


def test_disclosure_record_refuses_another_orgs_patient_and_blank_fields(in_org_a, org_b):
    with pytest.raises(ValidationError) as exc:
        _record(None, on_date=D(2026, 2, 1), recipient_name="", description="")
    assert set(exc.value.message_dict) == {"patient", "recipient", "description"}
    assert Disclosure.objects.count() == 0


def test_the_scope_summary_explains_the_consent_without_the_signer_name(in_org_a):
    """42 CFR 2.32(b): a clear explanation of the consent's scope, built from its elements."""
    consent = factories.part2_consent(
        signed_on=D(2026, 1, 5), revoked_on=D(2026, 2, 1), revocation_method="written"
    )
    summary = consent_scope_summary(consent)
    assert str(consent.public_id) in summary
    assert consent.information_scope in summary and consent.recipients in summary
    assert "Kinds of information released: Demographics and insurance identifiers;" in summary
    assert consent.purpose in summary and "Expires: None (TPO consent)" in summary
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
            information_categories=["counseling_notes"],
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
    row = _record(consent.patient, on_date=D(2026, 2, 1), statement=statement)
    row.refresh_from_db()
    assert row.notice_statement == statement
    assert row.scope_explanation == consent_scope_summary(consent)


@pytest.mark.parametrize("statement", [0, 3])
def test_a_disclosure_without_statement_1_or_2_is_refused(in_org_a, statement):
    """42 CFR 2.32(a): every consented disclosure carries statement 1 or statement 2."""
    consent = factories.part2_consent(signed_on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        _record(consent.patient, on_date=D(2026, 2, 1), statement=statement)
    assert list(exc.value.message_dict) == ["notice_statement"]
    assert Disclosure.objects.count() == 0
