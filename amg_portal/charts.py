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

from collections.abc import Sequence
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
) -> SafeString:
    """Horizontal bars, one per (label, value); a None value is drawn as ``empty`` text."""
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
        shown = empty if value is None else f"{value:g}"
        parts.append(
            f'<text x="{label_width + track + gap}" y="{mid:.1f}" font-size="12" '
            f'fill="#212529">{escape(shown)}</text>'
        )
    return _svg(width, height, label, "".join(parts))
