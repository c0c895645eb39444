"""Shared fixtures: a small organisation with two institutes (A and B) and one user per role.

    Fakultet
    ├── Institut A ── Gruppe A1
    └── Institut B

``leader_a`` leads A; ``amr_a``, ``tr_a``, ``amg_a`` hold their roles on A; ``employee_a`` works in
A1; ``leader_b`` leads B (an outsider to A); ``coordinator`` administers everything.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from amg_portal import ratelimit
from amg_portal.organisation.models import Membership, Role, Unit, User
from amg_portal.organisation.services import unit_create
from amg_portal.pdf import BASE_URL

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

PASSWORD = "correct-horse-battery-staple"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def make_user(username: str, *, coordinator: bool = False, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.split("_")[0].capitalize(),
        email=f"{username}@example.org",
        is_coordinator=coordinator,
        is_staff=coordinator,
        **extra,
    )
    return user


def give_role(user: User, unit: Unit, role: str) -> User:
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def faculty(db) -> Unit:
    return unit_create(parent=None, name="Fakultet", kind=Unit.Kind.FACULTY, headcount=2)


@pytest.fixture
def unit_a(faculty) -> Unit:
    return unit_create(parent=faculty, name="Institut A", kind=Unit.Kind.INSTITUTE, headcount=3)


@pytest.fixture
def group_a1(unit_a) -> Unit:
    return unit_create(parent=unit_a, name="Gruppe A1", kind=Unit.Kind.RESEARCH_GROUP, headcount=6)


@pytest.fixture
def unit_b(faculty, unit_a) -> Unit:
    return unit_create(parent=faculty, name="Institut B", kind=Unit.Kind.INSTITUTE, headcount=4)


@pytest.fixture
def leader_a(unit_a) -> User:
    return give_role(make_user("leader_a"), unit_a, Role.LEADER)


@pytest.fixture
def amr_a(unit_a) -> User:
    return give_role(make_user("amr_a"), unit_a, Role.AMR)


@pytest.fixture
def tr_a(unit_a) -> User:
    return give_role(make_user("tr_a"), unit_a, Role.TR)


@pytest.fixture
def amg_a(unit_a) -> User:
    return give_role(make_user("amg_a"), unit_a, Role.AMG)


@pytest.fixture
def employee_a(group_a1) -> User:
    return give_role(make_user("employee_a"), group_a1, Role.EMPLOYEE)


@pytest.fixture
def leader_b(unit_b) -> User:
    return give_role(make_user("leader_b"), unit_b, Role.LEADER)


@pytest.fixture
def coordinator(db) -> User:
    return make_user("coordinator", coordinator=True)


@pytest.fixture
def login(client):
    """Log ``user`` in on the test client and return the client."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login


# --- A server that nothing may reach -------------------------------------------------------


class CountingServer:
    """A TCP server on 127.0.0.1 that counts the connections it accepts: any hit means something
    reached the network. It answers each with a redirect to one of the app's own static files, so
    a client that connected and followed redirects would also be caught fetching that."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        redirect = f"HTTP/1.1 302 Found\r\nLocation: {BASE_URL}static/css/pdf.css\r\n\r\n"
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.sendall(redirect.encode())
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        self.sock.close()


@pytest.fixture
def counting_server():
    """A :class:`CountingServer` for one test; ``counting_server.hits`` must usually stay 0."""
    server = CountingServer()
    yield server
    server.close()


# --- Transactional tests keep the data that migrations load ---------------------------------


def _django_order(item) -> int:
    """pytest-django's order: database tests, then transactional ones, then the rest."""
    marker = item.get_closest_marker("django_db")
    kwargs = marker.kwargs if marker else {}
    transactional = bool(kwargs.get("transaction") or kwargs.get("reset_sequences")) or any(
        name in item.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        return 1
    return 0 if marker or "db" in item.fixturenames else 2


# Tests that restart the one PostgreSQL server every test shares: no other test may run at the
# same time, so `make test` runs them (marker "alone") on their own before the parallel rest.
ALONE = {
    "tests/kortlaegning/test_answer_load.py::test_200_concurrent_respondents_through_a_database_restart",
}


@pytest.hookimpl(tryfirst=True)
def pytest_itemcollected(item):
    if item.nodeid in ALONE:
        item.add_marker(pytest.mark.alone)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run tests in Django's order: database tests, then transactional ones, then the rest.

    pytest moves tests sharing a session-scoped parametrized fixture (Playwright's browser) into
    one block, which undoes pytest-django's ordering and lets a transactional test's flush run
    before ordinary database tests. A stable sort puts it right again.
    """
    items.sort(key=_django_order)


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup, django_db_blocker) -> str:
    """The rows the migrations loaded (the bilag 1 catalogue, content types, permissions)."""
    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: after a flush or with SQLite, ids come again, and a
    dashboard kept for an earlier test's user must not stand in for this test's."""
    cache.clear()


@pytest.fixture
def back_to_the_latest_schema():
    """For a test of a migration: migrating back undoes later migrations of other apps too, so
    leave the schema as found."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    """A test's rate-limit counts all fall in one window per window length: the windows follow
    the clock, and a test that counts to a limit across a minute's turn would start again from
    zero half-way (tests/security/test_answer_endpoints.py failed so once in CI). Servers started
    as their own processes (tests/ops) keep the real clock."""
    now = int(time.time())
    monkeypatch.setattr(ratelimit, "_window_start", lambda window: now - now % window)


@pytest.fixture(autouse=True)
def _restore_migrated_data(request):
    """Give every transactional test the migrated data back.

    A transactional test (live server, concurrency) ends by flushing the database, which also
    wipes what data migrations loaded. Django's serialized rollback would restore it, but it keeps
    the snapshot on the connection object, and under Playwright's greenlet the test sees another
    connection object. So we keep the snapshot ourselves and load it before each such test.
    """
    if _django_order(request.node) != 1:
        return
    data = request.getfixturevalue("_migrated_data")
    request.getfixturevalue("transactional_db")
    # Django's flush re-creates content types and permissions with new ids; start from empty.
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(data)


# --- Browser tests: Debian's Chromium through pytest-playwright -------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Danish browser, as most of our users have; tests that need English switch in the page.
    return {**browser_context_args, "locale": "da-DK"}
