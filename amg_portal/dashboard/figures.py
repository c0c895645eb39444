"""The dashboard's charts, drawn by the shared SVG helper; each has a table next to it."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from amg_portal import charts
from amg_portal.dashboard.selectors import MeasureFigures, Trend
from amg_portal.domain import Level, Prevention
from handlingsplan.models import Measure


def status_chart(figures: MeasureFigures) -> SafeString:
    """One bar per status with its count printed after it."""
    rows = [(str(label), figures.by_status[value]) for value, label in Measure.Status.choices]
    return charts.score_bars(
        rows, label=_("Tiltag by status"), maximum=max([n for _, n in rows] + [1]), width=380
    )


def pyramid_chart(figures: MeasureFigures) -> SafeString:
    """The guide's inverted pyramid: primary prevention on top and widest."""
    rows = [
        (
            str(label),
            _("%(n)d tiltag, %(done)d done")
            % {"n": figures.by_prevention[value], "done": figures.done_by_prevention[value]},
        )
        for value, label in Prevention.choices
    ]
    return charts.inverted_pyramid(rows, label=_("Tiltag by prevention level"))


def trend_chart(trend: Trend) -> SafeString:
    """One line per IGLO level across the unit's rounds."""
    names = dict(Level.choices)
    categories = [r.closes_on.strftime("%m/%Y") for r in trend.rounds]
    series = [(str(names[lv]), trend.scores[lv]) for lv in trend.levels]
    return charts.trend_lines(categories, series, label=_("Score per level across rounds (0–100)"))
