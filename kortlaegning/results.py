"""The one way to read a round's results: from its snapshot, for a user who may see them.

Every page, export, panel and PDF that shows a figure of a round comes through here:

* ``rounds_with_results_for(user)`` / ``may_see_results(user, round)`` — *the* rule for who may see
  a round's results: a role with ``VIEW_RESULTS`` on the round's unit (leader, AMR, TR, AMG; the
  coordinator), or — once the leader has published them — a role on the unit or below it (its
  employees). One queryset; the yes/no asks the same queryset.
* ``round_results(round, user=…)`` — the results page: the figures of one unit of the round's tree
  (as it stood at closing) and of its direct sub-units, the comments a page at a time and the
  comparison with the unit's previous round; a bounded number of queries whatever the data size.
* ``export_rows``, ``question_summary``, ``overview`` and ``level_trend`` — the CSV/XLSX export,
  a tiltag's "effect in figures", the dashboard's heat map and trend.

Only groups the snapshot marks as shown are ever read; nothing here touches the raw answers.
The coordinator's reads are written to the audit log as data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import get_language

from amg_portal import drawing
from amg_portal.organisation import audit
from amg_portal.organisation.access import Action
from amg_portal.organisation.models import User, members_below_rule, permitting_rule
from kortlaegning import anonymity
from kortlaegning.anonymity import DIALOGUES, RESULT_GROUPS
from kortlaegning.models import (
    Question,
    QuestionVersion,
    ResultCount,
    ResultGroup,
    ResultSnapshot,
    ResultText,
    ResultUnit,
    Round,
    RoundQuestion,
)
from kortlaegning.snapshot import ATTENTION_BELOW, CHOICES, LEVEL_ORDER, question_score

TEXTS_PER_PAGE = 50
SUBUNITS_PER_PAGE = 100
RATE_LOW, RATE_GOOD = 50, 80


# --- who may see results ----------------------------------------------------------------------


def rounds_with_results_for(user: User) -> QuerySet[Round]:
    """Closed rounds whose results ``user`` may see (the one rule, as one lazy query)."""
    return Round.objects.filter(status=Round.Status.CLOSED, snapshot__isnull=False).filter(
        permitting_rule(user, Action.VIEW_RESULTS, through="unit")
        | (Q(results_published=True) & members_below_rule(user, through="unit"))
    )


def with_results_access(rounds: QuerySet[Round], user: User) -> QuerySet[Round]:
    """``rounds`` annotated with ``results_visible`` for ``user`` by the rule above, so a page
    that loads a round learns in the same query whether its results may be shown."""
    visible = rounds_with_results_for(user).filter(pk=OuterRef("pk"))
    return rounds.annotate(results_visible=Exists(visible), results_reader=Value(user.pk))


def may_see_results(user: User, round: Round) -> bool:
    """May ``user`` see the results of ``round`` (closed, and by the rule above)? One query, or
    none when the round was loaded through ``with_results_access`` for this user."""
    if getattr(round, "results_reader", None) == user.pk and user.pk is not None:
        return bool(round.results_visible)
    return rounds_with_results_for(user).filter(pk=round.pk).exists()


def _audit_read(user: User, round: Round, where: str) -> None:
    """The coordinator reads results by exception: every read is a row in the audit log."""
    if getattr(user, "coordinates", False):
        audit.record_results_read(user, round, where)


# --- figures ------------------------------------------------------------------------------------


def rate_band(rate: int | None) -> str:
    """ "low" under 50 %, "adequate" 50–80 %, "good" over 80 %."""
    if rate is None:
        return ""
    if rate < RATE_LOW:
        return "low"
    return "good" if rate > RATE_GOOD else "adequate"


def response_rate(respondents: int, headcount: int) -> int | None:
    """Respondents as a share of the headcount, never over 100 %."""
    if not headcount:
        return None
    return min(100, round(100 * respondents / headcount))


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

    @classmethod
    def of(cls, row: ResultCount | dict) -> QuestionSummary:
        get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
        distribution = {c: get(c) for c in CHOICES}
        qid = get("question_id")
        return cls(qid, sum(distribution.values()), distribution, question_score(distribution))


@dataclass(frozen=True)
class LevelSummary:
    level: str
    score: float | None  # mean of the level's question scores
    attention: int  # questions needing attention


@dataclass
class GroupFigures:
    """The figures of one shown group: a unit (as at closing) with its subtree, one respondent
    group."""

    unit: ResultUnit
    group: str
    respondents: int
    questions: dict[int, QuestionSummary]  # only for the unit in focus
    levels: list[LevelSummary]

    @property
    def headcount(self) -> int:
        return self.unit.headcount

    @property
    def rate(self) -> int | None:
        return response_rate(self.respondents, self.unit.headcount)

    @property
    def band(self) -> str:
        return rate_band(self.rate)

    def level(self, level: str) -> LevelSummary | None:
        return next((s for s in self.levels if s.level == level), None)


def _figures(record: ResultGroup, counts: list | None = None) -> GroupFigures:
    return GroupFigures(
        unit=record.unit,
        group=record.group,
        respondents=record.respondents,
        questions={c.question_id: QuestionSummary.of(c) for c in counts or []},
        levels=[LevelSummary(level, score, attention) for level, score, attention in record.levels],
    )


@dataclass
class SubUnit:
    """A direct sub-unit of the unit in focus: its shown figures per group, and whether there is
    anything shown further down to drill into."""

    unit: ResultUnit
    figures: dict[str, GroupFigures]
    drill: bool


@dataclass
class RoundResults:
    round: Round
    snapshot: ResultSnapshot
    questions: list[tuple[Question, QuestionVersion]]
    focus: ResultUnit
    trail: list[ResultUnit]  # the units above the focus, the round's unit first
    groups: dict[str, GroupFigures | None]  # the focus unit's shown figures per group
    withheld: set[str]  # groups with nothing at all (under the threshold, or after a reopening)
    reasons: dict[str, str]  # group → why the focus shows nothing for it
    subunits: list[SubUnit] = field(default_factory=list)
    hidden: dict[str, int] = field(default_factory=dict)  # group → folded direct sub-units
    more_subunits: int = 0
    texts: TextPage | None = None  # comments and dialogue summaries, a page at a time
    texts_possible: bool = False
    texts_deleted: bool = False  # there were texts, deleted after the retention period
    previous: PreviousRound | None = None
    figures_loaded: bool = False  # the focus unit's per-question figures (``load_figures``)
    shown_groups: dict[int, str] = field(default_factory=dict)  # the focus's shown ResultGroups

    @property
    def at_root(self) -> bool:
        return self.focus.parent_id is None

    def top(self, group: str) -> GroupFigures | None:
        return self.groups.get(group)

    def change(self, group: str, question_id: int) -> float | None:
        """Score now minus score in the previous round, where both are shown."""
        now = self.top(group)
        before = self.previous.scores.get(group, {}) if self.previous else {}
        a = now.questions.get(question_id) if now else None
        if a is None or a.score is None or before.get(question_id) is None:
            return None
        return round(a.score - before[question_id], 1)


@dataclass
class PreviousRound:
    round: Round  # only its id and title
    scores: dict[str, dict[int, float | None]]  # group → question → score (shown groups only)


def round_questions(round: Round) -> list[tuple[Question, QuestionVersion]]:
    frozen = RoundQuestion.objects.filter(round=round).select_related("question", "version")
    return [(rq.question, rq.version) for rq in frozen.order_by("question__sort_key")]


def round_results(
    round: Round,
    *,
    user: User,
    unit: int | None = None,
    page: int | str | None = 1,
    with_previous: bool = True,
    where: str = "results page",
    figures: bool = True,
) -> RoundResults | None:
    """The results of ``round`` around one unit of its tree, or None if the user may not see
    them (or the round is not closed). ``unit`` is a ``ResultUnit`` id; unknown means the
    round's own unit.

    With ``figures=False`` the per-question figures (of the focus and of the previous round) are
    left out: a page that already holds them rendered for this snapshot, focus and previous round
    (see ``figures_key``) needs nothing more; ``load_figures`` adds them later."""
    if not may_see_results(user, round):
        return None
    _audit_read(user, round, where)
    units = _units_around(round, unit)
    if not units:
        return None
    focus = next(u for u in units if u.focus)
    records = list(
        ResultGroup.objects.filter(unit__in=[u.pk for u in units if u.pk == focus.pk or u.child])
        .select_related("unit")
        .order_by("unit__path", "group")
    )
    results = _assemble(round, units, records, [], [])
    snapshot = results.snapshot
    if results.at_root:
        had_texts = any(r.texts_shown for r in records if r.unit_id == focus.pk)
        purged = snapshot.raw_purged_at is not None  # free text goes with the raw answers
        results.texts_possible = had_texts and not purged
        results.texts_deleted = had_texts and purged
        results.texts = _texts_page(snapshot, page) if results.texts_possible else None
        if with_previous:
            results.previous = previous_round_for(round, user=user)
    if figures:
        load_figures(results)
    return results


def load_figures(results: RoundResults) -> None:
    """Add the per-question figures of the focus unit's shown groups (and the previous round's
    scores, when there is one) to ``results``: two or three queries."""
    by_group: dict[str, dict[int, QuestionSummary]] = defaultdict(dict)
    for row in ResultCount.objects.filter(group_id__in=list(results.shown_groups)):
        summary = QuestionSummary.of(row)
        by_group[results.shown_groups[row.group_id]][summary.question_id] = summary
    for group, figures in results.groups.items():
        if figures is not None:
            figures.questions = by_group.get(group, {})
    results.questions = round_questions(results.round)
    if results.previous is not None:
        results.previous.scores = _previous_scores(results.previous.round)
    results.figures_loaded = True


def figures_key(results: RoundResults, *, variant: str) -> str:
    """A cache key for what is drawn from ``results``' figures: everything they depend on is
    fixed once the snapshot exists (a reopened and closed round gets a new snapshot), so the key
    is the code that draws (``drawn_by``), the snapshot, the focus unit, the previous round
    compared with, the language and the page's own ``variant`` (e.g. whether the reader may create
    tiltag)."""
    previous = results.previous.round.pk if results.previous else 0
    snapshot, focus, threshold = results.snapshot.pk, results.focus.pk, results.round.threshold
    parts = (snapshot, focus, previous, threshold, get_language() or "-", variant)
    return f"{FIGURES_KEY}:{drawn_by()}:" + ":".join(str(p) for p in parts)


FIGURES_KEY = "results-figures"


def drawn_by() -> str:
    """The digest of the code that draws the results sections (templates, catalogues, charts):
    part of every kept drawing's key, so a deploy that changes how they look draws them again."""
    return drawing.code_digest("amg_portal.charts", "kortlaegning.result_charts")


