"""The cost chart's SVG and its table: content, accessibility hooks and what the CSP allows.

Pure Python: no database. Tests read the SVG as XML and check what it says, not how it looks.
"""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from decisions.cost_chart import (
    BREAK_EVEN,
    HEIGHT,
    WIDTH,
    YOUR_VOLUME,
    chart_table,
    render_svg,
)
from decisions.costs import CostInputs, Price, estimate

SVG = "{http://www.w3.org/2000/svg}"

GPT_41 = Price(
    name="gpt-4.1",
    provider="OpenAI",
    input_per_m="2.00",
    output_per_m="8.00",
    ft_input_per_m="3.00",
    ft_output_per_m="12.00",
    training_per_m="25.00",
    as_of="2025-06-01",
)
GPT_41_MINI = Price(
    name="gpt-4.1-mini",
    provider="OpenAI",
    input_per_m="0.40",
    output_per_m="1.60",
    ft_input_per_m="0.80",
    ft_output_per_m="3.20",
    training_per_m="5.00",
    as_of="2025-06-01",
)
NO_FINE_TUNING = Price(name="o3", provider="OpenAI", input_per_m="2.00", output_per_m="8.00")
TITLE = "Monthly cost of prompting and fine-tuning"


def inputs(**changes: object) -> CostInputs:
    return CostInputs(
        **{
            "monthly_requests": 1_000_000,
            "prompt_tokens": 1500,
            "labeled_examples": 1000,
            **changes,
        }
    )


def svg(cost_inputs: CostInputs | None = None, tune: Price = GPT_41_MINI, **kwargs) -> str:
    return render_svg(
        cost_inputs or inputs(), GPT_41, tune, title=kwargs.pop("title", TITLE), **kwargs
    )


def tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output, not untrusted input


