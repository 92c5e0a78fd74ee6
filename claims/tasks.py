"""Claims tasks: ids only in the arguments (never PHI); each re-fetches and calls a service."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from rcm.celery import RetryAfterCommit, app, org_task


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


@org_task()
def poll_responses(org: Any) -> dict[str, Any]:
    """Fetch and import the responses waiting at the org's clearinghouse (idempotent: files
    already imported are skipped by their content hash)."""
    from claims.acks import responses_poll
    from claims.clearinghouse import NoClearinghouseAccount

    try:
        return responses_poll().as_dict()
    except NoClearinghouseAccount:
        return {"files": 0, "skipped": "no active clearinghouse account"}


@app.task(name="claims.tasks.poll_all_responses")
def poll_all_responses() -> int:
    """The beat's fan-out: one poll per org (an org without an account returns at once)."""
    from rcm.models import Organization

    org_ids = list(Organization.objects.values_list("id", flat=True))
    for org_id in org_ids:
        poll_responses.delay(org_id)
    return len(org_ids)


@org_task()
def run_eligibility_check(org: Any, check_id: int) -> str:
    """Ask a queued eligibility check (the patient page's button queues it, then polls for
    the card). Idempotent: a check already asked is left as it is."""
    from claims.eligibility import eligibility_check_send
    from claims.models import EligibilityCheck

    check = EligibilityCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "missing"
    return eligibility_check_send(check=check).status
