"""Reads of the mapping: round lists, a round's questions and collection progress.

A closed round's results are read from its snapshot through ``kortlaegning.results``; nothing
here shows a figure of the answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Membership, Unit, User
from kortlaegning.models import (
    LEVEL_ORDER,
    AnswerCode,
    Invitation,
    LeaderParticipation,
    Question,
    QuestionVersion,
    Response,
    Round,
    RoundEvent,
    RoundQuestion,
)

# --- lists --------------------------------------------------------------------------------------


def rounds_visible_to(user: User) -> QuerySet[Round]:
    """Rounds of every unit the user can see, and rounds with published results of a unit the
    user works below, newest first per unit, with their unit (one query)."""
    member = Unit.objects.visible_to(user).filter(pk=OuterRef("unit_id"))
    return (
        Round.objects.filter(
            Q(unit__in=Unit.objects.visible_to(user))
            | Q(unit__in=Unit.objects.with_members_below(user), results_published=True)
        )
        .annotate(is_member=Exists(member))  # False: only the published results are for them
        .select_related("unit")
        .order_by("unit__path", "-opens_on", "-pk")
    )


def rounds_for_leader(user: User) -> QuerySet[Round]:
    """Rounds the user may answer as part of the leadership: they lead the round's unit, a unit
    above it, or a unit below it (the leadership of an institute's round includes the leaders of
    its groups). One query; the coordinator answers nothing."""
    if not getattr(user, "is_authenticated", False) or user.coordinates:
        return Round.objects.none()
    leads_below = Membership.objects.filter(
        user=user, role="leader", unit__path__startswith=OuterRef("unit__path")
    )
    return (
        Round.objects.filter(
            Q(unit__in=Unit.objects.permitting(user, Action.ANSWER_AS_LEADER))
            | Q(Exists(leads_below))
        )
        .exclude(leader_levels="")
        .select_related("unit")
    )


def rounds_to_answer_as_leader(user: User) -> QuerySet[Round]:
    """Open rounds the user may still answer as a leader (for the round list)."""
    answered = LeaderParticipation.objects.filter(user=user, round=OuterRef("pk"))
    return (
        rounds_for_leader(user)
        .filter(status=Round.Status.OPEN)
        .exclude(Exists(answered))
        .order_by("closes_on", "pk")
    )


def round_events(round: Round) -> QuerySet[RoundEvent]:
    return round.events.select_related("by").order_by("at", "pk")


def round_questions(round: Round) -> list[tuple[Question, QuestionVersion]]:
    """The questions a round asks with their exact version; a draft shows the current wording."""
    frozen = list(RoundQuestion.objects.filter(round=round).select_related("question", "version"))
    if frozen or not round.is_draft:
        return [(rq.question, rq.version) for rq in frozen]
    levels = set(round.employee_levels) | set(round.leader_levels)
    questions = Question.objects.filter(is_active=True, level__in=levels).prefetch_related(
        Prefetch("versions", queryset=QuestionVersion.objects.order_by("-number"))
    )
    return [(q, q.versions.all()[0]) for q in questions]


def questions_by_level(
    pairs: list[tuple[Question, QuestionVersion]], levels: list[str]
) -> list[tuple[str, list[tuple[Question, QuestionVersion]]]]:
    """Group (question, version) pairs by IGLO level, in IGLO order."""
    grouped = defaultdict(list)
    for question, version in pairs:
        grouped[question.level].append((question, version))
    return [(level, grouped[level]) for level in LEVEL_ORDER if level in levels and grouped[level]]


@dataclass(frozen=True)
class Collection:
    """How collection is going (for the collectors): never more than counts."""

    responses: int  # people (dialogue participants counted)
    shown: bool  # False while fewer than the threshold have answered
    codes_total: int
    codes_used: int
    invitations_total: int
    invitations_used: int


def collection_progress(round: Round) -> Collection:
    """Counts for the collection page (two queries)."""
    people = Response.objects.filter(round=round).aggregate(n=Sum("participants"))["n"] or 0
    codes = AnswerCode.objects.filter(round=round, source=AnswerCode.Source.PRINTED).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used=True))
    )
    invitations = Invitation.objects.filter(round=round).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used=True))
    )
    return Collection(
        responses=people,
        shown=people >= round.threshold,
        codes_total=codes["total"],
        codes_used=codes["used"],
        invitations_total=invitations["total"],
        invitations_used=invitations["used"],
    )
