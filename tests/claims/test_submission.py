"""claims_submit: READY claims into 837 batches (by kind and payer), control numbers from the
sequence, sessions locked, Part 2 disclosures once per patient per batch, refusals pulled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from claims.models import BatchClaim, Claim, ClaimEvent, ClaimFinding, SubmissionBatch
from claims.submission import claims_submit
from consent.models import Disclosure
from consent.rules import BILLING_CATEGORIES
from edi.x12 import parse
from edi.x837_read import list_claims
from patients.models import Session
from tests import factories
from tests.claims import builders
from tests.edi.pyx12_check import pyx12_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(in_org_a):
    return factories.clearinghouse_account()


def _patient(**fields):
    fields.setdefault("address_line1", "12 Elm Road")
    fields.setdefault("city", "Portland")
    fields.setdefault("state", "OR")
    fields.setdefault("postal_code", "97202")
    return factories.patient(**fields)


def test_ready_claims_are_batched_by_kind_and_payer(account):
    acme, other = factories.payer(name="Acme Health"), factories.payer(name="Other Plan")
    p1, p2, p3 = _patient(), _patient(), _patient()
    two_acme = [builders.claim(patient=p1, payer=acme), builders.claim(patient=p2, payer=acme)]
    one_other = builders.claim(patient=p3, payer=other)
    institutional = builders.claim(patient=p2, payer=acme, kind="837i")
    batches = claims_submit(claims=[*two_acme, one_other, institutional], actor=None)
    assert sorted((b.kind, b.claim_count) for b in batches) == [
        ("837i", 1),
        ("837p", 1),
        ("837p", 2),
    ]
    for batch in batches:
        (interchange,) = parse(batch.content)
        (group,) = interchange.groups
        (st,) = group.transactions
        n = batch.interchange_control_number
        assert int(interchange.control_number) == n == batch.group_control_number
        assert interchange.control_number == f"{n:09d}" and group.control_number == str(n)
        assert st.control_number == f"{n:09d}"
        assert batch.file_name == f"{batch.kind.upper()}_{n:09d}.x12"
        assert batch.status == SubmissionBatch.Status.BUILT and batch.adapter == "sandbox"
        assert pyx12_errors(batch.content) == []
        items = BatchClaim.objects.filter(batch=batch)
        assert {i.transaction_control_number for i in items} == {f"{n:09d}"}
        assert {c.patient_control_number for c in list_claims(batch.content)} == {
            i.claim.control_number for i in items
        }
    controls = sorted(b.interchange_control_number for b in batches)
    assert len(set(controls)) == 3


def test_submitted_claims_are_queued_with_events_and_their_sessions_locked(account):
    claim = builders.claim(patient=_patient())
    (batch,) = claims_submit(claims=[claim], actor=None)
    claim.refresh_from_db()
    assert (claim.status, claim.batch_id) == (Claim.Status.QUEUED, batch.pk)
    event = claim.events.get(kind=ClaimEvent.Kind.QUEUED)
    assert (event.from_status, event.to_status) == ("ready", "queued")
    assert batch.file_name in event.message
    session = Session.objects.get(pk=claim.services.get().session_id)
    assert session.claim_reference == claim.control_number and session.claim_locked_at


def test_claims_not_ready_are_refused_each_with_its_reason_and_nothing_changes(account):
    ready = builders.claim(patient=_patient())
    held = builders.claim(patient=_patient(), status=Claim.Status.HELD)
    sent = builders.claim(patient=_patient(), status=Claim.Status.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        claims_submit(claims=[ready, held, sent], actor=None)
    messages = refused.value.message_dict["claims"]
    assert any(held.control_number in m and "held by the scrubber" in m for m in messages)
    assert any(sent.control_number in m and "submitted" in m for m in messages)
    assert not any(ready.control_number in m for m in messages)
    ready.refresh_from_db()
    assert ready.status == Claim.Status.READY and not SubmissionBatch.objects.exists()


def test_without_a_clearinghouse_account_nothing_is_batched(in_org_a):
    claim = builders.claim(patient=_patient())
    with pytest.raises(ValidationError) as refused:
        claims_submit(claims=[claim], actor=None)
    assert "no active clearinghouse account" in refused.value.message_dict["clearinghouse"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.READY


def test_part2_claims_are_disclosed_once_per_patient_per_batch(account):
    payer = factories.payer(name="Acme Health")
    alex, sam, plain = _patient(), _patient(), _patient()
    for patient in (alex, sam):
        factories.part2_consent(patient_obj=patient)
    claims = [
        builders.claim(patient=alex, payer=payer, part2=True),
        builders.claim(patient=alex, payer=payer, part2=True),
        builders.claim(patient=sam, payer=payer, part2=True),
        builders.claim(patient=plain, payer=payer),
    ]
    (batch,) = claims_submit(claims=claims, actor=factories.user())
    assert batch.claim_count == 4 and batch.part2
    disclosures = Disclosure.objects.order_by("patient_id")
    assert [d.patient_id for d in disclosures] == sorted([alex.pk, sam.pk])
    for d in disclosures:
        assert (d.channel, d.reference, d.purpose, d.recipient) == (
            "837",
            batch.file_name,
            "payment",
            "Acme Health",
        )
        assert sorted(d.information_categories) == sorted(BILLING_CATEGORIES)
        assert d.consent is not None and d.scope_explanation
    alex_row = disclosures.get(patient=alex)
    assert "2 claim(s)" in alex_row.description and batch.file_name in alex_row.description
    # A second batch is a second disclosure for the patient.
    more = builders.claim(patient=alex, payer=payer, part2=True)
    claims_submit(claims=[more], actor=None)
    assert Disclosure.objects.filter(patient=alex).count() == 2


def test_a_refused_disclosure_pulls_the_claim_back_and_the_others_go(account):
    payer = factories.payer(name="Acme Health")
    revoked, consented = _patient(), _patient()
    factories.part2_consent(
        patient_obj=revoked,
        signed_on=factories.TODAY - dt.timedelta(days=30),
        revoked_on=factories.TODAY,
        revocation_method="written",
    )
    factories.part2_consent(patient_obj=consented)
    blocked = builders.claim(patient=revoked, payer=payer, part2=True)
    going = builders.claim(patient=consented, payer=payer, part2=True)
    (batch,) = claims_submit(claims=[blocked, going], actor=None)
    assert batch.claim_count == 1
    assert list(batch.items.values_list("claim_id", flat=True)) == [going.pk]
    blocked.refresh_from_db()
    assert blocked.status == Claim.Status.HELD and "PART2-CONSENT" in blocked.hold_codes
    finding = ClaimFinding.objects.get(claim=blocked, code="PART2-CONSENT")
    assert "revoked" in finding.message and finding.severity == "error"
    event = blocked.events.get(kind=ClaimEvent.Kind.HELD)
    assert (event.from_status, event.to_status) == ("ready", "held")
    assert not Disclosure.objects.filter(patient=revoked).exists()
    session = Session.objects.get(pk=blocked.services.get().session_id)
    assert session.claim_locked_at is None  # free to be corrected while it waits
    assert blocked.control_number not in batch.content


def test_when_every_claim_is_pulled_back_no_batch_is_made(account):
    lone = builders.claim(patient=_patient(), part2=True)  # no consent on file
    assert claims_submit(claims=[lone], actor=None) == []
    lone.refresh_from_db()
    assert lone.status == Claim.Status.HELD
    assert not SubmissionBatch.objects.exists()


def test_a_claim_the_837_cannot_carry_is_pulled_back_with_the_reason(account):
    no_address = builders.claim(patient=factories.patient(address_line1=""))
    fine = builders.claim(patient=_patient())
    (batch,) = claims_submit(claims=[no_address, fine], actor=None)
    assert batch.claim_count == 1
    no_address.refresh_from_db()
    assert no_address.status == Claim.Status.HELD
    finding = ClaimFinding.objects.get(claim=no_address, code="837-MAPPING")
    assert "address" in finding.message


def test_the_send_task_is_enqueued_after_commit(account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batches = claims_submit(claims=[builders.claim(patient=_patient())], actor=None)
    assert len(batches) == 1 and len(callbacks) == 1
