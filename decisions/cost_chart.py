"""The cost chart: monthly cost against monthly volume for prompting and fine-tuning, as SVG.

Plain Python with no Django import. The SVG is server-rendered and self-contained: no script, no
style attributes (the CSP forbids them), no fonts from anywhere; presentation attributes make it
print without CSS and `class` attributes are the hooks for site.css. chart_table() gives the same
numbers as rows for the HTML table beside it, for people who cannot see the chart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from html import escape as _html_escape

from decisions.costs import CostEstimate, CostInputs, Price, estimate, format_count, format_money

# Volumes shown by default, as powers of ten (1k to 10B); widened to take in the person's volume
# and the break-even volume, but never past 10^13 (ten times the largest volume one can enter).
DEFAULT_DECADES = (3, 10)
MAX_DECADE = 13
LOWEST_COST_DECADE = -4  # the y axis goes no lower than $0.0001

WIDTH, HEIGHT = 720, 440
LEFT, RIGHT, TOP, BOTTOM = 84, 700, 76, 370
SAMPLES_PER_DECADE = 8

PROMPTING_COLOUR = "#0a58ca"  # blue and orange stay apart for most colour vision; both 3:1+
FINE_TUNED_COLOUR = "#b35c00"
TEXT_COLOUR = "#212529"
AXIS_COLOUR = "#6c757d"
GRID_COLOUR = "#dee2e6"

YOUR_VOLUME = "Your volume"
BREAK_EVEN = "Pays back within a year"


_WIDE = ' stroke-width="3"'
_LEGEND_LABEL = "cost-chart-legend-label"


# XML 1.0 cannot hold C0 controls other than tab and newlines, lone surrogates, U+FFFE or U+FFFF;
# a title typed with one would make the whole SVG unparseable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text made safe for an SVG element or attribute: XML-invalid characters dropped, then
    html.escape'd (quotes included)."""
    return _html_escape(_NOT_XML.sub("", text))


@dataclass(frozen=True)
class ChartRow:
    """One row of the table beside the chart; `notes` says which marked volume it is, if any."""

    volume: int
    prompting_monthly: Decimal
    fine_tuned_monthly: Decimal | None
    notes: tuple[str, ...] = ()

    @property
    def volume_text(self) -> str:
        return f"{self.volume:,}"

    @property
    def prompting_text(self) -> str:
        return format_money(self.prompting_monthly)

    @property
    def fine_tuned_text(self) -> str:
        if self.fine_tuned_monthly is None:
            return "No fine-tuning price"
        return format_money(self.fine_tuned_monthly)

    @property
    def note(self) -> str:
        return "; ".join(self.notes)


@dataclass(frozen=True)
class _Axes:
    """Both axes as powers of ten: x is requests a month, y is US dollars a month."""

    x_lo: int
    x_hi: int
    y_lo: int
    y_hi: int

    def x(self, volume: float) -> float:
        return LEFT + (math.log10(volume) - self.x_lo) / (self.x_hi - self.x_lo) * (RIGHT - LEFT)

    def y(self, cost: float) -> float:
        lowest, highest = 10.0**self.y_lo, 10.0**self.y_hi
        cost = min(max(cost, lowest), highest)  # a cost of 0 sits on the x axis
        return BOTTOM - (math.log10(cost) - self.y_lo) / (self.y_hi - self.y_lo) * (BOTTOM - TOP)


def _digits(volume: int) -> int:
    """floor(log10(volume)) for a positive int, exactly (math.log10 rounds 999,999,999,999,999)."""
    return len(str(volume)) - 1


def _on_chart(volume: int | None) -> bool:
    return volume is not None and 0 < volume <= 10**MAX_DECADE


def _marked_volumes(est: CostEstimate) -> list[int]:
    marked = [est.inputs.monthly_requests, est.break_even_volume]
    return [volume for volume in marked if volume is not None and _on_chart(volume)]


def _volume_decades(est: CostEstimate) -> tuple[int, int]:
    lo, hi = DEFAULT_DECADES
    for volume in _marked_volumes(est):
        # A decade of room on each side: from floor(log10 v) - 1 to ceil(log10 v) + 1.
        exact_power = volume == 10 ** _digits(volume)
        lo = min(lo, _digits(volume) - 1)
        hi = max(hi, _digits(volume) + (1 if exact_power else 2))
    return max(lo, 0), min(hi, MAX_DECADE)


