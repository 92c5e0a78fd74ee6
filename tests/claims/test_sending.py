"""Sending a built batch (claims.submission.batch_send, the send_batch task): once, with
retries and backoff on transport errors, failed with the reason after the last attempt."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import override_settings

from claims.models import BatchClaim, Claim, ClaimEvent, SubmissionBatch
from claims.submission import backoff_seconds, batch_send
from claims.tasks import send_batch
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.claims.conftest import sftp_settings


def queued_batch(claims, **fields):
    batch = factories.submission_batch(**fields)
    for claim in claims:
        claim.status, claim.batch = Claim.Status.QUEUED, batch
        claim.save(update_fields=["status", "batch"])
        BatchClaim.objects.create(batch=batch, claim=claim, transaction_control_number="0001")
    return batch


def sftp_account(server, **fields):
    fields.setdefault("password", server.password)
    return factories.clearinghouse_account(
        adapter="sftp", settings=sftp_settings(server, **fields.pop("settings", {})), **fields
    )


@pytest.mark.django_db
def test_a_sent_batch_is_marked_sent_and_its_claims_submitted(in_org_a, sftp_server, sftp_root):
    sftp_account(sftp_server)
    claims = [builders.claim(), builders.claim()]
    batch = queued_batch(claims, content="ISA*837~")
    versions = {c.pk: c.version for c in claims}
    outcome = batch_send(batch_id=batch.pk)
    assert (outcome.status, outcome.batch_status) == ("sent", SubmissionBatch.Status.SENT)
    batch.refresh_from_db()
    assert batch.attempts == 1 and batch.sent_at is not None
    assert batch.remote_reference == f"outbox/{batch.file_name}"
    assert (sftp_root / "outbox" / batch.file_name).read_text() == "ISA*837~"
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status == Claim.Status.SUBMITTED and claim.submitted_at is not None
        assert claim.version == versions[claim.pk] + 1  # a page opened before is stale
        event = claim.events.get(kind=ClaimEvent.Kind.SUBMITTED)
        assert (event.from_status, event.to_status) == ("queued", "submitted")
        assert batch.file_name in event.message


@pytest.mark.django_db
def test_a_batch_already_sent_is_not_sent_again(in_org_a, sftp_server):
    sftp_account(sftp_server)
    batch = queued_batch([builders.claim()])
    assert batch_send(batch_id=batch.pk).status == "sent"
    assert batch_send(batch_id=batch.pk).status == "skipped"
    assert sftp_server.connections == 1
    assert SubmissionBatch.objects.get(pk=batch.pk).attempts == 1


@pytest.mark.django_db
def test_the_task_sends_the_batch_once(in_org_a, org_a, sftp_server):
    sftp_account(sftp_server)
    batch = queued_batch([builders.claim()])
    assert send_batch.apply(args=(org_a.pk, batch.pk)).get() == "sent"
    assert send_batch.apply(args=(org_a.pk, batch.pk)).get() == "skipped"
    assert sftp_server.connections == 1


def test_two_concurrent_sends_send_once(committed_db, sftp_server, sftp_root):
    org = factories.organization()
    with org_context(org):
        sftp_account(sftp_server)
        batch = queued_batch([builders.claim()])
    sftp_server.write_delay = 1.0  # the first sender holds the batch's row while uploading
    start, outcomes = threading.Barrier(2), []

    def send() -> None:
        try:
            start.wait()
            with org_context(org):
                outcomes.append(batch_send(batch_id=batch.pk).status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["sent", "skipped"]
    assert sftp_server.connections == 1
    assert [p.name for p in (sftp_root / "outbox").iterdir()] == [batch.file_name]


@pytest.mark.django_db
@override_settings(CLAIMS_SEND_BACKOFF_SECONDS=10, CLAIMS_SEND_MAX_ATTEMPTS=5)
def test_transport_errors_are_retried_with_growing_backoff_then_sent(in_org_a, sftp_server):
    sftp_account(sftp_server)
    claim = builders.claim()
    batch = queued_batch([claim])
    sftp_server.drop_next = 2
    first, second, third = (batch_send(batch_id=batch.pk) for _ in range(3))
    assert (first.status, second.status, third.status) == ("retry", "retry", "sent")
    assert 8 <= first.retry_in <= 12 and 16 <= second.retry_in <= 24
    assert "SFTP upload at 127.0.0.1" in first.reason
    batch.refresh_from_db()
    assert (batch.attempts, batch.last_error, batch.status) == (3, "", "sent")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


@override_settings(CLAIMS_SEND_BACKOFF_SECONDS=30, CLAIMS_SEND_BACKOFF_MAX_SECONDS=200)
@pytest.mark.parametrize(("attempt", "delay"), [(1, 30), (2, 60), (3, 120), (4, 200), (9, 200)])
def test_the_backoff_doubles_up_to_its_cap(attempt, delay):
    assert backoff_seconds(attempt, jitter=False) == delay
    assert 0.8 * delay <= backoff_seconds(attempt) <= 1.2 * delay


@pytest.mark.django_db
@override_settings(CLAIMS_SEND_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_the_batch_fails_and_its_claims_are_ready_again(
    in_org_a, sftp_server
):
    sftp_account(sftp_server)
    claim = builders.claim()
    batch = queued_batch([claim])
    sftp_server.stop()
    assert batch_send(batch_id=batch.pk).status == "retry"
    last = batch_send(batch_id=batch.pk)
    assert (last.status, last.batch_status) == ("failed", SubmissionBatch.Status.FAILED)
    batch.refresh_from_db()
    assert batch.attempts == 2 and batch.last_error.startswith("SFTP upload at 127.0.0.1")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.READY
    event = claim.events.get(kind=ClaimEvent.Kind.CHANGED)
    assert (event.from_status, event.to_status) == ("queued", "ready")
    assert "failed" in event.message
    assert batch_send(batch_id=batch.pk).status == "skipped"  # failed is final


@pytest.mark.django_db
def test_a_refused_login_fails_the_batch_at_once_without_phi_in_the_reason(in_org_a, sftp_server):
    sftp_account(sftp_server, password="not-the-password")
    patient = factories.patient(last_name="Zyxwvut", first_name="Quentin")
    claim = builders.claim(patient=patient)
    batch = queued_batch([claim], content="ISA*...*NM1*QC*1*ZYXWVUT*QUENTIN~")
    outcome = batch_send(batch_id=batch.pk)
    assert outcome.status == "failed"
    batch.refresh_from_db()
    assert batch.attempts == 1 and "refused the login of 'clinic'" in batch.last_error
    for text in (batch.last_error, *claim.events.values_list("message", flat=True)):
        assert "not-the-password" not in text
        assert "ZYXWVUT" not in text.upper() and "QUENTIN" not in text.upper()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.READY


@pytest.mark.django_db
def test_an_org_without_a_clearinghouse_account_fails_the_batch_with_that_reason(in_org_a):
    batch = queued_batch([builders.claim()])
    outcome = batch_send(batch_id=batch.pk)
    assert outcome.status == "failed"
    assert "no active clearinghouse account" in outcome.reason
