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
from dataclasses import dataclass

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
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Unit, User, on_path, permitting_rule
from handlingsplan.models import FollowUp, Measure, StatusMeeting
from handlingsplan.selectors import ApvStatus, apv_rule, apv_status
from kortlaegning import results as kortlaegning_results
from kortlaegning.models import LEVEL_ORDER, Response, ResultUnit, Round
from sten_i_skoen.models import Escalation
from sten_i_skoen.selectors import escalation_inbox, open_case_count

LIST_LIMIT = 12  # rows a list panel shows; the rest is a count
TREND_ROUNDS = 8  # rounds on the trend chart
DUE_SOON_DAYS = 30


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
        return Unit.objects.filter(self.rule(action, through=""))

    def apv_units(self) -> QuerySet[Unit]:
        """Units in scope whose APV the user may read, by handlingsplan's rule (a subquery)."""
        return Unit.objects.filter(self.apv_rule(through=""))

    def _in_scope(self, through: str) -> Q:
        return Q() if self.unit is None else on_path(through, "startswith", self.unit.path)

    def rule(self, action: Action = Action.VIEW_DASHBOARD, *, through: str = "unit") -> Q:
        """``units(action)`` as a condition on the unit reached through ``through``."""
        return permitting_rule(self.user, action, through=through) & self._in_scope(through)

    def apv_rule(self, *, through: str = "unit") -> Q:
        """``apv_units()`` as a condition on the unit reached through ``through``."""
        return apv_rule(self.user, through=through) & self._in_scope(through)

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
        if not self.may_see_rate or self.people < self.round.threshold:
            return None
        return kortlaegning_results.response_rate(self.people, self.headcount)  # ≤ 100 %

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
        Round.objects.filter(scope.rule(), status=Round.Status.OPEN)
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
    """Closed rounds whose results the user may see (kortlægning's one rule), in scope and period,
    each with its own unit's level scores.

    A round on a unit above the filtered unit counts too: it covers the filtered unit.
    """
    rounds = kortlaegning_results.rounds_for_overview(scope.user)
    if scope.unit is not None:
        rounds = rounds.filter(
            Q(unit__path__startswith=scope.unit.path)
            | Q(unit__path__in=scope.unit.ancestor_paths())
        )
    return rounds.filter(scope.in_period("closes_on")).select_related("unit")


def latest_rounds(scope: Scope) -> list[Round]:
    """The round that closed last (when it actually closed) and the earlier rounds of its unit,
    newest first, at most ``TREND_ROUNDS`` (one query)."""
    rounds = results_rounds(scope).order_by("-closed_at", "-pk")
    latest_unit = rounds.values("unit_id")[:1]
    return list(rounds.filter(unit_id=Subquery(latest_unit))[:TREND_ROUNDS])


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
    unit: ResultUnit  # as it stood when the round closed
    depth: int
    cells: list[HeatCell]


@dataclass
class HeatMap:
    round: Round
    levels: list[str]
    rows: list[HeatRow]
    nothing_shown: bool
    more: int = 0

    @property
    def level_labels(self) -> list[tuple[str, str]]:
        return [(lv, Level(lv).label) for lv in self.levels]


def heat_map(scope: Scope, round: Round | None) -> HeatMap | None:
    """The round's level scores for its unit and direct sub-units, from kortlægning's results."""
    overview = kortlaegning_results.overview(round, user=scope.user)
    if overview is None:
        return None
    rows = [
        HeatRow(
            row.unit,
            row.depth,
            [HeatCell(lv, row.scores[lv][1], not row.scores[lv][0]) for lv in overview.levels],
        )
        for row in overview.rows
    ]
    return HeatMap(
        round=overview.round,
        levels=overview.levels,
        rows=rows,
        nothing_shown=overview.nothing_shown,
        more=overview.more,
    )


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


