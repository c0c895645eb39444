"""Two gunicorn instances on two ports, one PostgreSQL: nothing lives in one process.

Each test speaks HTTP to both instances as a load balancer would spread one browser's requests.
Every test connects from its own loopback address (127.0.20.x), so per-address counts stay apart.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from tests.ops import harness
from tests.ops.harness import Client, form_fields

ANSWER_LIMIT = 6


@pytest.fixture(scope="module")
def pair(site):
    env = site.env(ANSWER_RATE_LIMIT=str(ANSWER_LIMIT))
    servers = [
        harness.Server(env=env, log=site.logs / f"scale-{n}.log").start(workers=1) for n in (1, 2)
    ]
    yield servers
    for server in servers:
        server.stop()


def password(site, username: str) -> str:
    return next(r["password"] for r in site.demo["users"] if r["username"] == username)


def test_a_login_on_one_server_works_on_the_other(pair, site):
    a, b = pair
    client = Client(a, client_ip="127.0.20.1")
    assert client.login("leder", password(site, "leder")).status == 302
    client.server = b
    home = client.get("/")
    assert home.status == 200
    assert "/konto/log-ud/" in home.text


def test_the_login_lock_counts_failures_on_both_servers(pair, site):
    a, b = pair
    client = Client(a, client_ip="127.0.20.2")
    statuses = []
    for attempt in range(5):  # AXES_FAILURE_LIMIT: 3 on one server, 2 on the other
        client.server = pair[attempt % 2]
        statuses.append(client.login("amr", "wrong password").status)
    # The fifth failure, the third on this server, is the one that locks.
    assert statuses == [200, 200, 200, 200, 429]
    for server in (a, b):  # locked everywhere, even with the right password
        client.server = server
        response = client.login("amr", password(site, "amr"))
        assert response.status == 429, response.status


def wait_for_a_fresh_window(window: int = 60, margin: int = 15) -> None:
    """The limiter counts in fixed windows: start well inside one, so no count is split."""
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.5)


def test_the_answer_page_rate_limit_counts_on_both_servers(pair, site):
    round_path = urlsplit(site.demo["survey"]["entry"]).path
    client = Client(pair[0], client_ip="127.0.20.3")
    wait_for_a_fresh_window()
    statuses = []
    for n in range(ANSWER_LIMIT + 2):
        client.server = pair[n % 2]
        statuses.append(client.get(round_path).status)
    # Each server saw at most half the limit, yet the address is over it on both.
    assert statuses[:ANSWER_LIMIT] == [200] * ANSWER_LIMIT
    assert statuses[ANSWER_LIMIT:] == [429, 429]


def answer_everything(client: Client, code_path: str) -> None:
    response = client.get(code_path)
    assert response.status == 302, response.status
    for _ in range(20):
        location = urlsplit(response.header("Location")).path
        if location.endswith("/tak/"):
            return
        page = client.get(location)
        assert page.status == 200, (location, page.status)
        response = client.post(location, form_fields(page.text))
        assert response.status == 302, (location, response.status)
    raise AssertionError("the questionnaire never ended")


def test_a_code_used_on_one_server_is_refused_on_the_other(pair, site):
    a, b = pair
    code_path = urlsplit(site.demo["survey"]["code_links"][-1]).path
    answer_everything(Client(a, client_ip="127.0.20.4"), code_path)
    other = Client(b, client_ip="127.0.20.5")
    again = other.follow(other.get(code_path))  # the refusal page lives at a URL without the code
    assert again.status == 409  # used


def test_either_server_renders_the_pdf(pair, site):
    [(cycle, unit)] = harness.query(
        site.url, "SELECT id, unit_id FROM handlingsplan_cycle ORDER BY id LIMIT 1"
    )
    client = Client(pair[0], client_ip="127.0.20.6")
    assert client.login("leder", password(site, "leder")).status == 302
    for server in pair:
        client.server = server
        response = client.get(f"/handlingsplan/enhed/{unit}/forloeb/{cycle}/apv.pdf")
        assert response.status == 200
        assert response.body.startswith(b"%PDF-")
