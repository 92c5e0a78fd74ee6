"""The Celery app, the org task decorator and the one beat schedule."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")

app = Celery("rcm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)

# One beat schedule, in code. Each entry fans out per org; the task itself takes an org_id.
app.conf.beat_schedule = {
    # Every hour on the hour: start the night jobs of each org whose local clock reads 02:00
    # (orgs keep their own time zone; later issues hang eligibility re-checks, authorization
    # expiry alerts off this fan-out). Every nightly job registered in rcm.jobs (e.g. the
    # denial follow-ups) starts here as rcm.tasks.run_job, keyed by the org's local date.
    "nightly-org-fanout": {
        "task": "rcm.tasks.nightly_fanout",
        "schedule": crontab(minute=0),
    },
    # Every 15 minutes: ask each org's clearinghouse for the responses waiting and import them:
    # 999s and 277CAs move claims, 835s are posted (denials.tasks.poll_clearinghouse; files
    # already imported are skipped).
    "poll-clearinghouse-responses": {
        "task": "denials.tasks.poll_all_clearinghouses",
        "schedule": crontab(minute="*/15"),
    },
}


@dataclass(frozen=True)
class RetryAfterCommit:
    """Returned by an org task that did part of its work and wants to run again later: unlike
    raising (which rolls the task's transaction back), what it wrote so far is committed first
    (e.g. the attempt it just made), then Celery retries it in `countdown` seconds."""

    countdown: float


def org_task(
    *,
    idempotent: bool = True,
    max_retries: int = 5,
    on_failure: Callable[..., None] | None = None,
    **options: Any,
) -> Callable:
    """Declare a task that runs inside one org: its first argument is `org_id`.

    The org is activated (ORM scope + SET LOCAL for row-level security) for the task's whole
    transaction and reset afterwards. Idempotent tasks are acknowledged late and re-queued when a
    worker dies. After the last retry a dead-letter TaskRun row records the failure (no PHI).
    A task may return `RetryAfterCommit(countdown)` to be retried after its transaction commits.
    `on_failure(org, *args, exc=exc)` runs after each failed attempt, in a fresh org transaction
    (the failed one has been rolled back), to record the failure where people look for it.
    """

    def decorator(func: Callable[..., Any]) -> Any:
        @app.task(
            bind=True,
            name=options.pop("name", f"{func.__module__}.{func.__name__}"),
            acks_late=idempotent,
            reject_on_worker_lost=idempotent,
            autoretry_for=(Exception,),
            retry_backoff=True,
            retry_backoff_max=600,
            retry_jitter=True,
            max_retries=max_retries,
            **options,
        )
        @functools.wraps(func)
        def run(task: Any, org_id: int, *args: Any, **kwargs: Any) -> Any:
            from rcm.models import Organization
            from rcm.tenancy import org_context

            org = Organization.objects.get(pk=org_id)
            try:
                with org_context(org):
                    result = func(org, *args, **kwargs)
            except Exception as exc:
                if on_failure is not None:
                    with org_context(org):
                        on_failure(org, *args, exc=exc, **kwargs)
                if task.request.retries >= task.max_retries:
                    _dead_letter(org, task.name, task.request.id, exc)
                raise
            if isinstance(result, RetryAfterCommit):
                raise task.retry(countdown=result.countdown)
            return result

        return run

    return decorator


def _dead_letter(org: Any, task_name: str, task_id: str | None, exc: Exception) -> None:
    from rcm.models import TaskRun
    from rcm.tenancy import org_context

    with org_context(org):
        TaskRun.objects.update_or_create(
            task_name=task_name,
            key=str(task_id),
            defaults={"status": TaskRun.Status.DEAD, "detail": type(exc).__name__},
        )
    log.error("task %s %s dead-lettered for org %s", task_name, task_id, org.pk)
