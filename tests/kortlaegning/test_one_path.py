"""One way to read results: every view that shows a round's figures refuses or shows exactly what
the results page does (kortlaegning.results decides who may see them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from amg_portal.dashboard import selectors as dashboard
from amg_portal.organisation.models import Unit
from amg_portal.organisation.services import unit_create
from handlingsplan import selectors
from handlingsplan import services as plan
from kortlaegning import results, services
from kortlaegning.models import Question, Round
from tests.conftest import give_role, make_user
from tests.kortlaegning.helpers import add_responses, close


def _closed(unit, leader, n=6, choice="partly", title="Runde", published=False) -> Round:
    today = timezone.localdate()
    round = services.round_create(
        unit=unit, created_by=leader, title=title, opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader)
    add_responses(round, unit, n, choice)
    round = close(round, leader)
    if published:
        round = services.round_publish_results(round=round, published_by=leader)
    return round


def _cycle(unit, leader):
    """An APV cycle of ``unit`` running now."""
    today = timezone.localdate()
    return plan.cycle_create(
        unit=unit, created_by=leader, title="APV",
        period_start=today - dt.timedelta(days=30), period_end=today + dt.timedelta(days=300),
    )  # fmt: skip


def _scope(user):
    return dashboard.Scope(user=user, unit=None, start=None, end=None, today=timezone.localdate())


def test_the_effect_panel_shows_an_unpublished_rounds_figures_only_to_those_who_see_results(
    login, unit_a, leader_a, amr_a
):
    employee = give_role(make_user("ansat-a"), unit_a, "employee")
    round = _closed(unit_a, leader_a)
    question = Question.objects.get(level="I", position=1)
    measure = plan.measure_create(
        unit=unit_a, created_by=leader_a, title="Tiltag", source_round=round,
        source_question=question,
    )  # fmt: skip
    url = reverse("handlingsplan:measure_detail", args=[unit_a.pk, measure.pk])
    assert login(leader_a).get(url).context["effect"].before.n == 6
    as_employee = login(employee).get(url)
    assert as_employee.status_code == 200  # the tiltag itself is for everyone in the unit
    assert as_employee.context["effect"].before is None  # but not the unpublished figures
    assert results.question_summary(round=round, question=question, user=employee) is None
    services.round_publish_results(round=round, published_by=leader_a)
    assert login(employee).get(url).context["effect"].before.n == 6


def test_the_apv_page_shows_a_sibling_groups_results_to_nobody_outside_it(login, unit_a, leader_a):
    a2 = unit_create(parent=unit_a, name="Gruppe A2", kind="research_group", headcount=8)
    a3 = unit_create(parent=unit_a, name="Gruppe A3", kind="research_group", headcount=8)
    employee_a2 = give_role(make_user("ansat-a2"), a2, "employee")
    _closed(a2, leader_a, title="A2-runden", published=True)
    _closed(a3, leader_a, title="A3-runden", published=True)
    cycle = _cycle(unit_a, leader_a)
    page = login(employee_a2).get(reverse("handlingsplan:apv_read", args=[unit_a.pk, cycle.pk]))
    assert page.status_code == 200
    states = {
        s.round.title: (s.state, bool(s.sections)) for s in page.context["doc"].mapping_summary
    }
    assert states == {"A2-runden": ("shown", True), "A3-runden": ("published_elsewhere", False)}
    # And the results page of A3's round is refused to them as well.
    a3_round = Round.objects.get(title="A3-runden")
    assert login(employee_a2).get(
        reverse("kortlaegning:round_results", args=[a3_round.pk])
    ).status_code in (403, 404)


def test_the_apv_page_says_when_a_closed_round_is_not_published(login, unit_a, leader_a):
    employee = give_role(make_user("ansat-a"), unit_a, "employee")
    _closed(unit_a, leader_a, title="Lukket runde")
    cycle = _cycle(unit_a, leader_a)
    page = login(employee).get(reverse("handlingsplan:apv_read", args=[unit_a.pk, cycle.pk]))
    assert "ikke offentliggjort" in page.text
    assert "runden er ikke lukket" not in page.text


def test_the_dashboard_shows_what_the_results_page_shows(login, unit_a, leader_a):
    employee = give_role(make_user("ansat-a"), unit_a, "employee")
    round = _closed(unit_a, leader_a, n=7, choice="yes")
    assert dashboard.dashboard(_scope(employee)).heat_map is None  # not published yet
    board = dashboard.dashboard(_scope(leader_a))
    found = results.round_results(round, user=leader_a)
    top = found.top("employees")
    heat_row = board.heat_map.rows[0]
    assert {c.level: c.score for c in heat_row.cells if c.score is not None} == {
        s.level: s.score for s in top.levels
    }
    assert board.trend.scores["I"] == [top.level("I").score]
    services.round_publish_results(round=round, published_by=leader_a)
    assert dashboard.dashboard(_scope(employee)).heat_map.rows[0].cells[0].score == 100.0


def test_the_dashboard_shows_the_round_that_closed_last_with_the_day_it_closed(
    login, unit_a, leader_a
):
    today = timezone.localdate()
    planned_late = services.round_create(
        unit=unit_a, created_by=leader_a, title="Planlagt lang",
        opens_on=today, closes_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    planned_late = services.round_open(round=planned_late, opened_by=leader_a)
    add_responses(planned_late, unit_a, 6)
    close(planned_late, leader_a)  # closed early, today
    later = _closed(unit_a, leader_a, title="Lukket sidst")
    Round.objects.filter(pk=planned_late.pk).update(
        closed_at=later.closed_at - dt.timedelta(hours=1)
    )
    board = dashboard.dashboard(_scope(leader_a))
    assert board.heat_map.round.title == "Lukket sidst"
    html = login(leader_a).get(reverse("dashboard:index")).text
    assert f"lukket {timezone.localtime(later.closed_at).day}." in html


def test_no_response_rate_above_100_percent(unit_a, leader_a):
    Unit.objects.filter(pk=unit_a.pk).update(headcount=0)
    group = Unit.objects.get(name="Institut A").get_children()
    round = _closed(unit_a, leader_a, n=12)
    top = results.round_results(round, user=leader_a).top("employees")
    assert top.headcount == sum(g.headcount for g in group)
    assert top.rate is None or top.rate <= 100
    assert results.response_rate(12, 5) == 100
    open_round = dashboard.OpenRound(
        round=Round(threshold=5), days_left=3, people=12, headcount=5, may_see_rate=True
    )
    assert open_round.rate == 100  # the dashboard's open rounds use the same capped rate


@pytest.mark.parametrize("role", ["employee", "amg", "tr"])
def test_nobody_reads_an_unpublished_round_through_any_path(role, unit_a, leader_a):
    user = give_role(make_user(f"u-{role}"), unit_a, role)
    round = _closed(unit_a, leader_a)
    question = Question.objects.get(level="I", position=1)
    sees = results.may_see_results(user, round)
    assert sees == (role != "employee")
    assert (results.round_results(round, user=user) is None) == (not sees)
    assert (results.export_rows(round, user=user, fmt="csv") is None) == (not sees)
    assert (results.question_summary(round=round, question=question, user=user) is None) == (
        not sees
    )
    assert (results.overview(round, user=user) is None) == (not sees)
    assert bool(results.level_trend([round], user=user)) == sees


def test_the_written_apv_builds_no_chart_it_does_not_show(unit_a, leader_a):
    """The PDF shows the figures as text (no chart); the reading page its level charts only."""
    _closed(unit_a, leader_a, title="Runden", published=True)
    cycle = _cycle(unit_a, leader_a)

    def charts(**kwargs) -> tuple[bool, bool]:
        doc = selectors.apv_document(cycle, confidential=False, reader=leader_a, **kwargs)
        [summary] = doc.mapping_summary
        assert summary.state == "shown" and summary.sections
        rows = [row for s in summary.sections for block in s.levels for row in block.rows]
        assert any(row.summary for row in rows)  # the figures are there either way
        return (
            any(s.level_chart for s in summary.sections),
            any(row.chart for row in rows),
        )

    assert charts() == (True, False)  # the reading page
    assert charts(charts=False) == (False, False)  # the PDF
