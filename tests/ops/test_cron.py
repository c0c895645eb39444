"""Every cron line in docs/operations.md runs exactly as written (install paths aside)."""

from __future__ import annotations

import glob
import re
import subprocess

import psycopg
import pytest

from amg_portal.management.commands.once import lock_key
from tests.ops import harness

DOC = harness.ROOT / "docs" / "operations.md"
PG_BIN = (sorted(glob.glob("/usr/lib/postgresql/*/bin")) or [""])[-1]


def cron_lines() -> list[str]:
    block = re.search(r"```cron\n(.*?)```", DOC.read_text(), flags=re.S).group(1)
    commands = []
    for line in block.splitlines():
        if line.strip() and not line.startswith("#"):
            fields = line.split(None, 6)  # m h dom mon dow user command
            commands.append(fields[6])
    return commands


def run_as_cron(command: str, site, backups) -> subprocess.CompletedProcess:
    # cron turns an escaped \% into %; the checkout and backup directory stand in for /srv, /var.
    command = command.replace("\\%", "%").replace("/srv/amg-portal", str(harness.ROOT))
    command = command.replace("/var/backups/amg-portal", str(backups))
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env=site.env(PG_BIN=PG_BIN),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_documented_jobs_are_the_known_ones():
    jobs = [re.search(r"manage\.py once (\w+)", c).group(1) for c in cron_lines()]
    assert jobs == [
        "kortlaegning_close_due",
        "send_reminders",
        "purge_raw_responses",
        "send_invitations",
        "render_pdfs",
        "backup_db",
    ]


@pytest.mark.parametrize("index", range(6))
def test_each_documented_cron_line_runs(index, site, tmp_path):
    backups = tmp_path / "backups"
    result = run_as_cron(cron_lines()[index], site, backups)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if "backup_db" in cron_lines()[index]:
        [dump] = backups.glob("amg-portal-[1-7].dump")
        assert dump.stat().st_size > 10_000


def test_a_job_running_on_another_server_is_skipped(site, tmp_path):
    [line] = [c for c in cron_lines() if "send_reminders" in c]
    with psycopg.connect(**_params(site.url)) as other_server:
        other_server.execute("SELECT pg_advisory_lock(%s)", [lock_key("send_reminders")])
        result = run_as_cron(line, site, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "send_reminders is running on another server; skipped." in result.stdout
    assert "reminder e-mail(s) sent" not in result.stdout


def _params(url: str) -> dict:
    import environ

    config = environ.Env.db_url_config(url)
    return {
        "dbname": config["NAME"],
        "host": config.get("HOST") or config.get("OPTIONS", {}).get("host"),
        "user": config.get("USER") or None,
        "autocommit": True,
    }
