from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rcm.celery import app, org_task


@org_task()
def record_heartbeat(org: Any, key: str) -> str:
    """Idempotent by (task, key): proves a worker ran inside the org."""
    from rcm.models import TaskRun

    run, _ = TaskRun.objects.get_or_create(
        task_name="rcm.tasks.record_heartbeat",
        key=key,
        defaults={"status": TaskRun.Status.DONE, "detail": f"ran at {timezone.now():%Y-%m-%d}"},
    )
    return str(run.public_id)


@app.task(name="rcm.tasks.nightly_fanout")
def nightly_fanout() -> int:
    from rcm.models import Organization

    stamp = timezone.now().strftime("%Y-%m-%d")
    org_ids = list(Organization.objects.values_list("id", flat=True))
    for org_id in org_ids:
        record_heartbeat.delay(org_id, f"nightly-{stamp}")
    return len(org_ids)


def enqueue_on_commit(signature: Any) -> None:
    """Enqueue a task signature after the current transaction commits, so the worker sees
    committed rows (and nothing is sent when the transaction rolls back)."""
    transaction.on_commit(signature.apply_async)
