"""A real Celery worker runs email_digest (rcm.tasks.run_job): two racing runs for one day make
one digest per member."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from notifications.models import EmailDigest
from rcm.models import TaskRun
from rcm.tasks import run_job
from rcm.tenancy import org_context
from tests import factories
from tests.claims.test_worker_submission import wait_for, worker_queue  # noqa: F401 - fixture
from tests.notifications.helpers import alert, member

pytestmark = pytest.mark.integration


def test_a_worker_sends_one_digest_per_member_for_two_racing_runs(worker_queue):  # noqa: F811
    org = factories.organization()
    biller = member(org)
    with org_context(org):
        alert(org, users=[biller], kind="license_expiring", title="License expiring")
        day = timezone.localdate().isoformat()
    for _ in range(2):
        run_job.apply_async(args=[org.pk, "email_digest", day], queue=worker_queue)
    done = wait_for(
        org,
        lambda: TaskRun.objects.filter(
            task_name="jobs.email_digest", key=day, status="done"
        ).first(),
    )
    assert done is not None
    time.sleep(2)  # the racing task waited on the job's lock, then found the run recorded
    with org_context(org):
        (digest,) = EmailDigest.objects.filter(user=biller)
        assert digest.count == 1 and digest.sent_to == biller.email
