"""Reads of the mapping: round lists, a round's questions, and results under the anonymity rules.

Results are aggregated in the database (``values().annotate(...)`` per unit, question and choice)
and then only the groups ``anonymity.shown_groups`` allows are summed up and returned. Nothing for
a hidden group leaves this module. Results exist for closed rounds only: figures that change while
answers come in would let anyone who watches them subtract one respondent from the next.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from amg_portal.organisation.access import Action, can
from amg_portal.organisation.models import Membership, Unit, User
from kortlaegning import anonymity
from kortlaegning.models import (
    LEVEL_ORDER,
    Answer,
    AnswerCode,
    Invitation,
    LeaderParticipation,
    LevelComment,
    Question,
    QuestionVersion,
    Response,
    Round,
    RoundEvent,
    RoundQuestion,
)

CHOICES = list(Answer.Choice.values)  # yes, partly, no, dont_know
SCORE_WEIGHTS = {"yes": 100, "partly": 50, "no": 0}  # "don't know" is left out of the score
ATTENTION_BELOW = 60  # a question whose score is under this needs attention
COMMENTS_MIN_RESPONSES = 10
MIN_INDIVIDUAL_THRESHOLD = 5  # individual answers are never shown for fewer, whatever the round
# Results are kept apart per respondent group; joint answer sets of dialogue meetings form their
# own group, so they are never mixed with (and subtracted from) individual answers.
DIALOGUES = "dialogues"
RESULT_GROUPS = [Response.Group.EMPLOYEES.value, DIALOGUES, Response.Group.LEADERSHIP.value]
RATE_LOW, RATE_GOOD = 50, 80


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


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSummary:
    """One question's figures for one shown group."""

    question_id: int
    n: int
    distribution: dict[str, int]  # choice → count, every choice present
    score: float | None  # 0–100: yes 100, partly 50, no 0; None when all said "don't know"

    @property
    def needs_attention(self) -> bool:
        return self.score is not None and self.score < ATTENTION_BELOW

    @property
    def percentages(self) -> dict[str, float]:
        return {c: (100 * k / self.n if self.n else 0.0) for c, k in self.distribution.items()}


def _summary(question_id: int, counts: dict[str, int]) -> QuestionSummary:
    distribution = {choice: counts.get(choice, 0) for choice in CHOICES}
    judged = sum(distribution[c] for c in SCORE_WEIGHTS)
    score = (
        round(sum(distribution[c] * w for c, w in SCORE_WEIGHTS.items()) / judged, 1)
        if judged
        else None
    )
    return QuestionSummary(question_id, sum(distribution.values()), distribution, score)


@dataclass(frozen=True)
class LevelSummary:
    level: str
    score: float | None  # mean of the level's question scores
    attention: int  # questions needing attention


def _level_summaries(
    summaries: dict[int, QuestionSummary], level_of: dict[int, str]
) -> list[LevelSummary]:
    out = []
    for level in LEVEL_ORDER:
        scores = [
            s.score
            for qid, s in summaries.items()
            if level_of[qid] == level and s.score is not None
        ]
        if any(level_of[qid] == level for qid in summaries):
            attention = sum(
                1 for qid, s in summaries.items() if level_of[qid] == level and s.needs_attention
            )
            mean = round(sum(scores) / len(scores), 1) if scores else None
            out.append(LevelSummary(level, mean, attention))
    return out


def rate_band(rate: float | None) -> str:
    """ "low" under 50 %, "adequate" 50–80 %, "good" over 80 %."""
    if rate is None:
        return ""
    if rate < RATE_LOW:
        return "low"
    return "good" if rate > RATE_GOOD else "adequate"


@dataclass
class GroupFigures:
    """The figures of one shown group: a unit with its subtree, for one respondent group."""

    unit: Unit
    respondents: int
    headcount: int
    questions: dict[int, QuestionSummary]
    levels: list[LevelSummary]

    @property
    def rate(self) -> float | None:
        return round(100 * self.respondents / self.headcount) if self.headcount else None

    @property
    def band(self) -> str:
        return rate_band(self.rate)


@dataclass
class RoundResults:
    round: Round
    questions: list[tuple[Question, QuestionVersion]]
    groups: dict[str, list[GroupFigures]]  # respondent group → shown groups, round's unit first
    hidden: dict[str, int]  # respondent group → number of sub-units folded into a parent
    comments: list[tuple[str, str]] = field(default_factory=list)  # (level, text), shuffled
    dialogues: list[tuple[int, str]] = field(default_factory=list)  # (participants, summary)
    withheld: set[str] = field(default_factory=set)  # groups hidden after a small reopening
    previous: RoundResults | None = None

    def top(self, group: str) -> GroupFigures | None:
        shown = self.groups.get(group) or []
        return shown[0] if shown else None

    def change(self, group: str, question_id: int) -> float | None:
        """Score now minus score in the previous round, where both are shown."""
        now, before = self.top(group), self.previous.top(group) if self.previous else None
        if not now or not before:
            return None
        a, b = now.questions.get(question_id), before.questions.get(question_id)
        if not a or not b or a.score is None or b.score is None:
            return None
        return round(a.score - b.score, 1)


