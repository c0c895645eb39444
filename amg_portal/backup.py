"""Back up and restore the database with PostgreSQL's own tools (pg_dump's custom format).

``manage.py backup_db FILE`` writes one consistent snapshot of the whole database (pg_dump runs in
one transaction, so the portal can stay online). ``manage.py restore_db FILE`` loads it into an
empty database and refuses a database that already holds tables unless told ``--force``.
The programs come from PG_BIN when set (e.g. /usr/lib/postgresql/16/bin), else from PATH; they
must be at least the server's major version.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection


def _program(name: str) -> str:
    pg_bin = os.environ.get("PG_BIN", "").strip()
    path = str(Path(pg_bin) / name) if pg_bin else shutil.which(name)
    if not path or not Path(path).exists():
        raise ValidationError(f"{name} not found: install postgresql-client or set PG_BIN.")
    return path


def _connection_args() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    if settings["ENGINE"] != "django.db.backends.postgresql":
        raise ValidationError(
            "backup_db and restore_db work on PostgreSQL; for SQLite copy the database file."
        )
    args = ["--dbname", settings["NAME"], "--no-password"]
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    # Our own fixed programs with arguments from the settings; no shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        reason = " ".join(result.stderr.split())[:500] or f"exit status {result.returncode}"
        raise ValidationError(f"{Path(command[0]).name} failed: {reason}")


def database_backup(*, path: Path) -> Path:
    """Write the whole database to ``path`` (pg_dump custom format, compressed)."""
    args, env = _connection_args()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    _run(
        [
            _program("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-acl",
            *args,
            "--file",
            str(partial),
        ],
        env,
    )
    partial.replace(path)  # a crash never leaves a half-written file under the real name
    return path


def database_is_empty() -> bool:
    """True when the database holds no tables in its schemas (a fresh CREATE DATABASE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0] == 0


def database_restore(*, path: Path, force: bool = False) -> None:
    """Load a backup from ``path``; a database that is not empty is refused unless ``force``."""
    if not path.is_file():
        raise ValidationError(f"no backup file at {path}.")
    args, env = _connection_args()
    name = connection.settings_dict["NAME"]
    if not force and not database_is_empty():
        raise ValidationError(
            f"the database {name!r} is not empty; restore into a new, empty database, "
            "or pass --force to replace everything in it."
        )
    clean = ["--clean", "--if-exists"] if force else []
    connection.close()  # nothing of ours holds a lock while pg_restore works
    _run(
        [
            _program("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            *args,
            str(path),
        ],
        env,
    )
