"""A/R dashboard queries at scale: 1,000,000 claim lines across 50 orgs.

Runs against its own database (RCM_DB_NAME=rcm_bench_ar, never the dev or test one):

  RCM_DB_NAME=rcm_bench_ar python -m rcm.devservices exec .venv/bin/python bench/bench_ar.py

1. migrate; 50 orgs, each with 5 payers, one patient and coverage (ORM, as the app role);
2. claims and their lines written with INSERT ... SELECT generate_series as the owner role
   (DATABASE_OWNER_URL; one org at a time under row-level security; the audit trigger off for
   that one transaction): the first org has 100,000 claims, the other 49 share the rest, two
   lines a claim (1,000,000 lines); statuses, dates, charges and payments drawn with a fixed
   seed (setseed) so each run builds the same data; then VACUUM ANALYZE. Skipped when the data
   is already there (BENCH_REBUILD=1 rebuilds it).
3. For the 100,000-claim org, inside its org_context as the app role (row-level security on):
   the dashboard's A/R reads — denials.reports.ar_aging (by date of service), ar_aging (by
   submission date) and ar_summary — timed together, BENCH_ROUNDS times (default 30) after a
   warm-up; then the same three figures as hand-written SQL on the same connection, same org.

Prints the timings; the last line is JSON:
{"orgs", "claim_lines", "p50_ms", "p95_ms", "baseline_p95_ms", "ratio", ...}.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
os.environ.setdefault("DEBUG", "0")

ORGS = 50
BIG_ORG_CLAIMS = 100_000
LINES_PER_CLAIM = 2
CLAIM_LINES = 1_000_000
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PAYERS_PER_ORG = 5
TODAY = "2026-12-15"


def guard() -> None:
    name = os.environ.get("RCM_DB_NAME", "")
    if name != "rcm_bench_ar":
        sys.exit("bench_ar.py writes a million rows: run it with RCM_DB_NAME=rcm_bench_ar")
    if not os.environ.get("DATABASE_OWNER_URL"):
        sys.exit("run under `python -m rcm.devservices exec` (DATABASE_OWNER_URL is needed)")


def setup_orgs() -> list[dict[str, Any]]:
    """The orgs, payers, a patient and a coverage each (ORM); their ids."""
    from rcm.models import Organization
    from rcm.tenancy import org_context
    from tests import factories

    out = []
    for n in range(ORGS):
        slug = f"bench-ar-{n:02d}"
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            org = factories.organization(slug=slug, name=f"Bench AR {n:02d}")
        with org_context(org):
            from patients.models import Coverage
            from payers.models import Payer

            payers = list(Payer.objects.order_by("pk").values_list("pk", flat=True))
            if not payers:
                payers = [factories.payer(name=f"Payer {i}").pk for i in range(PAYERS_PER_ORG)]
            coverage = Coverage.objects.order_by("pk").first()
            if coverage is None:
                coverage = factories.coverage(payer_obj=Payer.objects.get(pk=payers[0]))
        out.append(
            {
                "org": org,
                "payers": payers,
                "patient": coverage.patient_id,
                "coverage": coverage.pk,
            }
        )
    return out


# Expressions for the NOT NULL columns without a database default (Django sets defaults in
# Python); `g` is the series number, `o` the org row. Any column not named here stops the run.
CLAIM_VALUES = {
    "public_id": "gen_random_uuid()",
    "org_id": "o.org_id",
    "control_number": "'B' || o.org_id || 'X' || g",
    "kind": "'837p'",
    "status": "s.status",
    "frequency": "'1'",
    "patient_id": "o.patient_id",
    "coverage_id": "o.coverage_id",
    "payer_id": "o.payers[1 + (g % array_length(o.payers, 1))]",
    "billing": "'{}'::jsonb",
    "service_from": "s.dos",
    "service_to": "s.dos",
    "place_of_service": "'11'",
    "type_of_bill": "''",
    "diagnoses": "ARRAY['F33.1']::varchar[]",
    "condition_codes": "'{}'::varchar[]",
    "occurrence_codes": "'[]'::jsonb",
    "occurrence_spans": "'[]'::jsonb",
    "value_codes": "'[]'::jsonb",
    "total_charge": "s.charge",
    "paid_amount": "s.paid",
    "contractual_amount": "s.contractual",
    "patient_amount": "0",
    "written_off_amount": "0",
    "denied_amount": "CASE WHEN s.status = 'denied' THEN s.charge ELSE 0 END",
    "prior_auth_number": "''",
    "delay_reason": "''",
    "payer_claim_number": "''",
    "part2": "false",
    "version": "1",
    "hold_codes": "'{}'::varchar[]",
    "error_count": "0",
    "warning_count": "0",
    "rejection": "''",
    "program": "''",
    "level": "''",
    "created_at": "now()",
    "updated_at": "now()",
    "submitted_at": "CASE WHEN s.status IN ('held', 'ready') THEN NULL "
    "ELSE (s.dos + (g % 9) + 1)::timestamptz END",
}
LINE_VALUES = {
    "public_id": "gen_random_uuid()",
    "org_id": "c.org_id",
    "claim_id": "c.id",
    "number": "n",
    "control_number": "c.control_number || '-' || n",
    "service_date": "c.service_from",
    "code": "'90834'",
    "modifiers": "'{}'::varchar[]",
    "revenue_code": "''",
    "units": "1",
    "unit_kind": "'UN'",
    "charge": "round(c.total_charge / 2, 2)",
    "charge_source": "'bench'",
    "pos": "'11'",
    "pointers": "'{1}'::smallint[]",
}


def _required(cur: Any, table: str) -> list[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER' "
        "AND table_schema = 'public' AND column_name <> 'id'",
        [table],
    )
    return [r[0] for r in cur.fetchall()]


def _columns(cur: Any, table: str, values: dict[str, str]) -> tuple[str, str]:
    missing = sorted(set(_required(cur, table)) - set(values))
    if missing:
        sys.exit(f"bench_ar: no value for {table} columns {missing}")
    names = list(values)
    return ", ".join(names), ", ".join(values[n] for n in names)


def generate(orgs: list[dict[str, Any]]) -> float:
    """Claims and lines as the owner role; seconds taken (0 when already there)."""
    import psycopg2

    conn = psycopg2.connect(os.environ["DATABASE_OWNER_URL"])
    conn.autocommit = False
    cur = conn.cursor()
    ids = [o["org"].pk for o in orgs]
    have = 0
    for org_id in ids:  # row-level security binds the owner: count org by org
        cur.execute("SELECT set_config('rcm.org_id', %s, true)", [str(org_id)])
        cur.execute("SELECT count(*) FROM claims_claimline WHERE org_id = %s", [org_id])
        have += cur.fetchone()[0]
    conn.rollback()
    if have >= CLAIM_LINES and os.environ.get("BENCH_REBUILD") != "1":
        conn.close()
        return 0.0
    start = time.perf_counter()
    total_claims = CLAIM_LINES // LINES_PER_CLAIM
    rest = (total_claims - BIG_ORG_CLAIMS) // (ORGS - 1)
    claim_cols, claim_exprs = _columns(cur, "claims_claim", CLAIM_VALUES)
    line_cols, line_exprs = _columns(cur, "claims_claimline", LINE_VALUES)
    cur.execute("SELECT setseed(0.42)")
    # Synthetic bulk rows skip the per-row audit trigger (as a bulk load would): disabled inside
    # this transaction only (DDL is transactional; the bench database is the bench's own).
    for table in ("claims_claim", "claims_claimline"):
        cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER rcm_audit")
    for i, o in enumerate(orgs):
        n = BIG_ORG_CLAIMS if i == 0 else rest
        if i == ORGS - 1:
            n = total_claims - BIG_ORG_CLAIMS - rest * (ORGS - 2)
        org_id = o["org"].pk
        # Row-level security binds the owner too: one org at a time, as the app does.
        cur.execute("SELECT set_config('rcm.org_id', %s, true)", [str(org_id)])
        cur.execute("DELETE FROM claims_claimline WHERE org_id = %s", [org_id])
        cur.execute("DELETE FROM claims_claim WHERE org_id = %s", [org_id])
        # Per claim: a date of service up to 400 days back; a status (mostly sent); a charge;
        # paid claims paid 60% with 40% contractual (no balance), or every fifth short-paid at
        # 45% (a balance remains).
        cur.execute(
            f"""
            INSERT INTO claims_claim ({claim_cols})
            SELECT {claim_exprs}
            FROM (SELECT %s::bigint AS org_id, %s::bigint[] AS payers, %s::bigint AS patient_id,
                         %s::bigint AS coverage_id) o
            CROSS JOIN LATERAL generate_series(1, %s) AS g
            CROSS JOIN LATERAL (
                SELECT st.status, st.dos, st.charge,
                       CASE st.status WHEN 'paid' THEN round(st.charge * st.pay_share, 2)
                           ELSE 0 END AS paid,
                       CASE st.status WHEN 'paid' THEN round(st.charge * 0.4, 2) ELSE 0 END
                           AS contractual
                FROM (
                    SELECT (ARRAY['paid', 'paid', 'paid', 'paid', 'accepted', 'accepted',
                                  'submitted', 'denied', 'rejected', 'ready'])[
                                  1 + (g * 7 + o.org_id) % 10] AS status,
                           DATE '{TODAY}' - ((g * 37 + o.org_id) % 400)::int AS dos,
                           (100 + (g * 13) % 400)::numeric(12, 2) AS charge,
                           CASE WHEN g % 5 = 0 THEN 0.45 ELSE 0.6 END AS pay_share
                ) st
            ) s
            """.replace("%", "%%").replace("%%s", "%s"),
            [org_id, o["payers"], o["patient"], o["coverage"], n],
        )
        cur.execute(
            f"""
            INSERT INTO claims_claimline ({line_cols})
            SELECT {line_exprs}
            FROM claims_claim c CROSS JOIN generate_series(1, {LINES_PER_CLAIM}) AS n
            WHERE c.org_id = %s
            """,
            [org_id],
        )
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now
    for table in ("claims_claim", "claims_claimline"):
        cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER rcm_audit")
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE claims_claim")
    cur.execute("VACUUM ANALYZE claims_claimline")
    conn.close()
    return time.perf_counter() - start


BASELINE_AGING = """
SELECT payer_id,
  count(*) FILTER (WHERE age <= 30), sum(balance) FILTER (WHERE age <= 30),
  count(*) FILTER (WHERE age BETWEEN 31 AND 60), sum(balance) FILTER (WHERE age BETWEEN 31 AND 60),
  count(*) FILTER (WHERE age BETWEEN 61 AND 90), sum(balance) FILTER (WHERE age BETWEEN 61 AND 90),
  count(*) FILTER (WHERE age BETWEEN 91 AND 120),
  sum(balance) FILTER (WHERE age BETWEEN 91 AND 120),
  count(*) FILTER (WHERE age > 120), sum(balance) FILTER (WHERE age > 120)
