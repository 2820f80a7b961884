"""The cost estimate: hand-computed examples, properties, missing prices, validation and wording.

Pure Python: no database, no Django. Prices are OpenAI's, per million tokens, as seeded.
"""

import datetime
import json
from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from decisions.costs import (
    COST_DETAIL_DEFAULTS,
    COST_FIELDS,
    CostInputs,
    InvalidCostInputs,
    Price,
    estimate,
    format_count,
    format_money,
    format_months,
)
from decisions.engine import NON_FIELD_ERRORS

GPT_41 = Price(
    name="gpt-4.1",
    provider="OpenAI",
    input_per_m="2.00",
    output_per_m="8.00",
    ft_input_per_m="3.00",
    ft_output_per_m="12.00",
    training_per_m="25.00",
    as_of="2025-06-01",
    source_url="https://openai.com/api/pricing/",
)
GPT_41_MINI = Price(
    name="gpt-4.1-mini",
    provider="OpenAI",
    input_per_m="0.40",
    output_per_m="1.60",
    ft_input_per_m="0.80",
    ft_output_per_m="3.20",
    training_per_m="5.00",
    as_of="2025-05-15",
)
EXACT = Context(prec=80)  # enough digits that the checks below are exact
NO_FINE_TUNING = Price(name="o3", provider="OpenAI", input_per_m="2.00", output_per_m="8.00")


def inputs(**changes: object) -> CostInputs:
    return CostInputs(
        **{
            "monthly_requests": 1_000_000,
            "prompt_tokens": 1500,
            "labeled_examples": 1000,
            **changes,
        }
    )


def hosted(price: Price, per_hour: str) -> Price:
    return Price(**{**price.as_dict(), "hosting_per_hour": per_hour})


# --- Hand-computed examples ---


def test_prompting_cost_is_prompt_and_input_in_plus_output_out_at_base_prices():
    # 1,000,000 requests x (1500 prompt + 500 input) tokens x $2/M = $4,000 in
    # 1,000,000 requests x 300 output tokens x $8/M = $2,400 out; $6,400 a month.
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    assert est.prompting_per_request == Decimal("0.0064")
    assert est.prompting_monthly == Decimal("6400")


def test_fine_tuned_cost_drops_the_prompt_and_uses_fine_tuned_prices():
    # 1,000,000 x 500 input tokens x $0.80/M = $400; 1,000,000 x 300 x $3.20/M = $960; $1,360.
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    assert est.fine_tuned_per_request == Decimal("0.00136")
    assert est.fine_tuned_monthly == Decimal("1360")
    assert est.hosting_monthly == 0


def test_one_off_is_training_tokens_times_epochs_plus_engineering():
    # 1,000 examples x (500 + 300) tokens x 3 epochs = 2,400,000 tokens x $5/M = $12 training;
    # 10 days x $800 = $8,000 engineering; $8,012 once.
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    assert est.training_cost == Decimal("12")
    assert est.engineering_cost == Decimal("8000")
    assert est.one_off == Decimal("8012")


def test_saving_and_months_to_break_even():
    # $6,400 - $1,360 = $5,040 a month; $8,012 / $5,040 = 1.5897 months.
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    assert est.monthly_saving == Decimal("5040")
    assert est.per_request_saving == Decimal("0.00504")
    assert round(est.break_even_months, 4) == Decimal("1.5897")


def test_break_even_volume_pays_back_the_one_off_in_a_year():
    # 12 x V x $0.00504 = $8,012, so V = 8,012 / 0.06048 = 132,473.5...; whole requests: 132,474.
    est = estimate(inputs(), GPT_41, GPT_41_MINI)
    assert est.break_even_volume == 132_474


def test_fine_tuning_the_same_model_still_saves_the_prompt():
    # Prompting gpt-4.1: $6,400 as above. Fine-tuned gpt-4.1: 1M x 500 x $3/M = $1,500
    # + 1M x 300 x $12/M = $3,600 = $5,100. Saving $1,300. Training 2,400,000 x $25/M = $60,
    # one-off $8,060; 8,060 / 1,300 = 6.2 months.
    est = estimate(inputs(), GPT_41, GPT_41)
    assert est.fine_tuned_monthly == Decimal("5100")
    assert est.monthly_saving == Decimal("1300")
    assert est.one_off == Decimal("8060")
    assert est.break_even_months == Decimal("6.2")