def results_of_rounds(rounds: list[Round], *, user: User, where: str) -> dict[int, RoundResults]:
    """Round id → the results of each round's own unit with its direct sub-units (figures and
    charts, no free text, no comparison), for the rounds ``user`` may see: four queries whatever
    the number of rounds (the APV lists every round of its period)."""
    closed = [r for r in rounds if r.is_closed]
    if not closed:
        return {}
    allowed = rounds_with_results_for(user).filter(pk__in=[r.pk for r in closed])
    units_by_round: dict[int, list[ResultUnit]] = defaultdict(list)
    for row in (
        ResultUnit.objects.filter(snapshot__round__in=allowed)  # the rule, as a subquery
        .filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        .select_related("snapshot")
        .order_by("path")
    ):
        units_by_round[row.snapshot.round_id].append(row)
    readable = [r for r in closed if r.pk in units_by_round]
    if not readable:
        return {}
    if getattr(user, "coordinates", False):
        audit.record_results_reads(user, readable, where)  # one INSERT, a row per round
    for rows in units_by_round.values():
        focus = next((u for u in rows if u.parent_id is None), None)
        for row in rows:
            row.focus = focus is not None and row.pk == focus.pk
            row.child = focus is not None and row.parent_id == focus.pk
            row.above = False
    records = list(
        ResultGroup.objects.filter(
            unit__in=[u.pk for rows in units_by_round.values() for u in rows]
        )
        .select_related("unit")
        .order_by("unit__path", "group")
    )
    roots = {u.pk for rows in units_by_round.values() for u in rows if u.focus}
    shown_ids = [
        r.pk for r in records if r.unit_id in roots and r.decision == ResultGroup.Decision.SHOWN
    ]
    counts = list(ResultCount.objects.filter(group_id__in=shown_ids))
    questions: dict[int, list] = defaultdict(list)
    frozen = RoundQuestion.objects.filter(round__in=readable).select_related("question", "version")
    for rq in frozen.order_by("question__sort_key"):
        questions[rq.round_id].append((rq.question, rq.version))
    out = {}
    for round_ in readable:
        units = units_by_round.get(round_.pk)
        if not units or not any(u.focus for u in units):
            continue
        ids = {u.pk for u in units}
        out[round_.pk] = _assemble(
            round_,
            units,
            [r for r in records if r.unit_id in ids],
            counts,
            questions[round_.pk],
        )
        out[round_.pk].figures_loaded = True
    return out


