"""Secrets in URL paths are cut out of Django's request log lines."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from amg_portal.logredact import RedactSecrets, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Forbidden: /kortlaegning/svar/7/k/2XJRYF68T9WDV9PD/",
            "Forbidden: /kortlaegning/svar/7/k/[redacted]/",
        ),
        ("Gone: /kortlaegning/svar/7/l/abc_DEF-123/", "Gone: /kortlaegning/svar/7/l/[redacted]/"),
        (
            "Not Found: /kortlaegning/svar/7/i/tok?x=1",
            "Not Found: /kortlaegning/svar/7/i/[redacted]?x=1",
        ),
        (
            "Not Found: /handlingsplan/kalender/s3cr3t.ics",
            "Not Found: /handlingsplan/kalender/[redacted].ics",
        ),
        ("Not Found: /konto/nulstil/MQ/abc-123/", "Not Found: /konto/nulstil/MQ/[redacted]/"),
        ("Not Found: /kortlaegning/svar/7/trin/1/", "Not Found: /kortlaegning/svar/7/trin/1/"),
    ],
)
def test_it_redacts_secret_path_segments(line, expected):
    assert redact(line) == expected


def test_it_is_attached_to_the_request_logger():
    assert any(isinstance(f, RedactSecrets) for f in logging.getLogger("django.request").filters)


def test_it_keeps_an_unknown_calendar_token_out_of_the_log(db, caplog):
    caplog.set_level(logging.DEBUG)
    assert Client().get("/handlingsplan/kalender/not-a-real-token-123.ics").status_code == 404
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "not-a-real-token-123" not in messages
    assert "[redacted]" in messages
