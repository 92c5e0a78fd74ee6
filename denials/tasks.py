"""Denials tasks: the follow-up jobs (denials.jobs), one org each, ids and names only."""

from __future__ import annotations

from typing import Any

from rcm.celery import app, org_task


@org_task()
def run_job(org: Any, name: str, key: str | None = None) -> dict[str, Any]:
    """Run one follow-up job in the org (idempotent: once per job and key, see denials.jobs)."""
    from denials.jobs import run_job as run

    return run(name, key=key)


@app.task(name="denials.tasks.run_job_all_orgs")
def run_job_all_orgs(name: str) -> int:
    """The beat's fan-out: the job once per org."""
    from rcm.models import Organization

    org_ids = list(Organization.objects.values_list("id", flat=True))
    for org_id in org_ids:
        run_job.delay(org_id, name)
    return len(org_ids)
