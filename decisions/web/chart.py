"""The cost chart: monthly cost against monthly volume for each option of a stored cost panel.

Plain Python with no Django import, reading only the panel() stored with a decision. The SVG is
server-rendered and self-contained: no script, no style attributes (the CSP forbids them);
presentation attributes make it print without CSS and `class` attributes are the hooks for
site.css. table_for() gives the same numbers as rows.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from decisions.domain.fields import MAX_MONTHLY_REQUESTS
from decisions.domain.money import format_count, format_money, format_months
from decisions.web.svg import escape

YOUR_VOLUME = "Your volume"
BREAK_EVEN = "Pays back from here"
# A hybrid running the fine-tuned model beside the prompted one (option H) pays nothing back.
BREAK_EVEN_IF_REPLACED = "Pays back if it replaced prompting"

# Volumes shown when nothing is marked, as powers of ten (1k to 1B); otherwise the marked
# volumes with room either side, never past 10^13 (ten times the largest volume one can enter).
DEFAULT_DECADES = (3, 9)
MIN_DECADES = 4
MAX_DECADE = 13
LOWEST_COST_DECADE = -4  # the cost axis goes no lower than $0.0001
SAMPLES_PER_DECADE = 16

# Near 480 units wide, so that at 375 CSS pixels the text is still 0.78 of its size here.
WIDTH = 480
RIGHT = WIDTH - 28  # room for half the last volume label
PLOT_HEIGHT = 240
FONT_SIZE, LABEL_SIZE = 16, 18
EM, DIGIT_EM = 0.62, 0.64  # generous average character widths, to keep text inside the chart
ROW = 24  # one line of label text

TEXT_COLOUR, AXIS_COLOUR, GRID_COLOUR = "#212529", "#6c757d", "#dee2e6"
# Okabe and Ito's palette, told apart by most colour vision, each 3:1 or more on white; the dash
# patterns tell the lines apart without colour.
STYLES: dict[str, tuple[str, str, str]] = {  # key: (colour, stroke-dasharray, name in words)
    "A": ("#0072B2", "", "Solid"),
    "B": ("#D55E00", "12 6", "Dashed"),
    "C": ("#009E73", "1 7", "Dotted"),
    "H": ("#CC79A7", "14 5 1 5", "Dash-dot"),
}
_TUNED = ("C", "H")  # the options that need a fine-tuned model, and so its one-off cost
_CSS = {"A": "prompted", "B": "small-prompted", "C": "fine-tuned", "H": "hybrid"}
_GRID, _AXIS = f' stroke="{GRID_COLOUR}"', f' stroke="{AXIS_COLOUR}"'
# A white outline under label text keeps it readable where a line runs behind it.
_HALO = ' stroke="#ffffff" stroke-width="5" stroke-linejoin="round"'  # paint-order: site.css

@dataclass(frozen=True)
class ChartRow:
    """One row of the table beside the chart: a volume, each drawn option's monthly cost (in
    headings() order) and `notes` saying which marked volume it is, if any."""

    volume: int
    monthly: tuple[float, ...]
    notes: tuple[str, ...] = ()

    @property
    def volume_text(self) -> str:
        return f"{self.volume:,}"

    @property
    def money_texts(self) -> tuple[str, ...]:
        return tuple(format_money(cost) for cost in self.monthly)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


@dataclass(frozen=True)
class _Line:
    """One option as drawn: monthly(V) = per_request x V + monthly_fixed + spread, the spread
    being the one-off cost over the horizon for the options that need a fine-tuned model."""

    key: str
    label: str
    per_request: float
    monthly_fixed: float
    spread: float
    stored: tuple[int, float] | None  # the panel's own monthly cost at the person's volume

    def monthly(self, volume: int | float) -> float:
        if self.stored is not None and volume == self.stored[0]:
            return self.stored[1] + self.spread
        return self.per_request * volume + self.monthly_fixed + self.spread


def _lines(panel: Mapping) -> list[_Line]:
    one_off, horizon = panel.get("one_off"), panel.get("horizon_months")
    spread = one_off / horizon if one_off and horizon and horizon > 0 else 0.0
    volume = panel.get("volume") or 0
    return [
        _Line(o["key"], o["label"], o["per_request"], o.get("monthly_fixed") or 0.0,
              spread if o["key"] in _TUNED else 0.0,
              (volume, o["monthly"]) if volume > 0 and o.get("monthly") is not None else None)
        for o in sorted(panel["options"], key=lambda option: "ABCH".index(option["key"]))
    ]


def _lower(label: str) -> str:  # "Prompting X" as it reads mid-sentence
    return label[:1].lower() + label[1:]


def _spread_words(panel: Mapping) -> str:
    return f"spread over {format_months(panel.get('horizon_months') or 12)}"


def _legend_label(panel: Mapping, line: _Line) -> str:
    if line.key == "C":
        return f"{line.label}, with its one-off cost {_spread_words(panel)}"
    if line.key == "H":
        return f"{line.label}, with the one-off cost {_spread_words(panel)}"
    if line.key == panel.get("baseline"):
        return f"{line.label} (what fine-tuning must beat)"
    return line.label


def headings(panel: Mapping) -> list[str]:
    """The table's money column headings, one per drawn option, in ChartRow.monthly's order."""
    spread = f", with the one-off cost {_spread_words(panel)}"
    lines = _lines(panel)
    return [f"{line.label}, a month{spread if line.key in _TUNED else ''}" for line in lines]


def _runs_beside(panel: Mapping) -> bool:
    """Whether the panel is a hybrid's that runs the fine-tuned model beside the prompted one."""
    return any(option["key"] == "H" for option in panel["options"])


