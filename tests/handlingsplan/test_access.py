"""Who may do what on every page: anonymous → login, wrong method → 405, outsider → 404,
member without the right → 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from amg_portal.organisation.models import Role
from handlingsplan import services
from tests.conftest import give_role, make_user


@pytest.fixture
def meeting(measure, leader_a):
    return services.meeting_create(
        unit=measure.unit,
        held_on=dt.date(2026, 3, 2),
        participants=[leader_a],
        created_by=leader_a,
    )


@pytest.fixture
def urls(cycle, measure, risk_factor, meeting):
    u = cycle.unit.pk
    milestone = services.milestone_add(
        measure=measure, title="Delmål", due_on=dt.date(2026, 4, 1), user=cycle.created_by
    )
    return {
        # name: (url, allowed methods, who may not: "employee" → 403)
        "cycle_create": (reverse("handlingsplan:cycle_create", args=[u]), "GET", "amr"),
        "cycle_detail": (reverse("handlingsplan:cycle_detail", args=[u, cycle.pk]), "GET", None),
        "cycle_step": (reverse("handlingsplan:cycle_step", args=[u, cycle.pk]), "POST", "amr"),
        "cycle_guidelines": (
            reverse("handlingsplan:cycle_guidelines", args=[u, cycle.pk]),
            "GET",
            "amr",
        ),
        "risk_factor_create": (
            reverse("handlingsplan:risk_factor_create", args=[u, cycle.pk]),
            "GET",
            "employee",
        ),
        "risk_factor_edit": (
            reverse("handlingsplan:risk_factor_edit", args=[u, cycle.pk, risk_factor.pk]),
            "GET",
            "employee",
        ),
        "assessment_edit": (
            reverse("handlingsplan:assessment_edit", args=[u, cycle.pk, risk_factor.pk]),
            "GET",
            "employee",
        ),
        "absence_create": (
            reverse("handlingsplan:absence_create", args=[u, cycle.pk]),
            "GET",
            "employee",
        ),
        "note_create": (
            reverse("handlingsplan:note_create", args=[u, cycle.pk]),
            "GET",
            "employee",
        ),
        "apv_read": (reverse("handlingsplan:apv_read", args=[u, cycle.pk]), "GET", None),
        "measure_list": (reverse("handlingsplan:measure_list", args=[u]), "GET", None),
        "measure_board": (reverse("handlingsplan:measure_board", args=[u]), "GET", None),
        "measure_create": (reverse("handlingsplan:measure_create", args=[u]), "GET", "employee"),
        "measure_detail": (
            reverse("handlingsplan:measure_detail", args=[u, measure.pk]),
            "GET",
            None,
        ),
        "measure_edit": (
            reverse("handlingsplan:measure_edit", args=[u, measure.pk]),
            "GET",
            "employee",
        ),
        "milestone_add": (
            reverse("handlingsplan:milestone_add", args=[u, measure.pk]),
            "POST",
            "employee",
        ),
        "milestone_done": (
            reverse("handlingsplan:milestone_done", args=[u, measure.pk, milestone.pk]),
            "POST",
            "employee",
        ),
        "follow_up_add": (
            reverse("handlingsplan:follow_up_add", args=[u, measure.pk]),
            "POST",
            "employee",
        ),
        "meeting_create": (reverse("handlingsplan:meeting_create", args=[u]), "GET", "employee"),
        "meeting_detail": (
            reverse("handlingsplan:meeting_detail", args=[u, meeting.pk]),
            "GET",
            None,
        ),
        "evaluation_record": (
            reverse("handlingsplan:evaluation_record", args=[u, meeting.pk, measure.pk]),
            "POST",
            "employee",
        ),
    }


NAMES = [
    "cycle_create",
    "cycle_detail",
    "cycle_step",
    "cycle_guidelines",
    "risk_factor_create",
    "risk_factor_edit",
    "assessment_edit",
    "absence_create",
    "note_create",
    "apv_read",
    "measure_list",
    "measure_board",
    "measure_create",
    "measure_detail",
    "measure_edit",
    "milestone_add",
    "milestone_done",
    "follow_up_add",
    "meeting_create",
    "meeting_detail",
    "evaluation_record",
]


def _call(client, method, url):
    return client.post(url) if method == "POST" else client.get(url)


@pytest.mark.parametrize("name", NAMES)
def test_it_redirects_anonymous_users_to_the_login(client, urls, name):
    url, method, _ = urls[name]
    response = _call(client, method, url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", NAMES)
def test_it_refuses_the_wrong_method(login, leader_a, urls, name):
    url, method, _ = urls[name]
    client = login(leader_a)
    response = client.delete(url) if method == "GET" else client.get(url)
    assert response.status_code == 405


@pytest.mark.parametrize("name", NAMES)
def test_it_hides_the_unit_from_outsiders(login, leader_b, urls, name):
    url, method, _ = urls[name]
    assert _call(login(leader_b), method, url).status_code == 404


@pytest.fixture
def staff_a(unit_a):
    """An employee holding the employee role on institute A itself."""
    return give_role(make_user("staff_a"), unit_a, Role.EMPLOYEE)


@pytest.mark.parametrize("name", NAMES)
def test_it_forbids_members_without_the_right(login, staff_a, amr_a, urls, name):
    url, method, who = urls[name]
    user = {"employee": staff_a, "amr": amr_a, None: None}[who]
    if user is None:
        assert _call(login(staff_a), method, url).status_code == 200
        return
    assert _call(login(user), method, url).status_code == 403


def test_it_hides_a_cycle_of_another_unit_behind_the_own_unit(login, leader_b, unit_b, cycle):
    url = reverse("handlingsplan:cycle_detail", args=[unit_b.pk, cycle.pk])
    assert login(leader_b).get(url).status_code == 404


def test_it_lets_the_responsible_employee_report_milestone_progress(
    login, staff_a, leader_a, measure
):
    services.measure_update(measure=measure, user=leader_a, version=1, responsible=staff_a)
    milestone = services.milestone_add(
        measure=measure, title="Delmål", due_on=dt.date(2026, 4, 1), user=leader_a
    )
    url = reverse("handlingsplan:milestone_done", args=[measure.unit_id, measure.pk, milestone.pk])
    response = login(staff_a).post(url, {"done": "1"})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on is not None