def test_hosting_is_charged_for_730_hours_a_month():
    # $2/hour x 730 hours = $1,460 a month on top of the $1,360 of tokens: $2,820.
    est = estimate(inputs(), GPT_41, hosted(GPT_41_MINI, "2"))
    assert est.hosting_monthly == Decimal("1460")
    assert est.fine_tuned_monthly == Decimal("2820")
    # Break-even: 12 x (V x 0.00504 - 1,460) = 8,012, so V = (8,012 + 17,520) / 0.06048
    # = 422,156.08...; whole requests: 422,157.
    assert est.break_even_volume == 422_157


def test_cost_details_change_the_estimate():
    # 2,000 input + 1,000 output tokens, 5 epochs, 20 days at $1,000, 10,000 examples:
    # prompting: 10,000 requests x 3,500 x $2/M = $70 + 10,000 x 1,000 x $8/M = $80 = $150.
    # training: 10,000 x 3,000 x 5 = 150,000,000 tokens x $5/M = $750; + $20,000 engineering.
    est = estimate(
        inputs(
            monthly_requests=10_000,
            labeled_examples=10_000,
            input_tokens=2000,
            output_tokens=1000,
            epochs=5,
            engineering_days=20,
            day_rate=1000,
        ),
        GPT_41,
        GPT_41_MINI,
    )
    assert est.prompting_monthly == Decimal("150")
    assert est.training_cost == Decimal("750")
    assert est.one_off == Decimal("20750")


def test_float_prices_are_exact():
    price = Price(name="m", input_per_m=0.8, output_per_m=3.2)
    assert price.input_per_m == Decimal("0.8")
    assert price.output_per_m == Decimal("3.2")


def test_largest_volume_keeps_every_cent():
    # 10^12 requests x 2,000 tokens x $2/M = $4,000,000,000 + 10^12 x 300 x $8/M = $2.4B.
    est = estimate(inputs(monthly_requests=10**12), GPT_41, GPT_41_MINI)
    assert est.prompting_monthly == Decimal("6400000000")
    assert est.as_dict()["prompting_monthly"] == 6_400_000_000.0


# --- Properties ---

prices = st.decimals(min_value=0, max_value=100, places=2)
positive_prices = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


@st.composite
def price_sheets(draw, fine_tuning: bool = True) -> Price:
    return Price(
        name="model",
        provider="Provider",
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
    epochs=st.integers(1, 100),
    engineering_days=st.integers(0, 1000),
    day_rate=st.integers(0, 1_000_000),
)


def at_volume(cost_inputs_: CostInputs, volume: int) -> CostInputs:
    return CostInputs(**{**cost_inputs_.as_dict(), "monthly_requests": volume})


@given(cost_inputs, price_sheets(), price_sheets(), st.integers(0, 10**12))
def test_costs_never_fall_as_volume_grows(cost_inputs_, prompt, tune, other_volume):
    low, high = sorted((cost_inputs_.monthly_requests, other_volume))
    at_low = estimate(at_volume(cost_inputs_, low), prompt, tune)
    at_high = estimate(at_volume(cost_inputs_, high), prompt, tune)
    assert at_low.prompting_monthly <= at_high.prompting_monthly
    assert at_low.fine_tuned_monthly <= at_high.fine_tuned_monthly


@given(cost_inputs, price_sheets(), price_sheets(), st.integers(0, 10**12))
def test_saving_per_request_does_not_depend_on_volume(cost_inputs_, prompt, tune, other_volume):
    one = estimate(cost_inputs_, prompt, tune)
    other = estimate(at_volume(cost_inputs_, other_volume), prompt, tune)
    assert one.per_request_saving == other.per_request_saving
    with localcontext(EXACT):
        expected = other_volume * other.per_request_saving - other.hosting_monthly
    assert other.monthly_saving == expected


