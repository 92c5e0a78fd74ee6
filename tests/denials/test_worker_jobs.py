"""A real Celery worker runs the follow-up jobs (rcm.tasks.run_job): two racing runs of a
nightly job for the same day do its work once, and the claim status follow-up asks the sandbox
and records its 277."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimEvent
from rcm.models import TaskRun
from rcm.tasks import run_job
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.claims.test_worker_submission import wait_for, worker_queue  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def test_a_worker_runs_the_status_follow_up_once_for_two_racing_tasks(worker_queue):  # noqa: F811
    org = factories.organization()
    with org_context(org):
        factories.clearinghouse_account()
        patient = factories.patient(
            address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
        )
        claim = builders.claim(
            patient=patient,
            status=Claim.Status.ACCEPTED,
            submitted_at=timezone.now() - dt.timedelta(days=45),
        )
        day = timezone.localdate().isoformat()
    for _ in range(2):
        run_job.apply_async(args=[org.pk, "claim_status_followup", day], queue=worker_queue)
    done = wait_for(
        org,
        lambda: TaskRun.objects.filter(
            task_name="jobs.claim_status_followup", key=day, status="done"
        ).first(),
    )
    assert done is not None
    recorded = wait_for(
        org, lambda: ClaimEvent.objects.filter(claim_id=claim.pk, kind="status_check").exists()
    )
    assert recorded
    import time

    time.sleep(2)  # the racing task waited on the job's lock, then found the run recorded
    with org_context(org):
        assert ClaimEvent.objects.filter(claim_id=claim.pk, kind="status_check").count() == 1
        assert Claim.objects.get(pk=claim.pk).follow_up_on is not None
