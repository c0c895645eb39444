"""How the action plan pages and the APV PDF scale with the size of the plan.

Run: make bench (or pytest bench/test_handlingsplan_bench.py -s). Builds a cycle with 10 risk
factors and 80 tiltag (milestones, follow-ups, evaluations), then prints the query count and
median time of the table, the board and the written APV, and the time and size of the PDF.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handlingsplan import services

MEASURES = 80


def build_plan(unit, leader):
    cycle = services.cycle_create(
        unit=unit,
        created_by=leader,
        title="Stor plan",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )
    factors = [
        services.risk_factor_create(cycle=cycle, created_by=leader, title=f"Risikofaktor {i}")
        for i in range(10)
    ]
    meeting = services.meeting_create(
        unit=unit, held_on=dt.date(2026, 6, 1), participants=[leader], created_by=leader
    )
    for i in range(MEASURES):
        measure = services.measure_create(
            unit=unit,
            created_by=leader,
            title=f"Tiltag {i:03d} med æøå",
            goal="Mål " * 20,
            description="Konkret tiltag " * 30,
            responsible=leader,
            roles=["leader", "amr"],
            start=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 1),
            risk_factor=factors[i % 10],
            follow_ups=[dt.date(2026, 3, 1), dt.date(2026, 9, 1)],
        )
        services.milestone_add(
            measure=measure, title="Delmål", due_on=dt.date(2026, 4, 1), user=leader
        )
        services.evaluation_record(
            meeting=meeting,
            measure=measure,
            user=leader,
            observation="Observation",
            effect="partly",
            decision="adjust",
            conclusion="Konklusion",
        )
    return cycle


def _measure(client, url, runs=5):
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times), response


def test_action_plan_scaling(login, unit_a, leader_a):
    cycle = build_plan(unit_a, leader_a)
    client = login(leader_a)
    pages = {
        "table": reverse("handlingsplan:measure_list", args=[unit_a.pk]),
        "board": reverse("handlingsplan:measure_board", args=[unit_a.pk]),
        "cycle": reverse("handlingsplan:cycle_detail", args=[unit_a.pk, cycle.pk]),
        "written APV": reverse("handlingsplan:apv_read", args=[unit_a.pk, cycle.pk]),
    }
    for name, url in pages.items():
        queries, median, _ = _measure(client, url)
        print(f"{name:12s} {MEASURES} tiltag: {queries} queries, median {median * 1000:.0f} ms")
        assert queries < 25
    queries, median, response = _measure(
        client, reverse("handlingsplan:apv_pdf", args=[unit_a.pk, cycle.pk]), runs=3
    )
    print(
        f"APV PDF      {MEASURES} tiltag: {queries} queries, median {median:.2f} s, "
        f"{len(response.content) // 1024} KiB"
    )
