"""Answers keep to their response and their question without foreign-key constraints.

The answer table has no foreign-key constraints in the database (their per-row checks were half
of the submit's statement, issue 15). What they guarded is held by the code: answers are written
only together with their response, for the round's own questions; deleting a response deletes its
answers; a question that has answers cannot be deleted.
"""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from kortlaegning import services
from kortlaegning.models import Answer, Question, Response, RoundQuestion
from tests.kortlaegning.helpers import code_grant, full_answers


def _orphans() -> int:
    """Answers whose response or question row does not exist."""
    return (
        Answer.objects.exclude(response_id__in=Response.objects.values("id")).count()
        + Answer.objects.exclude(question_id__in=Question.objects.values("id")).count()
    )


def test_a_submitted_response_has_exactly_the_rounds_questions(open_round):
    _code, grant = code_grant(open_round)
    answers = full_answers(open_round)

    response = services.response_submit(
        round=open_round, grant=grant, answers=answers, comments={"G": "Fint"}
    )

    stored = dict(
        Answer.objects.filter(response_id=response.id).values_list("question_id", "choice")
    )
    assert stored == {int(q): c for q, c in answers.items()}
    asked = set(
        RoundQuestion.objects.filter(
            round=open_round, question__level__in=open_round.levels_for(grant.group)
        ).values_list("question_id", flat=True)
    )
    assert set(stored) == asked
    assert Response.objects.filter(pk=response.id, round=open_round).exists()
    assert _orphans() == 0


def test_a_refused_submit_leaves_no_answers(open_round):
    _code, grant = code_grant(open_round)
    services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={}
    )
    stored = Answer.objects.count()

    with pytest.raises(services.Refusal):  # the code is used: nothing more is written
        services.response_submit(
            round=open_round,
            grant=grant,
            answers=full_answers(open_round, choice="no"),
            comments={},
        )

    assert Answer.objects.count() == stored
    assert _orphans() == 0


def test_deleting_a_response_deletes_its_answers(open_round):
    _code, grant = code_grant(open_round)
    response = services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={}
    )
    assert Answer.objects.filter(response_id=response.id).exists()

    Response.objects.filter(pk=response.id).delete()

    assert not Answer.objects.exists()
    assert _orphans() == 0


def test_a_question_with_answers_cannot_be_deleted(open_round):
    _code, grant = code_grant(open_round)
    answers = full_answers(open_round)
    services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    question = Question.objects.get(pk=int(next(iter(answers))))

    with pytest.raises(ProtectedError):
        question.delete()

    assert Answer.objects.filter(question=question).exists()
    assert _orphans() == 0
