"""Claim work queues under load: concurrent billers against the app served as in production.

Loads the demo with its claims (`seed_demo`, BENCH_PATIENTS patients per clinic, default 200;
idempotent) into the configured database and analyzes it (planner statistics, as autovacuum
keeps them in production). Brings the clinics' billers up to BENCH_BILLERS (default 50) with
extra biller members made through the real models, starts gunicorn (production settings,
BENCH_WORKERS gthread workers of BENCH_THREADS threads; a TLS proxy is played by sending
X-Forwarded-Proto), logs every biller in through the login page, then runs them all at once
for BENCH_ROUNDS rounds. A round is what a biller does between two claims:

  page     GET  /o/<org>/claims/?queue=held                      (the queue page, HTML)
  list     GET  /api/o/<org>/claims/?queue=held&sort=priority    (and with payer/program/
  filtered GET  /api/o/<org>/claims/?queue=ready&payer=..&...     amount filters)
  counts   GET  /api/o/<org>/claims/counts/
  next     POST /api/o/<org>/claims/next/ {"queue": "held", "skip": [what I hold]}

Each biller keeps every claim it is handed (as a biller works it), so a claim handed to two
billers is a duplicate; there must be none. Prints requests, errors and p50/p95/p99 latency per
endpoint, the claims handed out and the duplicates; the last line is JSON:
{"requests", "errors", "p50_ms", "p95_ms", "p99_ms", "duplicates", ...}. The claims handed out
stay assigned (a second run hands out the next ones, and the held queue runs dry eventually:
`make clean-data` or a new RCM_DB_NAME starts over).

Run: make bench   (or: python -m rcm.devservices exec .venv/bin/python bench/bench_claim_queues.py)
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rcm.settings.dev")
os.environ.setdefault("DEBUG", "0")
PATIENTS = int(os.environ.get("BENCH_PATIENTS", "200"))
BILLERS = int(os.environ.get("BENCH_BILLERS", "50"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
CLINICS = ("harbor-mh", "summit-sud")
BILLING_ROLES = ("biller", "billing_manager")
EXTRA_PREFIX = "bench.biller"


def prepare() -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("seed_demo", "--patients", str(PATIENTS))
    analyze()


def analyze() -> None:
    """Planner statistics, as autovacuum gathers them in production (run as the owner)."""
    import psycopg2

    conn = psycopg2.connect(os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"])
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
    finally:
        conn.close()


def billers() -> list[tuple[str, str]]:
    """(org slug, username) for BILLERS billers: the clinics' own billers and billing managers,
    then extra biller members (bench.biller01, ...) spread over the clinics."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from rcm.models import Membership, Organization
    from rcm.tenancy import org_context

    orgs = list(Organization.objects.filter(slug__in=CLINICS).order_by("slug"))
    found: list[tuple[str, str]] = []
    for org in orgs:
        with org_context(org):
            rows = Membership.objects.filter(role__in=BILLING_ROLES, is_active=True)
            found += [
                (org.slug, name)
                for name in rows.exclude(user__username__startswith=EXTRA_PREFIX)
                .order_by("user__username")
                .values_list("user__username", flat=True)
            ]
    found = found[:BILLERS]
    User = get_user_model()
    for n in range(1, BILLERS - len(found) + 1):
        org = orgs[n % len(orgs)]
        user, created = User.objects.get_or_create(
            username=f"{EXTRA_PREFIX}{n:02d}",
            defaults={"first_name": "Bench", "last_name": f"Biller {n}"},
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        with org_context(org):
            Membership.objects.update_or_create(
                user=user, defaults={"role": "biller", "is_active": True, "part2_access": True}
            )
        found.append((org.slug, user.username))
    return found


def queue_params(org_slug: str) -> dict[str, str]:
    """A payer of the clinic, for the filtered list (the first payer with ready claims)."""
    from claims.models import Claim
    from rcm.models import Organization
    from rcm.tenancy import org_context

    with org_context(Organization.objects.get(slug=org_slug)):
        claim = Claim.objects.filter(status=Claim.Status.READY).order_by("pk").first()
        payer = str(claim.payer.public_id) if claim else ""
    return {"payer": payer}


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rcm.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        # The keys the demo was encrypted with (the dev settings' own).
        "RCM_ENCRYPTION_KEYS": settings.RCM_ENCRYPTION_KEYS,
        "RCM_BLIND_INDEX_KEY": settings.RCM_BLIND_INDEX_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
    }
    env.pop("DEBUG", None)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "rcm.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if Client(port).request("GET", "/login/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- A biller's browser --------------------------------------------------------------------