def _assemble(
    round: Round,
    units: list[ResultUnit],
    records: list[ResultGroup],
    counts: list[ResultCount],
    questions: list[tuple[Question, QuestionVersion]],
) -> RoundResults:
    """One round's results around its focus unit from rows already loaded (no query)."""
    focus = next(u for u in units if u.focus)
    mine = {r.group: r for r in records if r.unit_id == focus.pk}
    by_group = defaultdict(list)
    for row in counts:
        by_group[row.group_id].append(row)
    groups = {
        g: _figures(r, by_group[r.pk])
        for g, r in mine.items()
        if r.decision == ResultGroup.Decision.SHOWN
    }
    results = RoundResults(
        round=round,
        snapshot=focus.snapshot,
        questions=questions,
        focus=focus,
        trail=sorted((u for u in units if u.above), key=lambda u: u.depth),
        groups={g: groups.get(g) for g in RESULT_GROUPS},
        withheld={g for g, r in mine.items() if r.decision == ResultGroup.Decision.WITHHELD},
        reasons={g: r.reason for g, r in mine.items() if r.decision != "shown"},
        shown_groups={r.pk: g for g, r in mine.items() if r.decision == ResultGroup.Decision.SHOWN},
    )
    _add_subunits(results, units, records)
    return results


def _units_around(round: Round, unit: int | None) -> list[ResultUnit]:
    """The focus unit (``unit``, or the round's own unit), its direct sub-units and the units
    above it, each marked (one query; an unknown ``unit`` falls back to the round's own unit in a
    second)."""
    snapshot_units = ResultUnit.objects.filter(snapshot__round=round)
    if unit:
        focus_q = Q(pk=unit)
        around = Q(parent_id=unit) | Exists(
            ResultUnit.objects.filter(pk=unit, path__startswith=OuterRef("path"))
        )
    else:
        focus_q = Q(parent__isnull=True)
        around = Q(parent__parent__isnull=True)
    rows = list(snapshot_units.filter(focus_q | around).select_related("snapshot").order_by("path"))
    focus = next((u for u in rows if (u.pk == unit if unit else u.parent_id is None)), None)
    if focus is None:
        return _units_around(round, None) if unit else []
    for row in rows:
        row.focus = row.pk == focus.pk
        row.child = row.parent_id == focus.pk
        row.above = focus.path.startswith(row.path) and not row.focus
    return rows


