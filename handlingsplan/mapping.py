"""What handlingsplan reads from kortlaegning (layering: handlingsplan → kortlaegning, never back).

Figures come only through ``kortlaegning.results``, which reads the round's frozen snapshot and
decides who may see it; this module never counts answers or repeats that rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from amg_portal.organisation.models import Unit
from kortlaegning import result_charts, results
from kortlaegning.models import Question, Round


def _period_rounds(unit: Unit, start: dt.date, end: dt.date):
    """The rounds a cycle's period may show, oldest first: the unit's (and subtree's) rounds opened
    within it, and the unit's earlier closed rounds (few: one a year) to pick the last from."""
    return (
        Round.objects.filter(unit__path__startswith=unit.path)
        .exclude(status=Round.Status.DRAFT)
        .filter(
            Q(opens_on__gte=start, opens_on__lte=end)
            | Q(unit=unit, status=Round.Status.CLOSED, opens_on__lt=start)
        )
        .order_by("opens_on", "pk")
    )


def _with_last_before(rows: list, start: dt.date, opens_on) -> list:
    """Of rows oldest first: the last one opened before ``start``, then those from ``start``."""
    before = [row for row in rows if opens_on(row) < start]
    return before[-1:] + [row for row in rows if opens_on(row) >= start]


def rounds_of(unit: Unit, start: dt.date, end: dt.date) -> list[Round]:
    """The unit's (and subtree's) mapping rounds opened within the period, plus the latest
    closed round before it: the mapping the cycle starts from (one query)."""
    rounds = list(_period_rounds(unit, start, end).select_related("unit"))
    return _with_last_before(rounds, start, lambda r: r.opens_on)


def rounds_key(unit: Unit, start: dt.date, end: dt.date, *, user) -> list[tuple]:
    """``rounds_of`` as plain values, each with whether ``user`` may see its results (the one
    rule, ``results.with_results_access``): what makes one reader's written APV differ from
    another's. One query; a stored APV PDF is keyed by it."""
    rounds = results.with_results_access(_period_rounds(unit, start, end), user)
    rows = list(
        rounds.values_list(
            "pk",
            "opens_on",
            "closes_on",
            "status",
            "results_published",
            "results_visible",
            "title",
            "unit__name",
        )
    )
    return _with_last_before(rows, start, lambda row: row[1])


def rounds_for_choice(unit: Unit):
    return Round.objects.filter(unit__path__startswith=unit.path).order_by("-opens_on", "-pk")


def results_url(round_: Round) -> str:
    """The results page of a round."""
    return reverse("kortlaegning:round_results", args=[round_.pk])


def question_summary(round_: Round, question: Question, user) -> Any:
    """kortlaegning's summary of one question in one round, or None (hidden, or not for
    ``user``)."""
    return results.question_summary(round=round_, question=question, user=user)


@dataclass
class Effect:
    question: Question
    before_round: Round
    before: Any
    before_chart: Any
    after_round: Round | None
    after: Any
    after_chart: Any


def effect_of(measure, *, user) -> Effect | None:
    """The measure's source question in its round and in the unit's next closed round after it,
    as far as ``user`` may see those rounds' results."""
    if measure.source_round_id is None or measure.source_question_id is None:
        return None
    before_round = measure.source_round
    after_round = (
        Round.objects.filter(
            unit=before_round.unit_id,
            status=Round.Status.CLOSED,
            opens_on__gt=before_round.opens_on,
        )
        .order_by("opens_on", "pk")
        .first()
    )
    question = measure.source_question
    before = question_summary(before_round, question, user)
    after = question_summary(after_round, question, user) if after_round else None
    return Effect(
        question=question,
        before_round=before_round,
        before=before,
        before_chart=summary_chart(before, question.code),
        after_round=after_round,
        after=after,
        after_chart=summary_chart(after, question.code),
    )


@dataclass
class RoundSummary:
    round: Round
    sections: list[Any]  # kortlaegning.result_charts.Section: the results page's charts per group
    # "shown"; "open" (not closed yet); "not_published" (closed, the leader has not published the
    # results to employees); "published_elsewhere" (published to the employees of another unit).
    state: str


def round_summaries(rounds: list[Round], *, user, level_charts: bool = True) -> list[RoundSummary]:
    """Per round, the results page's sections for the round's own unit (its level charts, unless
    ``level_charts`` is off; the written APV shows no question's chart), or why there are none for
    this reader."""
    out = []
    readable = results.results_of_rounds(rounds, user=user, where="APV")  # a few queries in all
    for round_ in rounds:
        found = readable.get(round_.pk)
        if found:
            state = "shown"
        elif not round_.is_closed:
            state = "open"
        else:
            state = "published_elsewhere" if round_.results_published else "not_published"
        out.append(
            RoundSummary(
                round_,
                result_charts.result_sections(
                    found, level_charts=level_charts, question_charts=False
                )
                if found
                else [],
                state,
            )
        )
    return out


def summary_chart(summary: Any, title: str) -> Any:
    """The results page's distribution bar for one question summary."""
    return result_charts.distribution_chart(summary, title) if summary is not None else None


def prefill(unit: Unit, round_pk: str | None, question_pk: str | None) -> dict[str, Any]:
    """Validated ``?round=&question=`` of the create page; a foreign or unknown id is dropped."""
    found: dict[str, Any] = {}
    problems: list[str] = []
    if round_pk:
        round_ = (
            Round.objects.filter(unit__path__startswith=unit.path, pk=_int(round_pk))
            .select_related("unit")
            .first()
        )
        if round_ is None:
            problems.append("round")
        else:
            found["source_round"] = round_
    if question_pk:
        question = Question.objects.filter(pk=_int(question_pk)).first()
        if question is None:
            problems.append("question")
        else:
            found["source_question"] = question
    found["problems"] = problems
    return found


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
