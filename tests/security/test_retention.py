"""Retention: after RESPONSE_RETENTION_DAYS a closed round keeps its figures, not its answer sets.

A round's figures live in its result snapshot, decided at closing. ``kortlaegning.retention``
deletes the raw responses, free text, dialogue summaries and the record of which leaders answered;
every figure and export stays identical. The command ``purge_raw_responses`` runs it and is
idempotent; a purged round cannot be reopened.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amg_portal.organisation.models import AuditEntry, Unit
from kortlaegning import results, retention, services
from kortlaegning.models import (
    LeaderParticipation,
    LevelComment,
    Response,
    ResultText,
    Round,
)
from tests.security.world import full_answers

CHOICES = ["yes", "partly", "no", "dont_know"]


def _today() -> dt.date:
    return timezone.localdate()


def _answers(round: Round, seed: int, group: str = Response.Group.EMPLOYEES) -> dict[str, str]:
    """A varied answer set, so that respondents differ from each other."""
    keys = sorted(full_answers(round, group), key=int)
    return {k: CHOICES[(seed * 7 + i * (seed + 3)) % 4] for i, k in enumerate(keys)}


def _respond(round: Round, unit, seed: int) -> None:
    [code] = services.codes_generate(round=round, unit=unit, count=1)
    grant = services.grant_for_code(round=round, code=code)
    comments = {"I": f"Kommentar nr. {seed} om travlhed"} if seed % 2 else {}
    services.response_submit(
        round=round, grant=grant, answers=_answers(round, seed), comments=comments
    )


@pytest.fixture
def written_round(unit_a, group_a1, leader_a) -> Round:
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="Skriftlig", opens_on=_today(), closes_on=_today()
    )
    round = services.round_open(round=round, opened_by=leader_a)
    for seed in range(6):
        _respond(round, group_a1, seed)
    for seed in range(6, 12):
        _respond(round, unit_a, seed)
    grant = services.grant_for_leader(round=round, user=leader_a)
    services.response_submit(
        round=round,
        grant=grant,
        answers=_answers(round, 99, Response.Group.LEADERSHIP),
        comments={"L": "Lederens kommentar"},
    )
    return services.round_close(round=round, closed_by=leader_a)


@pytest.fixture
def dialogue_round(unit_b, leader_b) -> Round:
    Unit.objects.filter(pk=unit_b.pk).update(headcount=10)  # two meetings of 4 and 3 people
    round = services.round_create(
        unit=unit_b,
        created_by=leader_b,
        title="Dialog",
        mode=Round.Mode.DIALOGUE,
        opens_on=_today(),
        closes_on=_today(),
        threshold=3,
    )
    round = services.round_open(round=round, opened_by=leader_b)
    for seed, people in ((1, 4), (2, 3)):
        services.dialogue_record(
            round=round,
            unit=unit_b,
            participants=people,
            summary=f"Mødet nr. {seed} talte om Hanne",
            answers=_answers(round, seed),
            comments={"G": "Fælles kommentar"},
        )
    return services.round_close(round=round, closed_by=leader_b)


def _figures(round: Round, user) -> dict:
    """Everything the results and the export show, except the (deleted) free text."""
    round = Round.objects.get(pk=round.pk)
    found = results.round_results(round, user=user, with_previous=False)
    return {
        group: (
            figures.respondents,
            {q: s.distribution for q, s in figures.questions.items()},
            [(lvl.level, lvl.score, lvl.attention) for lvl in figures.levels],
        )
        for group, figures in found.groups.items()
        if figures
    } | {
        "hidden": found.hidden,
        "withheld": found.withheld,
        "subunits": [(s.unit.name, sorted(s.figures)) for s in found.subunits],
        "export": [
            (r.group, r.unit, r.respondents, r.question_id, r.summary.distribution)
            for r in results.export_rows(round, user=user, fmt="csv")
        ],
    }


def _purge_after(days: int) -> str:
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        later = _today() + dt.timedelta(days=days)
        patch.setattr(timezone, "localdate", lambda *a, **k: later)
        call_command("purge_raw_responses", stdout=out)
    return out.getvalue()


def test_the_purge_deletes_the_answer_sets_without_loading_them(written_round):
    with CaptureQueriesContext(connection) as queries:
        assert retention.round_purge_raw(round=written_round)
    read = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and '"kortlaegning_response"' in query["sql"]
    ]
    assert read, "the responses' ids are read to delete their comments"
    assert not any('"answers"' in sql for sql in read)
    assert not Response.objects.filter(round=written_round).exists()


def test_it_keeps_every_figure_and_deletes_the_answer_sets(written_round, leader_a, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    before = _figures(written_round, leader_a)
    assert LevelComment.objects.filter(response__round=written_round).exists()
    assert ResultText.objects.filter(group__snapshot__round=written_round).exists()
    assert before["employees"], "the employees' results are shown"

    assert "1 round(s) purged" in _purge_after(31)

    assert _figures(written_round, leader_a) == before
    assert not Response.objects.filter(round=written_round).exists()
    assert not LevelComment.objects.filter(response__round=written_round).exists()
    assert not LeaderParticipation.objects.filter(round=written_round).exists()
    assert not ResultText.objects.filter(group__snapshot__round=written_round).exists()
    assert results.round_results(written_round, user=leader_a).texts is None
    entry = AuditEntry.objects.get(kind="admin", detail__startswith="retention")
    assert entry.target == f"round {written_round.pk}"


def test_a_purged_round_cannot_be_reopened(written_round, leader_a, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    _purge_after(31)
    with pytest.raises(ValidationError, match="opbevaringsperioden"):
        services.round_reopen(round=written_round, reopened_by=leader_a, reason="Igen")
    assert Round.objects.get(pk=written_round.pk).is_closed


def test_it_keeps_dialogue_figures_and_deletes_their_summaries(dialogue_round, leader_b, settings):
    settings.RESPONSE_RETENTION_DAYS = 10
    before = _figures(dialogue_round, leader_b)
    assert before["dialogues"]
    assert ResultText.objects.filter(kind="summary").exists()
    _purge_after(11)
    assert _figures(dialogue_round, leader_b) == before
    assert not Response.objects.filter(round=dialogue_round).exists()
    assert not ResultText.objects.filter(group__snapshot__round=dialogue_round).exists()


def test_it_changes_nothing_when_run_again(written_round, leader_a, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    _purge_after(31)
    after = _figures(written_round, leader_a)
    assert "0 round(s) purged" in _purge_after(31)
    assert "0 round(s) purged" in _purge_after(400)
    assert _figures(written_round, leader_a) == after
    assert AuditEntry.objects.filter(kind="admin", detail__startswith="retention").count() == 1


def test_it_leaves_recent_and_open_rounds_alone(written_round, unit_b, leader_b, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    open_round = services.round_create(
        unit=unit_b, created_by=leader_b, title="Åben", opens_on=_today(), closes_on=_today()
    )
    open_round = services.round_open(round=open_round, opened_by=leader_b)
    _respond(open_round, unit_b, 1)
    comments = LevelComment.objects.count()

    assert "0 round(s) purged" in _purge_after(30)  # closed exactly 30 days ago: kept
    assert LevelComment.objects.count() == comments
    assert not retention.round_purge_raw(round=open_round)
    assert LevelComment.objects.filter(response__round=open_round).count() == 1


def test_the_command_refuses_negative_days(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_raw_responses", days=-1)
