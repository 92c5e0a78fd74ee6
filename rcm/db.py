"""Set-based writes Django does slowly. `update_rows` sets different values on many rows in one
`UPDATE ... FROM (VALUES ...)` statement (Django's bulk_update builds a CASE per row and field,
which costs seconds of Python for a few thousand rows). It runs on the request's connection as
the app role, so row-level security and the audit trigger apply as to any update."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from psycopg2.extras import execute_values


def update_rows(
    model: type[models.Model], objs: Iterable[models.Model], fields: Sequence[str]
) -> int:
    """Write `fields` of each object (matched by primary key) in one statement; returns the
    number of rows updated. Values go through each field's get_db_prep_save, as save() would."""
    objs = list(objs)
    if not objs:
        return 0
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    pk = meta.pk
    columns = ", ".join(connection.ops.quote_name(f.column) for f in concrete)
    sets = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}"
        for f in concrete
    )
    casts = [f"%s::{f.db_type(connection)}" for f in (pk, *concrete)]
    template = f"({', '.join(casts)})"
    rows: list[tuple[Any, ...]] = [
        (
            obj.pk,
            *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in concrete),
        )
        for obj in objs
    ]
    table = connection.ops.quote_name(meta.db_table)
    pk_col = connection.ops.quote_name(pk.column)
    sql = (
        f"UPDATE {table} AS t SET {sets} FROM (VALUES %s) "
        f"AS v({pk_col}, {columns}) WHERE t.{pk_col} = v.{pk_col}"
    )
    with connection.cursor() as cur:
        execute_values(cur.cursor, sql, rows, template=template, page_size=len(rows))
        return cur.cursor.rowcount
