"""Start-up guards shared by manage.py and wsgi.py: one line on stderr instead of a traceback."""

from __future__ import annotations

import gc
import sys

# Commands that never touch the database, so a missing database must not stop them.
NO_DATABASE_COMMANDS = {
    "help",
    "version",
    "--help",
    "-h",
    "--version",
    "check",
    "compilemessages",
    "makemessages",
    "collectstatic",
    "makemigrations",
    "diffsettings",
    "startapp",
    "sendtestemail",
}


# Developer tools that write code or catalogues: they run without a production SECRET_KEY.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "help", "--help", "-h"}


def fail(message: str) -> None:
    """Print one line and exit non-zero."""
    first_line = " ".join(str(message).split())
    print(f"amg-portal: {first_line}", file=sys.stderr)
    raise SystemExit(1)


def load_settings() -> None:
    """Import the settings now, so an environment problem is reported in one line."""
    from amg_portal.envconfig import SettingsError

    try:
        import amg_portal.settings  # noqa: F401
    except SettingsError as exc:
        fail(str(exc))


def describe_database_error(exc: Exception) -> str:
    from django.db import connection

    settings = connection.settings_dict
    where = settings.get("HOST") or "local socket"
    name = settings.get("NAME")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"cannot reach the database {name!r} at {where} ({reason}); "
        "check DATABASE_URL and that the database server is running."
    )


def probe_database() -> None:
    """Connect once, so an unreachable database is one line rather than a traceback later."""
    import django
    from django.db import OperationalError, connection

    django.setup()
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        fail(describe_database_error(exc))


def warm_up_worker() -> None:
    """Load what a request needs before a new gunicorn worker takes its first one (issue 15).

    Django imports the URLconf, and with it every view module, on a process's first request:
    here that includes djangosaml2, whose XML schemas take 1–1.5 s to build on a quiet 2-core
    machine (3–6 s under load). gunicorn replaces each worker after about 1,000 requests, so
    without this a leader's click now and then landed on a fresh worker and waited for it, even
    for a PDF served from storage. Also loaded: the translation catalogues and the PDF renderer
    (``amg_portal.pdf.warm_up``). A failure is logged, never raised: the first request then
    pays for it as before."""
    import logging

    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from amg_portal import pdf

    try:
        get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Page")
    except Exception:
        logging.getLogger(__name__).warning("worker warm-up failed", exc_info=True)
    pdf.warm_up()
    freeze_what_is_loaded()


def freeze_what_is_loaded() -> None:
    """Take what the worker has loaded (Django, the views, WeasyPrint and its fonts: some 165,000
    objects) out of the garbage collector's sight. It is kept for the worker's life anyway, and
    every full collection walked all of it: a cost each request paid in proportion to what it
    allocates, so the answer submit more than most (issue 15). What is garbage now is collected
    first; only what was loaded before is frozen, everything a request creates is collected as
    usual. (``gc.freeze``, as Python's documentation advises for forking servers.)"""
    gc.collect()
    gc.freeze()
