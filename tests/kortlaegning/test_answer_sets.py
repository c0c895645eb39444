"""A response holds its answer set: every question the round asks its group, once, as written.

The answers are one JSON object on the response (question id → choice), written whole in the
same statement or transaction as the response and never changed (issue 15: a row per answer was
most of the submit's cost). So an answer cannot outlive its response or belong to two, and a
question a round asked cannot be deleted (the round's frozen questions protect it).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from kortlaegning import services
from kortlaegning.models import Question, Response, RoundQuestion
from tests.kortlaegning.helpers import code_grant, full_answers


def _asked(round, group) -> set[str]:
    return {
        str(qid)
        for qid in RoundQuestion.objects.filter(
            round=round, question__level__in=round.levels_for(group)
        ).values_list("question_id", flat=True)
    }


@pytest.mark.parametrize("at_once", [True, False], ids=["one statement", "transaction"])
def test_a_submitted_response_holds_exactly_the_rounds_questions(open_round, monkeypatch, at_once):
    if not at_once:
        monkeypatch.setattr(services.answering, "_at_once_supported", lambda: False)
    _code, grant = code_grant(open_round)
    answers = full_answers(open_round, choice="partly")
    first = next(iter(answers))
    answers[first] = "dont_know"

    response = services.response_submit(
        round=open_round, grant=grant, answers=answers, comments={"G": "Fint"}
    )

    stored = Response.objects.get(pk=response.id, round=open_round).answers
    assert stored == answers
    assert set(stored) == _asked(open_round, grant.group)


def test_a_refused_submit_changes_no_answer_set(open_round):
    _code, grant = code_grant(open_round)
    services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={}
    )
    before = list(Response.objects.values_list("answers", flat=True))

    with pytest.raises(services.Refusal):  # the code is used: nothing more is written
        services.response_submit(
            round=open_round,
            grant=grant,
            answers=full_answers(open_round, choice="no"),
            comments={},
        )

    assert list(Response.objects.values_list("answers", flat=True)) == before


def test_an_answer_set_with_a_foreign_question_is_refused(open_round):
    _code, grant = code_grant(open_round)
    answers = full_answers(open_round)
    answers.pop(next(iter(answers)))
    answers["999999"] = "yes"  # not a question of this round

    with pytest.raises(ValidationError):
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})

    assert not Response.objects.exists()


def test_a_question_with_answers_cannot_be_deleted(open_round):
    _code, grant = code_grant(open_round)
    answers = full_answers(open_round)
    services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    question = Question.objects.get(pk=int(next(iter(answers))))

    with pytest.raises(ProtectedError):
        question.delete()

    assert Question.objects.filter(pk=question.pk).exists()
