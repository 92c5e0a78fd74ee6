"""`migrate`, with a clear message for a database made before the schema history was reset.

Payers, facilities and the coding engine moved out of patients before anything was in
production, and the migration history was started afresh. A database migrated under the old
history records patients.0001 as applied without its new dependencies (payers.0001,
facilities.0001); Django refuses that with InconsistentMigrationHistory. Say what to do instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db.migrations.exceptions import InconsistentMigrationHistory

STALE_SCHEMA_MESSAGE = (
    "This database was created under an older migration history (before payers and facilities "
    "got their own apps) and cannot be migrated in place. Nothing has changed. Development data "
    "is synthetic: run `make clean-data` (embedded database) or drop and recreate the database "
    "named in DATABASE_URL, then `make run` again. ({detail})"
)


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> Any:
        try:
            return super().handle(*args, **options)
        except InconsistentMigrationHistory as exc:
            raise CommandError(STALE_SCHEMA_MESSAGE.format(detail=exc)) from exc