COOKIE = re.compile(r"^\s*([^=;\s]+)=([^;]*)")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """One keep-alive connection with cookies, as a browser behind the TLS proxy."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        sent = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed a kept-alive connection: open another
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            match = COOKIE.match(header)
            if match:
                self.cookies[match.group(1)] = match.group(2)
        return response.status, data

    def post(self, path: str, data: dict | None = None, *, json_body: Any = None) -> Any:
        headers = {"Origin": self.origin, "Referer": self.origin + path}
        headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            return self.request("POST", path, json.dumps(json_body).encode(), headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, urllib.parse.urlencode(data or {}).encode(), headers)

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/login/")
        match = CSRF_INPUT.search(page.decode())
        if status != 200 or not match:
            raise SystemExit(f"login page answered {status}")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": match[1]}
        status, _ = self.post("/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not log in ({status})")


# --- The load ------------------------------------------------------------------------------


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.handed: dict[str, set[tuple[str, str]]] = defaultdict(set)  # claim -> billers
        self.empty = 0

    def timed(self, name: str, ok: tuple[int, ...], call: Any) -> tuple[int, bytes]:
        start = time.perf_counter()
        try:
            status, body = call()
        except OSError:
            status, body = 0, b""
        elapsed = (time.perf_counter() - start) * 1000
        with self.lock:
            self.times[name].append(elapsed)
            self.statuses[name][status] += 1
            if status not in ok:
                self.errors[name] += 1
        return status, body


def biller_rounds(
    client: Client, org: str, who: str, params: dict[str, str], results: Results, start: Any
) -> None:
    base, api = f"/o/{org}/claims/", f"/api/o/{org}/claims/"
    filtered = urllib.parse.urlencode(
        {"queue": "ready", "amount_min": "50", **params, "sort": "-amount"}
    )
    held: list[str] = []
    start.wait()
    for _ in range(ROUNDS):
        results.timed("page", (200,), lambda: client.request("GET", base + "?queue=held"))
        results.timed(
            "list",
            (200,),
            lambda: client.request("GET", api + "?queue=held&sort=priority&per_page=50"),
        )
        results.timed("filtered", (200,), lambda: client.request("GET", f"{api}?{filtered}"))
        results.timed("counts", (200,), lambda: client.request("GET", api + "counts/"))
        status, body = results.timed(
            "next",
            (200, 204),
            lambda: client.post(api + "next/", json_body={"queue": "held", "skip": held}),
        )
        if status == 200:
            claim = json.loads(body)["id"]
            with results.lock:
                results.handed[claim].add((org, who))
            if claim not in held:
                held.append(claim)
        elif status == 204:
            with results.lock:
                results.empty += 1


def percentile(times: list[float], q: int) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def report(results: Results, seconds: float, people: int) -> dict[str, Any]:
    every = [t for times in results.times.values() for t in times]
    requests = len(every)
    errors = sum(results.errors.values())
    duplicates = sum(1 for who in results.handed.values() if len(who) > 1)
    print(
        f"{people} billers x {ROUNDS} rounds against gunicorn ({WORKERS} gthread workers x "
        f"{THREADS} threads): {requests} requests in {seconds:.1f} s ({requests / seconds:.0f}/s)"
    )
    print(f"{'endpoint':<10}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, times in results.times.items():
        print(
            f"{name:<10}{len(times):>9}{results.errors[name]:>8}{percentile(times, 50):>9.1f}"
            f"{percentile(times, 95):>9.1f}{percentile(times, 99):>9.1f}"
        )
        if results.errors[name]:
            print(f"          statuses: {dict(results.statuses[name])}")
    print(
        f"claims handed out: {len(results.handed)}, duplicates: {duplicates}, "
        f"queue empty answers: {results.empty}"
    )
    return {
        "requests": requests,
        "errors": errors,
        "p50_ms": round(percentile(every, 50), 1),
        "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1),
        "duplicates": duplicates,
        "claims_handed_out": len(results.handed),
        "billers": people,
        "requests_per_s": round(requests / seconds, 1),
    }


def _exit(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main() -> None:
    prepare()
    from django.conf import settings

    people = billers()
    params = {org: queue_params(org) for org in CLINICS}
    port = free_port()
    server = start_gunicorn(port)
    signal.signal(signal.SIGTERM, _exit)  # a timeout's TERM still stops gunicorn (finally)
    try:
        clients = []
        for org, username in people:
            client = Client(port)
            client.login(username, settings.DEMO_PASSWORD)
            clients.append((client, org, username))
        results = Results()
        start = threading.Event()
        threads = [
            threading.Thread(
                target=biller_rounds, args=(c, org, who, params[org], results, start), daemon=True
            )
            for c, org, who in clients
        ]
        for t in threads:
            t.start()
        began = time.perf_counter()
        start.set()
        for t in threads:
            t.join()
        summary = report(results, time.perf_counter() - began, len(clients))
    finally:
        stop(server)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