def _axes(est: CostEstimate) -> _Axes:
    x_lo, x_hi = _volume_decades(est)
    # Both lines rise with volume, so the ends of the x axis bound every cost on the chart.
    ends = [float(est.prompting_at(10**x_lo)), float(est.prompting_at(10**x_hi))]
    for volume in (10**x_lo, 10**x_hi):
        fine_tuned = est.fine_tuned_at(volume)
        if fine_tuned is not None:
            ends.append(float(fine_tuned))
    positive = [cost for cost in ends if cost > 0]
    y_lo = LOWEST_COST_DECADE
    if positive:
        y_lo = max(LOWEST_COST_DECADE, math.floor(math.log10(min(positive))))
    y_hi = math.ceil(math.log10(max(ends))) if max(ends) > 0 else y_lo + 1
    return _Axes(x_lo, x_hi, y_lo, max(y_hi, y_lo + 1))


def _ticks(lo: int, hi: int) -> list[int]:
    """Every decade, or every other one when there are many, always including the top one."""
    step = 1 if hi - lo <= 8 else 2
    return sorted(range(hi, lo - 1, -step))


def _money_tick(decade: int) -> str:
    """'$0.01', '$1', '$10', '$1k', '$1M': short labels for the cost axis."""
    if decade < 0:
        return f"${Decimal(1).scaleb(decade):f}"
    return f"${format_count(10**decade)}"


def chart_table(inputs: CostInputs, prompt_price: Price, tune_price: Price) -> list[ChartRow]:
    """The chart's numbers as rows: a few round volumes across the chart, plus the person's volume
    and the break-even volume (each noted), in increasing volume."""
    return table_for(estimate(inputs, prompt_price, tune_price))


def table_for(est: CostEstimate) -> list[ChartRow]:
    """chart_table() for an estimate already made."""
    lo, hi = _volume_decades(est)
    step = 1 if hi - lo <= 5 else 2
    notes: dict[int, list[str]] = {10**decade: [] for decade in range(hi, lo - 1, -step)}
    notes.setdefault(est.inputs.monthly_requests, []).append(YOUR_VOLUME)
    if est.break_even_volume is not None:
        notes.setdefault(est.break_even_volume, []).append(BREAK_EVEN)
    return [
        ChartRow(
            volume=volume,
            prompting_monthly=est.prompting_at(volume),
            fine_tuned_monthly=est.fine_tuned_at(volume),
            notes=tuple(notes[volume]),
        )
        for volume in sorted(notes)
    ]


def describe(est: CostEstimate) -> str:
    """The chart in words, for its <desc>; the table carries the numbers too."""
    lo, hi = _volume_decades(est)
    volume = est.inputs.monthly_requests
    parts = [
        f"Line chart of monthly cost in US dollars against requests a month, both on "
        f"logarithmic scales, from {format_count(10**lo)} to {format_count(10**hi)} requests "
        f"a month. Solid line: prompting {est.prompt_model.name}."
    ]
    if est.fine_tuned_monthly is None:
        parts.append(est.reasons["fine_tuned_monthly"] + " Only prompting is drawn.")
        parts.append(
            f"At your {volume:,} requests a month, prompting costs "
            f"{format_money(est.prompting_monthly)} a month."
        )
    else:
        parts.append(f"Dashed line: fine-tuned {est.tune_model.name}.")
        parts.append(
            f"At your {volume:,} requests a month, prompting costs "
            f"{format_money(est.prompting_monthly)} a month and the fine-tuned model "
            f"{format_money(est.fine_tuned_monthly)}."
        )
    if volume == 0:
        parts.append("Your volume of 0 cannot be shown on a logarithmic scale.")
    if est.break_even_volume is None:
        if est.fine_tuned_monthly is not None:
            parts.append(est.reasons["break_even_volume"])
    elif _on_chart(est.break_even_volume):
        parts.append(
            f"Fine-tuning pays back its one-off cost of {format_money(est.one_off or 0)} "
            f"within a year from {est.break_even_volume:,} requests a month (marked)."
        )
    else:
        parts.append(
            f"Fine-tuning pays back within a year only from {est.break_even_volume:,} requests "
            "a month, beyond the chart."
        )
    if est.price_as_of:
        parts.append(f"Prices as of {est.price_as_of}.")
    return " ".join(parts)


