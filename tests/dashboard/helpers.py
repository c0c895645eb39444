"""Builders for dashboard tests: closed rounds with answers, tiltag with follow-ups, cases."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amg_portal.domain import Prevention
from amg_portal.organisation.models import Unit, User
from handlingsplan.models import FollowUp, Measure
from kortlaegning import services as mapping
from kortlaegning.models import Response, Round, RoundQuestion
from sten_i_skoen import services as cases
from sten_i_skoen.models import Case


def closed_round(
    unit: Unit,
    leader: User,
    *,
    people: dict[Unit, int],
    title: str = "Runde",
    closes_on: dt.date | None = None,
    choice: str = "yes",
    published: bool = False,
) -> Round:
    """A round of ``unit`` answered by ``people[sub-unit]`` employees each, then closed."""
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit, created_by=leader, title=title, opens_on=today, closes_on=today
    )
    mapping.round_open(round=round, opened_by=leader)
    questions = list(
        RoundQuestion.objects.filter(round=round, question__level__in="IG").values_list(
            "question_id", flat=True
        )
    )
    for sub_unit, n in people.items():
        Response.objects.bulk_create(
            Response(
                round=round,
                unit=sub_unit,
                submitted_on=today,
                answers={str(q): choice for q in questions},
            )
            for _ in range(n)
        )
    mapping.round_close(round=round, closed_by=leader)
    closes_on = closes_on or today - dt.timedelta(days=1)
    Round.objects.filter(pk=round.pk).update(
        opens_on=closes_on - dt.timedelta(days=14), closes_on=closes_on, results_published=published
    )
    round.refresh_from_db()
    return round


def measures(unit: Unit, user: User, n: int, *, title: str = "Tiltag", overdue: bool = True):
    """``n`` tiltag across statuses and prevention levels, each with an open follow-up."""
    today = timezone.localdate()
    statuses, levels = Measure.Status.values, Prevention.values
    created = Measure.objects.bulk_create(
        Measure(
            unit=unit,
            title=f"{title} {i}",
            created_by=user,
            responsible=user,
            status=statuses[i % len(statuses)],
            prevention=levels[i % len(levels)],
            deadline=today + dt.timedelta(days=i % 60 - 10),
        )
        for i in range(n)
    )
    offset = -3 if overdue else 10
    FollowUp.objects.bulk_create(
        FollowUp(measure=m, due_on=today + dt.timedelta(days=offset)) for m in created
    )
    return created


def case(unit: Unit, author: User, *, title: str = "Fortrolig sag", escalate: str = "") -> Case:
    """An open sten-i-skoen case of ``unit``, escalated to its parent when ``escalate`` is given."""
    new = cases.case_create(
        unit=unit,
        created_by=author,
        title=title,
        problem="Hemmelig beskrivelse af problemet",
        occasion=Case.Occasion.RISK,
        participants=[],
    )
    if escalate:
        cases.escalation_create(case=new, text=escalate, created_by=author)
    return new
