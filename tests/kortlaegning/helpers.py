"""Helpers for the mapping tests."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.utils import timezone

from kortlaegning import services
from kortlaegning.models import Answer, Response, ResultGroup, ResultText, Round, RoundQuestion


def full_answers(round: Round, group: str = Response.Group.EMPLOYEES, choice: str = "yes") -> dict:
    levels = round.levels_for(group)
    qids = RoundQuestion.objects.filter(round=round, question__level__in=levels).values_list(
        "question_id", flat=True
    )
    return {str(q): choice for q in qids}


def code_grant(round: Round, unit=None) -> tuple[str, services.Grant]:
    [code] = services.codes_generate(round=round, unit=unit or round.unit, count=1)
    return code, services.grant_for_code(round=round, code=code)


def add_responses(round: Round, unit, n: int, choice: str = "yes", group: str = "employees"):
    """``n`` responses straight into the database (for results tests; bypasses collection)."""
    answers = full_answers(round, group, choice)
    for _ in range(n):
        response = Response.objects.create(
            round=round, unit=unit, group=group, submitted_on=timezone.localdate()
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=int(q), choice=c) for q, c in answers.items()
        )


def close(round: Round, user) -> Round:
    return services.round_close(round=round, closed_by=user)


def ensure_catalogue() -> None:
    """Reload bilag 1 after a transactional test flushed the tables (the data migration's rows)."""
    migration = importlib.import_module("kortlaegning.migrations.0002_question_catalogue")
    migration.load(apps, None)


def shown_groups(round: Round, group: str = "employees") -> list[ResultGroup]:
    """The round's shown groups in its snapshot, the round's own unit first."""
    return list(
        ResultGroup.objects.filter(snapshot__round=round, group=group, decision="shown")
        .select_related("unit")
        .order_by("unit__path")
    )


def texts(round: Round) -> list[ResultText]:
    return list(ResultText.objects.filter(group__snapshot__round=round))