def _marks(panel: Mapping) -> list[tuple[int, str]]:
    """The marked volumes, each with its label: the person's, then the break-even."""
    break_even = BREAK_EVEN_IF_REPLACED if _runs_beside(panel) else BREAK_EVEN
    marks = ((panel.get("volume"), YOUR_VOLUME), (panel.get("break_even_volume"), break_even))
    return [(volume, label) for volume, label in marks if volume and volume > 0]


def _decades(panel: Mapping) -> tuple[int, int]:
    """The volume axis as powers of ten: two decades either side of the marked volumes."""
    volumes = [volume for volume, _ in _marks(panel)]
    if not volumes:
        return DEFAULT_DECADES
    # len(str(v)) - 1 is floor(log10 v) exactly (math.log10 rounds 999,999,999,999,999).
    lo = max(min(len(str(v)) - 1 for v in volumes) - 2, 0)
    hi = max(len(str(v - 1)) for v in volumes) + 2  # ceil(log10 v) for v > 1
    hi = min(max(hi, lo + MIN_DECADES), MAX_DECADE)
    return min(lo, hi - MIN_DECADES), hi


def table_for(panel: Mapping) -> list[ChartRow]:
    """The chart's numbers as rows: every decade on the chart (every other one when there are
    many) and the marked volumes, each noted, in increasing volume."""
    lo, hi = _decades(panel)
    step = 1 if hi - lo <= 6 else 2
    notes: dict[int, list[str]] = {10**decade: [] for decade in range(hi, lo - 1, -step)}
    for volume, label in _marks(panel):
        notes.setdefault(volume, []).append(label)
    lines = _lines(panel)
    return [
        ChartRow(volume, tuple(line.monthly(volume) for line in lines), tuple(notes[volume]))
        for volume in sorted(notes)
    ]


