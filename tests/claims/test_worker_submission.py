"""A real Celery worker (its own process, real Redis, the test database as the app role) sends
batches to the sandbox and to a loopback SFTP server, retries a dropped connection with backoff,
sends a batch once when two tasks race, and imports the sandbox's responses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from claims.models import Claim, SubmissionBatch
from claims.submission import claims_submit
from claims.tasks import poll_responses, send_batch
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.claims.conftest import sftp_settings
from tests.rcm.test_celery_worker import app_database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture
def worker_queue(committed_db) -> Iterator[str]:
    queue = f"itest-claims-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rcm.settings.dev",
        "DATABASE_URL": app_database_url(),
        "DEBUG": "0",
        "CLAIMS_SEND_BACKOFF_SECONDS": "0.5",
    }
    env.pop("DATABASE_OWNER_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rcm",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for(org: Any, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with org_context(org):
            found = check()
        if found:
            return found
        time.sleep(0.3)
    return None


def _claim(payer: Any, member_id: str) -> Claim:
    patient = factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )
    coverage = factories.coverage(patient_obj=patient, payer_obj=payer, member_id=member_id)
    return builders.claim(coverage=coverage, lines=[{"code": "90834", "charge": Decimal("150")}])


def _batch(org: Any, **account: Any) -> tuple[SubmissionBatch, list[Claim]]:
    with org_context(org):
        factories.clearinghouse_account(**account)
        payer = factories.payer(name="Acme Health")
        claims = [_claim(payer, "MEM000001"), _claim(payer, "MEM000009")]
        (batch,) = claims_submit(claims=claims, actor=None, enqueue=False)
    return batch, claims


def test_a_worker_sends_to_the_sandbox_and_imports_its_answers(worker_queue):
    org = factories.organization()
    batch, (fine, unknown) = _batch(org)
    send_batch.apply_async(args=[org.pk, batch.pk], queue=worker_queue)
    sent = wait_for(org, lambda: SubmissionBatch.objects.filter(pk=batch.pk, status="sent").first())
    assert sent is not None and sent.attempts == 1
    poll_responses.apply_async(args=[org.pk], queue=worker_queue)
    answered = wait_for(
        org,
        lambda: (
            Claim.objects.filter(
                pk__in=[fine.pk, unknown.pk], status__in=["accepted", "rejected"]
            ).count()
            == 2
        ),
    )
    assert answered
    with org_context(org):
        statuses = dict(Claim.objects.values_list("pk", "status"))
        assert (statuses[fine.pk], statuses[unknown.pk]) == ("accepted", "rejected")
        assert SubmissionBatch.objects.get(pk=batch.pk).status == "accepted"


def test_a_dropped_connection_is_retried_by_the_worker_until_sent(
    worker_queue, sftp_server, sftp_root
):
    org = factories.organization()
    batch, _ = _batch(
        org, adapter="sftp", settings=sftp_settings(sftp_server), password=sftp_server.password
    )
    sftp_server.drop_next = 2
    send_batch.apply_async(args=[org.pk, batch.pk], queue=worker_queue)
    sent = wait_for(org, lambda: SubmissionBatch.objects.filter(pk=batch.pk, status="sent").first())
    assert sent is not None and sent.attempts == 3 and sent.last_error == ""
    assert (sftp_root / "outbox" / batch.file_name).is_file()
    assert sftp_server.connections == 3


def test_two_racing_send_tasks_send_the_batch_once(worker_queue, sftp_server, sftp_root):
    org = factories.organization()
    batch, claims = _batch(
        org, adapter="sftp", settings=sftp_settings(sftp_server), password=sftp_server.password
    )
    sftp_server.write_delay = 1.0
    for _ in range(2):
        send_batch.apply_async(args=[org.pk, batch.pk], queue=worker_queue)
    sent = wait_for(org, lambda: SubmissionBatch.objects.filter(pk=batch.pk, status="sent").first())
    assert sent is not None
    time.sleep(2)  # let the second task finish (it waited on the row, then found it sent)
    assert sftp_server.connections == 1
    with org_context(org):
        assert SubmissionBatch.objects.get(pk=batch.pk).attempts == 1
        assert set(
            Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("status", flat=True)
        ) == {"submitted"}
