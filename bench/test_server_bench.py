"""How many requests one app server answers: gunicorn (DEBUG off) on PostgreSQL, over HTTP.

Prints throughput and latency for a logged-in user's pages and for the APV PDF; the figures in
docs/operations.md ("Capacity") come from this. Run with `make bench PYTEST_ARGS=-k server`.
"""

from __future__ import annotations

import statistics
import threading
import time

from tests.ops import harness
from tests.ops.conftest import server, site  # noqa: F401
from tests.ops.harness import Client

CLIENTS = 8
SECONDS = 20


def hammer(target, demo, paths: list[str]) -> tuple[float, float, float]:
    """CLIENTS logged-in browsers requesting ``paths`` in turn: (req/s, median ms, p95 ms)."""
    clients = []
    for n in range(CLIENTS):
        client = Client(target, client_ip=f"127.0.40.{n + 1}")
        assert client.login(*demo.login("coordinator")).status == 302
        clients.append(client)
    timings: list[float] = []
    stop = time.monotonic() + SECONDS

    def run(client: Client) -> None:
        i = 0
        while time.monotonic() < stop:
            started = time.monotonic()
            assert client.get(paths[i % len(paths)]).status == 200
            timings.append(time.monotonic() - started)
            i += 1

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = sorted(t * 1000 for t in timings)
    return len(ms) / SECONDS, statistics.median(ms), ms[int(len(ms) * 0.95)]


def test_server_throughput(server, site):  # noqa: F811
    rounds = harness.query(site.url, "SELECT id FROM kortlaegning_round ORDER BY id")
    [(cycle, unit)] = harness.query(
        site.url, "SELECT id, unit_id FROM handlingsplan_cycle ORDER BY id LIMIT 1"
    )
    pages = [
        "/",
        "/overblik/",
        f"/kortlaegning/runder/{rounds[0][0]}/resultater/",
        f"/handlingsplan/enhed/{unit}/forloeb/{cycle}/apv/",
    ]
    rate, median, p95 = hammer(server, site, pages)
    print(f"\npages: {rate:.1f} req/s, median {median:.0f} ms, p95 {p95:.0f} ms")
    rate, median, p95 = hammer(
        server, site, [f"/handlingsplan/enhed/{unit}/forloeb/{cycle}/apv.pdf"]
    )
    print(f"APV PDF: {rate:.2f} req/s, median {median:.0f} ms, p95 {p95:.0f} ms")