def _add_subunits(results: RoundResults, units: list[ResultUnit], records: list) -> None:
    children = [u for u in units if u.child]
    by_unit: dict[int, dict[str, ResultGroup]] = defaultdict(dict)
    for r in records:
        by_unit[r.unit_id][r.group] = r
    hidden: dict[str, int] = defaultdict(int)
    subunits = []
    for child in children:
        mine = by_unit.get(child.pk, {})
        figures = {
            g: _figures(r) for g, r in mine.items() if r.decision == ResultGroup.Decision.SHOWN
        }
        for g, r in mine.items():
            # Folded into the focus: counted there (only when the focus itself is shown).
            if r.decision == ResultGroup.Decision.FOLDED and results.groups.get(g):
                hidden[g] += 1
        if figures or child.shown_below:
            subunits.append(SubUnit(child, figures, child.shown_below))
    results.hidden = dict(hidden)
    results.more_subunits = max(0, len(subunits) - SUBUNITS_PER_PAGE)
    results.subunits = subunits[:SUBUNITS_PER_PAGE]


@dataclass
class TextPage:
    """One page of free text: its rows, and whether there are pages before and after."""

    number: int
    rows: list[ResultText]
    has_next: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# No round has a million pages of comments; a larger number (a hand-made link) shows an empty page