def trend(scope: Scope, rounds: list[Round]) -> Trend | None:
    """Each level's score in the latest round's unit's last closed rounds, as their results show
    it (no query: ``latest_rounds`` loaded the scores)."""
    if not rounds:
        return None
    rounds = rounds[::-1]
    by_round = kortlaegning_results.level_trend(rounds, user=scope.user)
    levels = [
        lv for lv in LEVEL_ORDER if any(lv in r.employee_levels + r.leader_levels for r in rounds)
    ]
    scores = {
        lv: [by_round.get(r.pk, {}).get(lv, (False, None))[1] for r in rounds] for lv in levels
    }
    return Trend(unit=rounds[-1].unit, rounds=rounds, levels=levels, scores=scores)


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
    """Tiltag by status and prevention level, and this year's completion rate (one query).

    The period keeps tiltag whose deadline falls in it (and those without a deadline); the
    completion rate is always the calendar year's: tiltag due this year, not dropped, that are done.
    """
    measures = Measure.objects.filter(scope.apv_rule())
    in_period = Q()
    if scope.start or scope.end:
        in_period = Q(deadline__isnull=True) | scope.in_period("deadline")
    year = scope.today.year
    this_year = Q(deadline__year=year) & ~Q(status=Measure.Status.DROPPED)
    table: dict[tuple[str, str], int] = {}
    year_total = year_done = 0
    for row in (
        measures.values("status", "prevention")
        .annotate(
            n=Count("pk", filter=in_period),
            year_n=Count("pk", filter=this_year),
        )
        .order_by()
    ):
        if row["n"]:
            table[(row["status"], row["prevention"])] = row["n"]
        year_total += row["year_n"]
        if row["status"] == Measure.Status.DONE:
            year_done += row["year_n"]
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
        year_total=year_total,
        year_done=year_done,
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
    """Open follow-ups of active tiltag that are overdue or due within 30 days (one query: the
    counts ride along as window aggregates)."""
    horizon = scope.today + dt.timedelta(days=DUE_SOON_DAYS)
    due = FollowUp.objects.filter(
        scope.apv_rule(through="measure__unit"),
        done_on__isnull=True,
        due_on__lte=horizon,
    ).exclude(measure__status__in=Measure.CLOSED_STATUSES)
    late = Q(due_on__lt=scope.today)
    items = list(
        due.select_related("measure__unit", "measure__responsible")
        .annotate(
            n_overdue=Window(Count("pk", filter=late)),
            n_soon=Window(Count("pk", filter=~late)),
        )
        .order_by("due_on", "pk")[:LIST_LIMIT]
    )
    counts = {"overdue": 0, "soon": 0}
    if items:
        counts = {"overdue": items[0].n_overdue, "soon": items[0].n_soon}
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
    """Escalations received in scope: counts by status, and first those the user answers
    (sten-i-skoen's inbox rule) as the leader's list, in one query (the counts ride along as
    window aggregates; what a leader answers is always also received in scope)."""
    received = Escalation.objects.filter(scope.rule(Action.HOLD_MEETING, through="to_unit")).filter(
        scope.in_period("created_at__date")
    )
    inbox = escalation_inbox(scope.user).filter(pk=OuterRef("pk"))
    rows = list(
        received.select_related("to_unit", "case__unit")
        .annotate(
            mine=Exists(inbox),
            **{
                f"n_{status}": Window(Count("pk", filter=Q(status=status)))
                for status in Escalation.Status.values
            },
        )
        .order_by("-mine", "status", "-created_at", "pk")[:LIST_LIMIT]
    )
    counts = {s: getattr(rows[0], f"n_{s}") if rows else 0 for s in Escalation.Status.values}
    return Escalations(counts=counts, items=[r for r in rows if r.mine])


def open_cases(scope: Scope) -> int:
    """The number of open sten-i-skoen cases in scope: a count, never a title (one query)."""
    return open_case_count(scope.user, scope.units(Action.HOLD_MEETING))


# --- status meeting ------------------------------------------------------------------------------


@dataclass
class NextMeeting:
    meeting: StatusMeeting | None
    agenda: list[Measure]  # the meeting's generated agenda, or what would be on it today
    more: int = 0


def next_meeting(scope: Scope) -> NextMeeting:
    """The next status meeting in scope with its agenda (two queries)."""
    meeting = (
        StatusMeeting.objects.filter(scope.apv_rule(), held_on__gte=scope.today)
        .select_related("unit")
        .order_by("held_on", "pk")
        .first()
    )
    agenda = (
        meeting.agenda.all()
        if meeting
        else Measure.objects.filter(scope.apv_rule()).on_agenda(scope.today)
    )
    rows = list(
        agenda.select_related("unit", "responsible")
        .annotate(total=Window(Count("pk")))
        .order_by("priority", "deadline", "pk")[:LIST_LIMIT]
    )
    more = rows[0].total - len(rows) if rows else 0
    return NextMeeting(meeting=meeting, agenda=rows, more=more)


# --- APV age ------------------------------------------------------------------------------------


def apv_flags(scope: Scope) -> ApvStatus:
    """Units in scope whose APV is too old, lacks follow-up guidelines or is missing, by
    handlingsplan's rule (one query); the units above a filtered unit may cover it."""
    above = scope.unit.ancestor_paths()[:-1] if scope.unit is not None else []
    return apv_status(
        scope.apv_units(), own=scope.units(), above=above, today=scope.today, limit=LIST_LIMIT
    )


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
    apv: ApvStatus


def dashboard(scope: Scope, *, staff: bool | None = None) -> Dashboard:
    """Every panel for ``scope``; the number of queries does not grow with the data."""
    if staff is None:
        staff = scope.units(Action.HOLD_MEETING).exists()
    # The round that closed last (when it actually closed, not when it was planned to).
    rounds = latest_rounds(scope)
    latest = rounds[0] if rounds else None
    return Dashboard(
        scope=scope,
        staff=staff,
        open_rounds=open_rounds(scope),
        heat_map=heat_map(scope, latest),
        trend=trend(scope, rounds),
        measures=measure_figures(scope),
        follow_ups=follow_ups(scope),
        escalations=escalations(scope) if staff else None,
        open_cases=open_cases(scope) if staff else None,
        next_meeting=next_meeting(scope),
        apv=apv_flags(scope),
    )