def threshold_for(round: Round, group: str) -> int:
    """The round's threshold; never under 5 for individual answers (a dialogue round may set a
    lower one for its joint answer sets, counted by participants)."""
    if group == DIALOGUES:
        return round.threshold
    return max(round.threshold, MIN_INDIVIDUAL_THRESHOLD)


def _result_group(group: str, is_dialogue: bool) -> str:
    return DIALOGUES if is_dialogue else group


def _group_filter(group: str) -> Q:
    if group == DIALOGUES:
        return Q(is_dialogue=True)
    return Q(group=group, is_dialogue=False)


def people_by_group(round: Round) -> dict[str, int]:
    """Respondents per result group (dialogue participants counted), one aggregate query."""
    totals = dict.fromkeys(RESULT_GROUPS, 0)
    for row in (
        Response.objects.filter(round=round)
        .values("group", "is_dialogue")
        .annotate(n=Sum("participants"))
        .order_by()
    ):
        totals[_result_group(row["group"], row["is_dialogue"])] += row["n"]
    return totals


def withheld_groups(round: Round) -> tuple[set[str], bool]:
    """Result groups withheld because a reopening added too few answers, and whether the round
    was ever reopened (then sub-units are not broken down: their increments are not checked)."""
    return withheld_groups_by_round([round])[round.pk]


def withheld_groups_by_round(rounds: Iterable[Round]) -> dict[int, tuple[set[str], bool]]:
    """``withheld_groups`` for several rounds in one query (for trends across rounds)."""
    rounds = list(rounds)
    closings: dict[int, list[dict]] = defaultdict(list)
    for round_id, counts in (
        RoundEvent.objects.filter(round__in=rounds, kind=RoundEvent.Kind.CLOSED)
        .order_by("at", "pk")
        .values_list("round_id", "counts")
    ):
        closings[round_id].append(counts)
    result = {}
    for round in rounds:
        withheld = set()
        for before, after in itertools.pairwise(closings[round.pk]):
            for group in RESULT_GROUPS:
                added = after.get(group, 0) - before.get(group, 0)
                if 0 < added < threshold_for(round, group):
                    withheld.add(group)
        result[round.pk] = (withheld, len(closings[round.pk]) > 1)
    return result


