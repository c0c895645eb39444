"""Writing many rows fast: PostgreSQL's COPY where we run on it, Django's bulk methods elsewhere.

The organisation import writes up to some hundred thousand rows (people, roles, audit entries).
``bulk_create`` builds a model instance and prepares every value in Python, which dominates the
import's time at that size; COPY streams plain tuples. Both paths take the same input: one dict
of attribute values per row (fields left out get their model default, ``auto_now_add`` fields the
current time).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

BATCH = 2000


def _plain(value: object) -> object:
    # Django's choices are enums; psycopg would dump an enum by its name, not its value.
    return value.value if isinstance(value, enum.Enum) else value


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_rows(model: type[models.Model], rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts of attribute name → value) into ``model``'s table."""
    if not rows:
        return
    fields = _fields(model)
    now = timezone.now()
    defaults = {
        f.attname: now
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        else f.get_default()
        for f in fields
    }
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = [f.attname for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([_plain(row.get(name, defaults[name])) for name in names])


def update_rows(model: type[models.Model], names: Iterable[str], rows: Sequence[dict]) -> None:
    """Set the attributes ``names`` of the rows with ``row["id"]`` to the rows' values."""
    names = list(names)
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = [model(id=row["id"], **{n: row[n] for n in names}) for row in rows]
        model._default_manager.bulk_update(objects, names, batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(model._meta.get_field(name).column) for name in names]
    # The staging table has the target's column types; it disappears with the transaction.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS amg_bulk_update")
        cursor.execute(
            f"CREATE TEMP TABLE amg_bulk_update ON COMMIT DROP AS "  # noqa: S608
            f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY amg_bulk_update (id, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row([row["id"], *(_plain(row[name]) for name in names)])
        assignments = ", ".join(f"{column} = u.{column}" for column in columns)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM amg_bulk_update AS u "  # noqa: S608
            f"WHERE t.id = u.id"
        )
        cursor.execute("DROP TABLE amg_bulk_update")
