"""The heat map and the trend use kortlægning's anonymity rules and agree with its results page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amg_portal.dashboard import selectors
from kortlaegning import results
from tests.dashboard import helpers


def _scope(user, unit=None) -> selectors.Scope:
    return selectors.Scope(user=user, unit=unit, start=None, end=None, today=timezone.localdate())


def _trend(scope):
    return selectors.trend(scope, selectors.latest_rounds(scope))


def test_it_computes_the_same_level_scores_as_the_results_page(unit_a, group_a1, leader_a):
    today = timezone.localdate()
    first = helpers.closed_round(
        unit_a, leader_a, people={group_a1: 6}, closes_on=today - dt.timedelta(days=90)
    )
    second = helpers.closed_round(
        unit_a, leader_a, people={group_a1: 7}, choice="partly", title="Anden"
    )
    trend = _trend(_scope(leader_a))
    assert [r.pk for r in trend.rounds] == [first.pk, second.pk]
    for index, round in enumerate(trend.rounds):
        top = results.round_results(round, user=leader_a, with_previous=False).top("employees")
        expected = {summary.level: summary.score for summary in top.levels}
        assert {lv: trend.scores[lv][index] for lv in expected} == expected
    assert trend.scores["I"] == [100.0, 50.0]


def test_it_shows_no_score_for_a_round_under_the_threshold(unit_a, group_a1, leader_a):
    helpers.closed_round(unit_a, leader_a, people={group_a1: 4})
    scope = _scope(leader_a)
    trend = _trend(scope)
    assert trend.scores["I"] == [None] and trend.scores["G"] == [None]
    heat = selectors.heat_map(scope, trend.rounds[0])
    assert heat.nothing_shown
    assert all(cell.suppressed for row in heat.rows for cell in row.cells)


def test_it_marks_a_small_sub_unit_suppressed_and_keeps_it_in_its_parent(
    unit_a, group_a1, leader_a
):
    round = helpers.closed_round(unit_a, leader_a, people={unit_a: 6, group_a1: 2})
    heat = selectors.heat_map(_scope(leader_a), round)
    rows = {row.unit.unit_id: row for row in heat.rows}
    assert rows[unit_a.pk].cells[0].score == 100.0  # all eight answers count for A
    assert rows[group_a1.pk].cells[0].suppressed
    assert rows[group_a1.pk].cells[0].score is None


def test_it_limits_rounds_to_the_period(unit_a, group_a1, leader_a):
    today = timezone.localdate()
    helpers.closed_round(
        unit_a, leader_a, people={group_a1: 5}, closes_on=today - dt.timedelta(days=400)
    )
    scope = selectors.Scope(
        user=leader_a, unit=None, start=today - dt.timedelta(days=30), end=None, today=today
    )
    assert selectors.results_rounds(scope).count() == 0


def test_it_hides_a_group_withheld_after_a_reopening_with_too_few_new_answers(
    unit_a, group_a1, leader_a
):
    from kortlaegning import services as kortlaegning_services
    from tests.kortlaegning.helpers import add_responses, close

    closed = helpers.closed_round(unit_a, leader_a, people={group_a1: 6})
    assert _trend(_scope(leader_a)).scores["I"] == [100.0]
    reopened = kortlaegning_services.round_reopen(
        round=closed, reopened_by=leader_a, reason="Én mere"
    )
    add_responses(reopened, group_a1, 1)  # before/after would expose this one person
    close(reopened, leader_a)
    assert _trend(_scope(leader_a)).scores["I"] == [None]
