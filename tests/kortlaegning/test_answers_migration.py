"""Migration 0010 moves each response's answers from a row per answer into the response (and back),
and the result snapshot counts the same figures from either storage."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kortlaegning import services
from kortlaegning.models import Response
from kortlaegning.snapshot import Models, snapshot_build
from tests.kortlaegning.helpers import code_grant, ensure_catalogue, full_answers

ROWS = [("kortlaegning", "0009_answer_response_covered_by_unique_index")]
IN_THE_RESPONSE = [("kortlaegning", "0010_answers_in_the_response")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _figures(models: Models, round_pk: int) -> set[tuple]:
    snapshot_build(round=models.Round.objects.get(pk=round_pk), models=models)
    return set(
        models.ResultCount.objects.filter(group__snapshot__round_id=round_pk).values_list(
            "group__unit__path", "group__group", "question_id", "yes", "partly", "no", "dont_know"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_answers_move_into_their_responses_and_back(
    back_to_the_latest_schema, unit_a, group_a1, leader_a, today
):
    ensure_catalogue()
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Før og efter", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader_a)
    choices = itertools.cycle(["yes", "partly", "no", "dont_know", "yes"])
    for unit in [unit_a, group_a1] * 6:
        _code, grant = code_grant(round, unit)
        answers = {q: next(choices) for q in full_answers(round)}
        services.response_submit(round=round, grant=grant, answers=answers, comments={})
    stored = dict(Response.objects.values_list("id", "answers"))
    assert len(stored) == 12
    live = _figures(Models.live(), round.pk)
    assert len({row[3:] for row in live}) > 1, "shown figures that vary"

    # Back: a row per answer, exactly the answer sets; the snapshot counts the same from them.
    apps = _migrate(ROWS)
    rows = apps.get_model("kortlaegning", "Answer").objects.values_list(
        "response_id", "question_id", "choice"
    )
    assert sorted(rows) == sorted(
        (rid, int(q), c) for rid, answers in stored.items() for q, c in answers.items()
    )
    assert _figures(Models.historical(apps), round.pk) == live

    # Forward again: every response holds its answer set as it was written.
    apps = _migrate(IN_THE_RESPONSE)
    historical = Models.historical(apps)
    assert historical.Answer is None
    assert dict(historical.Response.objects.values_list("id", "answers")) == stored
    assert _figures(historical, round.pk) == live
