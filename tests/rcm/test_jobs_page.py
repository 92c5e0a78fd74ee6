"""The jobs page: every registered job with its schedule, last run, counts and last failure;
an admin's "Run now" queues the job for the worker under a key of its own; a failed run is
recorded with its error; only admins see the page."""

from __future__ import annotations

import html
import json

import pytest

from rcm import jobs as registry
from rcm.models import TaskRun
from rcm.tasks import run_job
from rcm.tenancy import org_context
from tests import factories


@pytest.fixture
def broken_job():
    def explode(today):
        raise RuntimeError("the clearinghouse said no")

    job = registry.register(registry.Job("test_broken", explode, "nightly", "Always fails"))
    yield job
    registry._REGISTRY.pop(job.name, None)


@pytest.fixture
def admin(client, org_a):
    client.force_login(factories.member(org_a, role="admin"))
    return client


def test_the_page_lists_every_registered_job_with_schedule_and_last_run(admin, org_a):
    with org_context(org_a):
        registry.run_job("reprioritize_denials", key="2026-11-20")
    body = admin.get(f"/o/{org_a.slug}/jobs/").content.decode()
    for job in registry.jobs():
        assert f'data-testid="job-{job.name}"' in body
        assert html.escape(job.description) in body
    assert "Every night at 02:00" in body and "2026-11-20" in body


def test_run_now_queues_the_job_for_the_worker_under_its_own_key(
    admin, org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin.post(f"/o/{org_a.slug}/jobs/", {"job": "reprioritize_denials"})
    assert response.status_code == 302
    (callback,) = callbacks
    signature = callback.__self__
    assert signature.task == "rcm.tasks.run_job"
    org_id, name, key = signature.args
    assert (org_id, name) == (org_a.pk, "reprioritize_denials") and key.endswith("-manual")
    # what the worker would do with it: run the job (the same task, applied here)
    result = run_job.apply(args=signature.args, throw=True).get()
    assert result["skipped"] == 0 and result["key"] == key


def test_an_unknown_job_is_refused_with_the_names(admin, org_a):
    response = admin.post(f"/o/{org_a.slug}/jobs/", {"job": "nope"}, follow=True)
    assert "No job is called" in response.content.decode()


@pytest.mark.django_db(transaction=False)
def test_a_failed_run_is_recorded_with_its_error_and_shown(admin, org_a, broken_job):
    result = run_job.apply(args=(org_a.pk, broken_job.name, "2026-11-21"))
    assert result.failed()
    with org_context(org_a):
        row = TaskRun.objects.get(task_name="jobs.test_broken", key="2026-11-21")
        assert row.status == "failed"
        assert json.loads(row.detail) == {"error": "RuntimeError: the clearinghouse said no"}
    body = admin.get(f"/o/{org_a.slug}/jobs/").content.decode()
    assert "the clearinghouse said no" in body


@pytest.mark.parametrize("role", ["billing_manager", "biller", "leadership", "compliance"])
def test_only_admins_see_the_jobs_page(client, org_a, role):
    client.force_login(factories.member(org_a, role=role))
    assert client.get(f"/o/{org_a.slug}/jobs/").status_code == 403
    assert client.post(f"/o/{org_a.slug}/jobs/", {"job": "poll_drop_folders"}).status_code == 403
