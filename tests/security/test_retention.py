"""Retention: after RESPONSE_RETENTION_DAYS a closed round keeps its figures, not its answer sets.

``kortlaegning.retention`` replaces the raw responses by aggregate rows (the counts the results
use stay exactly the same) and deletes free text, dialogue summaries and the record of which
leaders answered; the command ``purge_raw_responses`` runs it and is idempotent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from amg_portal.organisation.models import AuditEntry
from kortlaegning import retention, selectors, services
from kortlaegning.models import Answer, LeaderParticipation, LevelComment, Response, Round
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


def _figures(round: Round) -> dict:
    """Everything the results page shows, except the (deleted) free text."""
    results = selectors.round_results(Round.objects.get(pk=round.pk), with_previous=False)
    return {
        group: [
            (
                f.unit.pk,
                f.respondents,
                {q: s.distribution for q, s in f.questions.items()},
                [(lvl.level, lvl.score, lvl.attention) for lvl in f.levels],
            )
            for f in figures
        ]
        for group, figures in results.groups.items()
    } | {"hidden": results.hidden, "withheld": results.withheld}


def _answer_sets(round: Round) -> set[tuple]:
    sets = {}
    for response_id, question_id, choice in Answer.objects.filter(
        response__round=round
    ).values_list("response_id", "question_id", "choice"):
        sets.setdefault(response_id, []).append((question_id, choice))
    return {tuple(sorted(v)) for v in sets.values()}


def _purge_after(days: int) -> str:
    out = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        later = _today() + dt.timedelta(days=days)
        patch.setattr(timezone, "localdate", lambda *a, **k: later)
        call_command("purge_raw_responses", stdout=out)
    return out.getvalue()


def test_it_keeps_every_figure_and_deletes_the_answer_sets(written_round, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    before = _figures(written_round)
    raw_sets = _answer_sets(written_round)
    answers = Answer.objects.filter(response__round=written_round).count()
    assert LevelComment.objects.filter(response__round=written_round).exists()
    assert before["employees"], "the employees' results are shown"

    assert "1 round(s) purged" in _purge_after(31)

    assert _figures(written_round) == before
    assert Answer.objects.filter(response__round=written_round).count() == answers
    assert Response.objects.filter(round=written_round).count() == 13
    assert not LevelComment.objects.filter(response__round=written_round).exists()
    assert not LeaderParticipation.objects.filter(round=written_round).exists()
    # Rows no longer carry the respondents' combinations of answers (a group of one — here the
    # leader — keeps its one set: its aggregate is that set; thresholds keep it from view).
    survivors = _answer_sets(written_round) & raw_sets
    assert len(survivors) <= 3 < len(raw_sets)
    assert set(
        Response.objects.filter(round=written_round).values_list("submitted_on", flat=True)
    ) == {written_round.closes_on}
    assert selectors.round_results(written_round).comments == []
    entry = AuditEntry.objects.get(kind="admin", detail__startswith="retention")
    assert entry.target == f"round {written_round.pk}"


def test_it_keeps_dialogue_figures_and_deletes_their_summaries(dialogue_round, settings):
    settings.RESPONSE_RETENTION_DAYS = 10
    before = _figures(dialogue_round)
    assert before["dialogues"]
    _purge_after(11)
    assert _figures(dialogue_round) == before
    assert sorted(
        Response.objects.filter(round=dialogue_round).values_list("participants", flat=True)
    ) == [3, 4]
    assert not Response.objects.filter(round=dialogue_round).exclude(summary="").exists()
    assert not LevelComment.objects.filter(response__round=dialogue_round).exists()


def test_it_changes_nothing_when_run_again(written_round, settings):
    settings.RESPONSE_RETENTION_DAYS = 30
    _purge_after(31)
    rows = list(
        Answer.objects.filter(response__round=written_round)
        .order_by("response_id", "question_id")
        .values_list("response_id", "question_id", "choice")
    )
    assert "0 round(s) purged" in _purge_after(31)
    assert "0 round(s) purged" in _purge_after(400)
    again = list(
        Answer.objects.filter(response__round=written_round)
        .order_by("response_id", "question_id")
        .values_list("response_id", "question_id", "choice")
    )
    assert again == rows
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


def test_it_deals_out_the_same_counts_in_a_fixed_order():
    shape = retention.Shape(
        {
            (1, "employees", False): [
                (1, {10: "no", 11: "yes"}),
                (1, {10: "yes", 11: "dont_know"}),
                (1, {10: "partly"}),
            ]
        }
    )
    dealt = retention.aggregate_form(shape)
    assert dealt.rows[(1, "employees", False)] == [
        (1, {10: "yes", 11: "yes"}),
        (1, {10: "partly", 11: "dont_know"}),
        (1, {10: "no"}),
    ]
    assert retention.aggregate_form(dealt) == dealt
    counts = [
        sorted(c for _, row in rows for q, c in row.items() if q == question)
        for rows in (shape.rows[(1, "employees", False)], dealt.rows[(1, "employees", False)])
        for question in (10, 11)
    ]
    assert counts[:2] == counts[2:]
    assert list(itertools.chain(*counts))


def test_the_command_refuses_negative_days(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("purge_raw_responses", days=-1)
