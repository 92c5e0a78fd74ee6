"""A real Celery worker runs `authorization_alerts` (rcm.tasks.run_job): two racing runs for
the same day raise the expiring alert once."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from authorizations.models import UrAlert
from rcm.models import TaskRun
from rcm.tasks import run_job
from rcm.tenancy import org_context
from tests import factories
from tests.claims.test_worker_submission import wait_for, worker_queue  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def test_a_worker_raises_the_alert_once_for_two_racing_runs(worker_queue):  # noqa: F811
    org = factories.organization()
    today = timezone.localdate()
    with org_context(org):
        pat = factories.patient()
        cov = factories.coverage(patient_obj=pat, effective_date=today - dt.timedelta(days=60))
        factories.authorization(
            coverage_obj=cov,
            level_of_care="iop",
            codes=[],
            unit_type="days",
            units_authorized=Decimal("10"),
            start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=2),
        )
    day = today.isoformat()
    for _ in range(2):
        run_job.apply_async(args=[org.pk, "authorization_alerts", day], queue=worker_queue)
    done = wait_for(
        org,
        lambda: TaskRun.objects.filter(
            task_name="jobs.authorization_alerts", key=day, status="done"
        ).first(),
    )
    assert done is not None and '"created": 1' in done.detail
    time.sleep(2)
    with org_context(org):
        assert UrAlert.objects.filter(kind="expiring").count() == 1
