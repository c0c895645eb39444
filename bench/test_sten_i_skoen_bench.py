"""How the sten-i-skoen pages and the confidentiality queryset scale.

Run: make bench (or pytest bench/test_sten_i_skoen_bench.py -s). Builds 20 sub-units of A with 30
cases each (600 cases, three participants each), fills one case's matrix with 12 long cells,
10 escalations and 20 actions, then prints the query count and median time of the list, the
matrix page, the inbox, ``Case.objects.visible_to`` for three kinds of user, and the PDF.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.models import Role, Unit
from amg_portal.organisation.services import unit_create
from sten_i_skoen.models import ROWS, TEXT_COLUMNS, Case, CaseCell, CaseEvent
from tests.conftest import give_role, make_user

UNITS, CASES_PER_UNIT = 20, 30


def build(unit_a, amr_a, employee_a):
    people = [give_role(make_user(f"p{i}"), unit_a, Role.EMPLOYEE) for i in range(10)]
    for u in range(UNITS):
        sub = unit_create(parent=unit_a, name=f"Gruppe {u:02d}", kind=Unit.Kind.GROUP)
        cases = Case.objects.bulk_create(
            Case(unit=sub, title=f"Sag {u}-{c}", problem="p", occasion="risk", created_by=amr_a)
            for c in range(CASES_PER_UNIT)
        )
        through = Case.participants.through
        through.objects.bulk_create(
            through(case=case, user=people[(i + k) % len(people)])
            for i, case in enumerate(cases)
            for k in range(3)
        )
        CaseCell.objects.bulk_create(
            CaseCell(case=case, row=r, column=col)
            for case in cases
            for r in ROWS
            for col in TEXT_COLUMNS
        )
        CaseEvent.objects.bulk_create(
            CaseEvent(case=case, to_status="open", by=amr_a) for case in cases
        )
    return people


def _time(fn, runs=5):
    times, queries, result = [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times) * 1000, result


def test_sten_i_skoen_scaling(login, unit_a, amr_a, leader_a, employee_a, leader_b, faculty):
    from sten_i_skoen import services

    people = build(unit_a, amr_a, employee_a)
    dean = give_role(make_user("dean"), faculty, Role.LEADER)
    case = services.case_create(
        unit=unit_a,
        created_by=amr_a,
        title="Stor sag",
        problem="Problem " * 100,
        occasion="sick_leave",
        participants=[employee_a],
    )
    for r in ROWS:
        for col in TEXT_COLUMNS:
            services.cell_save(case=case, row=r, column=col, text="æøå " * 900, version=0, by=amr_a)
    for i in range(10):
        services.escalation_create(case=case, text=f"Punkt {i} " * 40, created_by=amr_a)
    due = timezone.localdate() + dt.timedelta(days=10)
    for i in range(20):
        services.case_action_create(
            case=case,
            row=ROWS[i % 4],
            what=f"Handling {i}",
            responsible=people[i % 10],
            due=due,
            created_by=amr_a,
        )
    print(f"\n{Case.objects.count()} cases in {UNITS + 1} units")
    for label, user in [
        ("leader of A", leader_a),
        ("participant", people[0]),
        ("outsider", leader_b),
    ]:
        q, ms, n = _time(lambda u=user: Case.objects.visible_to(u).count())
        print(f"visible_to({label}): {n} cases, {q} query, {ms:.1f} ms")

    client = login(leader_a)
    pages = [
        ("list (leader, 601 cases)", reverse("sten_i_skoen:index")),
        ("matrix (12 full cells, 20 actions, 10 escalations)", case.get_absolute_url()),
    ]
    for label, url in pages:
        q, ms, response = _time(lambda url=url: client.get(url))
        assert response.status_code == 200
        print(f"{label}: {q} queries, {ms:.0f} ms")
    dean_client = login(dean)
    q, ms, response = _time(lambda: dean_client.get(reverse("sten_i_skoen:inbox")))
    print(f"inbox (10 escalations): {q} queries, {ms:.0f} ms")
    url = reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk})
    q, ms, response = _time(lambda: login(leader_a).get(url), runs=2)
    assert response.status_code == 200
    print(f"PDF: {q} queries, {ms:.0f} ms, {len(response.content) // 1024} KiB")
