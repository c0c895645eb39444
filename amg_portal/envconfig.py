"""Strict readers for the environment-driven settings.

Everything here raises ``SettingsError`` with a one-line, human message: ``manage.py`` and
``wsgi.py`` print that line and exit instead of showing a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

KNOWN_ENGINES = {
    "django.db.backends.postgresql": "PostgreSQL",
    "django.db.backends.sqlite3": "SQLite",
}
# Values that are obviously not secret: refusing them with DEBUG off is the point.
INSECURE_SECRET_PREFIX = "django-insecure"  # noqa: S105
DEV_SECRET_KEY = "django-insecure-dev-only-amg-portal-not-for-production"  # noqa: S105


class SettingsError(ImproperlyConfigured):
    """A setting from the environment is missing or malformed."""


def read_dotenv(path: Path) -> None:
    """Load ``KEY=value`` lines from a .env file into the environment, without overriding."""
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)


def env_str(name: str, default: str = "") -> str:
    """Return an environment variable stripped of surrounding blanks."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; anything unrecognised is an error, not a silent False."""
    raw = env_str(name)
    if not raw:
        return default
    value = raw.lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value (use true or false).")


def env_int(name: str, default: int) -> int:
    """Read a whole-number variable."""
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list."""
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_addresses(name: str) -> list[tuple[str, str]]:
    """Read e-mail recipients, ``Name <a@b.dk>, c@d.dk``, as Django's ADMINS pairs."""
    from email.utils import getaddresses

    raw = env_str(name)
    if not raw:
        return []
    pairs = getaddresses([raw])
    if not pairs or any("@" not in address for _, address in pairs):
        raise SettingsError(f"{name}={raw!r} is not a list of e-mail addresses.")
    return [(real_name or address, address) for real_name, address in pairs]


def secret_key(*, debug: bool) -> str:
    """The SECRET_KEY; with DEBUG off a real, long key is required."""
    key = env_str("SECRET_KEY")
    if debug:
        return key or DEV_SECRET_KEY
    if not key:
        raise SettingsError(
            "SECRET_KEY is not set; with DEBUG off the app needs a real secret key."
        )
    if key.startswith(INSECURE_SECRET_PREFIX) or len(key) < 50 or len(set(key)) < 5:
        raise SettingsError(
            "SECRET_KEY is too weak for DEBUG off: use at least 50 random characters."
        )
    return key


def database(*, default_sqlite: Path, required: bool = False) -> dict:
    """Parse DATABASE_URL, or an embedded SQLite file when it is unset and not ``required``."""
    url = env_str("DATABASE_URL")
    if not url and required:
        raise SettingsError(
            "DATABASE_URL is not set; with DEBUG off name the PostgreSQL database "
            "(postgres://user:password@host:5432/name)."
        )
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    example = "postgres://user:password@host:5432/name or sqlite:///path/to/file.sqlite3"
    parts = urlsplit(url)
    if not parts.scheme or "://" not in url:
        raise SettingsError(f"DATABASE_URL is malformed; expected e.g. {example}.")
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise SettingsError(
            f"DATABASE_URL is malformed ({exc}); expected e.g. {example}."
        ) from None
    if config.get("ENGINE") not in KNOWN_ENGINES:
        raise SettingsError(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres:// or sqlite://."
        )
    if not config.get("NAME"):
        raise SettingsError(f"DATABASE_URL names no database; expected e.g. {example}.")
    options = config.setdefault("OPTIONS", {})
    if "host" in options:  # postgres://user@/db?host=/socket/dir
        config["HOST"] = options.pop("host")
    if config["ENGINE"] == "django.db.backends.postgresql":
        options.setdefault("connect_timeout", 5)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A sync worker serves one request at a time: it keeps its connection for a minute
        # instead of opening one per request (≈ 14 ms of every page on our machines), and checks
        # it before reuse, so a restarted database costs one reconnect, not an error.
        config.setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
        config.setdefault("CONN_HEALTH_CHECKS", True)
    config.setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 0))
    return config