def describe(panel: Mapping) -> str:
    """The chart in words, for its <desc>; the table carries the numbers too."""
    lo, hi = _decades(panel)
    lines = _lines(panel)
    parts = [
        f"Line chart of monthly cost in US dollars against completions a month, both on "
        f"logarithmic scales, from {format_count(10**lo)} to {format_count(10**hi)}."
    ]
    parts += [f"{STYLES[line.key][2]} line: {_legend_label(panel, line)}." for line in lines]
    if panel.get("unpriced"):
        parts.append(f"{panel['unpriced']} Only {_lower(lines[0].label)} is drawn.")
    volume = panel.get("volume") or 0
    if volume > 0:
        costs = [f"{_lower(line.label)} {format_money(line.monthly(volume))}" for line in lines]
        noun = "completion" if volume == 1 else "completions"
        parts.append(f"At your {volume:,} {noun} a month (marked): {', '.join(costs)}.")
    else:
        parts.append("No volume yet, so none is marked.")
    baseline = next((line for line in lines if line.key == panel.get("baseline")), None)
    break_even = panel.get("break_even_volume")
    if baseline is not None and break_even:
        where = ("would pay back if it replaced prompting (marked); this hybrid runs it beside "
                 "the prompted model, so no volume pays it back" if _runs_beside(panel)
                 else "pays back (marked)")
        parts.append(f"The fine-tuned line crosses {_lower(baseline.label)} at {break_even:,} "
                     f"completions a month, where fine-tuning {where}.")
    elif baseline is not None:
        parts.append(f"No volume up to {MAX_MONTHLY_REQUESTS:,} completions a month pays back "
                     f"fine-tuning against {_lower(baseline.label)}.")
    return " ".join(parts)


@dataclass(frozen=True)
class _Axes:
    """Both axes as powers of ten (completions a month, US dollars a month); the plot's top."""

    x_lo: int
    x_hi: int
    y_lo: int
    y_hi: int
    top: float

    @cached_property  # read for every point drawn: worked out once per chart
    def left(self) -> float:  # room for the widest cost label, "$0.0001" at most
        widest = max(len(_money_tick(decade)) for decade in range(self.y_lo, self.y_hi + 1))
        return 16 + widest * FONT_SIZE * DIGIT_EM

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    def x(self, volume: float) -> float:
        share = (math.log10(volume) - self.x_lo) / (self.x_hi - self.x_lo)
        return self.left + share * (RIGHT - self.left)

    def y(self, cost: float) -> float:
        cost = min(max(cost, 10.0**self.y_lo), 10.0**self.y_hi)  # a cost of 0 sits on the x axis
        share = (math.log10(cost) - self.y_lo) / (self.y_hi - self.y_lo)
        return self.bottom - share * PLOT_HEIGHT


def _axes(panel: Mapping, lines: list[_Line], top: float) -> _Axes:
    x_lo, x_hi = _decades(panel)
    # Every line rises with volume, so the ends of the x axis bound every cost drawn.
    ends = [line.monthly(10.0**x) for line in lines for x in (x_lo, x_hi)]
    positive = [cost for cost in ends if cost > 0]
    if not positive:
        return _Axes(x_lo, x_hi, LOWEST_COST_DECADE, LOWEST_COST_DECADE + 1, top)
    y_lo = max(LOWEST_COST_DECADE, math.floor(math.log10(min(positive))))
    return _Axes(x_lo, x_hi, y_lo, max(math.ceil(math.log10(max(positive))), y_lo + 1), top)


def _ticks(lo: int, hi: int, length: float, gap: float) -> list[int]:
    """Every decade, or every nth when they would crowd, always including the top one."""
    step = max(1, math.ceil((hi - lo) * gap / length))
    return sorted(range(hi, lo - 1, -step))


def _money_tick(decade: int) -> str:
    """'$0.01', '$1', '$10', '$1k', '$1M': short labels for the cost axis."""
    return f"${10.0**decade:.{-decade}f}" if decade < 0 else f"${format_count(10**decade)}"


def svg_for(panel: Mapping, *, title: str, id_prefix: str = "cost-chart") -> str:
    """The chart as an inline <svg> element; id_prefix keeps ids unique if a page has two."""
    lines, marks = _lines(panel), _marks(panel)
    axes = _axes(panel, lines, top=36 + ROW * len(marks) + (8 if marks else 0))
    legend, legend_height = _legend(panel, lines, axes.bottom + 72)
    prefix = escape(id_prefix)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{axes.bottom + 72 + legend_height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'class="cost-chart" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
        f' font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(describe(panel))}</desc>',
        *_grid_and_axes(axes),
        *(_series(line, axes, marks) for line in lines),
        *_markers(lines, axes, marks),
        *legend,
        "</svg>",
    ]
    return "\n".join(out)


