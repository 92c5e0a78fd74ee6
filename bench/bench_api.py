"""Request latency and queries per item for the pages and API endpoints people use most.

Loads the demo (seed_demo, 200 patients per clinic; idempotent) into the configured database,
then times requests in-process through Django's full middleware stack (org transaction, RLS,
PHI access logging). Prints p50/p95/p99 latency, queries per request and per item returned.

Run: make bench   (embedded services unless DATABASE_URL / REDIS_URL are set)
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
os.environ.setdefault("DEBUG", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def prepare() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("seed_demo", "--patients", "200")


def measure(client, method: str, url: str, items_of, data=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, items = [], [], 0
    for _ in range(ROUNDS):
        connection.queries_log.clear()  # the log is a bounded deque: keep counts exact
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(ctx.captured_queries))
        items = items_of(response)
    q = statistics.median(queries)
    cuts = statistics.quantiles(times, n=100)
    return {
        "p50": statistics.median(times),
        "p95": cuts[94],
        "p99": cuts[98],
        "queries": q,
        "items": items,
        "per_item": q / items if items else float("nan"),
    }


def main() -> None:
    prepare()
    from django.test import Client

    from patients.models import Patient
    from rcm.models import Organization
    from rcm.tenancy import org_context

    org = Organization.objects.get(slug="harbor-mh")
    with org_context(org):
        last_name = Patient.objects.order_by("mrn").first().last_name
    client = Client()
    client.post(
        "/login/",
        {
            "username": "harbor.billing_manager",
            "password": os.environ.get("DEMO_PASSWORD", "demo-password-2026"),
        },
    )
    base, api = f"/o/{org.slug}", f"/api/o/{org.slug}"

    def results(r):
        return len(r.json()["results"])

    def one(_r):
        return 1

    cases = [
        ("API patients list (10)", "get", f"{api}/patients/?limit=10", results),
        ("API patients list (50)", "get", f"{api}/patients/?limit=50", results),
        ("API sessions list (10)", "get", f"{api}/sessions/?limit=10", results),
        ("API sessions list (50)", "get", f"{api}/sessions/?limit=50", results),
        ("API authorizations list (10)", "get", f"{api}/authorizations/?limit=10", results),
        ("API authorizations list (50)", "get", f"{api}/authorizations/?limit=50", results),
        ("API patient search by last name", "get", f"{api}/patients/?search={last_name}", results),
        ("page: patient search", "post", f"{base}/patients/", one, {"name": last_name}),
        ("page: authorization list", "get", f"{base}/authorizations/", one),
        ("page: session list", "get", f"{base}/patients/sessions/", one),
    ]
    print("Same query count at 10 and 50 items = no N+1 on that list.")
    print(f"{ROUNDS} requests each, in-process (Django test client), demo data of 2 x 200 patients")
    print(
        f"{'case':<36}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'queries':>9}{'items':>7}"
        f"{'q/item':>8}"
    )
    for name, method, url, items_of, *data in cases:
        r = measure(client, method, url, items_of, *data)
        print(
            f"{name:<36}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}{r['queries']:>9.0f}"
            f"{r['items']:>7}{r['per_item']:>8.2f}"
        )


if __name__ == "__main__":
    main()
