from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from rcm.celery import app, org_task
from rcm.jobs import nightly


def _job_failed(org: Any, name: str, key: str | None = None, *, exc: BaseException) -> None:
    from rcm.jobs import record_failure

    record_failure(name, key, exc)


@org_task(on_failure=_job_failed)
def run_job(org: Any, name: str, key: str | None = None) -> dict[str, Any]:
    """Run one registered job in the org (rcm.jobs: once per job and key); the nightly fan-out,
    the beat, `manage.py run_job` and the jobs page all come through here."""
    from rcm.jobs import run_job as run

    return run(name, key=key)


@org_task()
def record_heartbeat(org: Any, key: str) -> str:
    """Idempotent by (task, key): proves a worker ran inside the org."""
    from rcm.models import TaskRun

    run, _ = TaskRun.objects.get_or_create(
        task_name="rcm.tasks.record_heartbeat",
        key=key,
        defaults={"status": TaskRun.Status.DONE, "detail": f"ran on {timezone.localdate()}"},
    )
    return str(run.public_id)


# Night jobs start at 02:00 on each clinic's own clock: "the day" a job works on is the org's
# local date, not UTC's (an evening in California is already tomorrow in UTC).
NIGHTLY_LOCAL_HOUR = 2


def nights_due(
    zones: Iterable[tuple[int, str]], now: datetime.datetime, hour: int = NIGHTLY_LOCAL_HOUR
) -> list[tuple[int, datetime.date]]:
    """(org id, local date) for each org whose local clock reached `hour` within the hour
    before `now` (the beat runs hourly). "Reached", not "reads": on a spring-forward day US
    clocks jump from 02:00 to 03:00, so 03:00 is when that night starts; on a fall-back day the
    repeated hour never reaches `hour` twice. Exactly one night per local date."""
    due = []
    for org_id, zone in zones:
        tz = zoneinfo.ZoneInfo(zone)
        local = now.astimezone(tz)
        before = (now - datetime.timedelta(hours=1)).astimezone(tz)
        crossed = before.date() < local.date() or before.hour < hour
        if local.hour >= hour and crossed:
            due.append((org_id, local.date()))
    return due


@app.task(name="rcm.tasks.nightly_fanout")
def nightly_fanout() -> int:
    """Runs hourly; starts the night jobs of the orgs whose local night has come. Each job is
    keyed by the org's local date, so a repeated or late run never does a night twice."""
    from rcm.models import Organization

    zones = Organization.objects.values_list("id", "time_zone")
    due = nights_due(zones, timezone.now())
    for org_id, local_day in due:
        record_heartbeat.delay(org_id, f"nightly-{local_day.isoformat()}")
        # Every nightly job the apps registered (rcm.jobs), keyed by the org's local date.
        for job in nightly():
            run_job.delay(org_id, job, local_day.isoformat())
    return len(due)


def enqueue_on_commit(signature: Any) -> None:
    """Enqueue a task signature after the current transaction commits, so the worker sees
    committed rows (and nothing is sent when the transaction rolls back)."""
    transaction.on_commit(signature.apply_async)