def render_svg(
    inputs: CostInputs,
    prompt_price: Price,
    tune_price: Price,
    *,
    title: str,
    id_prefix: str = "cost-chart",
) -> str:
    """The chart as an inline <svg> element; id_prefix keeps ids unique if a page has two."""
    return svg_for(estimate(inputs, prompt_price, tune_price), title=title, id_prefix=id_prefix)


def svg_for(est: CostEstimate, *, title: str, id_prefix: str = "cost-chart") -> str:
    """render_svg() for an estimate already made."""
    axes = _axes(est)
    prefix = escape(id_prefix)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{prefix}-title {prefix}-desc" class="cost-chart" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="13" '
        f'fill="{TEXT_COLOUR}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(describe(est))}</desc>',
    ]
    out += _grid_and_axes(axes)
    out += _series(est, axes)
    out += _markers(est, axes)
    out += _legend(est)
    out.append("</svg>")
    return "\n".join(out)


def _line(
    x1: float, y1: float, x2: float, y2: float, css: str, stroke: str, extra: str = ""
) -> str:
    return (
        f'<line class="{css}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{stroke}"{extra}/>'
    )


def _text(x: float, y: float, text: str, css: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>'
        f"{escape(text)}</text>"
    )


def _grid_and_axes(axes: _Axes) -> list[str]:
    out = ['<g class="cost-chart-axis cost-chart-axis-x">']
    for decade in _ticks(axes.x_lo, axes.x_hi):
        x = axes.x(10**decade)
        out.append(_line(x, TOP, x, BOTTOM, "cost-chart-grid", GRID_COLOUR))
        out.append(_line(x, BOTTOM, x, BOTTOM + 6, "cost-chart-tick", AXIS_COLOUR))
        out.append(_text(x, BOTTOM + 22, format_count(10**decade), "cost-chart-tick-label"))
    out.append(_line(LEFT, BOTTOM, RIGHT, BOTTOM, "cost-chart-axis-line", AXIS_COLOUR))
    out.append(
        _text(
            (LEFT + RIGHT) / 2, BOTTOM + 52, "Requests a month (log scale)", "cost-chart-axis-title"
        )
    )
    out.append("</g>")
    out.append('<g class="cost-chart-axis cost-chart-axis-y">')
    for decade in _ticks(axes.y_lo, axes.y_hi):
        y = axes.y(10.0**decade)
        out.append(_line(LEFT, y, RIGHT, y, "cost-chart-grid", GRID_COLOUR))
        out.append(_line(LEFT - 6, y, LEFT, y, "cost-chart-tick", AXIS_COLOUR))
        out.append(_text(LEFT - 10, y + 4, _money_tick(decade), "cost-chart-tick-label", "end"))
    out.append(_line(LEFT, TOP, LEFT, BOTTOM, "cost-chart-axis-line", AXIS_COLOUR))
    middle = (TOP + BOTTOM) / 2
    out.append(
        _text(
            20,
            middle,
            "Monthly cost, US dollars (log scale)",
            "cost-chart-axis-title",
            extra=f' transform="rotate(-90 20 {middle:.1f})"',
        )
    )
    out.append("</g>")
    return out


def _samples(axes: _Axes) -> list[float]:
    count = (axes.x_hi - axes.x_lo) * SAMPLES_PER_DECADE
    return [10 ** (axes.x_lo + i / SAMPLES_PER_DECADE) for i in range(count + 1)]


def _polyline(points: list[tuple[float, float]], css: str, stroke: str, extra: str = "") -> str:
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return (
        f'<polyline class="cost-chart-series {css}" points="{coordinates}" fill="none" '
        f'stroke="{stroke}" stroke-width="3" stroke-linejoin="round"{extra}/>'
    )


