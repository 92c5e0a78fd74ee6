"""`insert_rows`: QuerySet.bulk_create for thousands of wide rows, without its SQL compiler.

Django compiles a bulk insert value by value (a placeholder and a prepared value per field per
row; a model with an ArrayField cannot take PostgreSQL's UNNEST path), which costs more than the
database's work once a claims build stores thousands of claims, lines and events. Here each
value is prepared as save() prepares it (`pre_save` then `get_db_prep_save`: defaults,
auto_now_add, encrypted fields), psycopg2 quotes the rows in C (`mogrify`), and each page goes
to the database as one INSERT ... RETURNING id through Django's cursor (so it is counted and
logged as any query). The database sees an ordinary INSERT: row-level security's WITH CHECK,
defaults, constraints and the audit trigger apply as to any other.

Same contract as bulk_create on the objects: the active org is assigned (another org's object is
refused), a foreign key set to an object saved since takes its pk, and the objects get their
pks and are marked saved. No signals are sent (bulk_create sends none either). A value Django
would write as an expression (a database default, F(), ...) is not supported: such objects go
through bulk_create."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from psycopg2.extras import execute_values

PAGE = 1000


def insert_rows(objs: Iterable[models.Model], *, page: int = PAGE) -> list[models.Model]:
    """Insert `objs` (all of one concrete model, not saved yet) and return them with their pks.
    See the module docstring."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise TypeError("insert_rows takes objects of one model")
    for obj in objs:
        if hasattr(obj, "assign_active_org"):
            obj.assign_active_org()
    fields = [f for f in model._meta.concrete_fields if not f.generated and f is not model._meta.pk]
    relations = [f for f in fields if f.is_relation and f.many_to_one]
    try:
        rows = [_row(obj, fields, relations) for obj in objs]
    except _Expression:
        return model._base_manager.bulk_create(objs)
    pks = _insert(model, fields, rows, page)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


class _Expression(Exception):
    """A value is an SQL expression (bulk_create compiles those)."""


def _row(obj: models.Model, fields: Sequence[Any], relations: Sequence[Any]) -> list[Any]:
    if obj.pk is not None:
        raise ValueError(f"{type(obj).__name__} {obj.pk} is saved already")
    for field in relations:
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None and getattr(obj, field.attname) is None:
                if related.pk is None:
                    raise ValueError(
                        f"insert_rows() prohibited to prevent data loss due to unsaved related "
                        f"object '{field.name}'."
                    )
                setattr(obj, field.attname, related.pk)
    row = []
    for field in fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise _Expression
        row.append(field.get_db_prep_save(value, connection))
    return row


def _insert(model: Any, fields: Sequence[Any], rows: list[list[Any]], page: int) -> list[Any]:
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    tail = f" RETURNING {quote(model._meta.pk.column)}"
    template = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pks: list[Any] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: mogrify quotes a row in C
        for start in range(0, len(rows), page):
            values = b", ".join(raw.mogrify(template, row) for row in rows[start : start + page])
            cursor.execute(head + values.decode() + tail)
            pks += [pk for (pk,) in cursor.fetchall()]
    return pks


# One UPDATE ... FROM (VALUES ...) for many rows with different values (Django's bulk_update
# builds a CASE per row and field: seconds of Python for a few thousand rows). As the app role:
# row-level security and the audit trigger apply as to any update.


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
