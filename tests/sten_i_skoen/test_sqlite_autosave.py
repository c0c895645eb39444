"""`make run` on SQLite: matrix cells autosaved at once all succeed (no "database is locked").

The suite runs on PostgreSQL, so this test starts a separate Python process with the project's
own settings on a fresh SQLite file (as `make run` does) and sends concurrent cell saves through
the whole request stack (sessions, middleware, the view and ``cell_save``) from several threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client

call_command("migrate", verbosity=0)
from amg_portal.organisation.models import Membership, Role, User
from amg_portal.organisation.services import unit_create
from sten_i_skoen.models import ROWS, TEXT_COLUMNS
from sten_i_skoen.services import case_create

unit = unit_create(parent=None, name="Enhed", kind="institute", headcount=9)
people = []
for n in range(WRITERS):
    user = User.objects.create_user(username=f"u{n}", password="x-" * 10)
    Membership.objects.create(user=user, unit=unit, role=Role.AMR)
    people.append(user)
case = case_create(unit=unit, created_by=people[0], title="Sag", problem="p", occasion="risk",
                   participants=people[1:])
cells = [(row, column) for row in ROWS for column in TEXT_COLUMNS]
clients = []
for user in people:
    client = Client(SERVER_NAME="localhost", raise_request_exception=False)
    client.force_login(user)
    clients.append(client)
connection.close()

statuses, barrier = [], threading.Barrier(WRITERS)

def writer(n):
    client, versions = clients[n], {}
    barrier.wait()
    try:
        for i in range(SAVES):
            row, column = cells[n]  # each writer its own cell: conflicts are not the point
            response = client.post(
                case.get_absolute_url(),
                {"row": row, "column": column, "text": f"{n}-{i}",
                 "version": versions.get((row, column), 0)},
                HTTP_ACCEPT="application/json",
            )
            statuses.append(response.status_code)
            if response.status_code == 200:
                versions[(row, column)] = response.json()["version"]
    finally:
        connection.close()

threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(statuses))
"""


def test_concurrent_autosaves_on_sqlite_all_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_CURRENT_TEST")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="amg_portal.settings",
        LOG_LEVEL="CRITICAL",
    )
    script = SCRIPT.replace("WRITERS", "8").replace("SAVES", "8")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(statuses) == 8 * 8
    assert set(statuses) == {200}, sorted(statuses)
