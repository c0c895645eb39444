"""Reads for the dashboard: every panel in a fixed number of queries, aggregated in PostgreSQL.

The dashboard only reads. Everything is scoped through ``Unit.objects.visible_to`` /
``permitting`` (as subqueries, so a scope costs no query of its own), and each panel uses the
owning app's own rule for what a reader may see:

* round results: the user may see results on the round's unit, or the leader has published them and
  the user works there (kortlægning's rule); figures come from kortlægning's thresholded
  ``round_summary`` and, for the trend, from counts that hide a group under the round's threshold;
* tiltag, follow-ups, status meetings and APV dates: handlingsplan's ``apv_units`` (``READ_APV``,
  or working in a unit below, since the institute's APV is also its research groups' APV);
* sten-i-skoen: only the number of open cases, and escalations as counts for AMR/TR/AMG, as a
  list (no text) for the leaders who answer them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Membership, Unit, User
from handlingsplan.models import Cycle, FollowUp, Measure, StatusMeeting
from handlingsplan.selectors import apv_units
from kortlaegning.models import LEVEL_ORDER, Answer, Response, Round
from kortlaegning.selectors import (
    DIALOGUES,
    SCORE_WEIGHTS,
    RoundResults,
    round_summary,
    threshold_for,
    withheld_groups_by_round,
)
from sten_i_skoen.models import Escalation
from sten_i_skoen.selectors import escalation_inbox, open_case_count

audit = logging.getLogger("amg_portal.audit")

LIST_LIMIT = 12  # rows a list panel shows; the rest is a count
TREND_ROUNDS = 8  # rounds on the trend chart
DUE_SOON_DAYS = 30
APV_MAX_AGE_YEARS = 3
CLOSED = [Measure.Status.DONE, Measure.Status.DROPPED]


@dataclass(frozen=True)
class Scope:
    """Who looks, at which unit (with its subtree; None: everything they may see) and period."""

    user: User
    unit: Unit | None
    start: dt.date | None
    end: dt.date | None
    today: dt.date

    def units(self, action: Action = Action.VIEW_DASHBOARD) -> QuerySet[Unit]:
        """Units in scope on which the user may do ``action`` (a lazy subquery)."""
        units = Unit.objects.permitting(self.user, action)
        if self.unit is not None:
            units = units.filter(path__startswith=self.unit.path)
        return units

    def apv_units(self) -> QuerySet[Unit]:
        """Units in scope whose APV the user may read, by handlingsplan's rule (a subquery)."""
        units = apv_units(self.user)
        if self.unit is not None:
            units = units.filter(path__startswith=self.unit.path)
        return units

    def in_period(self, field_name: str) -> Q:
        """``field_name`` (a date) within the period; a missing end is open."""
        q = Q()
        if self.start:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field_name}__lte": self.end})
        return q


# --- open rounds ---------------------------------------------------------------------------------


@dataclass
class OpenRound:
    round: Round
    days_left: int
    people: int
    headcount: int
    may_see_rate: bool

    @property
    def rate(self) -> int | None:
        """The response rate, only for collectors and only from the round's threshold up."""
        if not self.may_see_rate or self.people < self.round.threshold or not self.headcount:
            return None
        return round(100 * self.people / self.headcount)

    @property
    def too_few(self) -> bool:
        return self.may_see_rate and self.people < self.round.threshold


def open_rounds(scope: Scope) -> list[OpenRound]:
    """Open rounds in scope with days left and, for collectors, the response rate (one query)."""
    people = (
        Response.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values(total=Func(F("participants"), function="SUM"))
    )
    headcount = (
        Unit.objects.filter(path__startswith=OuterRef("unit__path"))
        .order_by()
        .values(total=Func(F("headcount"), function="SUM"))
    )
    collector = Unit.objects.permitting(scope.user, Action.COLLECT_RESPONSES).filter(
        pk=OuterRef("unit_id")
    )
    rounds = (
        Round.objects.filter(status=Round.Status.OPEN, unit__in=scope.units())
        .select_related("unit")
        .annotate(
            people=Coalesce(Subquery(people, output_field=IntegerField()), Value(0)),
            subtree_headcount=Coalesce(Subquery(headcount, output_field=IntegerField()), Value(0)),
            may_see_rate=Exists(collector),
        )
        .order_by("closes_on", "pk")[:LIST_LIMIT]
    )
    return [
        OpenRound(
            round=r,
            days_left=max((r.closes_on - scope.today).days, 0),
            people=r.people,
            headcount=r.subtree_headcount,
            may_see_rate=r.may_see_rate,
        )
        for r in rounds
    ]


