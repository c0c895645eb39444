"""Start-up guards shared by manage.py and wsgi.py: one line on stderr instead of a traceback."""

from __future__ import annotations

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
