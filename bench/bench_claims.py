"""Claims throughput: build + scrub + 837 for every completed session of the demo clinics.

Loads the demo with its sessions unbilled (`seed_demo --no-claims`, BENCH_PATIENTS patients per
clinic, default 200; idempotent) into the configured database, analyzes it (planner statistics,
as autovacuum keeps them in production), then for two batch sizes (the
first tenth of each clinic's patients, then all of them) runs, per clinic, inside a transaction
that is rolled back afterwards so every run starts from the same unbilled state:

  build   claims_build: group, price, snapshot and scrub, store claims/lines/findings/events
  submit  claims_submit: lock the READY claims, batch them, render the 837P/837I files
  send    batch_send through the folder adapter (the 837 files written to a temporary folder)

and prints claims, claims per second and database queries per claim, per phase and in total.
Queries are counted with a statement hook (no query log), so counting costs no time.
The last line is JSON: {"claims", "claims_per_s", "queries_per_claim", ...} for the largest run.

Run: make bench   (or: python -m rcm.devservices exec .venv/bin/python bench/bench_claims.py)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
os.environ.setdefault("DEBUG", "0")
PATIENTS = int(os.environ.get("BENCH_PATIENTS", "200"))
FRACTIONS = (0.1, 1.0)


def prepare() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("seed_demo", "--patients", str(PATIENTS), "--no-claims")
    analyze()


def analyze() -> None:
    """Gather planner statistics, as autovacuum does on a production database: a just-seeded
    one (or a server running with autovacuum off) has none, and the planner then takes every
    table for one row and picks nested loops that cost seconds. Run as the tables' owner."""
    import psycopg2

    url = os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
    finally:
        conn.close()


class Counter:
    """A connection.execute_wrapper that counts statements (executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def phase(totals: dict[str, list[float]], name: str, counter: Counter):
    start_q, start_t = counter.count, time.perf_counter()
    yield
    row = totals.setdefault(name, [0.0, 0.0])
    row[0] += time.perf_counter() - start_t
    row[1] += counter.count - start_q


def run_clinic(org: Any, fraction: float, totals: dict[str, list[float]], out: Path) -> int:
    from django.db import connection, transaction

    from claims.clearinghouse.folder import FolderAdapter
    from claims.models import Claim
    from claims.services import claims_build
    from claims.submission import batch_send, claims_submit
    from patients.models import Patient
    from rcm.tenancy import org_context

    counter = Counter()
    adapter = FolderAdapter.for_directory(out)
    with org_context(org), connection.execute_wrapper(counter):
        if Claim.objects.exists():
            raise SystemExit(f"{org.slug} already has claims: run against a --no-claims demo")
        ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
        chosen = ids[: max(1, round(len(ids) * fraction))]
        today = dt.date.today()
        with phase(totals, "build", counter):
            summary = claims_build(through=today, patients=chosen, org_slug=org.slug)
        with phase(totals, "submit", counter):
            ready = list(Claim.objects.filter(status=Claim.Status.READY))
            batches = claims_submit(claims=ready, actor=None, enqueue=False) if ready else []
        with phase(totals, "send", counter):
            for batch in batches:
                outcome = batch_send(batch_id=batch.pk, adapter=adapter)
                if outcome.status != "sent":
                    raise SystemExit(f"sending {batch.file_name} failed: {outcome.reason}")
        totals.setdefault("ready", [0, 0])[0] += len(ready)
        totals.setdefault("files", [0, 0])[0] += len(batches)
        transaction.set_rollback(True)  # every run starts from the same unbilled sessions
    return summary.claims


def main() -> None:
    prepare()
    from rcm.models import Organization

    orgs = list(Organization.objects.filter(slug__in=["harbor-mh", "summit-sud"]).order_by("pk"))
    result: dict[str, Any] = {}
    for fraction in FRACTIONS:
        totals: dict[str, list[float]] = {}
        claims = 0
        with tempfile.TemporaryDirectory() as tmp:
            for org in orgs:
                claims += run_clinic(org, fraction, totals, Path(tmp))
            written = sum(f.stat().st_size for f in Path(tmp).iterdir())
        seconds = sum(totals[p][0] for p in ("build", "submit", "send"))
        queries = sum(totals[p][1] for p in ("build", "submit", "send"))
        print(
            f"{fraction:>4.0%} of patients: {claims} claims "
            f"({int(totals['ready'][0])} ready, sent in {int(totals['files'][0])} files, "
            f"{written / 1e6:.1f} MB of 837)"
        )
        for name in ("build", "submit", "send"):
            t, q = totals[name]
            print(f"    {name:<7} {t:7.2f} s  {q / max(claims, 1):6.3f} queries/claim")
        print(
            f"    total   {seconds:7.2f} s  {queries / max(claims, 1):6.3f} queries/claim  "
            f"{claims / seconds:,.0f} claims/s"
        )
        result = {
            "claims": claims,
            "ready": int(totals["ready"][0]),
            "claims_per_s": round(claims / seconds, 1),
            "queries_per_claim": round(queries / max(claims, 1), 3),
            "seconds": {p: round(totals[p][0], 3) for p in ("build", "submit", "send")},
            "patients_fraction": fraction,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
