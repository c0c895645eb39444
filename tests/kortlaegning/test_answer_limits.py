"""The answer pages are limited by what is tried (a code, a link, a failure), not only by address:
a room of people behind one NAT address answers at once, a script trying codes is stopped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amg_portal import ratelimit
from kortlaegning import answer_views, services, tokens
from kortlaegning.models import AnswerCode, Response

NAT = "203.0.113.10"


def _level_data(round, level, choice="yes"):
    qids = round.round_questions.filter(question__level=level).values_list("question_id", flat=True)
    return {f"q{q}": choice for q in qids}


def _answer(client: Client, round, code: str) -> int:
    """Scan the code and answer every step; the status of the last page."""
    response = client.get(reverse("kortlaegning:answer_code", args=[round.pk, code]))
    for level in round.levels_for(Response.Group.EMPLOYEES):
        if response.status_code != 302 or "trin" not in response["Location"]:
            break
        location = response["Location"]
        client.get(location)
        response = client.post(location, _level_data(round, level))
    return response.status_code if response.status_code != 302 else 200


def _code_url(round, code: str) -> str:
    return reverse("kortlaegning:answer_code", args=[round.pk, code])


def test_a_room_of_40_behind_one_address_all_answer(open_round):
    codes = services.codes_generate(round=open_round, unit=open_round.unit, count=40)
    people = [Client(REMOTE_ADDR=NAT) for _ in codes]
    # A few of them mistype first, as people do.
    for person in people[:5]:
        assert person.get(_code_url(open_round, tokens.new_code())).status_code == 302
    pairs = zip(people, codes, strict=True)
    statuses = [_answer(person, open_round, code) for person, code in pairs]
    assert statuses == [200] * 40
    assert Response.objects.filter(round=open_round).count() == 40
    assert AnswerCode.objects.filter(round=open_round, used=True).count() == 40


def test_a_script_trying_codes_is_stopped_and_the_room_keeps_answering(open_round, settings):
    settings.ANSWER_FAILURE_LIMIT = 10
    script = Client(REMOTE_ADDR="198.51.100.66")
    statuses = [script.get(_code_url(open_round, tokens.new_code())).status_code for _ in range(15)]
    assert statuses[:10] == [302] * 10  # each to the "unknown code" page
    assert statuses[10:] == [429] * 5
    # Even a valid code is no longer tried from there: guessing gains no oracle.
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    assert script.get(_code_url(open_round, code)).status_code == 429
    typed = script.post(reverse("kortlaegning:answer_entry", args=[open_round.pk]), {"code": code})
    assert typed.status_code == 429
    assert not AnswerCode.objects.get().used
    # People elsewhere (or a room behind another address) are not affected.
    assert _answer(Client(REMOTE_ADDR=NAT), open_round, code) == 200


def test_typed_wrong_codes_count_as_failures(open_round, settings):
    settings.ANSWER_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.67")
    url = reverse("kortlaegning:answer_entry", args=[open_round.pk])
    statuses = [client.post(url, {"code": tokens.new_code()}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_one_code_is_tried_a_limited_number_of_times_from_anywhere(open_round, settings):
    settings.ANSWER_SECRET_LIMIT = 3
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").get(_code_url(open_round, code)).status_code
        for n in range(1, 6)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    # The same code typed loosely is the same code.
    loose = tokens.format_code(code).lower()
    assert Client().get(_code_url(open_round, loose)).status_code == 429
    # The refusal at the secret URL sends no Referer either.
    refused = Client().get(_code_url(open_round, code))
    assert refused["Referrer-Policy"] == "no-referrer"
    assert code not in refused.text


def test_the_open_link_is_shared_by_the_room(open_round, settings):
    settings.ANSWER_OPEN_LINK_LIMIT = 45
    link = services.open_link_create(round=open_round)
    url = reverse("kortlaegning:answer_open", args=[open_round.pk, link])
    statuses = [Client(REMOTE_ADDR=NAT).get(url).status_code for _ in range(46)]
    assert statuses[:45] == [302] * 45
    assert statuses[45] == 429


@pytest.mark.parametrize("name", ["answer_code", "answer_open", "answer_invitation"])
def test_pages_with_a_secret_send_no_referrer(client, open_round, name):
    response = client.get(reverse(f"kortlaegning:{name}", args=[open_round.pk, "x" * 30]))
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    other = client.get(response["Location"])
    assert other["Referrer-Policy"] == "same-origin"


def test_the_answer_path_uses_few_queries(
    client, open_round, django_assert_max_num_queries, monkeypatch
):
    """The floor, per request (kortlaegning/answer_views.py says why each is needed): the
    session read, the address counter (one upsert), the round; the round's questions once per
    process; a step's POST adds the session UPDATE; the submit reads the session and then is ONE
    statement that counts the request on the address, checks the round, uses the code, stores
    the response, its answers and comments and marks the session done. In tests that statement
    runs inside the test's transaction, so it shows with a SAVEPOINT/RELEASE."""
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)  # no occasional clean-up DELETE
    monkeypatch.setattr(answer_views, "_FROZEN", {})  # this test reads the questions once
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    levels = open_round.levels_for(Response.Group.EMPLOYEES)
    data = [_level_data(open_round, level) for level in levels]
    # counters (address, failures, code), round, code, session (exists, INSERT + savepoints)
    with django_assert_max_num_queries(9):
        client.get(_code_url(open_round, code))
    first = reverse("kortlaegning:answer_step", args=[open_round.pk, 1])
    with django_assert_max_num_queries(4):  # session, counter, round, questions (first time)
        client.get(first)
    for step, answers in enumerate(data[:-1], start=1):
        url = reverse("kortlaegning:answer_step", args=[open_round.pk, step])
        with django_assert_max_num_queries(3):  # session, counter, round
            client.get(url)
        with django_assert_max_num_queries(4):  # session, counter, round, session UPDATE
            assert client.post(url, answers).status_code == 302
    last = reverse("kortlaegning:answer_step", args=[open_round.pk, len(levels)])
    # the session; SAVEPOINT, the one statement (the address counter included), RELEASE
    with django_assert_max_num_queries(4):
        done = client.post(last, data[-1])
    assert done["Location"] == reverse("kortlaegning:answer_done", args=[open_round.pk])
    assert Response.objects.count() == 1


def test_the_final_submit_is_counted_and_over_the_limit_stores_nothing(open_round, settings):
    """The last POST is counted on the address inside the submit's own statement: like every
    other answer request it counts, and over the limit it is refused with nothing stored."""
    levels = open_round.levels_for(Response.Group.EMPLOYEES)
    requests = 1 + 2 * len(levels)  # the code's link, then each step's page and its POST
    first, second = services.codes_generate(round=open_round, unit=open_round.unit, count=2)
    settings.ANSWER_RATE_LIMIT = requests - 1
    limited = Client(REMOTE_ADDR="198.51.100.80")
    assert _answer(limited, open_round, first) == 429
    assert not Response.objects.exists()
    assert not AnswerCode.objects.filter(used=True).exists()  # the code can still be used
    assert ratelimit.rate_limit_count(scope="answer", key="198.51.100.80", window=60) == requests

    settings.ANSWER_RATE_LIMIT = requests
    assert _answer(Client(REMOTE_ADDR="198.51.100.81"), open_round, second) == 200
    assert ratelimit.rate_limit_count(scope="answer", key="198.51.100.81", window=60) == requests
    assert Response.objects.count() == 1