@given(cost_inputs, price_sheets(), price_sheets())
def test_break_even_volume_is_where_a_year_of_saving_covers_the_one_off(cost_inputs_, prompt, tune):
    est = estimate(cost_inputs_, prompt, tune)
    assume(est.break_even_volume is not None)
    volume = est.break_even_volume
    at_break_even = estimate(at_volume(cost_inputs_, min(volume, 10**12)), prompt, tune)
    with localcontext(EXACT):
        saving = volume * est.per_request_saving - est.hosting_monthly
        # The smallest whole volume that pays back: a year of saving covers the one-off, within
        # one request's saving for a year, and one request fewer does not.
        assert 0 <= 12 * saving - est.one_off < 12 * est.per_request_saving
        assert 12 * (saving - est.per_request_saving) < est.one_off
    if volume <= 10**12 and at_break_even.break_even_months is not None:
        assert at_break_even.break_even_months <= 12


@given(cost_inputs, price_sheets(), price_sheets())
def test_months_to_break_even_times_saving_is_the_one_off(cost_inputs_, prompt, tune):
    est = estimate(cost_inputs_, prompt, tune)
    assume(est.break_even_months is not None)
    with localcontext(EXACT):
        # months is a 60-digit quotient, so the product is the one-off to 55 digits at least
        assert abs(
            est.break_even_months * est.monthly_saving - est.one_off
        ) <= est.one_off * Decimal("1e-55")


@given(cost_inputs, price_sheets(), price_sheets())
def test_every_missing_part_has_a_reason(cost_inputs_, prompt, tune):
    est = estimate(cost_inputs_, prompt, tune)
    for name, value in est.as_dict().items():
        if value is None:
            assert est.reasons[name]


@given(cost_inputs, price_sheets(), price_sheets(fine_tuning=False))
def test_as_dict_is_json_ready(cost_inputs_, prompt, tune):
    data = estimate(cost_inputs_, prompt, tune).as_dict()
    assert json.loads(json.dumps(data)) == data


# --- When a model has no fine-tuning ---


def test_no_fine_tuning_price_leaves_fine_tuned_parts_empty_with_a_reason():
    est = estimate(inputs(), GPT_41, NO_FINE_TUNING)
    assert est.prompting_monthly == Decimal("6400")
    for name in ("fine_tuned_monthly", "monthly_saving", "one_off", "break_even_months"):
        assert getattr(est, name) is None
        assert "OpenAI has no" in est.reasons[name]
    assert est.break_even_volume is None
    assert est.reasons["fine_tuned_monthly"] == (
        "OpenAI has no fine-tuning price for o3, so the fine-tuned cost cannot be estimated."
    )


def test_no_fine_tuning_price_summary_says_so():
    summary = estimate(inputs(), GPT_41, NO_FINE_TUNING).summary()
    assert "$6,400 a month" in summary
    assert "no fine-tuning price for o3" in summary


def test_no_training_price_leaves_one_off_empty_but_keeps_monthly_costs():
    untrainable = Price(**{**GPT_41_MINI.as_dict(), "training_per_m": None})
    est = estimate(inputs(), GPT_41, untrainable)
    assert est.fine_tuned_monthly == Decimal("1360")
    assert est.one_off is None
    assert est.break_even_volume is None
    assert "no training price for gpt-4.1-mini" in est.reasons["one_off"]
    assert est.reasons["break_even_months"] == est.reasons["one_off"]


def test_fine_tuning_that_costs_more_per_request_never_breaks_even():
    # Tiny prompt: prompting gpt-4.1-mini is 0 + 500 x $0.40/M + 300 x $1.60/M = $0.00068;
    # fine-tuned gpt-4.1 is 500 x $3/M + 300 x $12/M = $0.0051 a request.
    est = estimate(inputs(prompt_tokens=0), GPT_41_MINI, GPT_41)
    assert est.per_request_saving < 0
    assert est.monthly_saving < 0
    assert est.break_even_months is None
    assert est.break_even_volume is None
    assert "never pays back" in est.reasons["break_even_months"]
    assert "no volume pays back" in est.reasons["break_even_volume"]