# --- results: heat map and trend -----------------------------------------------------------------


def results_rounds(scope: Scope) -> QuerySet[Round]:
    """Closed rounds whose results the user may see, as kortlægning decides, in scope and period.

    A round on a unit above the filtered unit counts too: it covers the filtered unit.
    """
    user = scope.user
    working_below = Membership.objects.filter(
        user=user, unit__path__startswith=OuterRef("unit__path")
    )
    rounds = Round.objects.filter(status=Round.Status.CLOSED).filter(
        Q(unit__in=Unit.objects.permitting(user, Action.VIEW_RESULTS))
        | Q(Exists(working_below), results_published=True)
    )
    if scope.unit is not None:
        rounds = rounds.filter(
            Q(unit__path__startswith=scope.unit.path)
            | Q(unit__path__in=scope.unit.ancestor_paths())
        )
    return rounds.filter(scope.in_period("closes_on")).select_related("unit")


@dataclass
class HeatCell:
    level: str
    score: float | None
    suppressed: bool  # too few answers in this group: nothing may be shown

    @property
    def band(self) -> str:
        if self.score is None:
            return "none"
        return "low" if self.score < 60 else ("mid" if self.score < 80 else "high")


@dataclass
class HeatRow:
    unit: Unit
    depth: int
    cells: list[HeatCell]


@dataclass
class HeatMap:
    round: Round
    levels: list[str]
    rows: list[HeatRow]
    nothing_shown: bool

    @property
    def level_labels(self) -> list[tuple[str, str]]:
        return [(lv, Level(lv).label) for lv in self.levels]


def _groups_for(round: Round, level: str) -> list[str]:
    """The result groups that answer ``level``, best first: individual answers, then dialogues."""
    group = (
        Response.Group.EMPLOYEES if level in round.employee_levels else Response.Group.LEADERSHIP
    )
    return [group, DIALOGUES]


def _result_group(group: str, is_dialogue: bool) -> str:
    """Dialogue answer sets are their own group, as in kortlægning's results."""
    return DIALOGUES if is_dialogue else group


def heat_map(scope: Scope, round: Round | None) -> HeatMap | None:
    """The round's level scores per sub-unit, from kortlægning's thresholded results."""
    if round is None:
        return None
    results: RoundResults | None = round_summary(round=round)
    if results is None:
        return None
    if scope.user.coordinates:
        audit.info(
            "coordinator %s read the results of round %s (dashboard)", scope.user.pk, round.pk
        )
    levels = [lv for lv in LEVEL_ORDER if lv in round.employee_levels + round.leader_levels]
    shown = {
        group: {figures.unit.pk: figures for figures in shown_groups}
        for group, shown_groups in results.groups.items()
    }
    units = Unit.objects.filter(path__startswith=round.unit.path).order_by("path")
    rows = []
    for unit in units:
        cells = []
        for level in levels:
            figures = next(
                (
                    shown[g][unit.pk]
                    for g in _groups_for(round, level)
                    if unit.pk in shown.get(g, {})
                ),
                None,
            )
            summary = (
                next((s for s in figures.levels if s.level == level), None) if figures else None
            )
            cells.append(HeatCell(level, summary.score if summary else None, figures is None))
        rows.append(HeatRow(unit, unit.depth - round.unit.depth, cells))
    nothing = not any(shown.values())
    return HeatMap(round=round, levels=levels, rows=rows, nothing_shown=nothing)


@dataclass
class Trend:
    unit: Unit
    rounds: list[Round]
    levels: list[str]
    scores: dict[str, list[float | None]]  # level → one score per round (None: not shown)

    @property
    def level_labels(self) -> list[tuple[str, str]]:
        return [(lv, Level(lv).label) for lv in self.levels]

    @property
    def table(self) -> list[tuple[Round, list[float | None]]]:
        return [(r, [self.scores[lv][i] for lv in self.levels]) for i, r in enumerate(self.rounds)]


