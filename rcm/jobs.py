"""Scheduled jobs, one registry for every app (rcm imports no app: each app registers its jobs
in its AppConfig.ready with `register(Job(...))`).

A job is a function `run(today) -> counts` executed inside the org's context (org_context): by
the worker (the Celery task rcm.tasks.run_job, fanned out by rcm.tasks.nightly_fanout for the
nightly jobs and by the beat for the others), by `manage.py run_job NAME --org SLUG` and by
the admin's "Run now" on the jobs page — the same code path every time (`run_job` below).

Each job runs once per (org, job, key): the key is the org's local date for nightly jobs, the
quarter hour for quarter-hourly ones. A TaskRun row written in the job's own transaction, under
an advisory lock, records the run and its counts; a second run with the same key does nothing
and returns the first run's counts with "skipped": 1. Counts should include `created` (new
alerts, work items or checks) and `updated`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from rcm.tenancy import require_org
from rcm.tenancy.locks import org_xact_lock

SCHEDULES = {
    "nightly": "Every night at 02:00 in the org's time zone",
    "quarter_hourly": "Every 15 minutes",
}


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.date], dict[str, Any]]
    schedule: str  # a key of SCHEDULES
    description: str = ""

    def __post_init__(self) -> None:
        if self.schedule not in SCHEDULES:
            raise ValueError(f"job {self.name}: schedule must be one of {sorted(SCHEDULES)}")

    def key(self, now: dt.datetime) -> str:
        if self.schedule == "nightly":
            return now.date().isoformat()
        return now.replace(minute=now.minute - now.minute % 15, second=0).strftime("%Y-%m-%dT%H:%M")

    @property
    def task_name(self) -> str:
        return f"jobs.{self.name}"


_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    existing = _REGISTRY.get(job.name)
    if existing is not None and existing.run is not job.run:
        raise ValueError(f"two jobs are called {job.name!r}")
    _REGISTRY[job.name] = job
    return job


def jobs() -> list[Job]:
    return sorted(_REGISTRY.values(), key=lambda j: j.name)


def job_named(name: str) -> Job:
    job = _REGISTRY.get(name)
    if job is None:
        raise KeyError(f"No job is called {name!r}; jobs: {', '.join(sorted(_REGISTRY))}.")
    return job


def nightly() -> tuple[str, ...]:
    return tuple(j.name for j in jobs() if j.schedule == "nightly")


def run_job(name: str, *, key: str | None = None) -> dict[str, Any]:
    """Run job `name` in the active org unless it already ran for `key` (default: now's key on
    the org's clock); returns its counts (with "skipped": 1 and the first run's counts)."""
    from rcm.models import TaskRun

    job = job_named(name)
    org = require_org()
    now = timezone.now().astimezone(org.zone)
    key = key or job.key(now)
    with transaction.atomic():
        org_xact_lock("job", name, key)
        done = TaskRun.objects.filter(task_name=job.task_name, key=key).first()
        if done is not None and done.status == TaskRun.Status.DONE:
            first = json.loads(done.detail or "{}")
            return {**first, "job": name, "key": key, "skipped": 1}
        today = dt.date.fromisoformat(key[:10])
        started = timezone.now()
        counts = {**job.run(today), "job": name, "key": key, "skipped": 0}
        TaskRun.objects.update_or_create(
            task_name=job.task_name,
            key=key,
            defaults={
                "status": TaskRun.Status.DONE,
                "detail": json.dumps(counts, default=str),
                "started_at": started,
            },
        )
    return counts


def record_failure(name: str, key: str | None, exc: BaseException) -> None:
    """Record a failed run (called after its transaction rolled back): the exception's class
    and its first line, which our code keeps free of PHI. A later successful run of the same
    key replaces it."""
    from rcm.models import TaskRun

    job = _REGISTRY.get(name)
    if job is None:
        return
    org = require_org()
    key = key or job.key(timezone.now().astimezone(org.zone))
    message = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    TaskRun.objects.update_or_create(
        task_name=job.task_name,
        key=key,
        defaults={"status": TaskRun.Status.FAILED, "detail": json.dumps({"error": message})},
    )


def manual_key(now: dt.datetime) -> str:
    """The key of an admin's "Run now": today's date (the day the job works on) and the time,
    so it runs even when tonight's run is done."""
    return now.strftime("%Y-%m-%dT%H:%M:%S") + "-manual"


def last_runs(limit: int = 50) -> list[Any]:
    """The active org's latest job runs, newest first."""
    from rcm.models import TaskRun

    return list(
        TaskRun.objects.filter(task_name__startswith="jobs.").order_by("-finished_at")[:limit]
    )