FROM (
  SELECT payer_id, balance, %s::date - {date} AS age
  FROM claims_claim
  WHERE org_id = %s AND balance > 0
    AND status IN ('submitted', 'accepted', 'paid', 'denied', 'rejected')
) a
GROUP BY payer_id
"""
BASELINE_SUMMARY = """
SELECT sum(balance) FILTER (WHERE balance > 0), count(*) FILTER (WHERE balance > 0),
  sum(balance) FILTER (WHERE balance > 0 AND service_from < %s::date - 90),
  sum(total_charge) FILTER (WHERE service_from BETWEEN %s::date - 89 AND %s::date)
FROM claims_claim
WHERE org_id = %s AND status IN ('submitted', 'accepted', 'paid', 'denied', 'rejected')
"""


def _timed(fn: Any, rounds: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure(big: Any) -> dict[str, Any]:
    import datetime as dt

    import time_machine
    from django.db import connection
    from django.db.models import Count

    from claims.models import Claim
    from denials import reports
    from rcm.tenancy import org_context

    today = dt.date.fromisoformat(TODAY)
    with time_machine.travel(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC), tick=True):
        with org_context(big, part2_access=True):
            claims = Claim.objects.count()

            def orm() -> Any:
                return (
                    reports.ar_aging(basis="service"),
                    reports.ar_aging(basis="submission"),
                    reports.ar_summary(),
                )

            def baseline() -> Any:
                with connection.cursor() as cur:
                    for date in ("service_from", "(submitted_at AT TIME ZONE 'UTC')::date"):
                        cur.execute(BASELINE_AGING.format(date=date), [today, big.pk])
                        cur.fetchall()
                    cur.execute(BASELINE_SUMMARY, [today, today, today, big.pk])
                    return cur.fetchall()

            found = orm()
            base = baseline()
            assert abs(float(found[2]["ar"]) - float(base[0][0] or 0)) < 0.005, (found, base)
            orm_ms = _timed(orm, ROUNDS)
            base_ms = _timed(baseline, ROUNDS)
            with connection.cursor() as cur:
                sql, params = (
                    Claim.objects.filter(reports.ar_q())
                    .values("payer_id")
                    .annotate(n=Count("pk"))
                    .query.sql_with_params()
                )
                cur.execute("EXPLAIN " + sql, params)
                plan = [r[0] for r in cur.fetchall()]
    return {
        "claims": claims,
        "ar": str(found[2]["ar"]),
        "orm_ms": orm_ms,
        "base_ms": base_ms,
        "plan": plan,
    }


def main() -> None:
    guard()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    started = time.perf_counter()
    orgs = setup_orgs()
    gen_s = generate(orgs)
    print(f"setup {time.perf_counter() - started - gen_s:.1f} s; data generation {gen_s:.1f} s")
    result = measure(orgs[0]["org"])
    p50 = statistics.median(result["orm_ms"])
    p95 = _p95(result["orm_ms"])
    b95 = _p95(result["base_ms"])
    print(f"org with {result['claims']} claims, open A/R {result['ar']}")
    print("plan (A/R by payer):", *result["plan"][:8], sep="\n  ")
    print(f"reports (2 agings + summary): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"hand-written SQL baseline:    p50 {statistics.median(result['base_ms']):.1f} ms, "
        f"p95 {b95:.1f} ms"
    )
    print(
        json.dumps(
            {
                "orgs": ORGS,
                "claim_lines": CLAIM_LINES,
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "baseline_p95_ms": round(b95, 1),
                "ratio": round(p95 / b95, 2) if b95 else None,
                "big_org_claims": result["claims"],
                "generation_s": round(gen_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