def test_hosting_can_outweigh_the_saving_at_low_volume():
    # At 1,000 requests the token saving is $5.04 a month, hosting $1,460: no payback at this
    # volume, though a break-even volume exists.
    est = estimate(inputs(monthly_requests=1000), GPT_41, hosted(GPT_41_MINI, "2"))
    assert est.monthly_saving == Decimal("-1454.96")
    assert est.break_even_months is None
    assert est.reasons["break_even_months"] == (
        "At 1,000 requests a month fine-tuning costs $1,455 a month more than prompting, "
        "so it never pays back."
    )
    assert est.break_even_volume == 422_157


def test_nothing_to_pay_back_breaks_even_straight_away():
    est = estimate(inputs(labeled_examples=0, engineering_days=0), GPT_41, GPT_41_MINI)
    assert est.one_off == 0
    assert est.break_even_months == 0
    assert est.break_even_volume == 0
    assert format_months(est.break_even_months) == "straight away"


# --- Stored shape ---


def test_as_dict_rounds_money_to_cents_and_keeps_the_prices():
    data = estimate(inputs(), GPT_41, GPT_41_MINI).as_dict()
    assert data["currency"] == "USD"
    assert data["prompting_monthly"] == 6400.0
    assert data["break_even_months"] == 1.59
    assert data["break_even_volume"] == 132_474
    assert data["per_request_saving"] == 0.00504
    assert data["inputs"] == inputs().as_dict()
    assert data["tune_model"]["ft_input_per_m"] == 0.8
    assert data["reasons"] == {}
    assert data["summary"].startswith("At 1,000,000 requests a month, prompting gpt-4.1 costs")


def test_price_as_of_is_the_older_of_the_two_dates():
    assert estimate(inputs(), GPT_41, GPT_41_MINI).price_as_of == "2025-05-15"
    assert estimate(inputs(), NO_FINE_TUNING, NO_FINE_TUNING).price_as_of == ""


def test_stored_prices_and_inputs_rebuild_the_same_estimate():
    data = estimate(inputs(), GPT_41, hosted(GPT_41_MINI, "1.25")).as_dict()
    again = estimate(
        CostInputs(**data["inputs"]), Price(**data["prompt_model"]), Price(**data["tune_model"])
    )
    assert again.as_dict() == data


def test_summary_gives_costs_payback_and_break_even_volume():
    assert estimate(inputs(), GPT_41, GPT_41_MINI).summary() == (
        "At 1,000,000 requests a month, prompting gpt-4.1 costs about $6,400 a month and "
        "fine-tuned gpt-4.1-mini about $1,360. Fine-tuning costs $8,012 up front, saves $5,040 "
        "a month and pays back in 1.6 months. It pays back within a year from 132,474 requests "
        "a month."
    )


# --- Validation ---


def test_defaults_are_the_issue_defaults():
    assert COST_DETAIL_DEFAULTS == {
        "input_tokens": 500,
        "output_tokens": 300,
        "epochs": 3,
        "engineering_days": 10,
        "day_rate": 800,
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("monthly_requests", -1, "Enter a number of completions a month from 0 to "),
        ("monthly_requests", 10**12 + 1, "Enter a number of completions a month from 0 to "),
        (
            "input_tokens",
            2_000_001,
            "Enter a number of input tokens per request from 0 to 2,000,000.",
        ),
        ("output_tokens", 1.5, "as a whole number, for example 300."),
        ("epochs", 0, "Enter a number of training epochs from 1 to 100."),
        ("epochs", 101, "Enter a number of training epochs from 1 to 100."),
        ("engineering_days", 1001, "Enter a number of engineering days from 0 to 1,000."),
        ("day_rate", 1_000_001, "Enter a number of US dollars a day from 0 to 1,000,000."),
        ("labeled_examples", True, "as a whole number, for example 800."),
        ("prompt_tokens", "1500", "as a whole number, for example 1500."),
    ],
)
def test_out_of_range_cost_details_are_refused_with_a_fix(name, value, message):
    with pytest.raises(InvalidCostInputs) as caught:
        inputs(**{name: value})
    assert list(caught.value.errors) == [name]
    assert message in caught.value.errors[name][0]


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidCostInputs) as caught:
        inputs(epochs=0, day_rate=-1, input_tokens=None)
    assert set(caught.value.errors) == {"epochs", "day_rate", "input_tokens"}


