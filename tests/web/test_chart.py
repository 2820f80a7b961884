"""The cost chart and its table, drawn from a stored cost panel: what a reader sees in them, the
accessibility hooks, and what the CSP allows.

Pure Python: no database. Panels are made the way a decision stores them, panel(); the SVG is
read as XML and checked for what it says, not how it looks.
"""

import datetime
import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from decisions.domain import costs
from decisions.domain.engine import Answers
from decisions.domain.fields import MAX_MONTHLY_REQUESTS
from decisions.domain.money import format_count, format_money
from decisions.domain.panel import panel
from decisions.web.chart import (
    BREAK_EVEN,
    BREAK_EVEN_IF_REPLACED,
    EM,
    LABEL_SIZE,
    STYLES,
    WIDTH,
    YOUR_VOLUME,
    describe,
    headings,
    svg_for,
    table_for,
)
from tests.helpers import FINE_TUNING_ANSWERS

SVG = "{http://www.w3.org/2000/svg}"
TODAY = datetime.date(2026, 11, 30)
TITLE = "Monthly cost of prompting and fine-tuning"

GEMINI_PRO = costs.Price(
    name="gemini-2.5-pro", provider="Google", input_per_m="1.25", output_per_m="10.00",
    as_of="2026-11-01",
)
GEMINI_FLASH = costs.Price(
    name="gemini-2.5-flash", provider="Google", input_per_m="0.30", output_per_m="2.50",
    ft_input_per_m="0.30", ft_output_per_m="2.50", training_per_m="5.00", fine_tuning="open",
    as_of="2026-11-01",
)
# The fine-tuned model costs more a request than prompting the large one: it never pays back.
GEMINI_PRO_TUNABLE = costs.Price(
    **{**GEMINI_PRO.as_dict(), "ft_input_per_m": 5, "ft_output_per_m": 40, "training_per_m": 25,
       "fine_tuning": "open"}
)


# Fine-tuning closes in about six months, so the one-off cost is spread over fewer than 12.
RETIRING_FLASH = costs.Price(**{**GEMINI_FLASH.as_dict(), "retires_on": "2027-05-30"})


def make_panel(
    volume: int = 2_000_000,
    *,
    tune: costs.Price = GEMINI_FLASH,
    recommendation: str = "fine_tuning",
    **answers: object,
) -> dict:
    person = Answers(**{
        **FINE_TUNING_ANSWERS, "monthly_requests": volume, "labeled_examples": 1000,
        "domain_language": True, "small_model": "falls_short", **answers,
    })
    est = costs.estimate(person, costs.CostInputs(), GEMINI_PRO, tune, today=TODAY)
    return panel(est, recommendation)


def hybrid_panel() -> dict:
    """A hybrid verdict: its panel has a fourth option, H, the two models it runs."""
    return make_panel(reasoning="complex", small_model="not_tried", recommendation="hybrid")


def tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output, not untrusted input


