"""The pages people wait on run at most 15 queries, and the same number at two data sizes.

The results page, the dashboard (for the whole organisation and for a mid unit), the unit pages,
the home page, the round list, a tiltag made from the mapping (its figures before and after) and
the written APV (whose period holds more rounds at the larger size) are pinned for a leader, the
coordinator and an employee, once with a small organisation and once with ten times the units,
answers, comments, rounds and tiltag. Each user has been on the site before (the session already
carries its timestamps), as in real use.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.models import Unit
from amg_portal.organisation.services import unit_create
from handlingsplan import services as plan
from handlingsplan.models import Cycle
from kortlaegning import services
from kortlaegning.models import LevelComment, Question, Response, Round
from tests.conftest import give_role, make_user
from tests.dashboard import helpers as dashboard_helpers
from tests.kortlaegning.helpers import add_responses, close

MAX_QUERIES = 15


def _organisation(faculty: Unit, leader, *, size: int) -> dict:
    """Institutes with groups below the faculty; two closed rounds with comments; tiltag."""
    today = timezone.localdate()
    institutes = [
        unit_create(parent=faculty, name=f"Institut {i:02d}", kind="institute", headcount=20)
        for i in range(2 * size)
    ]
    groups = [
        unit_create(parent=institute, name=f"Gruppe {i:02d}-{j}", kind="group", headcount=8)
        for i, institute in enumerate(institutes)
        for j in range(3)
    ]
    rounds = []
    for n in range(2):
        round = services.round_create(
            unit=faculty, created_by=leader, title=f"Runde {n}",
            opens_on=today - dt.timedelta(days=10 - n), closes_on=today,
        )  # fmt: skip
        round = services.round_open(round=round, opened_by=leader)
        for i, unit in enumerate([*institutes, *groups]):
            add_responses(round, unit, 6 if i % 2 else 2, ["yes", "no", "partly"][(i + n) % 3])
        for i, response in enumerate(Response.objects.filter(round=round)[: 12 * size]):
            LevelComment.objects.create(response=response, level="I", text=f"Kommentar {i}")
        rounds.append(close(round, leader))
    services.round_publish_results(round=rounds[-1], published_by=leader)
    for i, institute in enumerate(institutes[:size]):  # more rounds in the APV's period
        round = services.round_create(
            unit=institute, created_by=leader, title=f"Institutrunde {i}",
            opens_on=today - dt.timedelta(days=5), closes_on=today,
        )  # fmt: skip
        round = services.round_open(round=round, opened_by=leader)
        add_responses(round, institute, 6, "partly")
        close(round, leader)
    for institute in institutes:
        dashboard_helpers.measures(institute, leader, 3)
    dashboard_helpers.measures(faculty, leader, 4 * size, title=f"Fakultetstiltag {size}")
    cycle = Cycle.objects.filter(unit=faculty).first() or plan.cycle_create(
        unit=faculty, created_by=leader, title="APV",
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=300),
    )  # fmt: skip
    # A tiltag made from a question of the first round, with milestones and follow-ups: its page
    # shows the question's figures before (that round) and after (the next round).
    measure = plan.measure_create(
        unit=faculty, created_by=leader, title=f"Tiltag fra kortlægningen {size}",
        responsible=leader, risk_factor=plan.risk_factor_create(
            cycle=cycle, created_by=leader, title=f"Risiko {size}", level="G"
        ), cycle=cycle, source_kind="round_question", source_round=rounds[0],
        source_question=Question.objects.filter(level="G").first(),
        follow_ups=[today + dt.timedelta(days=d) for d in range(0, 10 * size, 5)],
    )  # fmt: skip
    for d in range(size):
        plan.milestone_add(
            measure=measure, title=f"Delmål {d}", due_on=today + dt.timedelta(days=d), user=leader
        )
    return {"rounds": rounds, "mid": institutes[0], "cycle": cycle, "measure": measure}


def _count(client, url: str, data: dict | None = None) -> int:
    client.get(url, data)  # been here before: the session carries its timestamps
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def measured(faculty, client):
    def _measure(size: int) -> dict[tuple[str, str], int]:
        leader = give_role(make_user(f"dekan{size}"), faculty, "leader")
        world = _organisation(faculty, leader, size=size)
        employee = give_role(make_user(f"ansat{size}"), world["mid"], "employee")
        coordinator = make_user(f"koordinator{size}", coordinator=True)
        latest: Round = world["rounds"][-1]
        pages = {
            "results": (reverse("kortlaegning:round_results", args=[latest.pk]), None),
            "results-page-2": (
                reverse("kortlaegning:round_results", args=[latest.pk]),
                {"page": 2},
            ),
            "dashboard": (reverse("dashboard:index"), None),
            "dashboard-mid": (reverse("dashboard:index"), {"unit": world["mid"].pk}),
            "unit": (reverse("organisation:unit_detail", args=[world["mid"].pk]), None),
            "rounds": (reverse("kortlaegning:index"), None),
            "unit-top": (reverse("organisation:unit_detail", args=[faculty.pk]), None),
            "home": (reverse("home"), None),
            "measure": (
                reverse("handlingsplan:measure_detail", args=[faculty.pk, world["measure"].pk]),
                None,
            ),
            "apv": (
                reverse("handlingsplan:apv_read", args=[faculty.pk, world["cycle"].pk]),
                None,
            ),
        }
        counts = {}
        for who, user in (("leader", leader), ("coordinator", coordinator), ("employee", employee)):
            client.force_login(user)
            for name, (url, data) in pages.items():
                if who == "employee" and name == "dashboard-mid":
                    data = {"unit": world["mid"].pk}
                if who == "employee" and name == "unit-top":
                    continue  # not theirs: 404
                counts[(who, name)] = _count(client, url, data)
        return counts

    return _measure


def test_every_page_stays_within_the_budget_and_does_not_grow_with_the_data(measured):
    small = measured(1)
    large = measured(10)
    over = {key: n for key, n in {**small, **large}.items() if n > MAX_QUERIES}
    assert not over, over
    grew = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert not grew, grew