def test_invalid_cost_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="epochs"):
        inputs(epochs=0)


def test_from_mapping_fills_defaults():
    data = {"monthly_requests": 5, "prompt_tokens": 10, "labeled_examples": 0}
    assert CostInputs.from_mapping(data) == CostInputs(**data)


def test_from_mapping_reports_missing_unknown_and_invalid_fields():
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs.from_mapping({"monthly_requests": -5, "colour": "blue"})
    assert caught.value.errors == {
        "monthly_requests": ["Enter a number of completions a month from 0 to 1,000,000,000,000."],
        "prompt_tokens": ["This field is required."],
        "labeled_examples": ["This field is required."],
        "colour": ["Unknown field."],
    }


def test_from_mapping_refuses_a_non_object():
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs.from_mapping([1, 2])
    assert list(caught.value.errors) == [NON_FIELD_ERRORS]


def test_cost_fields_are_in_form_order():
    assert COST_FIELDS[:3] == ("monthly_requests", "prompt_tokens", "labeled_examples")


@pytest.mark.parametrize("bad", [-1, "cheap", float("nan"), float("inf"), True, None])
def test_price_refuses_a_bad_base_price(bad):
    with pytest.raises(ValueError, match="input_per_m"):
        Price(name="m", input_per_m=bad, output_per_m=1)


def test_price_refuses_a_bad_date():
    with pytest.raises(ValueError):
        Price(name="m", input_per_m=1, output_per_m=1, as_of="last week")


def test_price_accepts_a_date():
    price = Price(name="m", input_per_m=1, output_per_m=1, as_of=datetime.date(2025, 6, 1))
    assert price.as_of == "2025-06-01"


def test_price_without_fine_tuning_says_so():
    assert not NO_FINE_TUNING.offers_fine_tuning
    assert GPT_41.offers_fine_tuning


# --- Wording ---


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "$0.00"),
        (Decimal("0.0031"), "$0.0031"),
        (Decimal("0.42"), "$0.42"),
        (Decimal("9.994"), "$9.99"),
        (Decimal("9.995"), "$10"),
        (1234, "$1,234"),
        (Decimal("999999.49"), "$999,999"),
        (Decimal("999999.5"), "$1M"),
        (1_250_000, "$1.3M"),
        (Decimal("999960000"), "$1B"),
        (3_400_000_000, "$3.4B"),
        (56 * 10**12, "$56T"),
        (-1234, "-$1,234"),
        (Decimal("-0.5"), "-$0.50"),
        (12.4, "$12"),
    ],
)
def test_format_money(amount, text):
    assert format_money(amount) == text


def test_format_money_refuses_nonsense():
    with pytest.raises(ValueError):
        format_money(float("nan"))


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (None, "never"),
        (0, "straight away"),
        (Decimal("0.4"), "under a month"),
        (Decimal("1.02"), "1 month"),
        (Decimal("2.46"), "2.5 months"),
        (Decimal("14.4"), "14 months"),
        (Decimal("23.6"), "2 years"),
        (30, "2.5 years"),
        (12.0 * 40, "40 years"),
        (1300, "over 100 years"),
    ],
)
def test_format_months(months, text):
    assert format_months(months) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1k"),
        (123_456, "123k"),
        (999_960, "1M"),
        (2_500_000, "2.5M"),
        (10**10, "10B"),
        (10**12, "1T"),
        (10**13, "10T"),
    ],
)
def test_format_count(count, text):
    assert format_count(count) == text
