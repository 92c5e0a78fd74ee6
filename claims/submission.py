"""Submitting claims: READY claims become 837 batches (`claims_submit`), and a batch is sent
through the org's clearinghouse adapter (`batch_send`, run by the `claims.tasks.send_batch`
task).

Sending is idempotent and serialized on the batch row: the sender locks it (SELECT ... FOR
UPDATE) for its transaction and sends only a batch still BUILT, so a second task, concurrent or
late, finds it SENT and sends nothing. A transport error is recorded on the batch (attempts,
last error) and tried again with exponential backoff; after the last attempt, or at once for an
error retrying cannot fix (refused login, wrong settings), the batch is FAILED with the reason
and its claims go back to the ready queue."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from claims.clearinghouse import (
    Adapter,
    ClearinghouseError,
    account_for_org,
    adapter_for,
)
from claims.models import Claim, ClaimEvent, SubmissionBatch
from claims.services import _event

log = logging.getLogger(__name__)


# --- Sending a batch -------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    """What `batch_send` did: "sent", "skipped" (not BUILT: already sent, failed or answered),
    "retry" (a transport error; try again in `retry_in` seconds) or "failed"."""

    status: str
    batch_status: str
    reason: str = ""
    retry_in: float | None = None


def backoff_seconds(attempt: int, *, jitter: bool = True) -> float:
    """Delay before attempt `attempt + 1`: BACKOFF * 2^(attempt-1), capped, +-20% jitter so
    that many batches failing together do not all come back at the same second."""
    base = settings.CLAIMS_SEND_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0))
    delay = min(base, settings.CLAIMS_SEND_BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2) if jitter else delay


def batch_send(*, batch_id: int, adapter: Adapter | None = None, actor: Any = None) -> SendOutcome:
    """Send one batch (inside the org's transaction). See the module docstring."""
    batch = SubmissionBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status != SubmissionBatch.Status.BUILT:
        return SendOutcome("skipped", batch.status)
    batch.attempts += 1
    try:
        adapter = adapter or adapter_for(account_for_org())
        reference = adapter.send(batch)
    except ClearinghouseError as exc:
        return _send_failed(batch, exc, actor=actor)
    _sent(batch, reference, adapter_name=adapter.name, actor=actor)
    return SendOutcome("sent", batch.status)


def _sent(batch: SubmissionBatch, reference: str, *, adapter_name: str, actor: Any) -> None:
    now = timezone.now()
    batch.status = SubmissionBatch.Status.SENT
    batch.sent_at, batch.remote_reference, batch.last_error = now, reference[:120], ""
    batch.save(update_fields=["status", "sent_at", "remote_reference", "last_error", "attempts"])
    claims = _queued_claims(batch)
    for claim in claims:
        claim.status, claim.submitted_at = Claim.Status.SUBMITTED, now
    Claim.objects.bulk_update(claims, ["status", "submitted_at"])
    ClaimEvent.objects.bulk_create(
        _event(
            c,
            ClaimEvent.Kind.SUBMITTED,
            actor=actor,
            from_status=Claim.Status.QUEUED,
            message=f"Sent in {batch.file_name} ({adapter_name})",
            data={"batch": str(batch.public_id)},
        )
        for c in claims
    )
    log.info("batch %s sent (%s claims)", batch.pk, len(claims))


def _send_failed(batch: SubmissionBatch, exc: ClearinghouseError, *, actor: Any) -> SendOutcome:
    reason = str(exc)
    batch.last_error = reason
    if exc.retryable and batch.attempts < settings.CLAIMS_SEND_MAX_ATTEMPTS:
        batch.save(update_fields=["attempts", "last_error"])
        delay = backoff_seconds(batch.attempts)
        log.warning("batch %s attempt %s failed; retry in %.0fs", batch.pk, batch.attempts, delay)
        return SendOutcome("retry", batch.status, reason, retry_in=delay)
    batch.status = SubmissionBatch.Status.FAILED
    batch.save(update_fields=["status", "attempts", "last_error"])
    claims = _queued_claims(batch)
    for claim in claims:
        claim.status = Claim.Status.READY
    Claim.objects.bulk_update(claims, ["status"])
    ClaimEvent.objects.bulk_create(
        _event(
            c,
            ClaimEvent.Kind.CHANGED,
            actor=actor,
            from_status=Claim.Status.QUEUED,
            message=f"Sending {batch.file_name} failed; back in the ready queue: {reason}",
            data={"batch": str(batch.public_id)},
        )
        for c in claims
    )
    log.error("batch %s failed after %s attempts", batch.pk, batch.attempts)
    return SendOutcome("failed", batch.status, reason)


def _queued_claims(batch: SubmissionBatch) -> list[Claim]:
    ids = batch.items.values("claim_id")
    return list(
        Claim.objects.select_for_update()
        .filter(pk__in=ids, status=Claim.Status.QUEUED)
        .order_by("pk")
    )


def batches_waiting(statuses: Iterable[str] = (SubmissionBatch.Status.BUILT,)) -> Any:
    return SubmissionBatch.objects.filter(status__in=list(statuses)).order_by("created_at")