def by_class(root: ET.Element, css: str) -> list[ET.Element]:
    return [el for el in root.iter() if css in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def series(root: ET.Element) -> dict[str, list[tuple[float, float]]]:
    """Each drawn line's points, by option key."""
    return {
        line.get("data-option"): [
            tuple(float(n) for n in point.split(",")) for point in line.get("points").split()
        ]
        for line in by_class(root, "cost-chart-series")
    }


def column(panel: dict, key: str) -> int:
    return [option["key"] for option in panel["options"]].index(key)


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


# --- What the chart draws ---


def test_draws_prompting_both_models_and_the_fine_tuned_model():
    root = tree(svg_for(make_panel(), title=TITLE))

    assert sorted(series(root)) == ["A", "B", "C"]


def test_draws_the_hybrid_as_a_fourth_line_when_the_panel_has_it():
    panel = hybrid_panel()

    assert sorted(series(tree(svg_for(panel, title=TITLE)))) == ["A", "B", "C", "H"]
    assert len(headings(panel)) == 4
    assert all(len(row.money_texts) == 4 for row in table_for(panel))


def test_fine_tuned_line_crosses_the_baseline_at_the_break_even_volume():
    panel = make_panel()
    break_even = panel["break_even_volume"]
    baseline, tuned = column(panel, panel["baseline"]), column(panel, "C")

    rows = table_for(panel)
    below = [row for row in rows if row.volume < break_even]
    at = next(row for row in rows if row.volume == break_even)
    above = [row for row in rows if row.volume > break_even]

    assert below and above
    assert all(row.monthly[tuned] > row.monthly[baseline] for row in below)
    assert abs(at.monthly[tuned] - at.monthly[baseline]) < 0.01
    assert at.money_texts[tuned] == at.money_texts[baseline]
    assert all(row.monthly[tuned] < row.monthly[baseline] for row in above)


def test_crossing_follows_the_baseline_the_decision_used():
    # The small model would do without training: fine-tuning must beat prompting it (B).
    panel = make_panel(small_model="not_tried")
    assert panel["baseline"] == "B"
    at = next(row for row in table_for(panel) if row.volume == panel["break_even_volume"])

    assert abs(at.monthly[column(panel, "C")] - at.monthly[column(panel, "B")]) < 0.01


def test_lines_meet_at_the_pays_back_marker():
    panel = make_panel()
    root = tree(svg_for(panel, title=TITLE))
    marker = by_class(root, "cost-chart-break-even")[0].find(f"{SVG}line")
    x = float(marker.get("x1"))
    lines = series(root)

    def y_at(key: str) -> float:
        return next(y for px, y in lines[key] if abs(px - x) < 0.05)

    assert abs(y_at("C") - y_at(panel["baseline"])) < 0.5


def test_fine_tuned_line_includes_the_one_off_cost_spread_over_the_horizon():
    panel = make_panel()
    option = panel["options"][column(panel, "C")]
    row = table_for(panel)[0]
    spread = panel["one_off"] / 12

    expected = option["per_request"] * row.volume + option["monthly_fixed"] + spread
    assert abs(row.monthly[column(panel, "C")] - expected) < 1e-6


def test_legend_and_headings_say_the_one_off_cost_is_spread_over_12_months():
    panel = make_panel()
    legend = by_class(tree(svg_for(panel, title=TITLE)), "cost-chart-legend")[0]
    wrapped = " ".join(span.text for span in legend.iter(f"{SVG}tspan"))

    assert "Fine-tuned gemini-2.5-flash, with its one-off cost spread over 12 months" in wrapped
    assert headings(panel) == [
        "Prompting gemini-2.5-pro, a month",
        "Prompting gemini-2.5-flash, a month",
        "Fine-tuned gemini-2.5-flash, a month, with the one-off cost spread over 12 months",
    ]


def test_a_retiring_model_spreads_the_one_off_cost_over_the_months_left():
    panel = make_panel(tune=RETIRING_FLASH)
    months = panel["horizon_months"]
    assert months < 12

    heading = headings(panel)[column(panel, "C")]
    assert heading.endswith(f"spread over {costs.format_months(months)}")
    row = table_for(panel)[0]
    option = panel["options"][column(panel, "C")]
    spread = panel["one_off"] / months
    expected = option["per_request"] * row.volume + option["monthly_fixed"] + spread
    assert abs(row.monthly[column(panel, "C")] - expected) < 1e-6


# --- Marked volumes ---


def test_marks_your_volume_and_where_fine_tuning_pays_back():
    root = tree(svg_for(make_panel(), title=TITLE))

    (yours,) = by_class(root, "cost-chart-your-volume")
    (pays_back,) = by_class(root, "cost-chart-break-even")
    assert texts(yours) == [f"{YOUR_VOLUME}: 2M"]
    assert texts(pays_back) == [f"{BREAK_EVEN}: 161k"]


def test_a_hybrid_marks_where_fine_tuning_would_pay_back_only_if_it_replaced_prompting():
    # The panel says no volume pays back a fine-tuned model run beside the prompted one: the
    # chart, its table and its description must not say it pays back from the break-even.
    panel = hybrid_panel()
    assert panel["break_even_volume"]
    root = tree(svg_for(panel, title=TITLE))

    (mark,) = by_class(root, "cost-chart-break-even")
    assert texts(mark) == [f"{BREAK_EVEN_IF_REPLACED}: {format_count(panel['break_even_volume'])}"]
    notes = {row.volume: row.note for row in table_for(panel)}
    assert notes[panel["break_even_volume"]] == BREAK_EVEN_IF_REPLACED
    words = describe(panel)
    assert "would pay back if it replaced prompting" in words
    assert "so no volume pays it back" in words
    assert "where fine-tuning pays back" not in words
    # The longer label still fits inside the chart, beside the other marker's.
    assert all(left >= 0 and right <= WIDTH for left, right, _, _ in marker_labels(root))


def test_no_volume_draws_every_line_and_marks_no_volume():
    panel = make_panel(0)
    root = tree(svg_for(panel, title=TITLE))

    assert sorted(series(root)) == ["A", "B", "C"]
    assert by_class(root, "cost-chart-your-volume") == []
    assert by_class(root, "cost-chart-break-even")
    assert all(YOUR_VOLUME not in row.notes for row in table_for(panel))
    assert "No volume yet" in describe(panel)


def test_no_break_even_marks_only_your_volume():
    panel = make_panel(labeled_examples=1000, tune=GEMINI_PRO_TUNABLE)
    assert panel["break_even_volume"] is None
    root = tree(svg_for(panel, title=TITLE))

    assert by_class(root, "cost-chart-break-even") == []
    assert by_class(root, "cost-chart-your-volume")
    assert f"No volume up to {MAX_MONTHLY_REQUESTS:,}" in describe(panel)


def test_unpriced_fine_tuning_draws_prompting_alone():
    panel = make_panel(tune=GEMINI_PRO)  # no fine-tuning price
    assert panel["unpriced"]
    root = tree(svg_for(panel, title=TITLE))

    assert list(series(root)) == ["A"]
    assert by_class(root, "cost-chart-break-even") == []
    assert by_class(root, "cost-chart-your-volume")
    assert headings(panel) == ["Prompting gemini-2.5-pro, a month"]
    assert all(len(row.money_texts) == 1 for row in table_for(panel))
    assert panel["unpriced"] in describe(panel)


def marker_labels(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Each marker label's (left, right, baseline y, its line's x), widths as the chart
    estimates them."""
    out = []
    for group in by_class(root, "cost-chart-marker"):
        label, line = group.find(f"{SVG}text"), group.find(f"{SVG}line")
        left = float(label.get("x"))
        right = left + len(label.text) * LABEL_SIZE * EM
        out.append((left, right, float(label.get("y")), float(line.get("x1"))))
    return out


def test_marker_labels_sit_in_rows_of_their_own_inside_the_chart():
    # Your volume just past the break-even: their lines nearly touch.
    root = tree(svg_for(make_panel(170_000), title=TITLE))
    labels = marker_labels(root)

    assert len(labels) == 2
    assert labels[0][2] != labels[1][2]
    for left, right, _, _ in labels:
        assert left >= 0 and right <= WIDTH


def test_neither_marker_line_runs_through_the_other_label():
    for volume in (2_000_000, 170_000, 150_000, 2_500, 10**12):
        root = tree(svg_for(make_panel(volume), title=TITLE))
        upper, lower = sorted(marker_labels(root), key=lambda label: label[2])
        # The upper label's line runs down past the lower label; the lower line starts below it.
        assert not lower[0] - 4 <= upper[3] <= lower[1] + 4, volume


# --- The table ---


def test_table_has_your_volume_row_with_the_stored_figures():
    panel = make_panel()
    (row,) = [row for row in table_for(panel) if row.volume == 2_000_000]

    assert row.volume_text == "2,000,000"
    assert row.note == YOUR_VOLUME
    a, b, c = panel["options"]
    assert row.money_texts[:2] == (format_money(a["monthly"]), format_money(b["monthly"]))
    assert row.money_texts[2] == format_money(c["monthly"] + panel["one_off"] / 12)


def test_table_is_sorted_with_decades_and_the_marked_volumes():
    panel = make_panel()
    volumes = [row.volume for row in table_for(panel)]

    assert volumes == sorted(volumes)
    assert {10**3, 10**6, panel["break_even_volume"], 2_000_000} <= set(volumes)
    notes = {row.volume: row.note for row in table_for(panel)}
    assert notes[panel["break_even_volume"]] == BREAK_EVEN
    assert notes[10**6] == ""


def test_one_row_notes_both_when_your_volume_is_the_break_even():
    break_even = make_panel()["break_even_volume"]
    rows = [row for row in table_for(make_panel(break_even)) if row.volume == break_even]

    assert [row.note for row in rows] == [f"{YOUR_VOLUME}; {BREAK_EVEN}"]


# --- Accessibility and the CSP ---


def test_svg_is_xml_labelled_by_its_title_and_description():
    panel = make_panel()
    root = tree(svg_for(panel, title=TITLE, id_prefix="chart-2"))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-2-title chart-2-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-2-title"
    assert root.find(f"{SVG}title").text == TITLE
    assert root.find(f"{SVG}desc").text == describe(panel)


def test_description_gives_your_costs_and_the_crossing():
    panel = make_panel()
    words = describe(panel)

    assert "At your 2,000,000 completions a month (marked)" in words
    assert "prompting gemini-2.5-pro $11,000" in words
    assert "crosses prompting gemini-2.5-pro at 160,960 completions a month" in words
    assert "Dotted line: Fine-tuned gemini-2.5-flash, with its one-off cost spread" in words


def test_hostile_title_is_escaped():
    title = '</title><script>alert("x")</script>\x00 & more'
    markup = svg_for(make_panel(), title=title)

    assert "<script" not in markup
    assert tree(markup).find(f"{SVG}title").text == '</title><script>alert("x")</script> & more'


def test_no_style_attributes_script_or_event_handlers():
    root = tree(svg_for(hybrid_panel(), title=TITLE))

    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)


def test_lines_differ_in_pattern_and_colour_with_3_to_1_contrast_on_white():
    patterns = {dashes for _, dashes, _ in STYLES.values()}
    colours = {colour for colour, _, _ in STYLES.values()}

    assert len(patterns) == len(colours) == len(STYLES) == 4
    for colour in colours:
        assert 1.05 / (relative_luminance(colour) + 0.05) >= 3
    root = tree(svg_for(hybrid_panel(), title=TITLE))
    drawn = {line.get("stroke-dasharray") for line in by_class(root, "cost-chart-series")}
    assert len(drawn) == 4


def test_text_stays_readable_at_375_px_wide():
    root = tree(svg_for(make_panel(), title=TITLE))
    width = float(root.get("viewBox").split()[2])
    scale = 375 / width

    for element in root.iter(f"{SVG}text"):
        size = float(element.get("font-size") or root.get("font-size"))
        assert size * scale >= 12, element.text


def test_legend_lines_fit_the_width():
    panel = hybrid_panel()
    root = tree(svg_for(panel, title=TITLE))

    for span in root.iter(f"{SVG}tspan"):
        assert float(span.get("x")) + len(span.text) * LABEL_SIZE * EM <= WIDTH, span.text


@settings(max_examples=40, deadline=None)
@given(
    volume=st.integers(0, MAX_MONTHLY_REQUESTS),
    examples=st.integers(0, 100_000),
    small_model=st.sampled_from(["falls_short", "not_tried"]),
)
def test_any_panel_gives_parseable_svg_and_a_sorted_table(volume, examples, small_model):
    panel = make_panel(volume, labeled_examples=examples, small_model=small_model)

    root = tree(svg_for(panel, title=TITLE))
    rows = table_for(panel)
    assert [row.volume for row in rows] == sorted({row.volume for row in rows})
    assert (YOUR_VOLUME in {note for row in rows for note in row.notes}) == (volume > 0)
    assert bool(by_class(root, "cost-chart-your-volume")) == (volume > 0)
    for _, points in series(root).items():
        assert all(re.fullmatch(r"-?\d+\.\d", f"{x:.1f}") for x, _ in points)
