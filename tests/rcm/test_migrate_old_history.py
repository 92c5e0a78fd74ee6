"""A database made under the migration history that came before payers and facilities got their
own apps cannot be migrated in place; `migrate` says so and what to do, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tests.conftest import _use_role, dj_owner


def test_migrate_tells_a_developer_with_an_old_database_to_clean_it(
    django_db_setup: None, django_db_blocker: Any, owner_cursor: Any
) -> None:
    owner_cursor.execute(
        "SELECT app, name, applied FROM django_migrations WHERE app IN ('payers', 'facilities')"
    )
    saved = owner_cursor.fetchall()
    assert saved, "the test database has the new apps' migrations applied"
    # What an old .data/ database looks like: patients applied, the new apps not.
    owner_cursor.execute("DELETE FROM django_migrations WHERE app IN ('payers', 'facilities')")
    app_role = dict(connections["default"].settings_dict)
    try:
        with django_db_blocker.unblock():
            _use_role(dj_owner())  # migrate runs as the schema owner, as in `make run`
            with pytest.raises(CommandError, match=r"make clean-data") as refused:
                call_command("migrate", "--noinput", verbosity=0)
    finally:
        with django_db_blocker.unblock():
            _use_role(app_role)
        owner_cursor.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)", saved
        )
    assert "is applied before its dependency" in str(refused.value)
    owner_cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'payers'")
    assert owner_cursor.fetchone()[0] == len([row for row in saved if row[0] == "payers"])
