"""The benchmark dataset (``manage.py build_large_dataset``): its bulk path writes exactly the rows
the answering services write, and the command builds a usable organisation at a small size."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from amg_portal.dashboard.largedata import ROOT_NAME, organisation, responses
from amg_portal.organisation.models import Membership, Role, Unit
from handlingsplan.models import Cycle, Measure
from kortlaegning import services
from kortlaegning.models import (
    AnswerCode,
    LeaderParticipation,
    LevelComment,
    Response,
    Round,
    RoundEvent,
)
from tests.conftest import give_role, make_user


def _values(obj: models.Model, skip: set[str], round: Round) -> tuple:
    """Every column of ``obj`` except ``skip``; the round's own id as a placeholder."""
    out = []
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        value = getattr(obj, f.attname)
        if isinstance(value, dict):  # a response's answers
            value = tuple(sorted(value.items()))
        if f.is_relation and f.related_model is Round and value == round.pk:
            value = "the round"
        out.append((f.name, value))
    return tuple(out)


def _rows(round: Round) -> dict[str, list]:
    """The rows answering wrote for ``round``, comparable between two rounds."""
    comments: dict = {}
    for c in LevelComment.objects.filter(response__round=round):
        comments.setdefault(c.response_id, []).append(_values(c, {"id", "response"}, round))
    codes = list(AnswerCode.objects.filter(round=round))
    assert all(len(c.token_hash) == 64 for c in codes)
    return {
        "responses": sorted(
            (
                _values(r, {"id"}, round),
                sorted(comments.get(r.pk, [])),
            )
            for r in Response.objects.filter(round=round)
        ),
        "codes": sorted(_values(c, {"id", "token_hash"}, round) for c in codes),
        "leaders": sorted(
            _values(p, {"id"}, round) for p in LeaderParticipation.objects.filter(round=round)
        ),
    }


def _plan(round: Round, units: list[Unit], leaders: dict) -> responses.Plan:
    plan = responses.Plan(codes={})
    rng = random.Random(4)
    for unit_id, codes, people in responses.plan_round(
        round, units, leaders, rng=rng, comment_share=0.5
    ):
        plan.codes[unit_id] = codes
        plan.respondents += people
    return plan


def _open_round(unit: Unit, leader) -> Round:
    today = timezone.localdate()
    round = services.round_create(
        unit=unit,
        created_by=leader,
        title="Runde",
        employee_levels="IGLO",
        leader_levels="LO",
        opens_on=today,
        closes_on=today + dt.timedelta(days=3),
    )
    return services.round_open(round=round, opened_by=leader)


def test_the_bulk_path_writes_the_rows_the_services_write(unit_a, group_a1, leader_a):
    leader_a1 = give_role(make_user("leader_a1"), group_a1, Role.LEADER)
    units = [unit_a, group_a1]
    leaders = {unit_a.pk: leader_a, group_a1.pk: leader_a1}

    by_services = _open_round(unit_a, leader_a)
    plan = _plan(by_services, units, leaders)
    assert any(p.leader for p in plan.respondents), "the plan must include a leader"
    assert any(p.comments for p in plan.respondents), "the plan must include comments"
    responses.write_with_services(by_services, plan)
    services.round_close(round=by_services, closed_by=leader_a)

    in_bulk = _open_round(unit_a, leader_a)
    responses.write_bulk(in_bulk, _plan(in_bulk, units, leaders), rng=random.Random(1))
    services.round_close(round=in_bulk, closed_by=leader_a)

    expected = _rows(by_services)
    assert expected["responses"] and expected["leaders"]
    assert _rows(in_bulk) == expected
    closing = RoundEvent.objects.filter(kind=RoundEvent.Kind.CLOSED)
    assert closing.get(round=in_bulk).counts == closing.get(round=by_services).counts


def test_the_bulk_path_refuses_a_table_with_a_column_it_does_not_write():
    with pytest.raises(RuntimeError, match="kortlaegning_response"):
        responses._check_columns(Response, ["id", "round_id", "unit_id", "submitted_on"])


def test_the_tree_is_five_levels_deep_at_both_sizes():
    assert organisation.level_sizes(100) == [1, 3, 8, 23, 65]
    ten = organisation.level_sizes(1014)
    assert len(ten) == 5 and sum(ten) == 1014 and ten == sorted(ten)


def test_the_command_builds_a_small_dataset_through_the_close_service(db, client):
    call_command("build_large_dataset", units=12, employees=60, years=2)
    root = Unit.objects.get_root_nodes().get(name=ROOT_NAME)
    tree = root.subtree()
    assert tree.count() == 12
    assert max(u.depth for u in tree) == 5
    assert sum(u.headcount for u in tree) == 60
    assert Membership.objects.filter(unit__in=tree, role=Role.EMPLOYEE).count() == 60
    rounds = list(Round.objects.filter(unit=root).order_by("opens_on"))
    assert len(rounds) == 2
    for round in rounds:
        assert round.status == Round.Status.CLOSED and round.results_published
        assert round.closes_on < timezone.localdate()
        event = round.events.get(kind=RoundEvent.Kind.CLOSED)
        assert event.at.date() == round.closes_on
        employees = Response.objects.filter(round=round, group=Response.Group.EMPLOYEES)
        assert event.counts["employees"] == employees.count()
        assert 0.82 * 60 - 12 <= employees.count() <= 60
        assert {len(answers) for answers in employees.values_list("answers", flat=True)} == {33}
    assert Cycle.objects.filter(unit=root).count() == 2
    latest = Cycle.objects.filter(unit=root).order_by("-period_start").first()
    assert Measure.objects.filter(cycle=latest).count() == 100

    leader = Membership.objects.get(unit=root, role=Role.LEADER).user
    client.force_login(leader)
    page = client.get(f"/kortlaegning/runder/{rounds[-1].pk}/resultater/")
    assert page.status_code == 200

    with pytest.raises(CommandError, match="exists already"):
        call_command("build_large_dataset", units=12, employees=60, years=2)
