"""A real Celery worker process against real Redis and the test database (as the app role)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connections, transaction

from rcm.models import TaskRun
from rcm.tasks import enqueue_on_commit, record_heartbeat
from rcm.tenancy import org_context
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def app_database_url() -> str:
    conf = connections["default"].settings_dict
    app = settings.RCM_TEST_APP_DB
    host = conf["HOST"] or ""
    netloc_host = quote(host, safe="") if host.startswith("/") else host
    port = f":{conf['PORT']}" if conf["PORT"] and not host.startswith("/") else ""
    creds = f"{quote(app['USER'])}:{quote(app['PASSWORD'] or '')}@"
    return f"postgres://{creds}{netloc_host}{port}/{conf['NAME']}"


@pytest.fixture
def worker_queue(committed_db):
    queue = f"itest-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rcm.settings.dev",
        "DATABASE_URL": app_database_url(),
        "DEBUG": "0",
    }
    env.pop("DATABASE_OWNER_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rcm",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(org, key: str, timeout: float = 60.0) -> TaskRun | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with org_context(org):
            run = TaskRun.objects.filter(key=key).first()
        if run:
            return run
        time.sleep(0.3)
    return None


def test_a_real_worker_runs_an_org_task_and_its_effect_is_visible(worker_queue):
    org = factories.organization()
    other = factories.organization()
    record_heartbeat.apply_async(args=[org.pk, "direct"], queue=worker_queue)
    run = _wait_for(org, "direct")
    assert run is not None and run.status == TaskRun.Status.DONE
    with org_context(other):
        assert not TaskRun.objects.filter(key="direct").exists()


def test_a_task_enqueued_on_commit_runs_only_after_the_commit(worker_queue):
    org = factories.organization()
    with transaction.atomic():
        enqueue_on_commit(record_heartbeat.s(org.pk, "after-commit").set(queue=worker_queue))
        time.sleep(1.5)
        with org_context(org):
            assert not TaskRun.objects.filter(key="after-commit").exists()
    assert _wait_for(org, "after-commit") is not None
