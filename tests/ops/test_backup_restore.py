"""The restore drill: seed → back up → restore into a fresh database → the same portal."""

from __future__ import annotations

import glob
import re
import subprocess

import pytest

from tests.ops import harness
from tests.ops.harness import Client

PG_BIN = (sorted(glob.glob("/usr/lib/postgresql/*/bin")) or [""])[-1]


def page_text(html: str) -> list[str]:
    """What a reader sees, piece by piece between tags, without CSRF tokens.

    The pieces are sorted: the results page shuffles the free-text comments on every view (so
    their order tells nothing about who wrote them); all of them must still be there.
    """
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    pieces = re.split(r"<script.*?</script>|<[^>]+>", html, flags=re.S)
    return sorted(" ".join(piece.split()) for piece in pieces if piece.strip())


def important_pages(url: str) -> list[str]:
    """Every round's results, every cycle's APV and every case."""
    rounds = harness.query(url, "SELECT id FROM kortlaegning_round ORDER BY id")
    cycles = harness.query(url, "SELECT id, unit_id FROM handlingsplan_cycle ORDER BY id")
    cases = harness.query(url, "SELECT id FROM sten_i_skoen_case ORDER BY id")
    assert rounds and cycles and cases, "the demo data should have rounds, APVs and cases"
    return [
        *(f"/kortlaegning/runder/{r}/resultater/" for (r,) in rounds),
        *(f"/handlingsplan/enhed/{u}/forloeb/{c}/apv/" for c, u in cycles),
        *(f"/sten-i-skoen/sag/{c}/" for (c,) in cases),
    ]


def snapshot(server: harness.Server, site, paths: list[str]) -> dict[str, tuple[int, list]]:
    client = Client(server, client_ip="127.0.30.1")
    assert client.login(*site.login("coordinator")).status == 302
    return {path: (r.status, page_text(r.text)) for path in paths for r in [client.get(path)]}


@pytest.fixture(scope="module")
def backup(site, tmp_path_factory):
    """One `manage.py backup_db` of the seeded site, for the tests that restore it."""
    path = tmp_path_factory.mktemp("backup") / "amg.dump"
    out = harness.manage(site.env(PG_BIN=PG_BIN), "backup_db", str(path))
    assert "backup written" in out
    return path


@pytest.fixture
def restored(site, tmp_path):
    name, url = harness.create_database("amg_restored")
    yield name, url
    harness.drop_database(name)


def test_the_restore_drill(site, server, backup, restored):
    assert backup.stat().st_size > 10_000

    _, url = restored
    restored_env = harness.production_env(url, site.static_root, PG_BIN=PG_BIN)
    harness.manage(restored_env, "restore_db", str(backup))
    assert "No planned migration operations" in harness.manage(restored_env, "migrate", "--plan")

    paths = important_pages(site.url)
    copy = harness.Server(env=restored_env, log=site.logs / "restored.log").start(workers=1)
    try:
        before, after = snapshot(server, site, paths), snapshot(copy, site, paths)
    finally:
        copy.stop()
    assert all(status == 200 for status, _ in before.values()), before
    assert after == before


def test_a_restore_into_a_database_that_is_not_empty_is_refused(site, backup):
    result = subprocess.run(
        [str(harness.BIN / "python"), "manage.py", "restore_db", str(backup)],
        cwd=harness.ROOT,
        env=site.env(PG_BIN=PG_BIN),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "is not empty" in line and "--force" in line
