import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from kortlaegning import services, tokens
from kortlaegning.models import AnswerCode, LevelComment, Response, Round
from kortlaegning.services import Refusal
from tests.kortlaegning.helpers import close, code_grant, ensure_catalogue, full_answers


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_stores_only_a_keyed_hash_of_each_code(open_round):
    codes = services.codes_generate(round=open_round, unit=open_round.unit, count=3)
    stored = set(AnswerCode.objects.values_list("token_hash", flat=True))
    assert len(stored) == 3
    for code in codes:
        assert len(code) == tokens.CODE_LENGTH  # 28 × 5 = 140 random bits
        assert code not in stored and all(code not in h for h in stored)


def test_it_submits_once_with_a_code(open_round):
    code, grant = code_grant(open_round)
    services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={}
    )
    assert Response.objects.count() == 1
    with pytest.raises(Refusal) as refusal:
        services.response_submit(
            round=open_round, grant=grant, answers=full_answers(open_round), comments={}
        )
    assert refusal.value.reason == Refusal.USED
    with pytest.raises(Refusal):
        services.grant_for_code(round=open_round, code=code)
    assert Response.objects.count() == 1


def test_it_accepts_a_code_typed_loosely(open_round):
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    typed = " " + tokens.format_code(code).lower().replace("0", "o") + " "
    assert services.grant_for_code(round=open_round, code=typed).kind == "code"


def test_it_never_accepts_a_code_of_another_round(open_round, unit_b, leader_b, today):
    other = services.round_create(
        unit=unit_b, created_by=leader_b, title="B", opens_on=today, closes_on=today
    )
    other = services.round_open(round=other, opened_by=leader_b)
    [code] = services.codes_generate(round=other, unit=unit_b, count=1)
    with pytest.raises(Refusal) as refusal:
        services.grant_for_code(round=open_round, code=code)
    assert refusal.value.reason == Refusal.UNKNOWN
    _, grant_b = code_grant(other)
    with pytest.raises(Refusal):
        services.response_submit(
            round=open_round, grant=grant_b, answers=full_answers(open_round), comments={}
        )


def test_it_stores_nothing_that_points_at_a_person(open_round):
    _, grant = code_grant(open_round)
    response = services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={"I": "Godt"}
    )
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {
        "id", "round", "unit", "group", "is_dialogue", "participants", "summary",
        "submitted_on", "answers", "comments",
    }  # fmt: skip
    assert response.pk.version == 4  # random, not sequential
    assert type(response.submitted_on).__name__ == "date"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing", "Answer every question"),
        ("bad_choice", "unknown value"),
        ("foreign_question", "does not ask"),
        ("garbage_id", "unknown question"),
    ],
)
def test_it_rejects_bad_answers_without_using_the_code(open_round, change, message):
    code, grant = code_grant(open_round)
    answers = full_answers(open_round)
    first = next(iter(answers))
    if change == "missing":
        del answers[first]
    elif change == "bad_choice":
        answers[first] = "maybe"
    elif change == "foreign_question":
        leader_q = full_answers(open_round, "leadership")
        answers[next(iter(leader_q))] = "yes"
    else:
        answers["'; drop table"] = "yes"
    with pytest.raises(ValidationError, match=message):
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    assert Response.objects.count() == 0
    assert services.grant_for_code(round=open_round, code=code)  # still usable


def test_it_rejects_an_overlong_comment_and_a_comment_on_a_foreign_level(open_round):
    _, grant = code_grant(open_round)
    answers = full_answers(open_round)
    with pytest.raises(ValidationError, match="at most"):
        services.response_submit(
            round=open_round, grant=grant, answers=answers, comments={"I": "x" * 1001}
        )
    with pytest.raises(ValidationError, match="level"):
        services.response_submit(
            round=open_round, grant=grant, answers=answers, comments={"O": "x"}
        )
    assert not LevelComment.objects.exists()


def test_it_refuses_answers_when_the_round_is_closed_or_not_open(draft_round, leader_a, today):
    with pytest.raises(Refusal) as refusal:
        services.round_check_answerable(draft_round)
    assert refusal.value.reason == Refusal.NOT_OPEN
    opened = services.round_open(round=draft_round, opened_by=leader_a)
    _, grant = code_grant(opened)
    close(opened, leader_a)
    with pytest.raises(Refusal) as refusal:
        services.response_submit(
            round=draft_round, grant=grant, answers=full_answers(draft_round), comments={}
        )
    assert refusal.value.reason == Refusal.CLOSED


def test_it_lets_a_leader_answer_the_leadership_levels_once(open_round, leader_a):
    grant = services.grant_for_leader(round=open_round, user=leader_a)
    assert grant.group == Response.Group.LEADERSHIP
    answers = full_answers(open_round, "leadership")
    services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    with pytest.raises(Refusal):
        services.grant_for_leader(round=open_round, user=leader_a)
    with pytest.raises(Refusal):
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    assert Response.objects.filter(group="leadership").count() == 1


