"""Server-side SVG charts for pages and PDFs: no JavaScript, no external files, no inline CSS.

Two charts, each returning markup safe to put straight into a template (``{{ chart }}``):

* ``stacked_bar(segments, label=...)`` — one 100 % bar split into coloured parts, e.g. the
  distribution of answers to one question.
* ``score_bars(rows, label=...)`` — one horizontal bar per row on a 0–``maximum`` scale, with the
  value printed after the bar, e.g. a score per IGLO level.

Every chart is ``role="img"`` with an ``aria-label`` and a ``<title>``; pages must still show the
numbers in a table next to it, which is the accessible alternative. Colours are SVG presentation
attributes (not ``style``), so a strict Content-Security-Policy and WeasyPrint both accept them.
Use ``Segment`` colours from ``PALETTE`` or any ``#rrggbb``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe (Okabe–Ito based) and distinguishable in greyscale print.
PALETTE = {
    "good": "#1b7a3e",
    "mid": "#e0a526",
    "bad": "#b3261e",
    "neutral": "#9aa0a6",
    "accent": "#1f4e5f",
}


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    colour: str = PALETTE["accent"]


def _svg(width: int, height: int, label: str, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="amg-chart" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{label}" focusable="false">'
        "<title>{label}</title>{body}</svg>",
        w=width,
        h=height,
        label=label,
        body=mark_safe(body),  # noqa: S308 - built below from escaped parts only
    )


def stacked_bar(
    segments: Sequence[Segment], *, label: str, width: int = 240, height: int = 18
) -> SafeString:
    """One bar of ``width`` split in proportion to the segments' values."""
    total = sum(max(s.value, 0) for s in segments)
    parts, x = [], 0.0
    if total <= 0:
        parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eeeeee"></rect>')
    for segment in segments:
        if total <= 0 or segment.value <= 0:
            continue
        w = width * segment.value / total
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" '
            f'fill="{escape(segment.colour)}"><title>{escape(segment.label)}</title></rect>'
        )
        x += w
    return _svg(width, height, label, "".join(parts))


def score_bars(
    rows: Sequence[tuple[str, float | None]],
    *,
    label: str,
    maximum: float = 100,
    width: int = 420,
    bar_height: int = 20,
    label_width: int = 150,
    colour: str = PALETTE["accent"],
    empty: str = "–",
    value_format: Callable[[float], str] = "{:g}".format,
) -> SafeString:
    """Horizontal bars, one per (label, value); a None value is drawn as ``empty`` text.

    ``value_format`` prints the value, e.g. ``django.utils.formats.number_format`` for a
    decimal comma in Danish.
    """
    gap, value_width = 8, 48
    track = width - label_width - value_width - 2 * gap
    height = max(len(rows), 1) * (bar_height + gap)
    parts = []
    for i, (row_label, value) in enumerate(rows):
        y = i * (bar_height + gap)
        mid = y + bar_height / 2 + 4
        parts.append(
            f'<text x="{label_width - gap}" y="{mid:.1f}" text-anchor="end" font-size="12" '
            f'fill="#212529">{escape(row_label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="#eeeeee"></rect>'
        )
        if value is not None:
            w = track * max(0.0, min(value, maximum)) / maximum
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{w:.2f}" height="{bar_height}" '
                f'fill="{escape(colour)}"></rect>'
            )
        shown = empty if value is None else value_format(value)
        parts.append(
            f'<text x="{label_width + track + gap}" y="{mid:.1f}" font-size="12" '
            f'fill="#212529">{escape(shown)}</text>'
        )
    return _svg(width, height, label, "".join(parts))


# --- added for the dashboard: the guide's inverted pyramid and a score trend ------------------

# Light-to-dark fills that stay apart in greyscale; the text colour keeps 4.5:1 on each.
PYRAMID_FILLS = [("#1f4e5f", "#ffffff"), ("#5b8a9a", "#ffffff"), ("#cfe0e6", "#212529")]
# One dash pattern and one marker per series so lines stay apart without colour.
TREND_STYLES = [
    ("#1f4e5f", "", "circle"),
    ("#b3261e", "6 3", "square"),
    ("#1b7a3e", "2 3", "triangle"),
    ("#7a4fa3", "8 3 2 3", "diamond"),
]


def inverted_pyramid(
    rows: Sequence[tuple[str, str]], *, label: str, width: int = 420, row_height: int = 46
) -> SafeString:
    """The guide's inverted pyramid: one band per (name, value text), the first band widest."""
    count = max(len(rows), 1)
    step = width * 0.3 / count  # each band narrows by one step on either side
    parts = []
    for i, (name, value) in enumerate(rows):
        top, bottom = i * row_height, (i + 1) * row_height - 3
        inset_top, inset_bottom = i * step, (i + 1) * step
        points = (
            f"{inset_top:.1f},{top} {width - inset_top:.1f},{top} "
            f"{width - inset_bottom:.1f},{bottom} {inset_bottom:.1f},{bottom}"
        )
        fill, ink = PYRAMID_FILLS[min(i, len(PYRAMID_FILLS) - 1)]
        mid = top + row_height / 2
        parts.append(
            f'<polygon points="{points}" fill="{fill}" stroke="#212529" stroke-width="1">'
            f"</polygon>"
            f'<text x="{width / 2:.1f}" y="{mid - 3:.1f}" text-anchor="middle" font-size="13" '
            f'font-weight="bold" fill="{ink}">{escape(name)}</text>'
            f'<text x="{width / 2:.1f}" y="{mid + 12:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{escape(value)}</text>'
        )
    return _svg(width, count * row_height, label, "".join(parts))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"></rect>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} '
            f'{x - 5:.1f},{y + 4:.1f}" fill="{colour}"></polygon>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
            f'{x - 5:.1f},{y:.1f}" fill="{colour}"></polygon>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"></circle>'


def trend_lines(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    label: str,
    maximum: float = 100,
    width: int = 520,
    height: int = 220,
) -> SafeString:
    """One line per (name, values over ``categories``) on a 0–``maximum`` scale; None is a gap."""
    left, right, top, legend = 34, 30, 10, 22
    bottom = height - 40 - legend
    span = max(len(categories) - 1, 1)
    plot_width = width - left - right

    def x_of(i: int) -> float:
        return left + (plot_width * i / span if len(categories) > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(value, maximum)) / maximum

    parts = []
    for tick in (0, 25, 50, 75, 100):
        y = y_of(maximum * tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d4d8" '
            f'stroke-width="1"></line><text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#212529">{maximum * tick / 100:g}</text>'
        )
    for i, category in enumerate(categories):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
            f'fill="#212529">{escape(category)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour, dash, shape = TREND_STYLES[n % len(TREND_STYLES)]
        points = [(x_of(i), y_of(v)) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dashes}></polyline>"
            )
        parts.extend(_marker(shape, x, y, colour) for x, y in points)
        lx = left + n * (plot_width / max(len(series), 1))
        ly = height - legend / 2
        parts.append(
            _marker(shape, lx + 5, ly - 4, colour)
            + f'<text x="{lx + 14:.1f}" y="{ly:.1f}" font-size="12" fill="#212529">'
            f"{escape(name)}</text>"
        )
    return _svg(width, height, label, "".join(parts))
