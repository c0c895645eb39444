"""The dashboard runs the same bounded number of queries at 3 units and 10 tiltag as at 30/300."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amg_portal.organisation.models import Role, Unit
from amg_portal.organisation.services import unit_create
from handlingsplan import services as plan
from tests.conftest import give_role, make_user
from tests.dashboard import helpers

MAX_QUERIES = 15  # measured: 15 (leader, AMG), 14 (coordinator), 11 (employee), both sizes


def _organisation(root: Unit, leader, *, units: int, tiltag: int, rounds: int) -> None:
    groups = [
        unit_create(parent=root, name=f"Gruppe {i:02d}", kind=Unit.Kind.GROUP, headcount=6)
        for i in range(units - 1)
    ]
    today = timezone.localdate()
    for n in range(rounds):
        helpers.closed_round(
            root,
            leader,
            title=f"Runde {n}",
            people={g: 5 for g in groups[:3]} | {root: 5},
            closes_on=today - dt.timedelta(days=30 * (rounds - n)),
            choice=["yes", "partly", "no"][n % 3],
        )
    per_unit = max(tiltag // len(groups), 1) if groups else tiltag
    for group in groups or [root]:
        helpers.measures(group, leader, per_unit)
    for group in groups[: max(units // 3, 1)]:
        helpers.case(group, leader, escalate="Videre")
    amg = give_role(make_user(f"amg_{units}"), root, Role.AMG)
    plan.meeting_create(
        unit=root,
        held_on=today + dt.timedelta(days=3),
        participants=[amg],
        created_by=leader,
    )


@pytest.mark.parametrize(
    ("units", "tiltag", "rounds"), [(3, 10, 1), (30, 300, 10)], ids=["small", "large"]
)
@pytest.mark.parametrize("who", ["leader", "amg", "employee", "coordinator"])
def test_it_runs_a_bounded_number_of_queries(
    login, unit_a, leader_a, amg_a, employee_a, coordinator, django_assert_max_num_queries,
    units, tiltag, rounds, who,
):  # fmt: skip
    _organisation(unit_a, leader_a, units=units, tiltag=tiltag, rounds=rounds)
    user = {"leader": leader_a, "amg": amg_a, "employee": employee_a, "coordinator": coordinator}
    client = login(user[who])
    client.get("/overblik/")  # been here before: the session carries its timestamps
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/overblik/")
    assert response.status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):  # the filter unit comes with the form
        response = client.get("/overblik/moede/", {"unit": unit_a.pk if who != "employee" else ""})
    assert response.status_code == 200