def _counts(round: Round):
    """Per (group, unit): people; per (group, unit, question, choice): answers — in the DB."""
    people: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Response.objects.filter(round=round)
        .values("group", "is_dialogue", "unit_id")
        .annotate(n=Sum("participants"))
        .order_by()
    ):
        people[_result_group(row["group"], row["is_dialogue"])][row["unit_id"]] += row["n"]
    answers: dict[str, dict[int, dict[int, dict[str, int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    for row in (
        Answer.objects.filter(response__round=round)
        .values(
            "response__group", "response__is_dialogue", "response__unit_id", "question_id", "choice"
        )
        .annotate(n=Count("id"))
        .order_by()
    ):
        group = _result_group(row["response__group"], row["response__is_dialogue"])
        unit_id = row["response__unit_id"]
        answers[group][unit_id].setdefault(row["question_id"], {})[row["choice"]] = row["n"]
    return people, answers


def _figures_for(
    unit: Unit, units: list[Unit], people: dict[int, int], answers, level_of: dict[int, str]
) -> GroupFigures:
    inside = [u for u in units if u.path.startswith(unit.path)]
    merged: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for u in inside:
        for qid, counts in answers.get(u.pk, {}).items():
            for choice, n in counts.items():
                merged[qid][choice] += n
    summaries = {qid: _summary(qid, dict(c)) for qid, c in merged.items() if qid in level_of}
    return GroupFigures(
        unit=unit,
        respondents=sum(people.get(u.pk, 0) for u in inside),
        headcount=sum(u.headcount for u in inside),
        questions=summaries,
        levels=_level_summaries(summaries, level_of),
    )


def _comments(round: Round, individuals: int, dialogues_shown: bool) -> list[tuple[str, str]]:
    """Comments of the whole round, shuffled, without dates or units: individual comments only
    from 10 individual responses up, dialogue comments where the dialogues are shown."""
    kinds = []
    if individuals >= max(COMMENTS_MIN_RESPONSES, round.threshold):
        kinds.append(False)
    if dialogues_shown:
        kinds.append(True)
    if not kinds:
        return []
    comments = list(
        LevelComment.objects.filter(response__round=round, response__is_dialogue__in=kinds)
        .values_list("level", "text")
        .order_by()
    )
    random.SystemRandom().shuffle(comments)
    return comments


def _dialogues(round: Round) -> list[tuple[int, str]]:
    """The dialogue meetings' summaries (written by AMR/TR), without units or dates."""
    rows = list(
        Response.objects.filter(round=round, is_dialogue=True)
        .exclude(summary="")
        .values_list("participants", "summary")
        .order_by()
    )
    random.SystemRandom().shuffle(rows)
    return rows


def round_results(round: Round, *, with_previous: bool = True) -> RoundResults | None:
    """The round's results within the anonymity rules; None while the round is not closed."""
    if not round.is_closed:
        return None
    units = list(Unit.objects.filter(path__startswith=round.unit.path).order_by("path"))
    by_path = {u.path: u for u in units}
    questions = round_questions(round)
    level_of = {q.pk: q.level for q, _ in questions}
    people, answers = _counts(round)
    withheld, reopened = withheld_groups(round)
    groups: dict[str, list[GroupFigures]] = {}
    hidden: dict[str, int] = {}
    for group in RESULT_GROUPS:
        if group in withheld:
            groups[group], hidden[group] = [], 0
            continue
        direct = {u.path: people[group].get(u.pk, 0) for u in units}
        threshold = threshold_for(round, group)
        shown = anonymity.shown_groups(
            root=round.unit.path, paths=by_path, direct=direct, threshold=threshold
        )
        if reopened:
            shown = {round.unit.path} & shown
        groups[group] = [
            _figures_for(by_path[p], units, people[group], answers[group], level_of)
            for p in sorted(shown)
        ]
        totals = anonymity.subtree_totals(by_path, direct)
        hidden[group] = sum(1 for p, n in totals.items() if n and p not in shown) if shown else 0
    individuals = sum(sum(people[g].values()) for g in RESULT_GROUPS if g != DIALOGUES)
    return RoundResults(
        round=round,
        questions=questions,
        groups=groups,
        hidden=hidden,
        comments=[] if withheld else _comments(round, individuals, bool(groups[DIALOGUES])),
        withheld=withheld,
        dialogues=_dialogues(round) if groups[DIALOGUES] else [],
        previous=_previous_results(round) if with_previous else None,
    )


def previous_round(round: Round) -> Round | None:
    """The unit's closed round before this one."""
    return (
        Round.objects.filter(unit_id=round.unit_id, status=Round.Status.CLOSED)
        .filter(Q(opens_on__lt=round.opens_on) | Q(opens_on=round.opens_on, pk__lt=round.pk))
        .select_related("unit")
        .order_by("-opens_on", "-pk")
        .first()
    )


def _previous_results(round: Round) -> RoundResults | None:
    previous = previous_round(round)
    return round_results(previous, with_previous=False) if previous else None


def default_group(round: Round, question: Question) -> str | None:
    """The respondent group that answers ``question`` in ``round`` (employees first)."""
    if question.level in round.employee_levels:
        return DIALOGUES if round.is_dialogue else Response.Group.EMPLOYEES
    if question.level in round.leader_levels:
        return Response.Group.LEADERSHIP
    return None


def question_summary(
    *, round: Round, question: Question, group: str | None = None
) -> QuestionSummary | None:
    """One question's figures for the round's whole unit; None if suppressed or not asked.

    For other apps (the action plan shows a tiltag's effect before and after). At most three
    queries. The round's own unit is the largest group, which the differencing rule never hides,
    so only the threshold applies here.
    """
    group = group or default_group(round, question)
    if group is None or not round.is_closed:
        return None
    if not RoundQuestion.objects.filter(round=round, question=question).exists():
        return None
    people = (
        Response.objects.filter(_group_filter(group), round=round).aggregate(n=Sum("participants"))[
            "n"
        ]
        or 0
    )
    if people < threshold_for(round, group) or group in withheld_groups(round)[0]:
        return None
    in_group = Response.objects.filter(_group_filter(group), round=round)
    counts = dict(
        Answer.objects.filter(response__in=in_group, question=question)
        .values("choice")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("choice", "n")
    )
    return _summary(question.pk, counts)


def latest_results_for_unit(*, unit: Unit) -> RoundResults | None:
    """The results of the unit's most recent closed round (for the dashboard)."""
    latest = (
        Round.objects.filter(unit=unit, status=Round.Status.CLOSED)
        .select_related("unit")
        .order_by("-opens_on", "-pk")
        .first()
    )
    return round_results(latest) if latest else None


def round_results_for_unit(*, unit: Unit, user: User) -> list[tuple[Round, RoundResults]]:
    """Closed rounds of ``unit`` the user may see results of, newest first, with results."""
    if not can(user, Action.VIEW_RESULTS, unit):
        return []
    rounds = Round.objects.filter(unit=unit, status=Round.Status.CLOSED).select_related("unit")
    return [(r, round_results(r, with_previous=False)) for r in rounds.order_by("-opens_on", "-pk")]


def round_summary(*, round: Round) -> RoundResults | None:
    """The round's thresholded results without the comparison (for PDFs and the dashboard)."""
    return round_results(round, with_previous=False)