def _line(x1: float, y1: float, x2: float, y2: float, css: str, extra: str) -> str:
    return f'<line class="{css}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"{extra}/>'


def _text(x: float, y: float, text: str, css: str, anchor: str = "middle", extra: str = "") -> str:
    return (f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>'
            f"{escape(text)}</text>")


def _grid_and_axes(axes: _Axes) -> list[str]:
    top, bottom, left = axes.top, axes.bottom, axes.left
    out = ['<g class="cost-chart-axis cost-chart-axis-x">']
    for decade in _ticks(axes.x_lo, axes.x_hi, RIGHT - left, 48):
        x = axes.x(10**decade)
        out.append(_line(x, top, x, bottom, "cost-chart-grid", _GRID))
        out.append(_line(x, bottom, x, bottom + 6, "cost-chart-tick", _AXIS))
        out.append(_text(x, bottom + 24, format_count(10**decade), "cost-chart-tick-label"))
    out.append(_line(left, bottom, RIGHT, bottom, "cost-chart-axis-line", _AXIS))
    out.append(_text((left + RIGHT) / 2, bottom + 50, "Completions a month (log scale)",
                     "cost-chart-axis-title", extra=f' font-size="{LABEL_SIZE}"'))
    out += ["</g>", '<g class="cost-chart-axis cost-chart-axis-y">']
    for decade in _ticks(axes.y_lo, axes.y_hi, PLOT_HEIGHT, 28):
        y = axes.y(10.0**decade)
        out.append(_line(left, y, RIGHT, y, "cost-chart-grid", _GRID))
        out.append(_line(left - 6, y, left, y, "cost-chart-tick", _AXIS))
        out.append(_text(left - 10, y + 5, _money_tick(decade), "cost-chart-tick-label", "end"))
    out.append(_line(left, top, left, bottom, "cost-chart-axis-line", _AXIS))
    out.append(_text(8, 24, "Monthly cost, US dollars (log scale)", "cost-chart-axis-title",
                     "start", f' font-size="{LABEL_SIZE}"'))
    out.append("</g>")
    return out


def _stroke(key: str) -> str:
    colour, dashes, _ = STYLES[key]
    dashed = f' stroke-dasharray="{dashes}"' if dashes else ""
    return (f' fill="none" stroke="{colour}" stroke-width="{4 if key == "C" else 3}"'
            f' stroke-linecap="round" stroke-linejoin="round"{dashed}')


def _series(line: _Line, axes: _Axes, marks: list[tuple[int, str]]) -> str:
    count = (axes.x_hi - axes.x_lo) * SAMPLES_PER_DECADE
    volumes = {10 ** (axes.x_lo + i / SAMPLES_PER_DECADE) for i in range(count + 1)}
    # The marked volumes are points of the line, so it meets its markers exactly there.
    volumes |= {volume for volume, _ in marks}
    points = " ".join(f"{axes.x(v):.1f},{axes.y(line.monthly(v)):.1f}" for v in sorted(volumes))
    return (f'<polyline class="cost-chart-series cost-chart-{_CSS[line.key]}" '
            f'data-option="{line.key}" points="{points}"{_stroke(line.key)}/>')


def _covers(start: float, width: float, x: float) -> bool:
    return start - 4 <= x <= start + width + 4  # a label from start, with a margin, covers x


def _label_start(x: float, width: float, other: float | None, avoid: float | None) -> float:
    """Where a marker's label starts: beside its line (away from the other marker's first), else
    over it, inside the chart and clear of the line at `avoid` where it can be."""
    sides = [x + 6, x - 6 - width][:: 1 if other is None or other < x else -1]
    beside_avoid = [] if avoid is None else [avoid + 8, avoid - 8 - width]
    for start in [*sides, x - width / 2, *beside_avoid]:
        inside = start >= 4 and start + width <= WIDTH - 4 and _covers(start, width + 2, x)
        if inside and (avoid is None or not _covers(start, width, avoid)):
            return start
    return max(4.0, min(x - width / 2, WIDTH - 4 - width))


