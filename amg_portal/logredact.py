"""Keep secrets that travel in URLs out of the logs.

Answer codes, invitation and open-link secrets (and the calendar feed's token) are part of the
first URL a respondent opens. Django logs every 4xx/5xx response with its path ("Forbidden:
/kortlaegning/svar/7/k/<code>/"), and a code for a round that opens tomorrow is still worth
something. This filter, attached to the ``django.request`` logger, replaces those path segments
before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

SECRET_IN_PATH = re.compile(
    r"(/svar/\d+/[kil]/)[^/\s\"'?#]+"  # kortlaegning: code, invitation and open-link secrets
    r"|(/kalender/)[^/\s\"'?#]+(\.ics)"  # handlingsplan: the calendar feed's token
    r"|(/nulstil/[^/\s]+/)[^/\s\"'?#]+"  # Django's password-reset token
)


def redact(text: str) -> str:
    """``text`` with every secret path segment replaced by ``[redacted]``."""
    return SECRET_IN_PATH.sub(
        lambda m: (m.group(1) or m.group(2) or m.group(4)) + "[redacted]" + (m.group(3) or ""),
        text,
    )


class RedactSecrets(logging.Filter):
    """A logging filter that rewrites the record's message without the secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