# past the end instead of asking the database for an offset it cannot count to.
MAX_TEXT_PAGE = 1_000_000


def _texts_page(snapshot: ResultSnapshot, page: int | str | None) -> TextPage:
    """A page of the texts in the order drawn at closing (one query: a row more tells if
    there is a next page)."""
    try:
        number = min(max(1, int(page or 1)), MAX_TEXT_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * TEXTS_PER_PAGE
    rows = list(
        ResultText.objects.filter(group__snapshot=snapshot, group__texts_shown=True)
        .annotate(group_name=F("group__group"))
        .order_by("kind", "group__group", "position")[start : start + TEXTS_PER_PAGE + 1]
    )
    return TextPage(number, rows[:TEXTS_PER_PAGE], len(rows) > TEXTS_PER_PAGE)


# --- the unit's previous round --------------------------------------------------------------------


def previous_round(round: Round) -> QuerySet[Round]:
    """The unit's closed round before this one (a lazy query)."""
    return (
        Round.objects.filter(
            unit_id=round.unit_id, status=Round.Status.CLOSED, snapshot__isnull=False
        )
        .filter(Q(opens_on__lt=round.opens_on) | Q(opens_on=round.opens_on, pk__lt=round.pk))
        .order_by("-opens_on", "-pk")
    )


def previous_round_for(round: Round, *, user: User) -> PreviousRound | None:
    """The unit's previous closed round, if ``user`` may see its results too (the same rule,
    inside the one query); its scores come with ``load_figures``."""
    earlier = rounds_with_results_for(user).filter(pk__in=previous_round(round).values("pk")[:1])
    found = earlier.values_list("pk", "title").first()
    if found is None:
        return None
    return PreviousRound(Round(pk=found[0], title=found[1]), {})


def _previous_scores(previous: Round) -> dict[str, dict[int, float | None]]:
    """group → question → score of the previous round's own unit, shown groups only."""
    scores: dict[str, dict[int, float | None]] = defaultdict(dict)
    for row in ResultCount.objects.filter(
        group__snapshot__round_id=previous.pk,
        group__unit__parent__isnull=True,
        group__decision=ResultGroup.Decision.SHOWN,
    ).values("group__group", "question_id", *CHOICES):
        scores[row["group__group"]][row["question_id"]] = question_score(row)
    return dict(scores)


# --- exports ---------------------------------------------------------------------------------


@dataclass
class ExportRow:
    group: str
    unit: str
    path: str
    respondents: int
    question_id: int
    summary: QuestionSummary


def export_rows(round: Round, *, user: User, fmt: str) -> list[ExportRow] | None:
    """Every shown group's figures of the round (all units, as at closing) for CSV/XLSX."""
    if not may_see_results(user, round):
        return None
    audit.record_results_read(user, round, fmt)  # every export, by anyone, is a row
    rows = (
        ResultCount.objects.filter(
            group__snapshot__round=round, group__decision=ResultGroup.Decision.SHOWN
        )
        .values(
            "group__group",
            "group__unit__name",
            "group__unit__path",
            "group__respondents",
            "question_id",
            *CHOICES,
        )
        .order_by("group__unit__path", "group__group", "question__sort_key")
    )
    order = {g: i for i, g in enumerate(RESULT_GROUPS)}
    out = [
        ExportRow(
            r["group__group"],
            r["group__unit__name"],
            r["group__unit__path"],
            r["group__respondents"],
            r["question_id"],
            QuestionSummary.of(r),
        )
        for r in rows
    ]
    out.sort(key=lambda r: (order[r.group], r.path))  # stable: questions keep their order
    return out


# --- for other apps: one question, the overview and the trend ---------------------------------


def default_group(round: Round, question: Question) -> str | None:
    """The respondent group that answers ``question`` in ``round`` (employees first)."""
    if question.level in round.employee_levels:
        return DIALOGUES if round.is_dialogue else anonymity.EMPLOYEES
    if question.level in round.leader_levels:
        return anonymity.LEADERSHIP
    return None


def question_summary(*, round: Round, question: Question, user: User) -> QuestionSummary | None:
    """One question's figures for the round's own unit, or None if not shown (or not asked, or
    not for this user). Two queries."""
    group = default_group(round, question)
    if group is None or not may_see_results(user, round):
        return None
    _audit_read(user, round, f"question {question.pk}")
    row = (
        ResultCount.objects.filter(
            group__snapshot__round=round,
            group__unit__parent__isnull=True,
            group__group=group,
            group__decision=ResultGroup.Decision.SHOWN,
            question=question,
        )
        .values("question_id", *CHOICES)
        .first()
    )
    return QuestionSummary.of(row) if row else None


@dataclass
class OverviewRow:
    unit: ResultUnit
    depth: int
    scores: dict[str, tuple[bool, float | None]]  # level → (shown, score)


@dataclass
class Overview:
    """A round's level scores for its own unit and direct sub-units (the dashboard's heat map)."""

    round: Round
    levels: list[str]
    rows: list[OverviewRow]
    more: int
    nothing_shown: bool


OVERVIEW_ROWS = 30


def _groups_for(round: Round, level: str) -> list[str]:
    """The result groups that answer ``level``, best first: individual answers, then dialogues."""
    if level in round.employee_levels:
        return [anonymity.EMPLOYEES, DIALOGUES]
    return [anonymity.LEADERSHIP, DIALOGUES]


def _level_score(round: Round, level: str, by_group: dict[str, list]) -> tuple[bool, float | None]:
    """(shown, score) of ``level``: from the first group answering it that is shown."""
    for group in _groups_for(round, level):
        for lv, score, _attention in by_group.get(group, []):
            if lv == level:
                return True, score
    return False, None


def overview(round: Round | None, *, user: User) -> Overview | None:
    """Level scores of the round's unit and its direct sub-units, as shown (one query)."""
    if round is None or not may_see_results(user, round):
        return None
    _audit_read(user, round, "dashboard")
    levels = [lv for lv in LEVEL_ORDER if lv in round.employee_levels + round.leader_levels]
    units = list(
        ResultUnit.objects.filter(snapshot__round=round)
        .filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        .order_by("depth", "path")[: OVERVIEW_ROWS + 1]
    )
    more = max(0, len(units) - OVERVIEW_ROWS)
    units = sorted(units[:OVERVIEW_ROWS], key=lambda u: u.path)
    rows = [
        OverviewRow(u, u.depth, {lv: _level_score(round, lv, u.shown_levels) for lv in levels})
        for u in units
    ]
    nothing = not any(u.shown_levels for u in units)
    return Overview(round, levels, rows, more, nothing_shown=nothing)


def rounds_for_overview(user: User) -> QuerySet[Round]:
    """Rounds whose results ``user`` may see, each with its own unit's shown level scores
    (``own_levels``) and marked as readable by ``user``: a trend costs one query."""
    own = ResultUnit.objects.filter(snapshot__round=OuterRef("pk"), parent__isnull=True).values(
        "shown_levels"
    )[:1]
    # Every round here passed the rule already: marked readable without asking it a second time.
    return rounds_with_results_for(user).annotate(
        own_levels=Subquery(own, output_field=JSONField()),
        results_visible=Value(True),
        results_reader=Value(user.pk),
    )


def level_trend(
    rounds: list[Round], *, user: User
) -> dict[int, dict[str, tuple[bool, float | None]]]:
    """round id → level → (shown, score) of the round's own unit, for the rounds ``user`` may
    see; rounds loaded through ``rounds_for_overview`` cost no query."""
    out = {}
    for r in rounds:
        if not may_see_results(user, r):
            continue
        levels = getattr(r, "own_levels", None)
        if levels is None:
            own = ResultUnit.objects.filter(snapshot__round=r, parent__isnull=True).first()
            levels = own.shown_levels if own else {}
        out[r.pk] = {lv: _level_score(r, lv, levels or {}) for lv in LEVEL_ORDER}
    return out
