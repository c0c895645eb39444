"""A round's results as the pages draw them: per respondent group its figures and charts.

The chart data of the results page, the dashboard's round panels and the APV (handlingsplan reads
it here, through its ``mapping`` module). Everything starts from ``kortlaegning.results``, which
reads the round's snapshot: the anonymity rules were applied once, when the round closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from amg_portal import charts
from amg_portal.domain import Level
from kortlaegning.anonymity import DIALOGUES, RESULT_GROUPS
from kortlaegning.models import Choice, Question, QuestionVersion, Response, ResultPage
from kortlaegning.results import (
    GroupFigures,
    LevelSummary,
    QuestionSummary,
    RoundResults,
    SubUnit,
    figures_key,
    load_figures,
)
from kortlaegning.snapshot import CHOICES

CHOICE_COLOURS = {
    "yes": charts.PALETTE["good"],
    "partly": charts.PALETTE["mid"],
    "no": charts.PALETTE["bad"],
    "dont_know": charts.PALETTE["neutral"],
}


def distribution_chart(summary: QuestionSummary, title: str) -> SafeString:
    """One question's answers as a stacked bar (yes / partly / no / don't know)."""
    labels = dict(Choice.choices)
    parts = [
        charts.Segment(
            f"{labels[c]}: {summary.distribution[c]}", summary.distribution[c], CHOICE_COLOURS[c]
        )
        for c in CHOICES
    ]
    described = ", ".join(f"{labels[c]} {summary.distribution[c]}" for c in CHOICES)
    return charts.stacked_bar(parts, label=f"{title}: {described}")


@dataclass
class QuestionRow:
    question: Question
    version: QuestionVersion
    summary: QuestionSummary | None
    chart: SafeString | None
    change: float | None


@dataclass
class LevelBlock:
    level: str
    label: str
    summary: LevelSummary | None
    rows: list[QuestionRow]


@dataclass
class Section:
    group: str
    label: str
    top: GroupFigures | None
    level_chart: SafeString | None
    levels: list[LevelBlock]
    subunits: list[tuple[SubUnit, list[LevelSummary | None]]]
    hidden: int
    withheld: bool = False
    reason: str = ""


def _level_blocks(
    results: RoundResults, group: str, top: GroupFigures | None, *, charts: bool = True
) -> list[LevelBlock]:
    levels = results.round.levels_for(group)
    summaries = {s.level: s for s in top.levels} if top else {}
    blocks = []
    for level in levels:
        rows = []
        for question, version in results.questions:
            if question.level != level:
                continue
            summary = top.questions.get(question.pk) if top else None
            chart = distribution_chart(summary, f"{question.code}") if summary and charts else None
            rows.append(
                QuestionRow(question, version, summary, chart, results.change(group, question.pk))
            )
        if rows:
            blocks.append(LevelBlock(level, Level(level).label, summaries.get(level), rows))
    return blocks


def group_labels() -> dict[str, str]:
    """The respondent groups' names, dialogue meetings included."""
    return {**dict(Response.Group.choices), DIALOGUES: _("Dialogue meetings")}


def result_sections(
    results: RoundResults, *, level_charts: bool = True, question_charts: bool = True
) -> list[Section]:
    """One section per respondent group the round asks (without the level chart or the questions'
    distribution charts where the caller shows none: the written APV)."""
    sections = []
    labels = group_labels()
    for group in RESULT_GROUPS:
        label = labels[group]
        if not results.round.levels_for(group):
            continue
        if group == DIALOGUES and not results.round.is_dialogue:
            continue
        top = results.top(group)
        level_chart = None
        if top and level_charts:
            level_chart = charts.score_bars(
                [(Level(s.level).label, s.score) for s in top.levels],
                label=_("Score per level (0–100)"),
                value_format=number_format,
            )
        levels = results.round.levels_for(group)
        subunits = [
            (sub, [sub.figures[group].level(lv) if group in sub.figures else None for lv in levels])
            for sub in results.subunits
            if group in sub.figures or sub.drill
        ]
        sections.append(
            Section(
                group,
                str(label),
                top,
                level_chart,
                _level_blocks(results, group, top, charts=question_charts),
                subunits,
                results.hidden.get(group, 0),
                group in results.withheld and results.reasons.get(group) == "increment",
                results.reasons.get(group, ""),
            )
        )
    return sections


def rendered_sections(results: RoundResults, *, may_act: bool) -> SafeString:
    """The results page's sections (figures, charts, sub-units) for ``results`` as HTML, drawn
    once per snapshot, focus unit, previous round, language and ``may_act`` and then kept in the
    database for every worker (one small query to read; one statement to keep).

    Only called after ``results.round_results`` decided the reader may see this round: what is
    kept is what every reader of these results sees alike, nothing of the reader."""
    key = figures_key(results, variant="act" if may_act else "read")
    html = ResultPage.objects.filter(key=key).values_list("html", flat=True).first()
    if html is None:
        if not results.figures_loaded:
            load_figures(results)
        context = {
            "round": results.round,
            "results": results,
            "sections": result_sections(results),
            "may_act": may_act,
        }
        html = render_to_string("kortlaegning/_result_sections.html", context)
        page = ResultPage(snapshot_id=results.snapshot.pk, key=key, html=html)
        ResultPage.objects.bulk_create([page], ignore_conflicts=True)  # a twin drew it too
    return mark_safe(html)  # noqa: S308 — our own template's output, escaped when it was drawn
