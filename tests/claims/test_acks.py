"""Importing 999 and 277CA files: batches and claims move with events, each file once; files
that are not acknowledgments (or not readable) are refused with the reason and change nothing."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections

from claims.acks import import_x12, responses_poll
from claims.models import AcknowledgmentFile, Claim, ClaimEvent, SubmissionBatch
from claims.submission import batch_send, claims_submit
from edi.ack277 import read_277ca
from edi.ack999 import (
    Ack999,
    Context,
    ElementError,
    SegmentError,
    TransactionAck,
    group_ack,
    write_999,
)
from edi.x12_writer import Envelope
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.edi.samples import SAMPLES, needs_samples, sample_names

NOW = dt.datetime(2026, 11, 3, 10, 0)


def _patient():
    return factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )


def _claim(payer, member_id="MEM000001"):
    coverage = factories.coverage(patient_obj=_patient(), payer_obj=payer, member_id=member_id)
    return builders.claim(coverage=coverage, lines=[{"code": "90834", "charge": Decimal("150")}])


def submitted(claims):
    """The claims in one batch, sent to the sandbox (its 999 and 277CA waiting)."""
    (batch,) = claims_submit(claims=claims, actor=None, enqueue=False)
    assert batch_send(batch_id=batch.pk).status == "sent"
    batch.refresh_from_db()
    for claim in claims:
        claim.refresh_from_db()
    return batch


@pytest.fixture
def world(in_org_a):
    factories.clearinghouse_account()
    payer = factories.payer(name="Acme Health")
    fine, unknown_member = _claim(payer), _claim(payer, member_id="MEM000009")
    batch = submitted([fine, unknown_member])
    return batch, fine, unknown_member


def _999(batch, *, status="R", sets=None, group_errors=()):
    sets = sets or [
        TransactionAck(
            set_id="837",
            control_number=f"{batch.group_control_number:09d}",
            status=status,
            error_codes=("5",) if status == "R" else (),
            errors=(
                SegmentError(
                    segment_id="NM1",
                    position=16,
                    code="8",
                    loop="2010",
                    elements=(ElementError(position=9, code="7", reference_number="67"),),
                ),
            )
            if status == "R"
            else (),
        )
    ]
    ack = group_ack(
        functional_id="HC",
        group_control=str(batch.group_control_number),
        version="005010X222A1",
        sets=sets,
    )
    if group_errors:
        ack = Ack999(**{**ack.__dict__, "status": "R", "error_codes": tuple(group_errors)})
    envelope = Envelope(
        sender_id="SANDBOXCH", receiver_id="SUBMIT01", control_number=5, created=NOW, usage="T"
    )
    return write_999(ack, envelope=envelope, group_control=5).encode()


def _states():
    claims = list(Claim.objects.order_by("pk").values_list("pk", "status", "version"))
    batches = list(SubmissionBatch.objects.order_by("pk").values_list("pk", "status"))
    return claims, batches, ClaimEvent.objects.count()


@pytest.mark.django_db
def test_polling_the_sandbox_imports_its_999_and_277ca(world):
    batch, fine, unknown_member = world
    summary = responses_poll()
    assert summary.as_dict() | {"refused": []} == {
        "files": 2,
        "acknowledgments_999": 1,
        "acknowledgments_277ca": 1,
        "batches_accepted": 1,
        "batches_rejected": 0,
        "batches_partial": 0,
        "claims_accepted": 1,
        "claims_rejected": 1,
        "claims_pending": 0,
        "claims_unchanged": 0,
        "claims_unmatched": 0,
        "acknowledgments_unmatched": 0,
        "duplicates_skipped": 0,
        "refused": [],
    }
    batch.refresh_from_db()
    assert batch.status == SubmissionBatch.Status.ACCEPTED
    fine.refresh_from_db()
    assert fine.status == Claim.Status.ACCEPTED and fine.acknowledged_at is not None
    assert fine.payer_claim_number == f"SBX{fine.control_number}"
    accepted = fine.events.get(kind=ClaimEvent.Kind.ACCEPTED)
    assert accepted.data["statuses"] == ["A1:20:PR", "A2:20:PR"]
    assert (accepted.from_status, accepted.to_status) == ("submitted", "accepted")
    unknown_member.refresh_from_db()
    assert unknown_member.status == Claim.Status.REJECTED
    assert unknown_member.rejection.startswith("277CA A7:21:IL: rejected: information invalid")
    assert "eligibility file" in unknown_member.rejection
    rejected = unknown_member.events.get(kind=ClaimEvent.Kind.REJECTED)
    assert rejected.data["statuses"] == ["A7:21:IL"] and "eligibility" in rejected.note
    rows = AcknowledgmentFile.objects.order_by("kind")
    assert [(r.kind, r.status, r.batch_id) for r in rows] == [
        ("277ca", "imported", batch.pk),
        ("999", "imported", batch.pk),
    ]
    assert responses_poll().files == 0  # the mailbox was emptied


@pytest.mark.django_db
def test_the_same_file_twice_is_imported_once(world):
    batch, fine, _ = world
    content = _999(batch, status="A")
    first = import_x12(content=content, file_name="a.999", actor=None)
    again = import_x12(content=content, file_name="copy-of-a.999", actor=None)
    assert (first.batches_accepted, first.duplicates_skipped) == (1, 0)
    assert (again.batches_accepted, again.duplicates_skipped) == (0, 1)
    assert AcknowledgmentFile.objects.count() == 1


@pytest.mark.django_db
def test_a_rejecting_999_rejects_the_batch_and_its_claims_in_plain_words(world):
    batch, fine, unknown_member = world
    summary = import_x12(content=_999(batch), file_name="r.999", actor=None)
    assert (summary.batches_rejected, summary.claims_rejected) == (1, 2)
    batch.refresh_from_db()
    assert batch.status == SubmissionBatch.Status.REJECTED
    fine.refresh_from_db()
    assert fine.status == Claim.Status.REJECTED
    assert fine.rejection == (
        "999 rejected the file: segment NM1 at position 16 (loop 2010): segment has data "
        "element errors; element NM109: code value not allowed; one or more segments in error."
    )
    event = fine.events.get(kind=ClaimEvent.Kind.REJECTED)
    assert event.data["ak9"] == "R" and event.message == fine.rejection


@pytest.mark.django_db
def test_errors_naming_a_claim_come_first_in_its_reason(world):
    batch, fine, unknown_member = world
    named = SegmentError(
        segment_id="SV1",
        position=30,
        code="8",
        loop="2400",
        context=(Context(name="CLM01", reference=unknown_member.control_number),),
        elements=(ElementError(position=2, code="6"),),
    )
    other = SegmentError(segment_id="NM1", position=16, code="8", loop="2010")
    rejected = TransactionAck(
        set_id="837",
        control_number=f"{batch.group_control_number:09d}",
        status="R",
        error_codes=("5",),
        errors=(other, named),
    )
    import_x12(content=_999(batch, sets=[rejected]), file_name="ctx.999", actor=None)
    unknown_member.refresh_from_db()
    assert unknown_member.rejection.startswith("999 rejected the file: segment SV1 at position 30")


@pytest.mark.django_db
def test_a_partly_accepting_999_rejects_only_the_claims_of_the_rejected_set(world):
    batch, fine, _ = world
    ours = TransactionAck(
        set_id="837",
        control_number=f"{batch.group_control_number:09d}",
        status="R",
        error_codes=("5",),
    )
    another = TransactionAck(set_id="837", control_number="0002", status="A")
    summary = import_x12(content=_999(batch, sets=[ours, another]), file_name="p.999", actor=None)
    assert (summary.batches_partial, summary.claims_rejected) == (1, 2)
    batch.refresh_from_db()
    assert batch.status == SubmissionBatch.Status.PARTIAL


@pytest.mark.django_db
def test_a_999_for_a_group_the_org_never_sent_is_reported_unmatched(world):
    batch, *_ = world
    batch.group_control_number += 1000
    foreign = _999(batch, status="A")
    batch.refresh_from_db()
    before = _states()
    summary = import_x12(content=foreign, file_name="x.999", actor=None)
    assert (summary.acknowledgments_999, summary.acknowledgments_unmatched) == (1, 1)
    assert _states() == before


@pytest.mark.django_db
def test_the_acknowledgment_import_sends_an_835_to_the_remittance_import(world):
    before = _states()
    content = (SAMPLES / "835" / "lfh__managed-care.x12").read_bytes()
    summary = import_x12(content=content, file_name="era.835", actor=None)
    assert summary.refused == [
        {
            "file": "era.835",
            "reason": "An 835 remittance: post it with the remittance import "
            "(manage.py import_x12, Remittances page).",
        }
    ]
    assert _states() == before
    row = AcknowledgmentFile.objects.get()
    assert (row.status, row.kind) == ("refused", "")


@pytest.mark.django_db
def test_a_malformed_file_is_refused_with_the_reason_and_changes_nothing(world):
    batch, *_ = world
    before = _states()
    truncated = _999(batch, status="R")[:-40]
    summary = import_x12(content=truncated, file_name="cut.999", actor=None)
    (refusal,) = summary.refused
    assert refusal["file"] == "cut.999" and "Not a readable X12 file" in refusal["reason"]
    assert _states() == before
    again = import_x12(content=truncated, file_name="cut.999", actor=None)
    assert again.refused and not again.duplicates_skipped  # a refusal is not an import
    assert AcknowledgmentFile.objects.filter(status="refused").count() == 1


@needs_samples
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "name"),
    [("999", n) for n in sample_names("999")] + [("277", n) for n in sample_names("277")],
)
def test_each_shared_sample_imports_or_is_refused_with_a_reason(world, kind, name):
    content = (SAMPLES / kind / name).read_bytes()
    before = _states()
    summary = import_x12(content=content, file_name=name, actor=None)
    assert _states() == before  # refused, or about claims and groups that are not ours
    row = AcknowledgmentFile.objects.get(file_name=name)
    if summary.refused:
        (refusal,) = summary.refused
        assert refusal["reason"] and row.status == "refused" and row.reason == refusal["reason"]
        return
    assert row.status == "imported"
    if row.kind == "999":
        assert summary.acknowledgments_999 == summary.acknowledgments_unmatched >= 1
    else:
        claims = sum(len(ack.claims) for ack in read_277ca(content))
        assert summary.acknowledgments_277ca >= 1 and summary.claims_unmatched == claims
    assert summary.claims_accepted == summary.claims_rejected == 0


@needs_samples
@pytest.mark.django_db
def test_the_samples_say_what_they_are(world):
    results = {}
    for kind in ("999", "277"):
        for name in sample_names(kind):
            content = (SAMPLES / kind / name).read_bytes()
            results[name] = import_x12(content=content, file_name=name, actor=None)
    assert results["imsweb__277ca-accepted.x12"].claims_unmatched >= 1
    assert (
        "status response"
        in results["lfh__x212-claim-level-status-response.x12"].refused[0]["reason"]
    )
    assert results["pyx12__999-for-834-multiple-st.x12"].acknowledgments_unmatched == 4


def test_two_imports_of_one_file_at_the_same_moment_import_it_once(committed_db):
    org = factories.organization()
    with org_context(org):
        factories.clearinghouse_account()
        payer = factories.payer()
        claims = [_claim(payer)]
        batch = submitted(claims)
        content = _999(batch)
    start, results = threading.Barrier(2), []

    def run() -> None:
        try:
            start.wait()
            with org_context(org):
                results.append(import_x12(content=content, file_name="same.999", actor=None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted((r.claims_rejected, r.duplicates_skipped) for r in results) == [(0, 1), (1, 0)]
    with org_context(org):
        assert AcknowledgmentFile.objects.count() == 1
        assert ClaimEvent.objects.filter(kind=ClaimEvent.Kind.REJECTED).count() == 1