def trend(scope: Scope, unit: Unit | None) -> Trend | None:
    """Each level's score in the unit's last closed rounds (three queries, counted in the DB).

    A level's score is the mean of its questions' scores, as on the results page, for the whole
    unit and the respondent group that answers the level; under the round's threshold it is None.
    """
    if unit is None:
        return None
    rounds = list(results_rounds(scope).filter(unit=unit).order_by("-closes_on", "-pk"))
    rounds = rounds[:TREND_ROUNDS][::-1]
    if not rounds:
        return None
    people: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        Response.objects.filter(round__in=rounds)
        .values("round_id", "group", "is_dialogue")
        .annotate(n=Sum("participants"))
        .order_by()
    ):
        people[(row["round_id"], _result_group(row["group"], row["is_dialogue"]))] += row["n"]
    counts: dict[tuple[int, str, int], dict[str, int]] = defaultdict(dict)
    level_of: dict[int, str] = {}
    for row in (
        Answer.objects.filter(response__round__in=rounds)
        .values(
            "response__round_id",
            "response__group",
            "response__is_dialogue",
            "question_id",
            "question__level",
            "choice",
        )
        .annotate(n=Count("id"))
        .order_by()
    ):
        group = _result_group(row["response__group"], row["response__is_dialogue"])
        key = (row["response__round_id"], group, row["question_id"])
        choices = counts[key]
        choices[row["choice"]] = choices.get(row["choice"], 0) + row["n"]
        level_of[row["question_id"]] = row["question__level"]
    levels = [
        lv for lv in LEVEL_ORDER if any(lv in r.employee_levels + r.leader_levels for r in rounds)
    ]
    # A group withheld after a reopening (too few new answers) stays hidden here too.
    withheld = {pk: groups for pk, (groups, _) in withheld_groups_by_round(rounds).items()}
    scores = {
        lv: [_level_score(r, lv, people, counts, level_of, withheld[r.pk]) for r in rounds]
        for lv in levels
    }
    return Trend(unit=unit, rounds=rounds, levels=levels, scores=scores)


def _level_score(
    round: Round, level: str, people, counts, level_of, withheld: set[str]
) -> float | None:
    if level not in round.employee_levels + round.leader_levels:
        return None
    for group in _groups_for(round, level):
        if group in withheld:
            continue
        if people.get((round.pk, group), 0) >= threshold_for(round, group):
            score = _group_level_score(round, group, level, counts, level_of)
            if score is not None:
                return score
    return None


def _group_level_score(round: Round, group: str, level: str, counts, level_of) -> float | None:
    question_scores = []
    for (round_id, grp, question_id), choices in counts.items():
        if round_id != round.pk or grp != group or level_of[question_id] != level:
            continue
        judged = sum(choices.get(c, 0) for c in SCORE_WEIGHTS)
        if judged:
            total = sum(choices.get(c, 0) * w for c, w in SCORE_WEIGHTS.items())
            question_scores.append(round_score(total / judged))
    return round_score(sum(question_scores) / len(question_scores)) if question_scores else None


def round_score(value: float) -> float:
    return round(value, 1)


# --- tiltag --------------------------------------------------------------------------------------


