"""Production settings: refuse to start without secrets; `check --deploy` is clean."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "rcm.settings.production",
    "SECRET_KEY": "p" * 20 + "-prod-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "rcm.example.org",
    "RCM_ENCRYPTION_KEYS": "p1:" + base64.b64encode(os.urandom(32)).decode(),
    "RCM_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
    "DATABASE_URL": "postgres://rcm_app:secret@db:5432/rcm",
    "REDIS_URL": "redis://redis:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PROD_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_each_required_secret():
    for missing in ("SECRET_KEY", "RCM_ENCRYPTION_KEYS", "RCM_BLIND_INDEX_KEY", "ALLOWED_HOSTS"):
        env = {**PROD_ENV, missing: ""}
        result = _manage("check", env=env)
        assert result.returncode != 0, missing
        assert missing in result.stderr, result.stderr[-500:]
