"""Reads of the APV cycle. Confidential parts are left out here, never merely hidden in templates.

``confidential=True`` only for users with ``Action.EDIT_PLAN`` on the unit (leader, AMR, TR, AMG,
coordinator). Employees read the APV without conversation notes and sten-i-skoen references.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from amg_portal.organisation.access import Action, can
from amg_portal.organisation.models import Unit, User, members_below_rule, permitting_rule
from handlingsplan import mapping
from handlingsplan.models import (
    Assessment,
    ChangeLog,
    Cycle,
    Evaluation,
    FollowUp,
    Measure,
    Milestone,
    RiskFactor,
    StatusMeeting,
)


def apv_rule(user: User, *, through: str = "") -> Q:
    """The units whose APV the user may read, as a condition on a unit reached through
    ``through`` ("" for Unit itself, "unit" for a tiltag's unit …): ``READ_APV`` on the unit, or
    any role below it.

    The written APV is for every employee of the unit, and the people of a research group are
    employees of its institute (``access``'s ``with_members_below``).
    """
    return permitting_rule(user, Action.READ_APV, through=through) | members_below_rule(
        user, through=through
    )


def apv_units(user: User) -> QuerySet[Unit]:
    """Units whose APV the user may read (``apv_rule``)."""
    return Unit.objects.filter(apv_rule(user))


def sees_confidential(user: User, unit: Unit) -> bool:
    """May ``user`` see the confidential parts (conversation notes, case references) of the APV?"""
    return can(user, Action.EDIT_PLAN, unit)


def cycles_for(user: User) -> QuerySet[Cycle]:
    """Cycles of the units whose APV the user may read, with their measure counts."""
    return (
        Cycle.objects.filter(unit__in=apv_units(user))
        .select_related("unit")
        .annotate(
            measure_count=Count("measures", distinct=True),
            risk_factor_count=Count("risk_factors", distinct=True),
        )
        .order_by("unit__path", "-period_start")
    )


def my_measures(user: User) -> QuerySet[Measure]:
    """Active measures the user is responsible for, in units they may still read."""
    return (
        Measure.objects.filter(responsible=user, unit__in=apv_units(user))
        .active()
        .select_related("unit")
        .order_by("deadline", "pk")
    )


def measures_of(unit: Unit) -> QuerySet[Measure]:
    """The unit's measures with what every list shows; ``with_dates`` adds their milestones and
    follow-ups."""
    return Measure.objects.filter(unit=unit).select_related("responsible", "risk_factor")


def with_dates(measures: QuerySet[Measure] | list[Measure]) -> list[Measure]:
    """``measures`` with their milestones and follow-ups (``measure.milestones.all()`` and
    ``measure.follow_ups.all()``, each in date order) read in one statement for all of them,
    instead of a prefetch query per relation."""
    measures = list(measures)
    by_id = {m.pk: m for m in measures}
    if not by_id:
        return measures
    columns = ("kind", "id", "measure_id", "title", "due_on", "done_on")
    rows = (
        Milestone.objects.filter(measure_id__in=by_id)
        .order_by()  # sorted below: SQLite takes no ORDER BY inside a UNION
        .annotate(kind=Value("milestones"))
        .values_list(*columns)
        .union(
            FollowUp.objects.filter(measure_id__in=by_id)
            .order_by()
            .annotate(kind=Value("follow_ups"), title=Value(""))
            .values_list(*columns),
            all=True,
        )
    )
    found: dict[tuple[int, str], list] = {}
    db = Milestone.objects.db
    for kind, pk, measure_id, title, due_on, done_on in sorted(rows, key=lambda r: (r[4], r[1])):
        if kind == "milestones":
            fields, values = (
                ("id", "measure_id", "title", "due_on", "done_on"),
                (pk, measure_id, title, due_on, done_on),
            )
            item = Milestone.from_db(db, fields, values)
        else:
            item = FollowUp.from_db(
                db, ("id", "measure_id", "due_on", "done_on"), (pk, measure_id, due_on, done_on)
            )
        item.measure = by_id[measure_id]  # no query to go back to the measure
        found.setdefault((measure_id, kind), []).append(item)
    for measure in measures:
        for kind in ("milestones", "follow_ups"):
            related = getattr(measure, kind).all()  # a queryset, not run: filled below
            related._result_cache = found.get((measure.pk, kind), [])
            related._prefetch_done = True
            measure.__dict__.setdefault("_prefetched_objects_cache", {})[kind] = related
    return measures


# The orders of the measure table: the filter form's "sort" choice → the fields it orders by.
SORTS = {
    "priority": ("priority", "deadline", "pk"),
    "deadline": ("deadline", "priority", "pk"),
    "title": ("title", "pk"),
    "status": ("status", "priority", "pk"),
    "prevention": ("prevention", "priority", "pk"),
    "level": ("level", "priority", "pk"),
}


def measure_table(unit: Unit, filters: dict[str, str]) -> list[Measure]:
    """The unit's measures filtered and sorted as the table asks."""
    measures = measures_of(unit)
    for name in ("status", "prevention", "level"):
        if filters.get(name):
            measures = measures.filter(**{name: filters[name]})
    return with_dates(
        measures.order_by(*SORTS.get(filters.get("sort") or "priority", SORTS["priority"]))
    )


def measure_board(unit: Unit) -> list[tuple[str, str, list[Measure]]]:
    """The unit's measures grouped by status, one column per status."""
    columns: dict[str, list[Measure]] = {value: [] for value in Measure.Status.values}
    for measure in with_dates(measures_of(unit).order_by("priority", "deadline", "pk")):
        columns[measure.status].append(measure)
    return [(value, label, columns[value]) for value, label in Measure.Status.choices]


def history_of(measure: Measure) -> QuerySet[ChangeLog]:
    return ChangeLog.objects.filter(measure=measure).select_related("user").order_by("-at", "-pk")


def evaluations_of(measure: Measure) -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(measure=measure)
        .select_related("meeting", "recorded_by")
        .order_by("-meeting__held_on", "-pk")
    )


@dataclass
class RiskRow:
    risk_factor: RiskFactor
    assessment: Assessment | None
    measures: list[Measure] = field(default_factory=list)


@dataclass
class CycleOverview:
    cycle: Cycle
    confidential: bool
    risk_rows: list[RiskRow]
    absence_figures: list[Any]
    notes: list[Any]
    measures: list[Measure]
    meetings: list[StatusMeeting]
    rounds: list[Any]
    counts: dict[str, int]

    @property
    def absence_linked(self) -> list[RiskFactor]:
        """The risk factors whose assessment links them to sickness absence (APV part 3)."""
        return [
            row.risk_factor
            for row in self.risk_rows
            if row.assessment is not None and row.assessment.absence_linked
        ]


def cycle_overview(
    cycle: Cycle, *, confidential: bool, with_meetings: bool = True
) -> CycleOverview:
    """Everything the cycle page shows, in a fixed number of queries (``with_meetings=False``:
    without the list of status meetings, which the written APV does not show)."""
    risk_factors = list(
        cycle.risk_factors.select_related("assessment", "assessment__assessed_by", "source_round")
    )
    measures = with_dates(
        measures_of(cycle.unit).filter(cycle=cycle).order_by("priority", "deadline")
    )
    by_risk: dict[int, list[Measure]] = {}
    for measure in measures:
        if measure.risk_factor_id:
            by_risk.setdefault(measure.risk_factor_id, []).append(measure)
    rows = [
        RiskRow(rf, getattr(rf, "assessment", None), by_risk.get(rf.pk, [])) for rf in risk_factors
    ]
    if not confidential:
        for rf in risk_factors:
            rf.case_reference = ""
    notes = (
        list(cycle.conversation_notes.select_related("author", "risk_factor"))
        if confidential
        else []
    )
    meetings = (
        list(
            StatusMeeting.objects.filter(unit=cycle.unit)
            .annotate(item_count=Count("agenda", distinct=True))
            .order_by("-held_on", "-pk")
        )
        if with_meetings
        else []
    )
    today = timezone.localdate()
    counts = {
        "overdue": sum(1 for m in measures if _is_overdue(m, today)),
        "done": sum(1 for m in measures if m.status == Measure.Status.DONE),
        "assessed": sum(1 for row in rows if row.assessment is not None),
    }
    return CycleOverview(
        cycle=cycle,
        confidential=confidential,
        risk_rows=rows,
        absence_figures=list(cycle.absence_figures.all()),
        notes=notes,
        measures=measures,
        meetings=meetings,
        rounds=mapping.rounds_of(cycle.unit, cycle.period_start, cycle.period_end),
        counts=counts,
    )


def _is_overdue(measure: Measure, today: dt.date) -> bool:
    if measure.status in Measure.CLOSED_STATUSES:
        return False
    if measure.deadline and measure.deadline < today:
        return True
    return any(f.due_on < today and f.done_on is None for f in measure.follow_ups.all())


def meeting_detail(meeting: StatusMeeting) -> tuple[list[tuple[Measure, Evaluation | None]], Any]:
    """The agenda of a meeting, each measure with its evaluation at this meeting."""
    agenda = list(
        meeting.agenda.select_related("responsible")
        .prefetch_related("milestones", "follow_ups")
        .order_by("priority", "deadline", "pk")
    )
    evaluations = {
        e.measure_id: e for e in meeting.evaluations.select_related("recorded_by", "measure")
    }
    return [(m, evaluations.get(m.pk)) for m in agenda], list(meeting.participants.all())


# The written APV lists the latest changes (a line each); the whole history is on each
# assessment's and measure's page. Sixty lines were a page and a half of "follow-up planned".
HISTORY_IN_DOCUMENT = 25


@dataclass
class ApvDocument:
    overview: CycleOverview
    evaluations: list[Evaluation]
    history: list[ChangeLog]
    mapping_summary: Any


def apv_document(
    cycle: Cycle, *, confidential: bool, reader: User, charts: bool = True
) -> ApvDocument:
    """The written APV: the five parts, for the reading page and (``charts=False``: no level
    charts, which only the reading page shows) the PDF."""
    overview = cycle_overview(cycle, confidential=confidential, with_meetings=False)
    measure_ids = [m.pk for m in overview.measures]
    evaluations = list(
        Evaluation.objects.filter(measure_id__in=measure_ids)
        .select_related("meeting", "measure", "recorded_by")
        .order_by("meeting__held_on", "measure__priority", "pk")
    )
    changes = ChangeLog.objects.filter(
        Q(measure_id__in=measure_ids) | Q(assessment__risk_factor__cycle=cycle)
    )
    # The document shows the latest changes; the full history stays on each page in the app.
    history = list(
        changes.select_related("user", "measure", "assessment__risk_factor").order_by("-at", "-pk")[
            :HISTORY_IN_DOCUMENT
        ]
    )[::-1]
    return ApvDocument(
        overview=overview,
        evaluations=evaluations,
        history=history,
        mapping_summary=mapping.round_summaries(overview.rounds, user=reader, level_charts=charts),
    )


def deadlines_of(user: User) -> list[tuple[str, dt.date, Measure, str]]:
    """The user's open deadlines, milestones and follow-ups: (kind, date, measure, label)."""
    measures = Measure.objects.filter(responsible=user).active()
    items: list[tuple[str, dt.date, Measure, str]] = []
    for measure in measures.select_related("unit").prefetch_related("milestones", "follow_ups"):
        if measure.deadline:
            items.append(("deadline", measure.deadline, measure, measure.title))
        for milestone in measure.milestones.all():
            if milestone.done_on is None:
                items.append(("milestone", milestone.due_on, measure, milestone.title))
        for follow_up in measure.follow_ups.all():
            if follow_up.done_on is None:
                items.append(("followup", follow_up.due_on, measure, measure.title))
    return sorted(items, key=lambda item: (item[1], item[2].pk))


# --- APV status: the three-year rule -----------------------------------------------------------

APV_MAX_AGE_YEARS = 3  # Arbejdsmiljøloven: the APV is revised at least every third year


def apv_too_old_before(today: dt.date) -> dt.date:
    """An APV whose cycle started before this day is due for revision."""
    try:
        return today.replace(year=today.year - APV_MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - APV_MAX_AGE_YEARS, day=28)


@dataclass
class ApvFlag:
    unit: Unit
    cycle_id: int | None
    started: dt.date | None
    too_old: bool
    no_guidelines: bool
    missing: bool


@dataclass
class ApvStatus:
    flagged: list[ApvFlag] = field(default_factory=list)
    checked: int = 0
    more: int = 0


def apv_status(
    units: QuerySet[Unit],
    *,
    own: QuerySet[Unit],
    above: list[str],
    today: dt.date,
    limit: int,
) -> ApvStatus:
    """Of ``units``, those whose APV is older than three years, has no follow-up guideline, or is
    missing; at most ``limit`` flags, the rest counted.

    A unit without a cycle of its own is covered by a cycle of a unit above it (within ``units``,
    or one of the units at the paths ``above``, e.g. those above a filtered unit); it is flagged
    only when nothing covers it, and one flag stands for its whole uncovered branch. Units outside
    ``own`` (read from below, e.g. the institute above a research group) count only by an APV of
    their own.

    One query whatever the number of tiltag and answers: the units (id, path, name, whether they
    are the reader's own and whether they are checked at all) with their latest cycle; the tree
    walk is done here, on tuples.
    """
    none = {"output_field": CharField()}
    unit_rows = Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(path__in=above)).annotate(
        member=Exists(own.filter(pk=OuterRef("pk"))),
        checked=Exists(units.filter(pk=OuterRef("pk"))),
        cycle_pk=Value(None, output_field=BigIntegerField()),
        started=Value(None, output_field=DateField()),
        guidelines=Value(None, **none),
    )
    # The cycles of the same units, in the same statement (UNION ALL): the newest counts.
    cycle_rows = Cycle.objects.filter(
        Q(unit__in=units.values("pk")) | Q(unit__path__in=above)
    ).annotate(
        unit_path=F("unit__path"),
        no_name=Value("", **none),
        no_member=Value(False, output_field=BooleanField()),
        no_check=Value(False, output_field=BooleanField()),
    )
    fields = ("path", "name", "member", "checked", "cycle_pk", "started", "guidelines")
    both = (
        unit_rows.order_by()
        .values_list("pk", *fields)
        .union(
            cycle_rows.order_by().values_list(
                "unit_id",
                "unit_path",
                "no_name",
                "no_member",
                "no_check",
                "pk",
                "period_start",
                "guidelines",
            ),
            all=True,
        )
    )
    rows: list[tuple] = []
    latest: dict[str, tuple[int, dt.date, str]] = {}
    for row in sorted(both, key=lambda r: (r[1], r[5] is not None)):
        if row[5] is None:
            rows.append(row[:5])
        elif row[1] not in latest or (row[6], row[5]) > (latest[row[1]][1], latest[row[1]][0]):
            latest[row[1]] = (row[5], row[6], row[7])  # (pk, started, guidelines), newest
    step = Unit.steplen
    covered_at: dict[str, bool] = {}

    def is_covered(path: str) -> bool:  # by a cycle of its own or of a unit above it
        hit = covered_at.get(path)
        if hit is None:
            hit = path in latest or (len(path) > step and is_covered(path[:-step]))
            covered_at[path] = hit
        return hit

    too_old_before = apv_too_old_before(today)
    result = ApvStatus()
    uncovered: list[str] = []
    for pk, path, name, member, checked in rows:
        cycle = latest.get(path)
        if not checked or (not member and cycle is None):
            continue
        result.checked += 1
        covered = is_covered(path)
        if not covered and any(path.startswith(p) for p in uncovered[-1:]):
            continue  # its unit above is flagged already (units come in tree order)
        too_old = cycle is not None and cycle[1] < too_old_before
        no_guidelines = cycle is not None and not (cycle[2] or "").strip()
        if not covered:
            uncovered.append(path)
        if not (too_old or no_guidelines or not covered):
            continue
        if len(result.flagged) >= limit:
            result.more += 1
            continue
        result.flagged.append(
            ApvFlag(
                unit=Unit(pk=pk, path=path, name=name),  # a model only for the flags shown
                cycle_id=cycle[0] if cycle else None,
                started=cycle[1] if cycle else None,
                too_old=too_old,
                no_guidelines=no_guidelines,
                missing=not covered,
            )
        )
    return result
