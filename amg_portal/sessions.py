"""The session engine: Django's database sessions, read with one plain statement.

Every request with a session cookie reads its row; the ORM spends longer building that one
``SELECT`` than the database spends answering it (the answer pages read the session on every
step). The row, the encoding, the expiry and everything else are Django's own
(``django.contrib.sessions.backends.db``): only the read is written out, as a prepared statement
(``amg_portal.prepared``). A bottom helper: it
imports no app of the project.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from amg_portal.prepared import prepared_cursor


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired row of this session key (only its data is used), or None."""
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared_cursor(alias) as cursor:  # parsed and planned once per connection
            cursor.execute(
                f"SELECT session_data FROM {table}"  # noqa: S608 (the model's table name)
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])