@dataclass
class MeasureFigures:
    by_status: dict[str, int]
    by_prevention: dict[str, int]
    done_by_prevention: dict[str, int]
    table: dict[tuple[str, str], int]  # (status, prevention) → count
    total: int
    year: int
    year_total: int
    year_done: int

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(status label, count per prevention level, total) for the table."""
        return [
            (
                label,
                [self.table.get((value, p), 0) for p in Prevention.values],
                self.by_status[value],
            )
            for value, label in Measure.Status.choices
        ]

    @property
    def year_rate(self) -> int | None:
        return round(100 * self.year_done / self.year_total) if self.year_total else None


def measure_figures(scope: Scope) -> MeasureFigures:
    """Tiltag by status and prevention level, and this year's completion rate (two queries).

    The period keeps tiltag whose deadline falls in it (and those without a deadline); the
    completion rate is always the calendar year's: tiltag due this year, not dropped, that are done.
    """
    measures = Measure.objects.filter(unit__in=scope.apv_units())
    in_period = measures
    if scope.start or scope.end:
        in_period = measures.filter(Q(deadline__isnull=True) | scope.in_period("deadline"))
    table: dict[tuple[str, str], int] = {}
    for row in in_period.values("status", "prevention").annotate(n=Count("pk")).order_by():
        table[(row["status"], row["prevention"])] = row["n"]
    year = scope.today.year
    this_year = (
        measures.filter(deadline__year=year)
        .exclude(status=Measure.Status.DROPPED)
        .aggregate(total=Count("pk"), done=Count("pk", filter=Q(status=Measure.Status.DONE)))
    )
    by_status = {
        s: sum(n for (st, _), n in table.items() if st == s) for s in Measure.Status.values
    }
    by_prevention = {
        p: sum(n for (_, pr), n in table.items() if pr == p) for p in Prevention.values
    }
    done = {p: table.get((Measure.Status.DONE, p), 0) for p in Prevention.values}
    return MeasureFigures(
        by_status=by_status,
        by_prevention=by_prevention,
        done_by_prevention=done,
        table=table,
        total=sum(table.values()),
        year=year,
        year_total=this_year["total"],
        year_done=this_year["done"],
    )


@dataclass
class FollowUps:
    items: list[FollowUp]
    overdue: int
    soon: int

    @property
    def more(self) -> int:
        return self.overdue + self.soon - len(self.items)


def follow_ups(scope: Scope) -> FollowUps:
    """Open follow-ups of active tiltag that are overdue or due within 30 days (two queries)."""
    horizon = scope.today + dt.timedelta(days=DUE_SOON_DAYS)
    due = FollowUp.objects.filter(
        done_on__isnull=True,
        due_on__lte=horizon,
        measure__unit__in=scope.apv_units(),
    ).exclude(measure__status__in=CLOSED)
    counts = due.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=scope.today)),
        soon=Count("pk", filter=Q(due_on__gte=scope.today)),
    )
    items = list(
        due.select_related("measure__unit", "measure__responsible").order_by("due_on", "pk")[
            :LIST_LIMIT
        ]
    )
    for item in items:
        item.overdue = item.due_on < scope.today
        item.days = abs((item.due_on - scope.today).days)
    return FollowUps(items=items, overdue=counts["overdue"], soon=counts["soon"])


# --- sten i skoen --------------------------------------------------------------------------------


@dataclass
class Escalations:
    counts: dict[str, int]
    items: list[Escalation]  # only for leaders who answer them; never the text on the dashboard

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(label, self.counts[value]) for value, label in Escalation.Status.choices]


def escalations(scope: Scope) -> Escalations:
    """Escalations received in scope: counts by status and the leader's inbox (two queries)."""
    received = Escalation.objects.filter(to_unit__in=scope.units(Action.HOLD_MEETING)).filter(
        scope.in_period("created_at__date")
    )
    counts = {s: 0 for s in Escalation.Status.values}
    for row in received.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    inbox = escalation_inbox(scope.user).filter(to_unit__in=scope.units())
    items = list(inbox.filter(scope.in_period("created_at__date"))[:LIST_LIMIT])
    return Escalations(counts=counts, items=items)


def open_cases(scope: Scope) -> int:
    """The number of open sten-i-skoen cases in scope: a count, never a title (one query)."""
    return open_case_count(scope.user, scope.units(Action.HOLD_MEETING))


# --- status meeting ------------------------------------------------------------------------------


@dataclass
class NextMeeting:
    meeting: StatusMeeting | None
    agenda: list[Measure]  # the meeting's generated agenda, or what would be on it today
    more: int = 0


def _agenda_now(scope: Scope) -> QuerySet[Measure]:
    """What a meeting held today would put on its agenda (handlingsplan's ``agenda_for`` rule)."""
    today = scope.today
    due = (
        Measure.objects.filter(unit__in=scope.apv_units())
        .exclude(status__in=CLOSED)
        .filter(
            Q(follow_ups__due_on__lte=today, follow_ups__done_on__isnull=True)
            | Q(milestones__due_on__lt=today, milestones__done_on__isnull=True)
            | Q(deadline__lt=today)
        )
    )
    # A subquery instead of DISTINCT, so the window count below counts each tiltag once.
    return Measure.objects.filter(pk__in=due.values("pk"))


