"""A database that cannot be reached while someone answers: a clear "try again" (503, Danish or
English), the step's answers still in the form, the code unused; the retry stores exactly one.

The restart itself is tested in test_answer_load.py; here each failure point is made to fail on
purpose: the session read (before the view), the session write of a step, the submission.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from kortlaegning import services
from kortlaegning.models import COMMENT_MAX_LENGTH, AnswerCode, Response
from kortlaegning.services import check_answers as services_check_answers


@pytest.fixture
def code(open_round) -> str:
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    return code


@pytest.fixture
def respondent() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.raise_request_exception = False  # as a real server: the error handler answers
    return client


def _down(*_args, **_kwargs):
    raise OperationalError("connection to server failed: the database system is shutting down")


def _a_comment_the_database_refuses(**kwargs):
    answers, comments = services_check_answers(**kwargs)
    return answers, {**comments, "I": "x" * (COMMENT_MAX_LENGTH + 1)}  # longer than its column


def _step_url(round, step: int) -> str:
    return reverse("kortlaegning:answer_step", args=[round.pk, step])


def _level_answers(round, level: str) -> dict:
    qids = round.round_questions.filter(question__level=level).values_list("question_id", flat=True)
    return {f"q{q}": "partly" for q in qids}


def _start(respondent: Client, round, code: str) -> list[dict]:
    started = respondent.get(reverse("kortlaegning:answer_code", args=[round.pk, code]))
    assert started["Location"] == _step_url(round, 1)
    respondent.get(_step_url(round, 1))  # this worker has read the round's questions
    return [_level_answers(round, level) for level in round.levels_for(Response.Group.EMPLOYEES)]


def _kept(page, answers: dict) -> bool:
    return page.text.count("checked") == len(answers) > 0


def test_a_session_that_cannot_be_read_keeps_the_answers(respondent, open_round, code, monkeypatch):
    steps = _start(respondent, open_round, code)
    with monkeypatch.context() as patch:
        patch.setattr(SessionStore, "load", _down)
        failed = respondent.post(_step_url(open_round, 1), steps[0])
    assert failed.status_code == 503
    assert failed["Retry-After"]
    assert "prøv igen" in failed.text
    assert _kept(failed, steps[0])
    # The same press again, with the database back, goes on.
    assert respondent.post(_step_url(open_round, 1), steps[0])["Location"] == _step_url(
        open_round, 2
    )


def test_a_step_that_cannot_be_saved_keeps_the_answers(respondent, open_round, code, monkeypatch):
    steps = _start(respondent, open_round, code)
    with monkeypatch.context() as patch:
        patch.setattr(SessionStore, "create_model_instance", _down)
        failed = respondent.post(_step_url(open_round, 1), steps[0])
    assert failed.status_code == 503
    assert "prøv igen" in failed.text and "Næste" in failed.text
    assert _kept(failed, steps[0])


def test_a_lost_submit_keeps_the_code_and_its_retry_stores_once(
    respondent, open_round, code, monkeypatch
):
    steps = _start(respondent, open_round, code)
    for step, answers in enumerate(steps[:-1], start=1):
        respondent.post(_step_url(open_round, step), answers)
    last = _step_url(open_round, len(steps))
    # The database refuses the comment, the last row written, after the code's UPDATE and the
    # response's INSERT in the same statement: nothing of it stays.
    with monkeypatch.context() as patch:
        patch.setattr(services.answering, "check_answers", _a_comment_the_database_refuses)
        failed = respondent.post(last, steps[-1])
    assert failed.status_code == 503
    assert "Indsend svar" in failed.text and "ikke brugt" in failed.text
    assert _kept(failed, steps[-1])
    assert Response.objects.count() == 0
    assert AnswerCode.objects.get().used is False
    done = respondent.post(last, steps[-1])
    assert done["Location"] == reverse("kortlaegning:answer_done", args=[open_round.pk])
    # Pressing again (a double click, a retry whose answer was lost) finds the session done.
    again = respondent.post(last, steps[-1])
    assert again["Location"] == done["Location"]
    assert Response.objects.count() == 1
    assert AnswerCode.objects.get().used is True


def test_an_exchange_that_cannot_reach_the_database_says_try_again(open_round, code, monkeypatch):
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.raise_request_exception = False
    with monkeypatch.context() as patch:
        patch.setattr(AnswerCode.objects, "filter", _down)
        failed = english.get(reverse("kortlaegning:answer_code", args=[open_round.pk, code]))
    assert failed.status_code == 503
    assert "try again" in failed.text
    assert failed["Referrer-Policy"] == "no-referrer"
    assert code not in failed.text
    assert AnswerCode.objects.get().used is False


def test_other_pages_still_get_the_plain_error_page(client, login, leader_a, monkeypatch):
    client.raise_request_exception = False
    login(leader_a)
    with monkeypatch.context() as patch:
        patch.setattr(SessionStore, "load", _down)
        failed = client.get(reverse("kortlaegning:index"))
    assert failed.status_code == 500
