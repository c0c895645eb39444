"""Statements prepared once per database connection (PostgreSQL, psycopg 3).

Django binds parameters on the client and never prepares, so PostgreSQL parses, analyses and
plans every statement again. For the few statements run on every request of a hot path (the
session read, the answer submit) that is a large share of their database time: the submit's
statement spent about 0.6 ms of its 1.4 ms there. ``prepared_cursor`` gives Django's cursor
(query log, error wrapping, health check and all) with a server-side binding psycopg cursor
underneath whose statements are prepared: parsed and planned on their first use on a connection,
then only executed.

Only where a worker keeps its connection (``CONN_MAX_AGE`` not 0). With 0 every request opens a
new connection, so nothing would be reused, and 0 is how the app runs behind a pooler in
transaction mode (docs/operations.md), where a statement prepared on one server connection is
unknown on the next. A bottom helper: it imports no app of the project.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator

from django.db import connections
from django.db.backends.utils import CursorWrapper

try:
    import psycopg
except ImportError:  # pragma: no cover - PostgreSQL deployments have psycopg
    psycopg = None


def prepares(alias: str = "default") -> bool:
    """Whether statements run through ``prepared_cursor`` are prepared on this connection."""
    connection = connections[alias]
    return (
        psycopg is not None
        and connection.vendor == "postgresql"
        and connection.settings_dict.get("CONN_MAX_AGE") != 0
    )


@contextlib.contextmanager
def prepared_cursor(alias: str = "default") -> Iterator[CursorWrapper]:
    """Django's cursor; its statements prepared where ``prepares`` (else Django's own cursor).

    As ``connection.cursor()`` (health check, query log, errors as Django's), with the prepared
    cursor underneath; one per database connection, kept (making a psycopg cursor copies the
    connection's adapters, which costs about as much as running the statement)."""
    connection = connections[alias]
    if not prepares(alias):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        kept = _KEPT.get(raw)
        if kept is None:
            kept = _KEPT[raw] = _PreparedCursor(raw)
        cursor = connection._prepare_cursor(kept)
    yield cursor


# The prepared cursor of each psycopg connection (gone with the connection).
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

if psycopg is not None:

    class _PreparedCursor(psycopg.Cursor):
        """Server-side binding; every statement prepared (psycopg keeps them per connection)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            # Django turns preparing off for the connection (``prepare_threshold`` None), which
            # also ignores an explicit ``prepare=True``; a threshold no other statement reaches
            # allows it for this statement alone.
            conn = self.connection
            threshold = conn.prepare_threshold
            if threshold is None:
                conn.prepare_threshold = 1 << 30
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                conn.prepare_threshold = threshold

        def _send_query_prepared(self, name, pgq, *, binary=None):
            self._query = pgq  # as an unprepared execution keeps it: Django's query log reads it
            super()._send_query_prepared(name, pgq, binary=binary)
