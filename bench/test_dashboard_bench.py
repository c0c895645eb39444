"""How the dashboard scales: query count and median time at 3, 30 and 100 units.

Run: make bench (or pytest bench/test_dashboard_bench.py -s). Builds an institute with sub-units,
closed rounds with answers, tiltag with follow-ups and escalated cases, then prints the query count
and the median time of the dashboard and its meeting mode for a leader and the coordinator.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard.test_queries import _organisation

SIZES = [(3, 10, 1), (30, 300, 10), (100, 3000, 10)]


def _measure(client, url, runs=5):
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times)


@pytest.mark.parametrize(("units", "tiltag", "rounds"), SIZES)
def test_dashboard_scaling(login, unit_a, leader_a, coordinator, units, tiltag, rounds):
    _organisation(unit_a, leader_a, units=units, tiltag=tiltag, rounds=rounds)
    for name, user in (("leader", leader_a), ("coordinator", coordinator)):
        client = login(user)
        for url in ("/overblik/", "/overblik/moede/"):
            queries, median = _measure(client, url)
            print(
                f"\n{units:>4} units {tiltag:>5} tiltag {rounds:>2} rounds  {name:<11} {url:<17}"
                f" {queries:>3} queries  {median * 1000:7.1f} ms"
            )
