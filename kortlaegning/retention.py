"""Retention: a closed round keeps its figures, not its respondents' answer sets.

``RESPONSE_RETENTION_DAYS`` after a round closed, ``round_purge_raw`` deletes its raw responses
(each respondent's answer set), their free-text comments, the dialogue summaries and the record
of which leaders answered. The results are computed from the answer rows (``selectors``), so the
aggregates are kept *in the same tables*: the round's responses are replaced by as many
aggregate rows per (unit, respondent group, dialogue or not), and each question's answers are
dealt out to them in a fixed order. Every count the results use — respondents and participants
per unit and group, answers per unit, group, question and choice — stays exactly the same, while
no row holds one person's combination of answers, a submission date, or an insertion order that
could point back to a person.

The purge is idempotent: a round whose rows already have that aggregate form is left alone.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from amg_portal.organisation import audit
from amg_portal.organisation.models import AuditEntry
from kortlaegning.models import (
    Answer,
    LeaderParticipation,
    LevelComment,
    Response,
    Round,
)

CHOICE_ORDER = {choice: i for i, choice in enumerate(Answer.Choice.values)}
Bucket = tuple[int, str, bool]  # (unit id, respondent group, dialogue)


@dataclass(frozen=True)
class Shape:
    """A round's answers as aggregate rows: per bucket, each row's participants and choices."""

    rows: dict[Bucket, list[tuple[int, dict[int, str]]]]


def rounds_due(*, today: datetime.date, days: int) -> QuerySet[Round]:
    """Closed rounds that closed more than ``days`` days before ``today``."""
    cutoff = today - datetime.timedelta(days=days)
    closed_before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    return Round.objects.filter(status=Round.Status.CLOSED).filter(
        Q(closed_at__lt=closed_before) | Q(closed_at__isnull=True, closes_on__lt=cutoff)
    )


def _current(round: Round) -> Shape:
    """The round's rows as they are, in id order (the order the aggregate form is checked in)."""
    rows: dict[Bucket, list[tuple[int, dict[int, str]]]] = defaultdict(list)
    index: dict[uuid.UUID, dict[int, str]] = {}
    for pk, unit_id, group, dialogue, participants in (
        Response.objects.filter(round=round)
        .order_by("pk")
        .values_list("pk", "unit_id", "group", "is_dialogue", "participants")
    ):
        choices: dict[int, str] = {}
        index[pk] = choices
        rows[(unit_id, group, dialogue)].append((participants, choices))
    for response_id, question_id, choice in Answer.objects.filter(
        response__round=round
    ).values_list("response_id", "question_id", "choice"):
        index[response_id][question_id] = choice
    return Shape(dict(rows))


def aggregate_form(shape: Shape) -> Shape:
    """The same counts, dealt out in a fixed order: participants descending, and per question
    the choices sorted (yes, partly, no, don't know) onto the first rows."""
    rows: dict[Bucket, list[tuple[int, dict[int, str]]]] = {}
    for bucket, items in shape.rows.items():
        participants = sorted((p for p, _ in items), reverse=True)
        by_question: dict[int, list[str]] = defaultdict(list)
        for _, choices in items:
            for question_id, choice in choices.items():
                by_question[question_id].append(choice)
        dealt: list[dict[int, str]] = [{} for _ in items]
        for question_id in sorted(by_question):
            ordered = sorted(by_question[question_id], key=CHOICE_ORDER.__getitem__)
            for row, choice in zip(dealt, ordered, strict=False):
                row[question_id] = choice
        rows[bucket] = list(zip(participants, dealt, strict=True))
    return Shape(rows)


def _has_free_text_or_people(round: Round) -> bool:
    return (
        LevelComment.objects.filter(response__round=round).exists()
        or Response.objects.filter(round=round).exclude(summary="").exists()
        or Response.objects.filter(round=round).exclude(submitted_on=round.closes_on).exists()
        or LeaderParticipation.objects.filter(round=round).exists()
    )


@transaction.atomic
def round_purge_raw(*, round: Round) -> bool:
    """Replace a closed round's raw responses by aggregate rows and drop its free text.

    Returns False (and changes nothing) when the round is not closed or is already purged.
    """
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_closed:
        return False
    current = _current(round)
    target = aggregate_form(current)
    if current == target and not _has_free_text_or_people(round):
        return False
    # Answers and comments go with their responses (on_delete=CASCADE).
    Response.objects.filter(round=round).delete()
    LeaderParticipation.objects.filter(round=round).delete()
    _write(round, target)
    audit.record(
        kind=AuditEntry.Kind.ADMIN,
        unit=round.unit,
        target=f"round {round.pk}",
        detail=f"retention: raw responses replaced by {sum(map(len, target.rows.values()))} "
        "aggregate rows, free text deleted",
    )
    return True


def _write(round: Round, shape: Shape) -> None:
    """Insert the aggregate rows; ids are sorted so the id order is the aggregate order."""
    responses, answers = [], []
    for (unit_id, group, dialogue), items in sorted(shape.rows.items()):
        for pk, (participants, choices) in zip(
            sorted(uuid.uuid4() for _ in items), items, strict=True
        ):
            responses.append(
                Response(
                    id=pk,
                    round=round,
                    unit_id=unit_id,
                    group=group,
                    is_dialogue=dialogue,
                    participants=participants,
                    submitted_on=round.closes_on,  # one date for all: no timing left
                )
            )
            answers += [Answer(response_id=pk, question_id=q, choice=c) for q, c in choices.items()]
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)


def purge_due(*, today: datetime.date, days: int) -> int:
    """Purge every round that closed more than ``days`` days ago; returns how many changed."""
    return sum(round_purge_raw(round=round) for round in rounds_due(today=today, days=days))
