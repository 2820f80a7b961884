"""The admin overview's chart: decisions per month, stacked by verdict.

Plain Python with no Django import, in the cost chart's manner: a server-rendered, self-contained
SVG with no script and no style attributes (the CSP forbids them); presentation attributes make it
print without CSS and `class` attributes are the hooks for the admin's stylesheet. The page puts
the same numbers in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from decisions.web.svg import escape

WIDTH = 720
LEFT, RIGHT = 56, WIDTH - 16
TOP, PLOT_HEIGHT = 24, 240
FONT_SIZE = 14
EM = 0.62  # a generous average character width, to keep labels apart
TEXT_COLOUR, AXIS_COLOUR, GRID_COLOUR = "#212529", "#6c757d", "#dee2e6"

# The admin's verdict badge colours, each 7:1 or more against white, so the white counts written
# on them read too; the counts and the table tell the verdicts apart without colour.
COLOURS = {"prompting": "#0b5394", "fine_tuning": "#6b2d8f", "hybrid": "#7a4a00"}
MIN_LABELLED_HEIGHT = FONT_SIZE + 4  # a segment shows its count when it is this tall

Series = tuple[str, str]  # (verdict value, label), bottom of the stack first
Bar = tuple[str, Sequence[int]]  # (month label, counts in Series order)


def _nice_top(largest: int) -> int:
    """The y axis' top: the smallest 1, 2 or 5 times a power of ten at or above `largest`."""
    if largest <= 1:
        return 1
    power = 10 ** math.floor(math.log10(largest))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= largest)


def _ticks(top: int) -> list[int]:
    step = max(1, top // 5) if top >= 5 else 1
    return list(range(0, top + 1, step))


def describe(series: Sequence[Series], bars: Sequence[Bar]) -> str:
    if not bars:
        return "No decisions match, so there is nothing to chart."
    totals = [sum(counts) for _, counts in bars]
    parts = [
        f"Stacked bar chart of decisions per month, from {bars[0][0]} to {bars[-1][0]}, "
        f"{sum(totals):,} in all; each bar is split by verdict, "
        + ", ".join(label for _, label in series) + " from the bottom up.",
    ]
    busiest = max(range(len(bars)), key=lambda i: (totals[i], i))
    parts.append(f"The busiest month is {bars[busiest][0]} with {totals[busiest]:,}.")
    parts.append("The table below gives every count.")
    return " ".join(parts)


def svg_for(series: Sequence[Series], bars: Sequence[Bar], *, title: str,
            id_prefix: str = "overview-chart") -> str:
    """The chart as an inline <svg> element."""
    prefix = escape(id_prefix)
    bottom = TOP + PLOT_HEIGHT
    legend_top = bottom + 52
    height = legend_top + 28
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="overview-chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(describe(series, bars))}</desc>',
    ]
    top = _nice_top(max((sum(counts) for _, counts in bars), default=0))

    def y(count: float) -> float:
        return bottom - count / top * PLOT_HEIGHT

    out.append('<g class="overview-chart-axis">')
    for tick in _ticks(top):
        out.append(f'<line class="overview-chart-grid" x1="{LEFT}" y1="{y(tick):.1f}" '
                   f'x2="{RIGHT}" y2="{y(tick):.1f}" stroke="{GRID_COLOUR}"/>')
        out.append(f'<text class="overview-chart-tick-label" x="{LEFT - 8}" '
                   f'y="{y(tick) + 5:.1f}" text-anchor="end">{tick:,}</text>')
    out.append(f'<line class="overview-chart-axis-line" x1="{LEFT}" y1="{bottom}" x2="{RIGHT}" '
               f'y2="{bottom}" stroke="{AXIS_COLOUR}"/>')
    out.append("</g>")

    if bars:
        slot = (RIGHT - LEFT) / len(bars)
        width = min(slot * 0.7, 64)
        widest = max(len(label) for label, _ in bars) * FONT_SIZE * EM + 8
        every = max(1, math.ceil(widest / slot))
        for index, (label, counts) in enumerate(bars):
            centre = LEFT + slot * (index + 0.5)
            out.append(f'<g class="overview-chart-bar" data-month="{escape(label)}">')
            base = 0
            for (verdict, verdict_label), count in zip(series, counts, strict=True):
                if count:
                    top_y, bottom_y = y(base + count), y(base)
                    out.append(
                        f'<rect class="overview-chart-{escape(verdict)}" data-verdict='
                        f'"{escape(verdict)}" data-count="{count}" x="{centre - width / 2:.1f}" '
                        f'y="{top_y:.1f}" width="{width:.1f}" height="{bottom_y - top_y:.1f}" '
                        f'fill="{COLOURS.get(verdict, AXIS_COLOUR)}">'
                        f"<title>{escape(f'{label}: {count:,} {verdict_label.lower()}')}</title>"
                        "</rect>"
                    )
                    if bottom_y - top_y >= MIN_LABELLED_HEIGHT and width >= len(f"{count}") * 10:
                        out.append(
                            f'<text class="overview-chart-count" x="{centre:.1f}" '
                            f'y="{(top_y + bottom_y) / 2 + 5:.1f}" text-anchor="middle" '
                            f'fill="#ffffff">{count:,}</text>'
                        )
                base += count
            if index % every == 0:
                out.append(f'<text class="overview-chart-tick-label" x="{centre:.1f}" '
                           f'y="{bottom + 22}" text-anchor="middle">{escape(label)}</text>')
            out.append("</g>")

    out.append('<g class="overview-chart-legend">')
    x = LEFT
    for verdict, label in series:
        out.append(f'<rect x="{x}" y="{legend_top - 13}" width="16" height="16" '
                   f'fill="{COLOURS.get(verdict, AXIS_COLOUR)}"/>')
        out.append(f'<text x="{x + 22}" y="{legend_top}">{escape(label)}</text>')
        x += 22 + len(label) * FONT_SIZE * EM + 24
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
