"""What handlingsplan reads from kortlaegning (layering: handlingsplan → kortlaegning, never back).

Only kortlaegning's models and its ``selectors.question_summary`` are used; where the kortlægning
app does not offer a piece (yet), the panel shows nothing instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from amg_portal.organisation.access import Action, can
from amg_portal.organisation.models import Unit
from kortlaegning.models import Question, Round


def rounds_of(unit: Unit, start: dt.date, end: dt.date) -> list[Round]:
    """The unit's (and subtree's) mapping rounds opened within the period, plus the latest
    closed round before it: the mapping the cycle starts from."""
    rounds = (
        Round.objects.filter(unit__path__startswith=unit.path)
        .exclude(status=Round.Status.DRAFT)
        .select_related("unit")
    )
    before = (
        rounds.filter(unit=unit, status=Round.Status.CLOSED, opens_on__lt=start)
        .order_by("-opens_on", "-pk")
        .first()
    )
    within = list(rounds.filter(opens_on__gte=start, opens_on__lte=end).order_by("opens_on", "pk"))
    return ([before] if before else []) + within


def rounds_for_choice(unit: Unit):
    return Round.objects.filter(unit__path__startswith=unit.path).order_by("-opens_on", "-pk")


def results_url(round_: Round) -> str | None:
    """The results page of a round, if kortlaegning has one."""
    for name in ("kortlaegning:round_results", "kortlaegning:results"):
        try:
            return reverse(name, args=[round_.unit_id, round_.pk])
        except NoReverseMatch:
            try:
                return reverse(name, args=[round_.pk])
            except NoReverseMatch:
                continue
    return None


def question_summary(round_: Round, question: Question) -> Any:
    """kortlaegning's thresholded summary of one question in one round, or None."""
    from kortlaegning import selectors

    return selectors.question_summary(round=round_, question=question)


@dataclass
class Effect:
    question: Question
    before_round: Round
    before: Any
    before_chart: Any
    after_round: Round | None
    after: Any
    after_chart: Any


def effect_of(measure) -> Effect | None:
    """The measure's source question in its round and in the unit's next closed round after it."""
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
    before = question_summary(before_round, question)
    after = question_summary(after_round, question) if after_round else None
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
    sections: list[Any]  # kortlaegning.exports.Section: the results page's charts per group


def round_summaries(rounds: list[Round], *, user) -> list[RoundSummary]:
    """Per closed round the user may see results of, the results page's sections (same charts)."""
    from kortlaegning import exports, selectors

    out = []
    for round_ in rounds:
        visible = round_.results_published or can(user, Action.VIEW_RESULTS, round_.unit)
        results = selectors.round_summary(round=round_) if round_.is_closed and visible else None
        out.append(RoundSummary(round_, exports.result_sections(results) if results else []))
    return out


def summary_chart(summary: Any, title: str) -> Any:
    """The results page's distribution bar for one question summary."""
    from kortlaegning import exports

    return exports.distribution_chart(summary, title) if summary is not None else None


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
