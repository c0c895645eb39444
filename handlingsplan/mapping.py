"""What handlingsplan reads from kortlaegning (layering: handlingsplan → kortlaegning, never back).

Only kortlaegning's models and its ``selectors.question_summary`` are used; where the kortlægning
app does not offer a piece (yet), the panel shows nothing instead of failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from amg_portal.organisation.models import Unit
from kortlaegning.models import Question, Round


def rounds_of(unit: Unit, start: dt.date, end: dt.date) -> list[Round]:
    """Mapping rounds of the unit (and its subtree) that opened within the period."""
    return list(
        Round.objects.filter(
            unit__path__startswith=unit.path, opens_on__gte=start, opens_on__lte=end
        )
        .exclude(status=Round.Status.DRAFT)
        .select_related("unit")
        .order_by("opens_on", "pk")
    )


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
    try:
        from kortlaegning import selectors
    except ImportError:
        return None
    summary = getattr(selectors, "question_summary", None)
    if summary is None:
        return None
    return summary(round=round_, question=question)


@dataclass
class Effect:
    question: Question
    before_round: Round
    before: Any
    after_round: Round | None
    after: Any


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
    return Effect(
        question=measure.source_question,
        before_round=before_round,
        before=question_summary(before_round, measure.source_question),
        after_round=after_round,
        after=question_summary(after_round, measure.source_question) if after_round else None,
    )


def round_summaries(rounds: list[Round]) -> list[tuple[Round, Any]]:
    """Per round, kortlaegning's results summary for the PDF (its charts), when it offers one."""
    try:
        from kortlaegning import selectors
    except ImportError:
        return [(r, None) for r in rounds]
    summary = getattr(selectors, "round_summary", None)
    return [(r, summary(round=r) if summary else None) for r in rounds]


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