def test_it_uses_each_open_link_visit_once(open_round):
    open_round.collection = Round.Collection.OPEN_LINK
    open_round.save()
    token = services.open_link_create(round=open_round)
    open_round.refresh_from_db()
    grant = services.grant_for_open_link(round=open_round, token=token)
    answers = full_answers(open_round)
    services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    with pytest.raises(Refusal):
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})
    second = services.grant_for_open_link(round=open_round, token=token)
    services.response_submit(round=open_round, grant=second, answers=answers, comments={})
    assert Response.objects.count() == 2
    with pytest.raises(Refusal):
        services.grant_for_open_link(round=open_round, token=token + "x")


def test_it_reminds_only_those_who_have_not_answered(open_round, unit_a, mailoutbox):
    open_round.collection = Round.Collection.INVITATIONS
    open_round.save()
    links = {}

    def link_for(token):
        return f"https://portal.example/{token}"

    sent = services.invitations_send(
        round=open_round, unit=unit_a, emails=["a@example.org", "b@example.org"], link_for=link_for
    )
    assert sent == 2
    for message in mailoutbox:
        links[message.to[0]] = message.body.split("https://portal.example/")[1].split()[0]
    grant = services.grant_for_invitation(round=open_round, token=links["a@example.org"])
    services.response_submit(
        round=open_round, grant=grant, answers=full_answers(open_round), comments={}
    )
    mailoutbox.clear()
    assert services.invitations_remind(round=open_round, link_for=link_for) == 1
    assert [m.to for m in mailoutbox] == [["b@example.org"]]
    with pytest.raises(Refusal):  # the first link of b stopped working with the reminder
        services.grant_for_invitation(round=open_round, token=links["b@example.org"])


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_response_for_20_concurrent_posts_with_one_code(unit_a, leader_a, today):
    ensure_catalogue()
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Samtidig", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader_a)
    _, grant = code_grant(round)
    answers = full_answers(round)
    barrier = threading.Barrier(20)
    outcomes = []

    def post():
        try:
            barrier.wait()
            services.response_submit(round=round, grant=grant, answers=answers, comments={})
            outcomes.append("stored")
        except Refusal as refusal:
            outcomes.append(refusal.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("stored") == 1
    assert outcomes.count(Refusal.USED) == 19
    assert Response.objects.filter(round=round).count() == 1


def test_the_one_statement_writes_what_the_transaction_writes(open_round, monkeypatch):
    """PostgreSQL stores a code's response in one statement; SQLite (and open links, leaders)
    take a transaction of ORM writes. Both write the same rows, column for column."""

    def stored(response) -> tuple:
        row = Response.objects.filter(pk=response.pk).values().get()
        row.pop("id")
        comments = sorted(response.comments.values_list("level", "text"))
        return row, comments

    answers = full_answers(open_round, choice="partly")
    comments = {"I": "Travlt “nu”", "G": "O'Brien; DROP TABLE"}
    _, grant = code_grant(open_round)
    at_once = services.response_submit(
        round=open_round, grant=grant, answers=answers, comments=comments
    )
    monkeypatch.setattr(services.answering, "_at_once_supported", lambda: False)
    _, grant = code_grant(open_round)
    in_transaction = services.response_submit(
        round=open_round, grant=grant, answers=answers, comments=comments
    )
    first, second = stored(at_once), stored(in_transaction)
    assert first == second
    assert AnswerCode.objects.filter(used=True).count() == 2
    assert dict(first[1]) == comments and first[0]["answers"] == answers
    with pytest.raises(Refusal):  # the transaction path uses the code once, too
        services.response_submit(round=open_round, grant=grant, answers=answers, comments={})


@pytest.mark.django_db(transaction=True)
def test_a_submission_while_the_round_is_being_closed_waits_and_stores_nothing(
    unit_a, leader_a, today
):
    """Closing locks the round's row; a submission in flight (with the round as the process read
    it, still open) waits for the closing and then stores nothing: the results decided at
    closing are all there is."""
    ensure_catalogue()
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Lukkes", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader_a)
    _, grant = code_grant(round)
    answers = full_answers(round)
    questions = services.questions_for(round, round.levels_for(grant.group))
    locked, submitting = threading.Event(), threading.Event()
    outcome = []

    def closing():
        try:
            with transaction.atomic():
                Round.objects.select_for_update().get(pk=round.pk)
                locked.set()
                submitting.wait(timeout=30)
                time.sleep(0.5)  # the submission is now waiting for the round's row
                Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED)
        finally:
            connection.close()

    def submit():
        try:
            locked.wait(timeout=30)
            submitting.set()
            services.response_submit(
                round=round, grant=grant, answers=answers, comments={}, questions=questions
            )
            outcome.append("stored")
        except Refusal as refusal:
            outcome.append(refusal.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=closing), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == [Refusal.CLOSED]
    assert not Response.objects.filter(round=round).exists()
    assert not AnswerCode.objects.get(round=round).used
