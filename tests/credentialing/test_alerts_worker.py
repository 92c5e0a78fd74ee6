"""A real Celery worker runs the nightly credentialing_alerts job (rcm.tasks.run_job): two
racing runs for the same day open each alert once."""

from __future__ import annotations

import time

import pytest

from credentialing.models import CredentialingAlert
from rcm.models import TaskRun
from rcm.tasks import run_job
from rcm.tenancy import org_context
from tests import factories
from tests.claims.test_worker_submission import wait_for, worker_queue  # noqa: F401 - fixture
from tests.credentialing.test_alerts import _world

pytestmark = pytest.mark.integration


def test_a_worker_opens_each_alert_once_for_two_racing_runs(worker_queue):  # noqa: F811
    org = factories.organization()
    with org_context(org):
        _world()
    day = factories.TODAY.isoformat()
    for _ in range(2):
        run_job.apply_async(args=[org.pk, "credentialing_alerts", day], queue=worker_queue)
    done = wait_for(
        org,
        lambda: TaskRun.objects.filter(
            task_name="jobs.credentialing_alerts", key=day, status="done"
        ).first(),
    )
    assert done is not None
    time.sleep(2)  # the racing run waited on the job's lock, then found the run recorded
    with org_context(org):
        assert CredentialingAlert.objects.filter(status="open").count() == 4
