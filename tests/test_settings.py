"""Start-up failures are one clear line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amg_portal import envconfig
from amg_portal.envconfig import SettingsError

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    clean.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "AMG_TESTING": "false", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", DEBUG="false", ALLOWED_HOSTS="amg.example.org")
    assert_one_line_failure(result, "SECRET_KEY")


def test_it_refuses_a_weak_secret_key_when_debug_is_off():
    result = manage("check", DEBUG="false", SECRET_KEY="secret", ALLOWED_HOSTS="x.org")
    assert_one_line_failure(result, "SECRET_KEY")


def test_it_starts_with_a_real_secret_key():
    key = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
    result = manage(
        "check",
        DEBUG="false",
        SECRET_KEY=key,
        ALLOWED_HOSTS="amg.example.org",
        DATABASE_URL="postgres://amg@db.example.org/amg",
    )
    assert result.returncode == 0, result.stderr


def test_it_explains_a_malformed_database_url():
    result = manage("migrate", DEBUG="true", DATABASE_URL="not a url")
    assert_one_line_failure(result, "DATABASE_URL")


def test_it_explains_an_unsupported_database_scheme():
    result = manage("migrate", DEBUG="true", DATABASE_URL="mongodb://localhost/amg")
    assert_one_line_failure(result, "DATABASE_URL", "mongodb")


def test_it_explains_an_unreachable_database():
    result = manage("migrate", DEBUG="true", DATABASE_URL="postgres://amg@127.0.0.1:1/amg_portal")
    assert_one_line_failure(result, "cannot reach the database", "DATABASE_URL")


def test_it_explains_a_bad_yes_no_value():
    result = manage("check", DEBUG="perhaps")
    assert_one_line_failure(result, "DEBUG")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgres://u:p@db.example.org:5433/amg", ("db.example.org", 5433, "amg")),
        ("postgres://postgres@/amg?host=/run/amg-sock", ("/run/amg-sock", "", "amg")),
    ],
)
def test_it_parses_postgres_urls(monkeypatch, value, expected):
    monkeypatch.setenv("DATABASE_URL", value)
    config = envconfig.database(default_sqlite=Path("x.sqlite3"))
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == expected


def test_no_database_url_means_embedded_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = envconfig.database(default_sqlite=Path("var/demo.sqlite3"))
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/demo.sqlite3"}


def test_a_database_url_without_a_name_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://db.example.org")
    with pytest.raises(SettingsError, match="names no database"):
        envconfig.database(default_sqlite=Path("x"))


def test_developer_tools_run_without_a_production_secret():
    result = manage("makemigrations", "--check", "--dry-run", DEBUG="false")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_it_refuses_to_fall_back_to_sqlite_when_debug_is_off():
    key = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
    result = manage("check", DEBUG="false", SECRET_KEY=key, ALLOWED_HOSTS="amg.example.org")
    assert_one_line_failure(result, "DATABASE_URL")


def test_it_reads_admins_from_the_environment(monkeypatch):
    monkeypatch.setenv("ADMINS", "Drift <drift@example.org>, it@example.org")
    assert envconfig.env_addresses("ADMINS") == [
        ("Drift", "drift@example.org"),
        ("it@example.org", "it@example.org"),
    ]
    monkeypatch.setenv("ADMINS", "nobody")
    with pytest.raises(SettingsError, match="ADMINS"):
        envconfig.env_addresses("ADMINS")