def next_meeting(scope: Scope) -> NextMeeting:
    """The next status meeting in scope with its agenda (two queries)."""
    meeting = (
        StatusMeeting.objects.filter(unit__in=scope.apv_units(), held_on__gte=scope.today)
        .select_related("unit")
        .order_by("held_on", "pk")
        .first()
    )
    agenda = meeting.agenda.all() if meeting else _agenda_now(scope)
    rows = list(
        agenda.select_related("unit", "responsible")
        .annotate(total=Window(Count("pk")))
        .order_by("priority", "deadline", "pk")[:LIST_LIMIT]
    )
    more = rows[0].total - len(rows) if rows else 0
    return NextMeeting(meeting=meeting, agenda=rows, more=more)


# --- APV age -------------------------------------------------------------------------------------


@dataclass
class ApvFlag:
    unit: Unit
    cycle_id: int | None
    started: dt.date | None
    too_old: bool
    no_guidelines: bool
    missing: bool


@dataclass
class ApvFlags:
    flagged: list[ApvFlag] = field(default_factory=list)
    checked: int = 0
    more: int = 0


def apv_flags(scope: Scope) -> ApvFlags:
    """Units whose APV is older than three years or has no follow-up guideline (one query).

    A unit without a cycle of its own is covered by a cycle of a unit above it; it is flagged only
    when nothing covers it.
    """
    latest = Cycle.objects.filter(unit=OuterRef("pk")).order_by("-period_start", "-pk")
    covering = Cycle.objects.filter(StartsWith(OuterRef("path"), F("unit__path")))
    units = scope.apv_units().annotate(
        cycle_id=Subquery(latest.values("pk")[:1]),
        started=Subquery(latest.values("period_start")[:1]),
        guidelines=Subquery(latest.values("guidelines")[:1]),
        covered=Exists(covering),
        member=Exists(scope.units().filter(pk=OuterRef("pk"))),
    )
    limit = _years_before(scope.today, APV_MAX_AGE_YEARS)
    result = ApvFlags()
    uncovered: list[str] = []
    for unit in units.order_by("path"):
        if not unit.member and unit.cycle_id is None:
            continue  # a unit above the user's own (read from below) is judged by its own APV only
        result.checked += 1
        if not unit.covered and any(unit.path.startswith(p) for p in uncovered):
            continue  # its unit above is flagged already: one flag for the whole branch
        own = unit.cycle_id is not None
        flag = ApvFlag(
            unit=unit,
            cycle_id=unit.cycle_id,
            started=unit.started,
            too_old=own and unit.started < limit,
            no_guidelines=own and not (unit.guidelines or "").strip(),
            missing=not unit.covered,
        )
        if flag.missing:
            uncovered.append(unit.path)
        if flag.too_old or flag.no_guidelines or flag.missing:
            if len(result.flagged) < LIST_LIMIT:
                result.flagged.append(flag)
            else:
                result.more += 1
    return result


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- the whole page ------------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope: Scope
    staff: bool  # holds a role with more than the employee's reduced view somewhere in scope
    open_rounds: list[OpenRound]
    heat_map: HeatMap | None
    trend: Trend | None
    measures: MeasureFigures
    follow_ups: FollowUps
    escalations: Escalations | None
    open_cases: int | None
    next_meeting: NextMeeting
    apv: ApvFlags


def dashboard(scope: Scope) -> Dashboard:
    """Every panel for ``scope``; the number of queries does not grow with the data."""
    staff = scope.units(Action.HOLD_MEETING).exists()
    latest = results_rounds(scope).order_by("-closes_on", "-pk").first()
    return Dashboard(
        scope=scope,
        staff=staff,
        open_rounds=open_rounds(scope),
        heat_map=heat_map(scope, latest),
        trend=trend(scope, latest.unit if latest else None),
        measures=measure_figures(scope),
        follow_ups=follow_ups(scope),
        escalations=escalations(scope) if staff else None,
        open_cases=open_cases(scope) if staff else None,
        next_meeting=next_meeting(scope),
        apv=apv_flags(scope),
    )
