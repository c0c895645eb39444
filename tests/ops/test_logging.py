"""Logs are one key=value line per event on stdout, without secrets; the audit trail is at INFO."""

from __future__ import annotations

import logging
import sys

from django.conf import settings

from amg_portal.logformat import KeyValueFormatter


def record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_an_event_with_a_traceback_is_one_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        line = KeyValueFormatter().format(
            record("Internal Server Error: %s", "/x/", exc_info=sys.exc_info())
        )
    assert "\n" not in line
    assert line.startswith("ts=")
    assert " level=ERROR logger=django.request " in line
    assert 'msg="Internal Server Error: /x/"' in line
    assert 'exc="Traceback' in line and "ValueError: boom\\nsecond line" in line


def test_secrets_in_paths_are_cut_out():
    line = KeyValueFormatter().format(record("Forbidden: /kortlaegning/svar/7/k/ABCDEF123/"))
    assert "ABCDEF123" not in line
    assert "/svar/7/k/[redacted]/" in line


def test_the_configuration_writes_key_value_lines_to_stdout_and_audits_at_info():
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["stream"] == "ext://sys.stdout"
    assert handler["formatter"] == "keyvalue"
    assert settings.LOGGING["loggers"]["amg_portal.audit"]["level"] == "INFO"
    assert logging.getLogger("amg_portal.audit").isEnabledFor(logging.INFO)