def _series(est: CostEstimate, axes: _Axes) -> list[str]:
    volumes = _samples(axes)
    prompting = float(est.prompting_per_request)
    out = [
        _polyline(
            [(axes.x(v), axes.y(prompting * v)) for v in volumes],
            "cost-chart-prompting",
            PROMPTING_COLOUR,
        )
    ]
    if est.fine_tuned_per_request is not None and est.hosting_monthly is not None:
        per_request, hosting = float(est.fine_tuned_per_request), float(est.hosting_monthly)
        out.append(
            _polyline(
                [(axes.x(v), axes.y(per_request * v + hosting)) for v in volumes],
                "cost-chart-fine-tuned",
                FINE_TUNED_COLOUR,
                ' stroke-dasharray="10 6"',
            )
        )
    return out


CHAR_WIDTH = 7.5  # a generous average at font-size 13, to keep labels inside the plot
# A white outline under label text keeps it readable where a line runs behind it. "Under" is
# paint-order: stroke, set in site.css: HTML allows no paint-order attribute on inline SVG.
_HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round"'


def _marker_label(x: float, y: float, text: str, other_x: float | None) -> str:
    """A marker's label beside its line: away from the other marker's line when there is room
    on that side, else on whichever side fits inside the plot."""
    width = len(text) * CHAR_WIDTH + 6
    fits_right, fits_left = x + width <= RIGHT, x - width >= LEFT
    if other_x is not None and fits_left and fits_right:
        go_left = other_x > x
    else:
        go_left = not fits_right and (fits_left or x - LEFT > RIGHT - x)
    if go_left:
        return _text(x - 6, y, text, "cost-chart-label", "end", _HALO)
    return _text(x + 6, y, text, "cost-chart-label", "start", _HALO)


def _markers(est: CostEstimate, axes: _Axes) -> list[str]:
    out = []
    volume = est.inputs.monthly_requests
    break_even = est.break_even_volume
    your_x = axes.x(volume) if _on_chart(volume) else None
    break_even_x = axes.x(break_even) if break_even is not None and _on_chart(break_even) else None
    if your_x is not None:
        out.append('<g class="cost-chart-marker cost-chart-your-volume">')
        out.append(_line(your_x, TOP, your_x, BOTTOM, "cost-chart-marker-line", TEXT_COLOUR))
        label = f"{YOUR_VOLUME}: {format_count(volume)}"
        out.append(_marker_label(your_x, TOP + 14, label, break_even_x))
        out.append(_point(your_x, axes.y(float(est.prompting_monthly)), PROMPTING_COLOUR))
        if est.fine_tuned_monthly is not None:
            out.append(_point(your_x, axes.y(float(est.fine_tuned_monthly)), FINE_TUNED_COLOUR))
        out.append("</g>")
    if break_even_x is not None:
        assert break_even is not None
        out.append('<g class="cost-chart-marker cost-chart-break-even">')
        dotted = ' stroke-dasharray="2 4"'
        out.append(
            _line(
                break_even_x,
                TOP,
                break_even_x,
                BOTTOM,
                "cost-chart-marker-line",
                TEXT_COLOUR,
                dotted,
            )
        )
        label = f"{BREAK_EVEN} from {format_count(break_even)}"
        out.append(_marker_label(break_even_x, TOP + 34, label, your_x))
        out.append("</g>")
    return out


def _point(x: float, y: float, colour: str) -> str:
    return f'<circle class="cost-chart-point" cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def _legend(est: CostEstimate) -> list[str]:
    out = ['<g class="cost-chart-legend">']
    out.append(
        _line(LEFT, 26, LEFT + 40, 26, "cost-chart-legend-prompting", PROMPTING_COLOUR, _WIDE)
    )
    out.append(_text(LEFT + 48, 31, f"Prompting {est.prompt_model.name}", _LEGEND_LABEL, "start"))
    if est.fine_tuned_per_request is not None:
        x = LEFT + 320
        dashed = f'{_WIDE} stroke-dasharray="10 6"'
        out.append(
            _line(x, 26, x + 40, 26, "cost-chart-legend-fine-tuned", FINE_TUNED_COLOUR, dashed)
        )
        out.append(_text(x + 48, 31, f"Fine-tuned {est.tune_model.name}", _LEGEND_LABEL, "start"))
    out.append("</g>")
    return out