def _label_rows(marks: list[tuple[int, str]], xs: list[float]) -> list[tuple[int, float]]:
    """Each mark's (row, label start). Labels get rows of their own, so they never overlap; the
    upper row's line runs down through the lower row, so the lower label keeps clear of it."""
    widths = [len(f"{label}: {format_count(volume)}") * LABEL_SIZE * EM for volume, label in marks]
    if len(marks) < 2:
        return [(0, _label_start(x, w, None, None)) for x, w in zip(xs, widths, strict=True)]
    other = [xs[1], xs[0]] if abs(xs[0] - xs[1]) > 1 else [None, None]
    below = [_label_start(xs[i], widths[i], other[i], other[i]) for i in (0, 1)]
    clear = [other[i] is None or not _covers(below[i], widths[i], xs[1 - i]) for i in (0, 1)]
    upper = 1 if clear[0] and not clear[1] else 0
    top = _label_start(xs[upper], widths[upper], other[upper], None)
    return [(0, top), (1, below[1])] if upper == 0 else [(1, below[0]), (0, top)]


def _markers(lines: list[_Line], axes: _Axes, marks: list[tuple[int, str]]) -> list[str]:
    """A vertical line at each marked volume, labelled above the plot, with a dot where the
    lines it concerns meet it: every line at the person's volume, fine-tuned at break-even."""
    out = []
    xs = [axes.x(volume) for volume, _ in marks]
    placed = zip(marks, xs, _label_rows(marks, xs), strict=True)
    # Upper row first: its line runs down through the lower row, under the lower label.
    for (volume, label), x, (row, start) in sorted(placed, key=lambda mark: mark[2][0]):
        y = 36 + ROW * row + ROW / 2
        css = "your-volume" if label == YOUR_VOLUME else "break-even"
        dash = "" if label == YOUR_VOLUME else ' stroke-dasharray="6 4"'
        out.append(f'<g class="cost-chart-marker cost-chart-{css}">')
        out.append(_line(x, y + 6, x, axes.bottom, "cost-chart-marker-line",
                         f' stroke="{TEXT_COLOUR}" stroke-width="1.5"{dash}'))
        shown = lines if label == YOUR_VOLUME else [ln for ln in lines if ln.key == "C"]
        for line in shown:
            out.append(f'<circle class="cost-chart-point" cx="{x:.1f}" '
                       f'cy="{axes.y(line.monthly(volume)):.1f}" r="5" '
                       f'fill="{STYLES[line.key][0]}" stroke="#ffffff" stroke-width="1.5"/>')
        out.append(_text(start, y + 6, f"{label}: {format_count(volume)}", "cost-chart-label",
                         "start", f' font-size="{LABEL_SIZE}"{_HALO}'))
        out.append("</g>")
    return out


def _legend(panel: Mapping, lines: list[_Line], top: float) -> tuple[list[str], float]:
    """One entry a line, each with its pattern and colour, wrapped to read at 375 px wide."""
    out, y = ['<g class="cost-chart-legend">'], top
    per_line = int((WIDTH - 8 - 56) / (LABEL_SIZE * EM))
    for line in lines:
        wrapped = textwrap.wrap(_legend_label(panel, line), per_line) or [""]
        out.append(_line(8, y - 6, 48, y - 6, f"cost-chart-legend-{_CSS[line.key]}",
                         _stroke(line.key)))
        spans = "".join(
            f'<tspan x="56" dy="{0 if i == 0 else ROW - 2}">{escape(part)}</tspan>'
            for i, part in enumerate(wrapped)
        )
        out.append(f'<text class="cost-chart-legend-label" x="56" y="{y:.1f}" '
                   f'font-size="{LABEL_SIZE}">{spans}</text>')
        y += (ROW - 2) * len(wrapped) + 10
    out.append("</g>")
    return out, y - top
