"""The anonymous answer pages: rate-limited per address, secrets only in the first URL, and a
submission that fails half-way leaves nothing behind and the code still usable."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.models import AuditEntry
from kortlaegning import services
from kortlaegning.models import (
    COMMENT_MAX_LENGTH,
    AnswerCode,
    Invitation,
    LevelComment,
    Response,
    Round,
)
from kortlaegning.services import check_answers
from tests.security.world import full_answers

ANSWER_URLS = ["answer_entry", "answer_code", "answer_open", "answer_invitation", "answer_step"]


@pytest.fixture
def open_round(unit_a, leader_a) -> Round:
    today = timezone.localdate()
    round = services.round_create(
        unit=unit_a,
        created_by=leader_a,
        title="Kortlægning",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    return services.round_open(round=round, opened_by=leader_a)


@pytest.fixture
def code(open_round) -> str:
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    return code


def _url(name: str, round: Round, value: str = "unknown") -> str:
    args = [round.pk]
    if name in ("answer_code", "answer_open", "answer_invitation"):
        args.append(value)
    elif name == "answer_step":
        args.append(1)
    return reverse(f"kortlaegning:{name}", args=args)


def _answer_all(client: Client, round: Round, first_location: str) -> list:
    """Walk through every step, answering "yes" and writing a comment; returns the responses."""
    answers = {f"q{qid}": "yes" for qid in full_answers(round)}
    pages, location = [], first_location
    for _ in range(10):
        page = client.get(location)
        pages.append(page)
        if page.status_code != 200 or "trin" not in location:
            break
        result = client.post(location, {**answers, "comment_I": "Travlt"})
        pages.append(result)
        if result.status_code != 302:
            break
        location = result["Location"]
    return pages


# --- rate limit -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ANSWER_URLS)
def test_it_limits_each_answer_url_per_address(client, settings, open_round, name):
    settings.ANSWER_RATE_LIMIT = 3
    url = _url(name, open_round)
    statuses = [client.get(url, REMOTE_ADDR="198.51.100.7").status_code for _ in range(4)]
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    refused = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert refused["Retry-After"] == "60"
    # Another address is not affected.
    assert client.get(url, REMOTE_ADDR="198.51.100.8").status_code != 429


def test_it_counts_all_answer_urls_together(client, settings, open_round, code):
    """Guessing codes by switching between the entry form and the code link gains nothing."""
    settings.ANSWER_RATE_LIMIT = 4
    for name in ("answer_entry", "answer_code", "answer_open", "answer_invitation"):
        assert client.get(_url(name, open_round, "wrong")).status_code != 429
    assert client.post(_url("answer_entry", open_round), {"code": code}).status_code == 429
    assert not AnswerCode.objects.get().used


def test_it_leaves_other_pages_unlimited(client, settings, open_round, login, leader_a):
    settings.ANSWER_RATE_LIMIT = 1
    client.get(_url("answer_entry", open_round))
    login(leader_a)
    for _ in range(3):
        assert client.get(reverse("kortlaegning:index")).status_code == 200


# --- the secret stays out of URLs, pages, logs and the audit log ----------------------------


def _secrets_in(text: str, secret: str) -> bool:
    plain = re.sub(r"[^A-Za-z0-9]", "", secret).lower()
    squeezed = re.sub(r"[^A-Za-z0-9]", "", text).lower()
    return secret in text or (len(plain) >= 8 and plain in squeezed)


@pytest.mark.parametrize("kind", ["code", "open", "invitation"])
def test_it_keeps_the_secret_out_of_urls_pages_and_logs(
    client, open_round, code, mailoutbox, caplog, kind
):
    if kind == "code":
        secret, name = code, "answer_code"
    elif kind == "open":
        secret, name = services.open_link_create(round=open_round), "answer_open"
    else:
        services.invitations_send(
            round=open_round,
            unit=open_round.unit,
            emails=["ansat@example.org"],
            link_for=lambda token: "https://portal.example/" + token,
        )
        secret = mailoutbox[0].body.split("https://portal.example/")[1].split()[0]
        name = "answer_invitation"
    caplog.set_level(logging.DEBUG)

    first = client.get(_url(name, open_round, secret))
    assert first.status_code == 302
    assert secret not in first["Location"]
    assert first.content == b""  # nothing rendered under the secret URL, so no Referer from it
    pages = _answer_all(client, open_round, first["Location"])

    assert pages[-1].status_code == 200  # the thank-you page
    assert Response.objects.filter(round=open_round).count() == 1
    for page in pages:
        assert not _secrets_in(page.get("Location", ""), secret)
        assert not _secrets_in(page.content.decode(), secret)
        if page.status_code == 200:
            assert page["Referrer-Policy"] in ("same-origin", "no-referrer")
            assert "no-store" in page.get("Cache-Control", "")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not _secrets_in(logged, secret)
    for entry in AuditEntry.objects.all():
        assert not _secrets_in(f"{entry.target} {entry.detail} {entry.actor_name}", secret)


@pytest.mark.parametrize("kind", ["answer_code", "answer_open"])
@pytest.mark.parametrize("state", ["draft", "closed"])
def test_it_keeps_a_refused_secret_out_of_the_logs(client, unit_a, leader_a, caplog, state, kind):
    """A valid secret for a round that is not open (yet or any more) is refused unlogged.

    Django logs every 4xx response with its path; the secret in that path must not reach the
    log, since a code for a round that opens tomorrow (or is reopened) is still worth something.
    """
    today = timezone.localdate()
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Senere", opens_on=today, closes_on=today
    )
    [code] = services.codes_generate(round=round, unit=unit_a, count=1)
    link = services.open_link_create(round=round)
    if state == "closed":
        services.round_open(round=round, opened_by=leader_a)
        services.round_close(round=round, closed_by=leader_a)
    secret = code if kind == "answer_code" else link
    caplog.set_level(logging.DEBUG)
    at_secret = client.get(_url(kind, round, secret))
    # The refusal page lives at a URL without the secret; the secret URL sends no Referer.
    assert at_secret.status_code == 302
    assert at_secret["Referrer-Policy"] == "no-referrer"
    assert not _secrets_in(at_secret["Location"], secret)
    response = client.get(at_secret["Location"])
    assert response.status_code in (403, 410)
    assert not _secrets_in(response.content.decode(), secret)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not _secrets_in(logged, secret)


# --- an injected database failure during the submission -----------------------------------


def _walk_to_last_step(client: Client, round: Round, code: str) -> tuple[str, dict]:
    first = client.get(_url("answer_code", round, code))
    answers = {f"q{qid}": "yes" for qid in full_answers(round)}
    location = first["Location"]
    steps = len(round.levels_for(Response.Group.EMPLOYEES))
    for _ in range(steps - 1):
        location = client.post(location, {**answers, "comment_I": "Travlt"})["Location"]
    return location, answers


def test_it_rolls_back_a_submission_that_fails_half_way(client, open_round, code, monkeypatch):
    last, answers = _walk_to_last_step(client, open_round, code)

    def a_comment_the_database_refuses(**kwargs):
        # The database refuses the comment (longer than its column), the last row written, after
        # the code's UPDATE and the response's INSERT were written in the same statement.
        clean, comments = check_answers(**kwargs)
        return clean, {**comments, "I": "x" * (COMMENT_MAX_LENGTH + 1)}

    with monkeypatch.context() as patch:
        patch.setattr(services.answering, "check_answers", a_comment_the_database_refuses)
        failed = client.post(last, {**answers, "comment_I": "Travlt"})
    # A clear "try again", with this step's answers still in the form.
    assert failed.status_code == 503
    assert "kunne ikke gemmes" in failed.text
    assert failed.text.count("checked") == failed.text.count('value="yes"') > 0
    assert Response.objects.count() == 0
    assert LevelComment.objects.count() == 0
    assert AnswerCode.objects.get().used is False

    # The respondent presses Submit again (same session), and then it counts once.
    done = client.post(last, {**answers, "comment_I": "Travlt"})
    assert done.status_code == 302
    assert Response.objects.count() == 1
    assert AnswerCode.objects.get().used is True
    assert Invitation.objects.count() == 0
