"""One seeded production database (DEBUG off, collectstatic) shared by the ops tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops import harness


@dataclass
class Site:
    name: str
    url: str
    static_root: Path
    logs: Path
    demo: dict

    def env(self, **extra: str) -> dict[str, str]:
        return harness.production_env(self.url, self.static_root, **extra)

    def login(self, role: str) -> tuple[str, str]:
        row = next(r for r in self.demo["users"] if r["role"] == role)
        return row["username"], row["password"]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """A migrated database with the demo data, and the static files collected as in production."""
    root = tmp_path_factory.mktemp("production")
    name, url = harness.create_database()
    static_root = root / "static"
    env = harness.production_env(url, static_root)
    harness.manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    demo = harness.seed(env)
    yield Site(name=name, url=url, static_root=static_root, logs=root, demo=demo)
    harness.drop_database(name)


@pytest.fixture(scope="session")
def server(site) -> harness.Server:
    """gunicorn with DEBUG off on the seeded database."""
    server = harness.Server(env=site.env(), log=site.logs / "server.log").start()
    yield server
    server.stop()
