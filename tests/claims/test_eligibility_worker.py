"""A real Celery worker runs the "Check eligibility" button's task: the check queued by the
page is asked of the sandbox and its card stored; a second delivery of the same task changes
nothing (the check is asked once)."""

from __future__ import annotations

import time

import pytest

from claims.eligibility import eligibility_check_request
from claims.models import EligibilityCheck
from claims.tasks import run_eligibility_check
from rcm.tenancy import org_context
from tests import factories
from tests.claims.test_worker_submission import wait_for, worker_queue  # noqa: F401 - fixture

pytestmark = pytest.mark.integration


def test_a_worker_asks_a_queued_check_once_and_stores_its_card(worker_queue):  # noqa: F811
    org = factories.organization()
    with org_context(org):
        factories.clearinghouse_account()
        factories.facility(npi=factories.type2_npi())
        coverage = factories.coverage(member_id="MEM400001")
        check = eligibility_check_request(
            coverage=coverage, actor=None, source="manual", defer=True
        )
    assert check.status == "queued"
    for _ in range(2):  # a redelivered task must not ask twice
        run_eligibility_check.apply_async(args=[org.pk, check.pk], queue=worker_queue)
    done = wait_for(
        org, lambda: EligibilityCheck.objects.filter(pk=check.pk, status="answered").first()
    )
    assert done is not None and done.active is True
    time.sleep(1)
    with org_context(org):
        row = EligibilityCheck.objects.get(pk=check.pk)
        assert row.card["status"] == "active" and row.response_271.startswith("ISA")
        assert EligibilityCheck.objects.count() == 1
