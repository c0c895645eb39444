#!/usr/bin/env python
"""Django's command-line utility for AMG-portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amg_portal.settings")
    from amg_portal import startup

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command in startup.OFFLINE_COMMANDS:
        # Developer tools that neither serve nor touch data need no production secret.
        os.environ["AMG_OFFLINE_COMMAND"] = "1"

    startup.load_settings()
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    if command not in startup.NO_DATABASE_COMMANDS:
        startup.probe_database()
    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        startup.fail(startup.describe_database_error(exc))


if __name__ == "__main__":
    main()