def by_class(root: ET.Element, css: str) -> list[ET.Element]:
    return [el for el in root.iter() if css in el.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


# --- Accessibility and the CSP ---


def test_chart_is_valid_svg_xml():
    root = tree(svg())
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    assert root.get("width") == "100%"


def test_chart_is_an_image_labelled_by_its_title_and_description():
    root = tree(svg())
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert title.tag == f"{SVG}title"
    assert desc.tag == f"{SVG}desc"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == TITLE


def test_id_prefix_keeps_two_charts_apart():
    root = tree(svg(id_prefix="second-chart"))
    assert root.get("aria-labelledby") == "second-chart-title second-chart-desc"
    assert root[0].get("id") == "second-chart-title"


def test_chart_has_no_script_no_style_and_nothing_from_elsewhere():
    markup = svg()
    assert "<script" not in markup
    assert "style=" not in markup
    assert "<style" not in markup
    assert "href" not in markup
    assert "@import" not in markup


def test_title_and_model_names_are_escaped():
    sneaky = Price(**{**GPT_41_MINI.as_dict(), "name": '<script>alert("x")</script>'})
    markup = svg(tune=sneaky, title="Costs <b>&</b>")
    root = tree(markup)
    assert "<script" not in markup
    assert root[0].text == "Costs <b>&</b>"
    assert 'Fine-tuned <script>alert("x")</script>' in texts(root)


def test_characters_xml_cannot_hold_are_dropped():
    root = tree(svg(title="Costs\x00\x1f\ufffe for Q3\tand Q4"))
    assert root[0].text == "Costs for Q3\tand Q4"


def test_description_says_what_the_chart_shows():
    desc = tree(svg())[1].text
    assert "logarithmic scales, from 1k to 10B requests a month" in desc
    assert "Solid line: prompting gpt-4.1." in desc
    assert "Dashed line: fine-tuned gpt-4.1-mini." in desc
    assert "At your 1,000,000 requests a month, prompting costs $6,400 a month" in desc
    assert "the fine-tuned model $1,360" in desc
    assert "within a year from 132,474 requests a month (marked)" in desc
    assert "Prices as of 2025-06-01." in desc


# --- Series, markers, axes, legend ---


def test_both_approaches_are_drawn_one_solid_one_dashed():
    root = tree(svg())
    (prompting,) = by_class(root, "cost-chart-prompting")
    (fine_tuned,) = by_class(root, "cost-chart-fine-tuned")
    assert prompting.tag == fine_tuned.tag == f"{SVG}polyline"
    assert prompting.get("stroke-dasharray") is None
    assert fine_tuned.get("stroke-dasharray")
    assert prompting.get("stroke") != fine_tuned.get("stroke")
    assert prompting.get("fill") == fine_tuned.get("fill") == "none"


def test_prompting_line_rises_from_left_to_right():
    (prompting,) = by_class(tree(svg()), "cost-chart-prompting")
    points = [tuple(map(float, pair.split(","))) for pair in prompting.get("points").split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # SVG's y grows downward


def test_your_volume_and_break_even_are_marked_and_labelled():
    root = tree(svg())
    (yours,) = by_class(root, "cost-chart-your-volume")
    (break_even,) = by_class(root, "cost-chart-break-even")
    assert f"{YOUR_VOLUME}: 1M" in texts(yours)
    assert f"{BREAK_EVEN} from 132k" in texts(break_even)
    marker_x = float(yours.find(f"{SVG}line").get("x1"))
    break_even_x = float(break_even.find(f"{SVG}line").get("x1"))
    assert break_even_x < marker_x  # 132k is left of 1M


def test_axes_have_titles_and_readable_tick_labels():
    labels = texts(tree(svg()))
    assert "Requests a month (log scale)" in labels
    assert "Monthly cost, US dollars (log scale)" in labels
    for tick in ("1k", "10k", "1M", "10B", "$1", "$10", "$1k", "$1M"):
        assert tick in labels


def test_legend_names_both_approaches():
    (legend,) = by_class(tree(svg()), "cost-chart-legend")
    assert texts(legend) == ["Prompting gpt-4.1", "Fine-tuned gpt-4.1-mini"]
    dashes = [line.get("stroke-dasharray") for line in legend.iter(f"{SVG}line")]
    assert dashes == [None, "10 6"]


def test_chart_has_presentation_attributes_to_print_without_css():
    root = tree(svg())
    for line in root.iter(f"{SVG}line"):
        assert line.get("stroke")
    assert root.get("font-family")
    assert root.get("fill")


def test_rendering_is_deterministic():
    assert svg() == svg()


def test_axis_widens_to_take_in_a_very_large_volume():
    labels = texts(tree(svg(inputs(monthly_requests=10**12))))
    assert "10T" in labels
    assert f"{YOUR_VOLUME}: 1T" in labels


def test_axis_widens_to_take_in_a_small_volume():
    labels = texts(tree(svg(inputs(monthly_requests=50))))
    assert "1" in labels
    assert f"{YOUR_VOLUME}: 50" in labels


# --- Paths where something is missing ---


def test_without_fine_tuning_only_prompting_is_drawn():
    root = tree(svg(tune=NO_FINE_TUNING))
    assert by_class(root, "cost-chart-prompting")
    assert not by_class(root, "cost-chart-fine-tuned")
    assert not by_class(root, "cost-chart-break-even")
    assert texts(by_class(root, "cost-chart-legend")[0]) == ["Prompting gpt-4.1"]
    assert "OpenAI has no fine-tuning price for o3" in root[1].text
    assert "Only prompting is drawn." in root[1].text


def test_zero_volume_is_described_not_marked():
    root = tree(svg(inputs(monthly_requests=0)))
    assert not by_class(root, "cost-chart-your-volume")
    assert "Your volume of 0 cannot be shown on a logarithmic scale." in root[1].text


def test_break_even_beyond_the_chart_is_described_not_marked():
    # One input token, no prompt, no output: prompting costs $1/M a request, fine-tuned
    # $0.999999/M, so each request saves $0.000000000001 and paying back $8,000 in a year takes
    # about 6.7 x 10^14 requests a month, past the chart's 10^13.
    prompt = Price(name="base", input_per_m="1", output_per_m="1")
    tune = Price(
        name="tuned",
        input_per_m="1",
        output_per_m="1",
        ft_input_per_m="0.999999",
        ft_output_per_m="1",
        training_per_m="1",
    )
    cost_inputs = inputs(prompt_tokens=0, input_tokens=1, output_tokens=0, labeled_examples=0)
    root = tree(render_svg(cost_inputs, prompt, tune, title=TITLE))
    assert not by_class(root, "cost-chart-break-even")
    assert "only from 666,666,666,666,667 requests a month, beyond the chart" in root[1].text


def test_fine_tuning_that_never_pays_back_says_why():
    cost_inputs = inputs(prompt_tokens=0)
    desc = tree(render_svg(cost_inputs, GPT_41_MINI, GPT_41, title=TITLE))[1].text
    assert "so no volume pays back" in desc


# --- Every chart stays inside its frame ---

prices = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def price_sheets(draw) -> Price:
    fine_tuning = draw(st.booleans())
    return Price(
        name=draw(st.text(max_size=30)),
        input_per_m=draw(prices),
        output_per_m=draw(prices),
        ft_input_per_m=draw(prices) if fine_tuning else None,
        ft_output_per_m=draw(prices) if fine_tuning else None,
        training_per_m=draw(prices) if fine_tuning else None,
        hosting_per_hour=draw(st.decimals(min_value=0, max_value=50, places=2)),
    )


cost_inputs = st.builds(
    CostInputs,
    monthly_requests=st.integers(0, 10**12),
    prompt_tokens=st.integers(0, 2_000_000),
    labeled_examples=st.integers(0, 10**9),
    input_tokens=st.integers(0, 2_000_000),
    output_tokens=st.integers(0, 2_000_000),
)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


# Titles without control characters, which test_characters_xml_cannot_hold_are_dropped covers.
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=50)


@given(cost_inputs, price_sheets(), price_sheets(), printable)
def test_any_chart_is_valid_and_inside_its_view_box(cost_inputs_, prompt, tune, title):
    markup = render_svg(cost_inputs_, prompt, tune, title=title)
    root = tree(markup)
    assert root[0].text == (title or None)
    assert "style=" not in markup
    for element in root.iter():
        for name in ("x", "x1", "x2", "cx"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= WIDTH
        for name in ("y", "y1", "y2", "cy"):
            if element.get(name) is not None:
                assert 0 <= float(element.get(name)) <= HEIGHT
        if element.get("points"):
            numbers = [float(n) for n in NUMBER.findall(element.get("points"))]
            assert all(0 <= n <= max(WIDTH, HEIGHT) for n in numbers)


# --- The table beside the chart ---


def test_table_rows_rise_in_volume_and_note_the_marked_volumes():
    rows = chart_table(inputs(), GPT_41, GPT_41_MINI)
    assert [row.volume for row in rows] == [10_000, 132_474, 1_000_000, 10**8, 10**10]
    assert [row.note for row in rows] == ["", BREAK_EVEN, YOUR_VOLUME, "", ""]


def test_table_numbers_are_the_estimates():
    # At 10^8 requests: prompting 10^8 x $0.0064 = $640,000; fine-tuned 10^8 x $0.00136 = $136,000.
    row = next(row for row in chart_table(inputs(), GPT_41, GPT_41_MINI) if row.volume == 10**8)
    assert row.prompting_monthly == Decimal("640000")
    assert row.fine_tuned_monthly == Decimal("136000")
    assert (row.volume_text, row.prompting_text, row.fine_tuned_text) == (
        "100,000,000",
        "$640,000",
        "$136,000",
    )


def test_table_your_volume_row_matches_the_estimate():
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    rows = chart_table(inputs(), GPT_41, GPT_41_MINI)
    (yours,) = [row for row in rows if YOUR_VOLUME in row.notes]
    assert yours.prompting_monthly == est.prompting_monthly
    assert yours.fine_tuned_monthly == est.fine_tuned_monthly


def test_table_notes_both_when_your_volume_is_the_break_even():
    rows = chart_table(inputs(monthly_requests=132_474), GPT_41, GPT_41_MINI)
    (row,) = [row for row in rows if row.volume == 132_474]
    assert row.note == f"{YOUR_VOLUME}; {BREAK_EVEN}"


def test_table_without_fine_tuning_says_so():
    rows = chart_table(inputs(), GPT_41, NO_FINE_TUNING)
    assert 4 <= len(rows) <= 8
    assert all(row.fine_tuned_monthly is None for row in rows)
    assert {row.fine_tuned_text for row in rows} == {"No fine-tuning price"}


@given(cost_inputs, price_sheets(), price_sheets())
def test_table_has_a_handful_of_rows_including_your_volume(cost_inputs_, prompt, tune):
    rows = chart_table(cost_inputs_, prompt, tune)
    assert 4 <= len(rows) <= 10
    assert [row.volume for row in rows] == sorted({row.volume for row in rows})
    assert cost_inputs_.monthly_requests in [row.volume for row in rows if YOUR_VOLUME in row.notes]
