"""One line per log event, as ``key=value`` pairs, for log collectors that read stdout.

``ts=2026-11-30T21:00:00+00:00 level=ERROR logger=django.request msg="Internal Server Error: /x/"``
— values with blanks or quotes are quoted, and a traceback is folded into the same line
(``exc="Traceback ...\\n..."``), so one event is always exactly one line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from amg_portal.logredact import redact


def _value(text: object) -> str:
    value = str(text)
    if value and not any(ch in value for ch in ' "=\\') and value.isprintable():
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in escaped
    )
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    """Formats a record as one ``key=value`` line; secrets in URL paths are cut out."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        parts = {
            "ts": when,
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        if record.exc_info:
            parts["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            parts["exc"] = redact(record.exc_text)
        return " ".join(f"{key}={_value(value)}" for key, value in parts.items())
