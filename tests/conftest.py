"""Test wiring: real PostgreSQL (created and migrated as the owner role, then used as the app
role behind row-level security) and real Redis. Factories live in tests/factories.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from tests import factories


def _use_role(settings_dict: dict[str, Any]) -> None:
    conn = connections["default"]
    conn.close()
    conn.settings_dict["USER"] = settings_dict["USER"]
    conn.settings_dict["PASSWORD"] = settings_dict["PASSWORD"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    owner = dict(connections["default"].settings_dict)
    with django_db_blocker.unblock():
        _use_role(settings.RCM_TEST_APP_DB)
    yield
    with django_db_blocker.unblock():
        _use_role(owner)


@pytest.fixture
def owner_cursor(django_db_blocker: Any) -> Iterator[Any]:
    """A separate connection as the schema owner (for checks and cleanup only)."""
    import psycopg2

    conf = connections["default"].settings_dict
    owner = dj_owner()
    with django_db_blocker.unblock():
        conn = psycopg2.connect(
            dbname=conf["NAME"],
            user=owner["USER"],
            password=owner["PASSWORD"],
            host=owner["HOST"],
            port=owner["PORT"] or None,
        )
        conn.autocommit = True
        try:
            yield conn.cursor()
        finally:
            conn.close()


def dj_owner() -> dict[str, Any]:
    import dj_database_url

    return dj_database_url.parse(settings.DATABASE_OWNER_URL)


@pytest.fixture
def committed_db(
    django_db_setup: None, django_db_blocker: Any, owner_cursor: Any
) -> Iterator[None]:
    """Data committed for real (for other processes: live server, Celery worker); every
    table is truncated afterwards as the owner (the app role may not truncate audit tables)."""
    with django_db_blocker.unblock():
        yield
        connections["default"].close()
    owner_cursor.execute(
        "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename NOT IN "
        "('django_migrations', 'django_content_type', 'auth_permission')"
    )
    owner_cursor.execute(f"TRUNCATE {owner_cursor.fetchone()[0]} RESTART IDENTITY CASCADE")


@pytest.fixture(autouse=True)
def _live_server_helper(request: pytest.FixtureRequest) -> Iterator[None]:
    """Replaces pytest-django's helper: live-server tests get `committed_db` (rows committed,
    truncated afterwards as the owner) instead of `transactional_db`, whose flush would need the
    app role to TRUNCATE the append-only audit tables."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("committed_db")
    server = request.getfixturevalue("live_server")
    server._live_server_modified_settings.enable()
    yield
    server._live_server_modified_settings.disable()


@pytest.fixture
def org_a(db: None) -> Any:
    return factories.organization(slug="clinic-a", name="Clinic A")


@pytest.fixture
def org_b(db: None) -> Any:
    return factories.organization(slug="clinic-b", name="Clinic B")


@pytest.fixture
def in_org_a(org_a: Any) -> Iterator[Any]:
    from rcm.tenancy import org_context

    with org_context(org_a):
        yield org_a
