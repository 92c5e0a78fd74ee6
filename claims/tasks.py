"""Claims tasks: ids only in the arguments (never PHI); each re-fetches and calls a service."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from rcm.celery import RetryAfterCommit, org_task


@org_task(max_retries=settings.CLAIMS_SEND_MAX_ATTEMPTS + 2)
def send_batch(org: Any, batch_id: int) -> Any:
    """Send a built batch through the org's clearinghouse adapter. Idempotent: a batch already
    sent (or being sent by another worker, which holds its row) is not sent again. A transport
    error is retried with exponential backoff once the attempt is recorded."""
    from claims.submission import batch_send

    outcome = batch_send(batch_id=batch_id)
    if outcome.retry_in is not None:
        return RetryAfterCommit(outcome.retry_in)
    return outcome.status
