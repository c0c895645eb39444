"""The dashboard and its meeting mode: access, filter, method, and what each role sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amg_portal.organisation.models import Role
from handlingsplan import services as plan
from tests.conftest import give_role, make_user
from tests.dashboard import helpers

URL = "/overblik/"
MEETING = "/overblik/moede/"


@pytest.fixture
def data(unit_a, group_a1, unit_b, leader_a, leader_b, employee_a):
    """A's round (unpublished), tiltag, a case escalated from A1; B's own figures."""
    more = [give_role(make_user(f"a1_{i}"), group_a1, Role.EMPLOYEE) for i in range(2)]
    round_a = helpers.closed_round(
        unit_a, leader_a, title="Runde A", people={group_a1: 6, unit_a: 1}
    )
    helpers.measures(unit_a, leader_a, 3, title="Tiltag A")
    helpers.measures(unit_b, leader_b, 2, title="Tiltag B")
    helpers.case(group_a1, leader_a, title="Sag A1", escalate="Hemmelig videreførelse")
    helpers.case(unit_b, leader_b, title="Sag B")
    helpers.closed_round(unit_b, leader_b, title="Runde B", people={unit_b: 5})
    return {"round_a": round_a, "more": more}


@pytest.mark.parametrize("url", [URL, MEETING])
def test_it_redirects_anonymous_users_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/log-ind/")


@pytest.mark.parametrize("url", [URL, MEETING])
def test_it_refuses_post(login, leader_a, url):
    assert login(leader_a).post(url).status_code == 405


@pytest.mark.parametrize("url", [URL, MEETING])
def test_it_404s_for_a_unit_the_user_may_not_see(login, leader_b, unit_a, url):
    assert login(leader_b).get(url, {"unit": unit_a.pk}).status_code == 404


def test_it_404s_for_a_unit_above_the_employee(login, employee_a, unit_a):
    assert login(employee_a).get(URL, {"unit": unit_a.pk}).status_code == 404


def test_it_404s_for_a_unit_that_does_not_exist(login, leader_a):
    assert login(leader_a).get(URL, {"unit": 999999}).status_code == 404


def test_it_shows_an_empty_state_to_a_user_without_roles(login, db):
    html = login(make_user("nobody")).get(URL).content.decode()
    assert "Ingen kortlægningsrunde er åben" in html
    assert "Endnu ingen tiltag" in html


def test_it_keeps_bad_filter_input_and_says_what_is_wrong(login, leader_a, unit_a):
    response = login(leader_a).get(URL, {"unit": "abc", "start": "2026-05-01", "end": "2026-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vælg en enhed på listen." in html
    assert "Periodens slutning skal ligge på eller efter dens start." in html
    assert 'value="2026-05-01"' in html


def test_it_shows_the_leader_every_panel_of_a(login, leader_a, data):
    html = login(leader_a).get(URL).content.decode()
    assert "Runde A" in html  # heat map and trend
    assert "Tiltag A 0" in html
    assert "Tiltag B" not in html and "Runde B" not in html
    assert "1 åben sag" in html
    assert "Fra Gruppe A1" in html  # the escalation received, as a link
    assert "Sag A1" not in html and "Hemmelig" not in html


def test_it_shows_a_leader_of_a_nothing_of_b(login, leader_a, data):
    html = login(leader_a).get(URL).content.decode()
    for text in ("Institut B", "Tiltag B", "Runde B", "Sag B"):
        assert text not in html


def test_it_counts_for_amg_only_the_cases_they_take_part_in(login, amg_a, data):
    """Sten-i-skoen cases are for their participants: not even a count of the others."""
    html = login(amg_a).get(URL).content.decode()
    assert "0 åbne sager" in html
    assert "Sag A1" not in html
    assert "Hemmelig" not in html
    assert "Fra Gruppe A1" not in html  # only a leader of the parent answers escalations
    assert "Videreførelser efter status" in html  # the escalation as a count by status


def test_it_shows_the_employee_only_published_results(login, employee_a, leader_a, data):
    client = login(employee_a)
    html = client.get(URL).content.decode()
    assert "Runde A" not in html
    assert "åben sag" not in html and "Videreførelser" not in html
    round_a = data["round_a"]
    round_a.results_published = True
    round_a.save(update_fields=["results_published"])
    html = client.get(URL).content.decode()
    assert "Runde A" in html


def test_it_says_a_suppressed_cell_is_hidden(login, leader_a, data):
    html = login(leader_a).get(URL).content.decode()
    # Institut A's own single answer is folded into A: its row is shown, A1 alone is shown too,
    # but the leadership levels have no answers at all.
    assert "heat-suppressed" in html and "for få svar" in html


def test_it_filters_by_unit_and_period(login, coordinator, unit_b, data):
    client = login(coordinator)
    html = client.get(URL, {"unit": unit_b.pk}).content.decode()
    assert "Tiltag B 0" in html and "Tiltag A 0" not in html
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    html = client.get(URL, {"start": tomorrow.isoformat()}).content.decode()
    assert "Endnu ingen afsluttet kortlægningsrunde" in html


def test_it_shows_the_next_meeting_with_its_agenda(login, leader_a, amg_a, unit_a, data):
    plan.meeting_create(
        unit=unit_a,
        held_on=timezone.localdate() + dt.timedelta(days=7),
        participants=[amg_a],
        created_by=leader_a,
    )
    html = login(amg_a).get(URL).content.decode()
    assert "Dagsorden" in html and "Tiltag A 0" in html


def test_it_renders_the_meeting_mode_without_personal_data(login, amg_a, data):
    response = login(amg_a).get(MEETING)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="meeting-panel"' in html
    assert "dashboard/meeting.js" in html
    assert "amg_a@example.org" not in html
    assert "Amg" not in html  # not even the viewer's own name in a header
    assert "<style" not in html and "style=" not in html
    assert "<script>" not in html


def test_it_shows_the_employee_the_action_plan_of_the_unit_above(login, employee_a, data):
    html = login(employee_a).get(URL).content.decode()
    assert "Tiltag A 0" in html  # handlingsplan: the institute's APV is read from below
    assert "Tiltag B" not in html


def test_it_logs_when_the_coordinator_reads_round_results(login, coordinator, data, caplog):
    with caplog.at_level("INFO", logger="amg_portal.audit"):
        html = login(coordinator).get(URL).content.decode()
    assert "Runde" in html
    assert any("dashboard" in record.getMessage() for record in caplog.records)
