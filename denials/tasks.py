"""Denials tasks: ids only in the arguments (never PHI); each re-fetches and calls a service."""

from __future__ import annotations

from typing import Any

from rcm.celery import app, org_task


@org_task()
def post_upload(org: Any, token: str, actor_id: int | None) -> str:
    """Post an upload too large to post while the biller waits (denials.uploads)."""
    from django.contrib.auth import get_user_model

    from denials.uploads import upload_run

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return str(upload_run(token=token, actor=actor).get("state"))


@org_task()
def poll_clearinghouse(org: Any) -> dict[str, Any]:
    """Fetch what the org's clearinghouse has waiting and import it: 835s are posted,
    acknowledgments go to claims (idempotent: files already imported are skipped by hash)."""
    from claims.clearinghouse import NoClearinghouseAccount
    from denials.imports import clearinghouse_poll

    try:
        return clearinghouse_poll().as_dict()
    except NoClearinghouseAccount:
        return {"files": 0, "skipped": "no active clearinghouse account"}


@app.task(name="denials.tasks.poll_all_clearinghouses")
def poll_all_clearinghouses() -> int:
    """The beat's fan-out: one poll per org (an org without an account returns at once)."""
    from rcm.models import Organization

    org_ids = list(Organization.objects.values_list("id", flat=True))
    for org_id in org_ids:
        poll_clearinghouse.delay(org_id)
    return len(org_ids)
