"""The cost model (DESIGN.md section 3b): prices, cost details, options A, B, C (and H), the
Economics handed to the engine, and the stored panel.

Pure Python: no database, no Django. The prices are made up so that every figure can be checked
by hand; each test states its arithmetic.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest

from decisions.domain import engine
from decisions.domain.costs import (
    COST_DETAIL_DEFAULTS,
    COST_FIELDS,
    CostInputs,
    InvalidCostInputs,
    Price,
    display_name,
    estimate,
)
from decisions.domain.engine import NON_FIELD_ERRORS, Answers
from decisions.domain.money import about_volume, format_count, format_money, format_months
from decisions.domain.panel import panel
from tests.helpers import FINE_TUNING_ANSWERS

TODAY = datetime.date(2026, 11, 30)
DAYS_PER_MONTH = Decimal("365.25") / 12

# The model the person would prompt: $2 in, $0.50 cached in, $8 out, half price in batch.
BIG = Price(
    name="big", provider="Acme", input_per_m="2.00", cached_input_per_m="0.50",
    output_per_m="8.00", batch_discount="0.5", as_of="2026-10-01",
    source_url="https://example.com/pricing",
)
# The fine-tunable model: $0.40 in, $0.10 cached in, $1.60 out; fine-tuned $0.60 in, $2.40 out,
# training $5 per million tokens; billed per token (no hosting); no batch API.
SMALL = Price(
    name="acme/small", provider="Acme", input_per_m="0.40", cached_input_per_m="0.10",
    output_per_m="1.60", ft_input_per_m="0.60", ft_output_per_m="2.40", training_per_m="5.00",
    fine_tuning="open", as_of="2026-09-01", source_url="https://example.com/pricing",
)
NO_CACHING = CostInputs(prompt_caching=False)


def answers(**changes: object) -> Answers:
    """2,000,000 completions, a 1,500-token prompt, 800 examples, requirements that rarely
    change, interactive, strict output, simple reasoning; small model not tried."""
    return Answers(**{**FINE_TUNING_ANSWERS, **changes})


def priced(price: Price, **changes: object) -> Price:
    return Price(**{**price.as_dict(), **changes})


def est(inputs: CostInputs = NO_CACHING, prompt: Price = BIG, tune: Price = SMALL, **changes):
    return estimate(answers(**changes), inputs, prompt, tune, today=TODAY, suggestion="acme/open")


def per_request(estimate_, key: str) -> Decimal:
    option = estimate_.option(key)
    assert option is not None, f"no option {key}"
    return option.per_request


def close(value: Decimal, expected: Decimal) -> bool:
    """Equal to 20 decimal places (the estimate divides, e.g. by 3 or 12, to 60 digits)."""
    return abs(value - expected) < Decimal("1e-20")


def figure(panel_: dict, key: str) -> dict[str, str]:
    found = [f for f in panel_["figures"] if f["key"] == key]
    assert len(found) == 1, f"figure {key}: {[f['key'] for f in panel_['figures']]}"
    return found[0]


# --- Price ---


@pytest.mark.parametrize(
    "name",
    ["input_per_m", "output_per_m", "cached_input_per_m", "ft_input_per_m", "training_per_m",
     "hosting_per_hour", "storage_per_month", "batch_discount"],
)
def test_price_refuses_a_negative_price(name):
    with pytest.raises(ValueError, match=name):
        priced(SMALL, **{name: "-0.01"})


@pytest.mark.parametrize("bad", ["cheap", float("nan"), float("inf"), True, None])
def test_price_refuses_a_base_price_that_is_not_a_number(bad):
    with pytest.raises(ValueError, match="input_per_m"):
        Price(name="m", input_per_m=bad, output_per_m=1)


@pytest.mark.parametrize("share", ["1", "1.5"])
def test_price_refuses_a_batch_discount_of_the_whole_price_or_more(share):
    with pytest.raises(ValueError, match="batch_discount"):
        priced(BIG, batch_discount=share)


def test_price_accepts_a_batch_discount_just_under_one():
    assert priced(BIG, batch_discount="0.999").batch_discount == Decimal("0.999")


@pytest.mark.parametrize("name", ["as_of", "fine_tuning_since", "retires_on"])
def test_price_refuses_a_date_that_is_not_iso(name):
    with pytest.raises(ValueError):
        priced(SMALL, **{name: "last week"})


def test_price_accepts_dates_and_stores_them_as_iso_text():
    price = priced(SMALL, as_of=datetime.date(2026, 6, 1), retires_on=datetime.date(2027, 1, 14))
    assert (price.as_of, price.retires_on) == ("2026-06-01", "2027-01-14")


@pytest.mark.parametrize("status", ["maybe", "OPEN", "closed "])
def test_price_refuses_an_unknown_fine_tuning_status(status):
    with pytest.raises(ValueError, match="fine_tuning"):
        priced(SMALL, fine_tuning=status)


@pytest.mark.parametrize("status", ["", "open", "closed", "retired"])
def test_price_accepts_the_fine_tuning_statuses(status):
    assert priced(SMALL, fine_tuning=status).fine_tuning == status


@pytest.mark.parametrize("bad", [True, 1024.0, "1024"])
def test_price_refuses_a_min_cache_length_that_is_not_a_whole_number(bad):
    with pytest.raises(ValueError, match="min_cache_tokens"):
        priced(BIG, min_cache_tokens=bad)


def test_float_prices_are_exact():
    price = Price(name="m", input_per_m=0.8, output_per_m=3.2)
    assert (price.input_per_m, price.output_per_m) == (Decimal("0.8"), Decimal("3.2"))


def test_price_as_dict_rebuilds_an_equal_price():
    price = priced(SMALL, fine_tuning="closed", fine_tuning_since="2026-05-07",
                   retires_on="2027-01-14", hosting_per_hour="3.99")
    assert Price(**price.as_dict()) == price
    assert json.loads(json.dumps(price.as_dict())) == price.as_dict()


def test_open_model_with_fine_tuning_prices_is_open():
    assert SMALL.open_on(TODAY)


@pytest.mark.parametrize(
    "changes",
    [
        {"fine_tuning": "closed", "fine_tuning_since": "2026-05-07"},
        {"fine_tuning": "retired", "fine_tuning_since": "2026-10-23"},
        {"fine_tuning": ""},
        {"training_per_m": None},  # open, but no price to estimate with
        {"ft_input_per_m": None},
    ],
)
def test_model_is_not_open_when_closed_retired_not_offered_or_unpriced(changes):
    assert not priced(SMALL, **changes).open_on(TODAY)


def test_open_model_stays_open_until_the_day_it_retires():
    retiring = priced(SMALL, retires_on="2026-12-01")
    assert retiring.open_on(datetime.date(2026, 11, 30))
    assert not retiring.open_on(datetime.date(2026, 12, 1))
    assert not retiring.open_on(datetime.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({}, "Open to new customers"),
        ({"fine_tuning": "closed", "fine_tuning_since": "2026-05-07"},
         "Closed to new customers since 7 May 2026"),
        ({"fine_tuning": "closed"}, "Closed to new customers"),
        ({"fine_tuning": "retired", "fine_tuning_since": "2026-10-23"},
         "Retired on 23 October 2026"),
        ({"fine_tuning": ""}, "Not offered"),
        # Open on the sheet, but past its retirement date, or with nothing to price it by.
        ({"retires_on": "2026-11-01"}, "Retired on 1 November 2026"),
        ({"ft_input_per_m": None, "ft_output_per_m": None, "training_per_m": None},
         "No fine-tuning price"),
    ],
)
def test_availability_in_words(changes, words):
    assert priced(SMALL, **changes).availability(datetime.date(2026, 11, 30)) == words


@pytest.mark.parametrize(
    ("changes", "unpriced_but_open"),
    [
        ({}, False),
        ({"ft_input_per_m": None, "ft_output_per_m": None, "training_per_m": None}, True),
        # Unpriced too, but no new customer can fine-tune it: another case.
        ({"ft_input_per_m": None, "fine_tuning": "closed"}, False),
        ({"ft_input_per_m": None, "retires_on": "2026-11-01"}, False),
    ],
)
def test_open_but_unpriced(changes, unpriced_but_open):
    price = priced(SMALL, **changes)
    assert price.open_but_unpriced_on(datetime.date(2026, 11, 30)) is unpriced_but_open


def test_display_name_drops_a_path_prefix():
    assert display_name("meta-llama/Llama-3.3-70B-Instruct-Turbo") == "Llama-3.3-70B-Instruct-Turbo"
    assert display_name("accounts/fireworks/models/llama-v3p1-8b") == "llama-v3p1-8b"
    assert display_name("gpt-4.1") == "gpt-4.1"


# --- CostInputs ---


def test_defaults_are_the_designs_defaults():
    assert COST_DETAIL_DEFAULTS == {
        "input_tokens": 500,
        "output_tokens": 300,
        "tuned_prompt_tokens": 100,
        "retrieved_tokens": 1000,
        "prompt_caching": True,
        "epochs": 3,
        "engineering_days": 10,
        "day_rate": 800,
    }
    assert tuple(COST_DETAIL_DEFAULTS) == COST_FIELDS


def test_cost_inputs_hold_only_the_cost_details():
    for answer in ("monthly_requests", "prompt_tokens", "labeled_examples"):
        assert answer not in COST_FIELDS
    with pytest.raises(TypeError):
        CostInputs(monthly_requests=5)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("input_tokens", -1, "Enter a number of input tokens per request of 0 or more."),
        ("input_tokens", 2_000_001,
         "Enter a number of input tokens per request of 2,000,000 or fewer."),
        ("output_tokens", 1.5,
         "Enter the number of output tokens per request as a whole number, for example 300."),
        ("tuned_prompt_tokens", 2_000_001,
         "Enter a number of instruction tokens of 2,000,000 or fewer."),
        ("retrieved_tokens", "1000",
         "Enter the number of retrieved tokens per request as a whole number, "
         "for example 1,000."),
        ("epochs", 0, "Enter a number of training epochs of 1 or more."),
        ("epochs", 101, "Enter a number of training epochs of 100 or fewer."),
        ("engineering_days", 1001, "Enter a number of engineering days of 1,000 or fewer."),
        ("day_rate", 1_000_001, "Enter a number of US dollars a day of 1,000,000 or fewer."),
        ("day_rate", True, "Enter the number of US dollars a day as a whole number"),
        ("prompt_caching", "yes", "Answer true or false."),
        ("prompt_caching", 1, "Answer true or false."),
        ("prompt_caching", None, "Answer true or false."),
    ],
)
def test_bad_cost_details_are_refused_with_a_fix(name, value, message):
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs(**{name: value})
    assert list(caught.value.errors) == [name]
    assert caught.value.errors[name][0].startswith(message)


@pytest.mark.parametrize(
    ("name", "value"),
    [("input_tokens", 0), ("input_tokens", 2_000_000), ("tuned_prompt_tokens", 0),
     ("retrieved_tokens", 0), ("epochs", 1), ("epochs", 100), ("engineering_days", 0),
     ("day_rate", 0), ("prompt_caching", False)],
)
def test_cost_details_at_the_ends_of_their_ranges_are_accepted(name, value):
    assert getattr(CostInputs(**{name: value}), name) == value


def test_every_bad_cost_detail_is_reported_at_once():
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs(epochs=0, day_rate=-1, input_tokens=None, prompt_caching="no")
    assert set(caught.value.errors) == {"epochs", "day_rate", "input_tokens", "prompt_caching"}


def test_invalid_cost_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="epochs"):
        CostInputs(epochs=0)


def test_from_mapping_fills_defaults():
    assert CostInputs.from_mapping({}) == CostInputs()
    assert CostInputs.from_mapping({"epochs": 5, "prompt_caching": False}) == CostInputs(
        epochs=5, prompt_caching=False
    )


def test_from_mapping_reports_unknown_and_invalid_fields_together():
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs.from_mapping(
            {"epochs": 0, "monthly_requests": 5, "colour": "blue", "prompt_caching": "on"}
        )
    assert caught.value.errors == {
        "epochs": ["Enter a number of training epochs of 1 or more."],
        "prompt_caching": ["Answer true or false."],
        "monthly_requests": ["Unknown field."],  # an answer, not a cost detail
        "colour": ["Unknown field."],
    }


def test_from_mapping_refuses_a_non_object():
    with pytest.raises(InvalidCostInputs) as caught:
        CostInputs.from_mapping([1, 2])
    assert list(caught.value.errors) == [NON_FIELD_ERRORS]


def test_as_dict_round_trips():
    inputs = CostInputs(input_tokens=900, prompt_caching=False, retrieved_tokens=0)
    assert CostInputs.from_mapping(inputs.as_dict()) == inputs


# --- estimate(): options A, B and C per request ---


def test_prompting_the_big_model_is_option_a():
    # (1,500 prompt + 500 input) x $2/M = $0.004; 300 output x $8/M = $0.0024; $0.0064.
    assert per_request(est(), "A") == Decimal("0.0064")
    assert est().option("A").label == "Prompting big"


def test_prompting_the_fine_tunable_model_with_the_same_prompt_is_option_b():
    # (1,500 + 500) x $0.40/M = $0.0008; 300 x $1.60/M = $0.00048; $0.00128.
    assert per_request(est(), "B") == Decimal("0.00128")
    assert est().option("B").label == "Prompting small"


def test_the_fine_tuned_model_is_option_c_at_fine_tuned_prices():
    # (100 instruction + 500 input) x $0.60/M = $0.00036; 300 x $2.40/M = $0.00072; $0.00108.
    assert per_request(est(), "C") == Decimal("0.00108")
    assert est().option("C").label == "Fine-tuned small"


def test_there_are_always_three_options_for_simple_reasoning():
    assert [option.key for option in est().options] == ["A", "B", "C"]


def test_fine_tuned_model_keeps_its_short_instruction_not_the_prompt():
    # The 1,500-token prompt does not reach C; its 100-token instruction does:
    # 250 instruction tokens instead of 100 add 150 x $0.60/M = $0.00009.
    assert per_request(est(prompt_tokens=50_000), "C") == Decimal("0.00108")
    longer = est(CostInputs(prompt_caching=False, tuned_prompt_tokens=250))
    assert per_request(longer, "C") == Decimal("0.00117")
    assert per_request(longer, "B") == Decimal("0.00128")  # the prompted options do not change


def test_cost_details_change_every_option():
    # 2,000 input and 1,000 output tokens:
    # A: 3,500 x $2/M = $0.007 + 1,000 x $8/M = $0.008 = $0.015
    # B: 3,500 x $0.40/M = $0.0014 + 1,000 x $1.60/M = $0.0016 = $0.003
    # C: 2,100 x $0.60/M = $0.00126 + 1,000 x $2.40/M = $0.0024 = $0.00366
    e = est(CostInputs(prompt_caching=False, input_tokens=2000, output_tokens=1000))
    assert [o.per_request for o in e.options] == [
        Decimal("0.015"), Decimal("0.003"), Decimal("0.00366"),
    ]


# --- Prompt caching ---


def test_a_long_enough_prompt_is_billed_at_the_cached_input_price():
    # A: 1,500 x $0.50/M = $0.00075 cached + 500 x $2/M = $0.001 + $0.0024 out = $0.00415.
    # B: 1,500 x $0.10/M = $0.00015 cached + 500 x $0.40/M = $0.0002 + $0.00048 = $0.00083.
    # C has no long prompt to cache: $0.00108 as without caching.
    e = est(CostInputs())
    assert per_request(e, "A") == Decimal("0.00415")
    assert per_request(e, "B") == Decimal("0.00083")
    assert per_request(e, "C") == Decimal("0.00108")
    assert e.caching == ("big", "acme/small")


def test_a_prompt_at_the_minimum_cacheable_length_is_cached_and_one_token_shorter_is_not():
    # 1,024 tokens: 1,024 x $0.50/M = $0.000512 + 500 x $2/M + 300 x $8/M = $0.003912.
    # 1,023 tokens: (1,023 + 500) x $2/M = $0.003046 + $0.0024 = $0.005446.
    assert per_request(est(CostInputs(), prompt_tokens=1024), "A") == Decimal("0.003912")
    shorter = est(CostInputs(), prompt_tokens=1023)
    assert per_request(shorter, "A") == Decimal("0.005446")
    assert shorter.caching == ()


def test_the_providers_own_minimum_cacheable_length_is_used():
    # Caching starts at 2,048 tokens for this provider, so the 1,500-token prompt is full price.
    e = est(CostInputs(), prompt=priced(BIG, min_cache_tokens=2048))
    assert per_request(e, "A") == Decimal("0.0064")
    assert e.caching == ("acme/small",)


def test_caching_off_bills_the_prompt_at_the_full_input_price():
    e = est(CostInputs(prompt_caching=False))
    assert (per_request(e, "A"), per_request(e, "B")) == (Decimal("0.0064"), Decimal("0.00128"))
    assert e.caching == ()


def test_a_model_without_a_cached_price_is_never_cached():
    e = est(CostInputs(), prompt=priced(BIG, cached_input_per_m=None))
    assert per_request(e, "A") == Decimal("0.0064")
    assert e.caching == ("acme/small",)


# --- Batch prices ---


def test_batch_latency_takes_the_providers_batch_discount():
    # A at half price: $0.0064 x 0.5 = $0.0032; small has no batch API: B and C as before.
    e = est(latency="batch")
    assert e.batch
    assert per_request(e, "A") == Decimal("0.0032")
    assert (per_request(e, "B"), per_request(e, "C")) == (Decimal("0.00128"), Decimal("0.00108"))


def test_batch_discount_applies_to_the_fine_tuned_model_where_its_provider_has_one():
    # 25% off: B $0.00128 x 0.75 = $0.00096; C $0.00108 x 0.75 = $0.00081.
    e = est(tune=priced(SMALL, batch_discount="0.25"), latency="batch")
    assert (per_request(e, "B"), per_request(e, "C")) == (Decimal("0.00096"), Decimal("0.00081"))


@pytest.mark.parametrize("latency", ["interactive", "critical"])
def test_no_batch_discount_unless_latency_is_batch(latency):
    e = est(tune=priced(SMALL, batch_discount="0.25"), latency=latency)
    assert not e.batch
    assert [o.per_request for o in e.options] == [
        Decimal("0.0064"), Decimal("0.00128"), Decimal("0.00108"),
    ]


# --- Retrieved facts ---


def test_fresh_knowledge_adds_the_retrieved_tokens_to_every_options_input():
    # 1,000 retrieved tokens more input on each option:
    # A: + 1,000 x $2/M = $0.002 -> $0.0084; B: + 1,000 x $0.40/M = $0.0004 -> $0.00168;
    # C: + 1,000 x $0.60/M = $0.0006 -> $0.00168.
    e = est(fresh_knowledge=True)
    assert [o.per_request for o in e.options] == [
        Decimal("0.0084"), Decimal("0.00168"), Decimal("0.00168"),
    ]


def test_retrieved_tokens_are_not_added_without_fresh_knowledge():
    e = est(CostInputs(prompt_caching=False, retrieved_tokens=50_000))
    assert [o.per_request for o in e.options] == [
        Decimal("0.0064"), Decimal("0.00128"), Decimal("0.00108"),
    ]


def test_retrieved_tokens_is_a_cost_detail():
    # 4,000 retrieved tokens: C = (100 + 500 + 4,000) x $0.60/M = $0.00276 + $0.00072 = $0.00348.
    e = est(CostInputs(prompt_caching=False, retrieved_tokens=4000), fresh_knowledge=True)
    assert per_request(e, "C") == Decimal("0.00348")


# --- Training, one-off and monthly fixed costs ---


def test_training_cost_is_examples_times_tokens_per_example_times_epochs_times_price():
    # 800 examples x (100 instruction + 500 input + 300 output) x 3 epochs = 2,160,000 tokens
    # x $5/M = $10.80; engineering 10 days x $800 = $8,000; one-off $8,010.80.
    e = est()
    assert e.training_cost == Decimal("10.80")
    assert e.engineering_cost == Decimal("8000")
    assert e.one_off == Decimal("8010.80")


def test_training_examples_include_the_retrieved_tokens_with_fresh_knowledge():
    # 800 x (100 + 500 + 1,000 retrieved + 300) x 3 = 4,560,000 tokens x $5/M = $22.80.
    assert est(fresh_knowledge=True).training_cost == Decimal("22.80")


def test_training_uses_the_cost_details():
    # 10,000 examples x (250 + 2,000 + 1,000) x 5 epochs = 162,500,000 tokens x $5/M = $812.50;
    # engineering 20 days x $1,000 = $20,000; one-off $20,812.50.
    e = est(
        CostInputs(tuned_prompt_tokens=250, input_tokens=2000, output_tokens=1000, epochs=5,
                   engineering_days=20, day_rate=1000),
        labeled_examples=10_000,
    )
    assert e.training_cost == Decimal("812.50")
    assert e.one_off == Decimal("20812.50")


@pytest.mark.parametrize(
    ("change_frequency", "retrains"),
    [
        ("monthly", Decimal(1)),
        ("quarterly", Decimal(1) / 3),
        ("rarely", Decimal(1) / 12),
        ("weekly", Decimal("4.33")),
    ],
)
def test_monthly_fixed_is_hosting_storage_and_retraining_as_often_as_requirements_change(
    change_frequency, retrains
):
    # Hosting $2/hour x 730 hours = $1,460, plus $5 storage = $1,465 a month.
    # Each retrain is training $10.80 plus one engineering day $800 = $810.80; e.g. monthly
    # $1,465 + $810.80 = $2,275.80, weekly $1,465 + 4.33 x $810.80 = $4,975.764.
    tune = priced(SMALL, hosting_per_hour="2", storage_per_month="5")
    e = est(tune=tune, change_frequency=change_frequency)
    assert e.hosting_monthly == Decimal(1465)
    assert e.retrains_per_month == retrains
    assert close(e.retraining_monthly, retrains * Decimal("810.80"))
    assert close(e.option("C").monthly_fixed, Decimal(1465) + retrains * Decimal("810.80"))
    assert e.economics.monthly_fixed == pytest.approx(float(e.option("C").monthly_fixed))


def test_weekly_retraining_costs_four_point_three_three_retrains_a_month():
    # 4.33 x ($10.80 + $800) = $3,510.764, no hosting.
    assert est(change_frequency="weekly").retraining_monthly == Decimal("3510.764")


def test_prompted_options_have_no_fixed_monthly_cost():
    e = est(tune=priced(SMALL, hosting_per_hour="2"))
    assert (e.option("A").monthly_fixed, e.option("B").monthly_fixed) == (0, 0)


HOURLY = priced(SMALL, ft_input_per_m="0", ft_output_per_m="0", hosting_per_hour="3.99")


def test_only_a_model_with_an_hourly_deployment_and_no_token_price_is_served_by_the_hour():
    assert HOURLY.serves_fine_tunes_by_the_hour
    assert not SMALL.serves_fine_tunes_by_the_hour  # per token, no hosting
    assert not priced(SMALL, hosting_per_hour="2").serves_fine_tunes_by_the_hour  # both
    assert not priced(HOURLY, hosting_per_hour="0").serves_fine_tunes_by_the_hour


def test_a_fine_tune_served_by_the_hour_is_priced_at_the_base_per_token_rate():
    # Fireworks-style: no per-token price for the fine-tuned model, $3.99 an hour. Compared like
    # with like, the fine-tuned request is priced at the base rates: (100 + 500) x $0.40/M +
    # 300 x $1.60/M = $0.00024 + $0.00048 = $0.00072 (not the $0.60/$2.40 fine-tuned rates).
    e = est(tune=HOURLY)
    assert per_request(e, "C") == Decimal("0.00072")
    # B is the same model prompted with the whole prompt: 2,000 x $0.40/M + $0.00048.
    assert per_request(e, "B") == Decimal("0.00128")


def test_the_hourly_deployment_is_shown_apart_and_not_counted_in_the_fixed_cost():
    # $3.99 x 730 = $2,912.70 a month, shown apart; C's fixed cost is retraining only:
    # training 800 x 900 x 3 = 2,160,000 tokens x $5/M = $10.80, ($10.80 + $800) / 12 (rarely).
    e = est(tune=HOURLY)
    assert e.dedicated_monthly == Decimal("2912.70")
    assert e.hosting_monthly == 0
    assert close(e.option("C").monthly_fixed, Decimal("810.80") / 12)
    assert e.economics.monthly_fixed == float(Decimal("810.80") / 12)
    assert e.economics.tuned_per_request == 0.00072
    shown = panel(e, "fine_tuning")
    assert shown["dedicated_monthly"] == 2912.70 and shown["hosting_monthly"] == 0.0
    assert [option["monthly_fixed"] for option in shown["options"]] == [0.0, 0.0, 67.57]
    dedicated = figure(shown, "dedicated")
    assert dedicated["label"] == "Dedicated deployment for the fine-tuned model"
    assert dedicated["value"] == "$3.99 an hour, $2,913 a month running all month"
    assert "depends on your throughput" in dedicated["detail"]
    assert "Acme serves fine-tuned small only on a deployment billed by the hour" in (
        dedicated["detail"]
    )
    # 2,000,000 x $0.00072 = $1,440 + $67.57 = $1,507.57.
    assert figure(shown, "C")["value"] == "$1,508 a month"
    assert figure(shown, "C")["detail"].startswith(
        "$0.00072 a request, at the base model's per-token rate, to compare like with like"
    )
    # The dedicated figure follows A, B and C.
    assert [f["key"] for f in shown["figures"]][:4] == ["A", "B", "C", "dedicated"]


def test_an_hourly_model_keeps_its_storage_in_the_fixed_cost():
    e = est(tune=priced(HOURLY, storage_per_month="5"))
    assert e.hosting_monthly == 5
    assert close(e.option("C").monthly_fixed, 5 + Decimal("810.80") / 12)
    assert e.dedicated_monthly == Decimal("2912.70")


def test_a_fine_tune_billed_per_token_has_no_dedicated_figure():
    for tune in (SMALL, priced(SMALL, hosting_per_hour="2")):
        e = est(tune=tune)
        assert e.dedicated_monthly is None
        shown = panel(e, "fine_tuning")
        assert shown["dedicated_monthly"] is None
        assert "dedicated" not in [f["key"] for f in shown["figures"]]
        assert "like with like" not in json.dumps(shown)
    # Hosting billed by the hour beside per-token prices stays in the fixed cost: $2 x 730.
    assert est(tune=priced(SMALL, hosting_per_hour="2")).hosting_monthly == 1460


@pytest.mark.parametrize("prompt_tokens", [0, 60, 100])
def test_an_hourly_fine_tune_never_pays_back_when_the_prompt_is_no_longer_than_the_kept_one(
    prompt_tokens,
):
    # The kept instruction is 100 tokens: at the same base rates C costs at least what B costs a
    # request, plus retraining, so nothing is saved against B at any volume.
    e = est(tune=HOURLY, prompt_tokens=prompt_tokens, monthly_requests=10**9)
    assert per_request(e, "C") >= per_request(e, "B")
    shown = panel(e, "fine_tuning")
    assert shown["baseline"] == "B"
    assert shown["pays_back"] is False and shown["payback_months"] is None
    assert shown["saving"] < 0
    assert shown["break_even_volume"] is None
    assert e.economics.break_even_volume("small_prompted") is None
    result = engine.decide(e.answers, e.economics)
    assert "pays_back" not in [reason.code for reason in result.reasons]


def test_option_monthly_is_volume_times_per_request_plus_fixed():
    # C at 1,000,000 a month: 1,000,000 x $0.00108 = $1,080 + $810.80 / 12 = $67.566...
    c = est().option("C")
    assert close(c.monthly(1_000_000), Decimal(1080) + Decimal("810.80") / 12)


def test_economics_are_the_options_as_floats():
    e = est(tune=priced(SMALL, hosting_per_hour="2"))
    assert e.economics == engine.Economics(
        prompted_per_request=0.0064,
        small_prompted_per_request=0.00128,
        tuned_per_request=0.00108,
        monthly_fixed=float(Decimal(1460) + Decimal("810.80") / 12),
        one_off=8010.8,
        horizon_months=12.0,
        prompted_model="big",
        tuned_model="small",
    )


# --- Horizon ---


def test_horizon_is_twelve_months_when_the_model_does_not_retire_sooner():
    e = est(tune=priced(SMALL, retires_on="2027-12-31"))
    assert e.horizon_months == 12
    assert e.horizon_reason == ""
    assert e.economics.horizon_months == 12.0


def test_horizon_is_shortened_to_the_months_left_before_the_model_retires():
    # 30 November 2026 to 14 January 2027 is 45 days; 45 / (365.25 / 12) = 1.478... months.
    e = est(tune=priced(SMALL, retires_on="2027-01-14"))
    assert close(e.horizon_months, Decimal(45) / DAYS_PER_MONTH)
    assert e.economics.horizon_months == pytest.approx(1.4784, abs=1e-4)
    assert e.horizon_reason == (
        "acme/small retires on 14 January 2027, so a fine-tune can earn for 1.5 months, not 12."
    )


def test_a_short_horizon_can_stop_fine_tuning_paying_back():
    # Against A (falls short) at 2,000,000: saves $12,800 - ($2,160 + $67.57) = $10,572.43 a
    # month; $8,010.80 pays back within 12 months, and within 1.48 months too; a one-off of
    # $20,000 more (35 engineering days) does not.
    short = priced(SMALL, retires_on="2027-01-14")
    costly = CostInputs(prompt_caching=False, engineering_days=35)
    e = est(costly, tune=short, small_model="falls_short")
    long = est(costly, small_model="falls_short")
    assert not e.economics.pays_back(2_000_000, "prompted")
    assert long.economics.pays_back(2_000_000, "prompted")


# --- When the tune model cannot be fine-tuned today ---


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        (
            {"fine_tuning": "closed", "fine_tuning_since": "2026-05-07"},
            "Acme has closed fine-tuning of acme/small to new customers since 7 May 2026.",
        ),
        (
            {"fine_tuning": "retired", "fine_tuning_since": "2026-10-23"},
            "acme/small was retired on 23 October 2026.",
        ),
        ({"retires_on": "2026-11-30"}, "acme/small was retired on 30 November 2026."),
        ({"training_per_m": None}, "The price sheet has no fine-tuning price for acme/small."),
        (
            {"fine_tuning": "", "ft_input_per_m": None, "ft_output_per_m": None,
             "training_per_m": None},
            "The price sheet does not list acme/small as open for fine-tuning.",
        ),
    ],
)
def test_a_tune_model_closed_retired_or_unpriced_gives_no_economics_and_says_why(changes, why):
    e = est(tune=priced(SMALL, **changes))
    assert e.economics is None
    assert e.unpriced == (
        f"{why} There is no fine-tuning estimate. Choose a model a new customer can fine-tune "
        "today, such as acme/open."
    )
    assert [option.key for option in e.options] == ["A"]
    assert per_request(e, "A") == Decimal("0.0064")  # prompting is still priced
    assert e.one_off is None and e.training_cost is None


def test_without_a_suggestion_the_unpriced_message_still_says_why():
    closed = priced(SMALL, fine_tuning="closed")
    e = estimate(answers(), NO_CACHING, BIG, closed, today=TODAY)
    assert e.unpriced == (
        "Acme has closed fine-tuning of acme/small to new customers. There is no fine-tuning "
        "estimate."
    )


def test_unpriced_panel_gives_option_a_and_the_reason_as_its_summary():
    e = est(tune=priced(SMALL, fine_tuning="closed", fine_tuning_since="2026-05-07"))
    shown = panel(e, "fine_tuning")
    assert shown["summary"] == e.unpriced
    assert shown["unpriced"] == e.unpriced
    assert "such as acme/open" in shown["summary"]
    assert [f["key"] for f in shown["figures"]] == ["A"]
    assert figure(shown, "A")["value"] == "$12,800 a month"
    assert (shown["baseline"], shown["pays_back"], shown["saving"]) == (None, False, None)
    assert shown["break_even_volume"] is None


# --- The hybrid option ---


@pytest.mark.parametrize("small_model", ["falls_short", "not_tried"])
def test_complex_reasoning_adds_the_hybrid_that_runs_both_models(small_model):
    # H = A + C per request: $0.0064 + $0.00108 = $0.00748, with C's fixed costs.
    e = est(reasoning="complex", small_model=small_model)
    hybrid = e.option("H")
    assert [option.key for option in e.options] == ["A", "B", "C", "H"]
    assert hybrid.per_request == Decimal("0.00748")
    assert hybrid.monthly_fixed == e.option("C").monthly_fixed
    assert hybrid.label == "Hybrid: prompting big plus fine-tuned small"


@pytest.mark.parametrize(
    "changes",
    [
        {"reasoning": "complex", "small_model": "good_enough"},
        {"reasoning": "simple", "small_model": "falls_short"},
        {"reasoning": "simple", "fresh_knowledge": True},
    ],
)
def test_no_hybrid_option_unless_reasoning_is_complex_and_the_small_model_is_not_good_enough(
    changes,
):
    assert est(**changes).option("H") is None


# --- panel(): the stored cost panel ---


def test_panel_is_version_2_and_json_ready():
    shown = panel(est(), "fine_tuning")
    assert shown["version"] == 2
    assert json.loads(json.dumps(shown)) == shown
    assert [o["key"] for o in shown["options"]] == ["A", "B", "C"]
    assert shown["options"][0] == {
        "key": "A", "label": "Prompting big", "per_request": 0.0064, "monthly_fixed": 0.0,
        "monthly": 12800.0,
    }
    assert shown["one_off"] == 8010.8
    assert shown["horizon_months"] == 12.0
    assert shown["prompt_model"] == BIG.as_dict() and shown["tune_model"] == SMALL.as_dict()
    assert shown["price_as_of"] == "2026-09-01"  # the older of the two dates


@pytest.mark.parametrize(
    "tune",
    [SMALL, HOURLY],
    ids=["per-token", "by-the-hour"],
)
@pytest.mark.parametrize("recommendation_changes", [{}, {"reasoning": "complex"},
                                                    {"fresh_knowledge": True}])
def test_no_volume_gives_no_monthly_figures_and_no_zero_dollars(tune, recommendation_changes):
    e = est(tune=tune, monthly_requests=0, **recommendation_changes)
    for recommendation in ("prompting", "fine_tuning", "hybrid"):
        shown = panel(e, recommendation)
        assert all(option["monthly"] is None for option in shown["options"])
        assert (shown["saving"], shown["payback_months"], shown["pays_back"]) == (None, None, False)
        assert "saving" not in [f["key"] for f in shown["figures"]]
        assert shown["summary"].startswith("No volume yet, so there are no monthly figures")
        assert figure(shown, "payback")["value"] == "No volume yet"
        assert not re.search(r"\$0\.00(?!\d)", json.dumps(shown)), recommendation


def test_no_volume_summary_gives_each_request_and_the_break_even_volume():
    shown = panel(est(monthly_requests=0), "fine_tuning")
    break_even = est().economics.break_even_volume("small_prompted")
    assert break_even == 3_675_667
    assert shown["summary"] == (
        "No volume yet, so there are no monthly figures: a request costs $0.0064 prompting big, "
        "$0.0013 prompting small and $0.0011 on fine-tuned small. Fine-tuning pays back within "
        "12 months from about 3.7 million completions a month."
    )


def test_hybrid_verdict_never_claims_a_saving():
    # Falls short, complex reasoning, strict output: the engine's reasoning hybrid, and
    # fine-tuning would pay back against A if it replaced prompting.
    # A $12,800; C 2,000,000 x $0.00108 = $2,160 + $67.57 = $2,227.57;
    # H = A + C = $15,027.57, $2,227.57 more than prompting big alone.
    e = est(reasoning="complex", small_model="falls_short")
    assert engine.decide(e.answers, e.economics).recommendation == "hybrid"
    shown = panel(e, "hybrid")
    assert "saving" not in [f["key"] for f in shown["figures"]]
    assert figure(shown, "H")["value"] == "$15,028 a month"
    assert figure(shown, "H")["detail"].startswith(
        "$2,228 a month more than prompting big alone"
    )
    assert "$2,228 more than prompting big alone. It saves nothing" in shown["summary"]
    assert "saves $" not in shown["summary"]
    assert figure(shown, "payback")["value"].endswith(", if it replaced prompting")


def test_retrieval_hybrid_shows_what_it_runs_and_no_saving_figure():
    e = est(fresh_knowledge=True, small_model="falls_short")
    assert engine.decide(e.answers, e.economics).recommendation == "hybrid"
    shown = panel(e, "hybrid")
    assert "saving" not in [f["key"] for f in shown["figures"]]
    assert figure(shown, "H")["label"] == "What the hybrid runs: fine-tuned small with retrieval"


def test_retrieval_hybrid_is_costed_as_what_it_runs_and_claims_no_saving():
    # Fresh knowledge with a strict schema, falls short: a retrieval hybrid, which runs only the
    # fine-tuned model with facts retrieved into every call. The panel shows what it runs against
    # prompting with the same facts, and never words it as a saving (DESIGN 3b).
    e = est(fresh_knowledge=True, small_model="falls_short")
    shown = panel(e, "hybrid")
    assert "saving" not in {f["key"] for f in shown["figures"]}
    assert "saves" not in shown["summary"]
    assert "The hybrid runs fine-tuned small with facts retrieved into every call" in (
        shown["summary"]
    )
    assert not figure(shown, "payback")["value"].endswith(", if it replaced prompting")


@pytest.mark.parametrize("small_model", ["falls_short", "not_tried", "good_enough"])
@pytest.mark.parametrize("hosting", ["0", "2"])
def test_panel_pays_back_is_the_engines_against_the_right_baseline(small_model, hosting):
    e = est(tune=priced(SMALL, hosting_per_hour=hosting), small_model=small_model)
    economics = e.economics
    baseline = "prompted" if small_model == "falls_short" else "small_prompted"
    break_even = economics.break_even_volume(baseline)
    volumes = {1, 1000, 150_000, 2_000_000, 5_000_000, 10**9}
    if break_even is not None:
        volumes |= {break_even - 1, break_even}
    for volume in sorted(v for v in volumes if v >= 1):
        at = est(tune=priced(SMALL, hosting_per_hour=hosting), small_model=small_model,
                 monthly_requests=volume)
        shown = panel(at, "fine_tuning")
        assert shown["baseline"] == ("A" if small_model == "falls_short" else "B")
        assert shown["pays_back"] == economics.pays_back(volume, baseline), volume
        assert shown["break_even_volume"] == break_even
        fired = "pays_back" in {r.code for r in engine.decide(at.answers, at.economics).reasons}
        assert fired == shown["pays_back"], volume


def test_break_even_volume_is_where_it_starts_paying_back():
    # Against A (falls short): S(V) = V x ($0.0064 - $0.00108) - $67.5667 = V x $0.00532 - ...;
    # 12 x S(V) >= $8,010.80 from V = (8,010.80 / 12 + 67.5667) / 0.00532 = 138,182.3 -> 138,183.
    economics = est().economics
    assert economics.break_even_volume("prompted") == 138_183
    assert panel(est(small_model="falls_short"), "fine_tuning")["break_even_volume"] == 138_183


def test_saving_is_split_into_the_shorter_prompt_and_the_smaller_model_against_a():
    # 1,000,000 a month, falls short (baseline A):
    # A $6,400; B $1,280; C $1,080 + $67.57 = $1,147.57.
    # shorter prompt (B to C): $1,280 - $1,147.57 = $132.43; smaller model (A to B): $5,120;
    # saving against A: $6,400 - $1,147.57 = $5,252.43 = $132.43 + $5,120.
    shown = panel(est(monthly_requests=1_000_000, small_model="falls_short"), "fine_tuning")
    saving = figure(shown, "saving")
    assert shown["saving"] == 5252.43
    assert saving["label"] == "Fine-tuning against prompting big"
    assert saving["value"] == "$5,252 a month saved"
    assert saving["detail"] == (
        "Dropping the long prompt saves $132 a month against prompting small, retraining "
        "included; the smaller model saves $5,120 a month, counted because small falls short "
        "unless it is trained."
    )


def test_against_b_the_smaller_model_is_shown_but_not_counted():
    # Not tried (baseline B): the saving is only the shorter prompt, $132.43 a month.
    shown = panel(est(monthly_requests=1_000_000), "fine_tuning")
    saving = figure(shown, "saving")
    assert shown["baseline"] == "B"
    assert shown["saving"] == 132.43
    assert saving["label"] == "Fine-tuning against prompting small"
    assert saving["value"] == "$132 a month saved"
    assert saving["detail"].endswith(
        "the smaller model saves $5,120 a month more, which prompting small gives without "
        "training, so it is not counted."
    )


def test_split_says_when_the_shorter_prompt_does_not_cover_fixed_costs():
    # Hosting $2 x 730 = $1,460 a month: C at 1,000,000 is $1,080 + $1,460 + $67.57 = $2,607.57,
    # $1,327.57 more than B's $1,280.
    shown = panel(est(tune=priced(SMALL, hosting_per_hour="2"), monthly_requests=1_000_000),
                  "fine_tuning")
    saving = figure(shown, "saving")
    assert saving["value"] == "$1,328 a month more"
    assert saving["detail"].startswith(
        "Dropping the long prompt does not cover hosting and retraining: fine-tuned small costs "
        "$1,328 a month more than prompting small"
    )


def test_summary_of_a_saving_that_pays_back():
    # Falls short at 2,000,000: saves $12,800 - $2,227.57 = $10,572.43 a month; $8,010.80 / that
    # = 0.76 months.
    shown = panel(est(small_model="falls_short"), "fine_tuning")
    assert shown["pays_back"] and shown["payback_months"] == 0.76
    assert shown["summary"] == (
        "At 2,000,000 completions a month, prompting big costs $12,800 a month, prompting small "
        "$2,560 a month and fine-tuned small $2,228 a month. Against prompting big, fine-tuning "
        "saves $10,572 a month and pays back its $8,011 one-off cost in under a month."
    )


def test_summary_of_a_saving_too_small_to_pay_back_in_time():
    # Not tried at 2,000,000: saves $2,560 - $2,227.57 = $332.43 a month; $8,010.80 / $332.43
    # = 24.1 months, longer than 12.
    shown = panel(est(), "fine_tuning")
    assert not shown["pays_back"]
    assert (
        "fine-tuning saves $332 a month, but its $8,011 one-off cost takes 2 years to pay "
        "back, longer than the 12 months it can earn."
    ) in shown["summary"]
    assert figure(shown, "payback")["value"] == "2 years: longer than the 12 months it can earn"


def test_payback_figure_below_the_break_even_volume_says_not_within_the_horizon():
    shown = panel(est(monthly_requests=1000), "prompting")
    assert shown["saving"] < 0
    assert figure(shown, "payback")["value"] == "Not within 12 months at this volume"


def test_break_even_figure_gives_about_the_volume_and_the_exact_one_in_its_detail():
    shown = panel(est(), "fine_tuning")
    assert shown["break_even_volume"] == 3_675_667
    assert figure(shown, "break_even") == {
        "key": "break_even",
        "label": "Pays back from",
        "value": "about 3.7 million completions a month",
        "detail": "The least volume at which fine-tuning pays back within 12 months: 3,675,667 "
        "completions a month at today's figures.",
    }


@pytest.mark.parametrize(
    ("inputs", "changes", "caching"),
    [
        (NO_CACHING, {}, "prompt caching is off"),
        (CostInputs(), {}, "the static prompt is billed at the cached-input price for big and "
         "small, as if every call found it cached"),
        # A 500-token prompt is shorter than the 1,024 tokens the provider caches.
        (CostInputs(), {"prompt_tokens": 500}, "no cached-input price applies (the price sheet "
         "has none for these models, or the prompt is shorter than the provider caches)"),
        (CostInputs(), {"prompt": priced(BIG, cached_input_per_m=None),
                        "tune": priced(SMALL, cached_input_per_m=None)},
         "no cached-input price applies (the price sheet has none for these models, or the "
         "prompt is shorter than the provider caches)"),
    ],
    ids=["off", "applied", "prompt-too-short", "no-cached-price"],
)
def test_assumptions_say_exactly_whether_caching_applied(inputs, changes, caching):
    shown = panel(est(inputs, **changes), "fine_tuning")
    assert shown["assumptions"] == (
        f"Each request sends the {changes.get('prompt_tokens', 1500):,}-token prompt (the "
        "fine-tuned model keeps a 100-token instruction) and 500 other input tokens, and gets "
        f"300 output tokens back; {caching}. A request is one model call: an agent's tool loop "
        "makes several."
    )


def test_panel_records_caching_and_batch():
    shown = panel(est(CostInputs(), latency="batch"), "fine_tuning")
    assert shown["caching"] == ["big", "acme/small"]
    assert shown["batch"] is True
    assert figure(shown, "A")["detail"].endswith(
        "the static prompt billed at the cached-input price and at batch prices"
    )


def test_assumptions_name_the_tokens_and_caching():
    shown = panel(est(CostInputs(), fresh_knowledge=True), "hybrid")
    assert shown["assumptions"].startswith(
        "Each request sends the 1,500-token prompt (the fine-tuned model keeps a 100-token "
        "instruction) and 500 other input tokens, plus 1,000 retrieved tokens, and gets 300 "
        "output tokens back;"
    )


# --- Money in words (decisions.domain.money) ---


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


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, None])
def test_format_money_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        format_money(bad)


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


@pytest.mark.parametrize(
    ("volume", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1234, "about 1,200"),
        (99_500, "about 100,000"),
        (223_790, "about 220,000"),
        (999_960, "about 1 million"),
        (1_937_062, "about 1.9 million"),
        (8_284_487, "about 8.3 million"),
        (17_012_963, "about 17 million"),
        (2_450_000_000, "about 2.5 billion"),
        (10**12, "1,000,000,000,000"),
    ],
)
def test_about_volume_rounds_to_two_significant_figures(volume, text):
    assert about_volume(volume) == text


def test_one_off_figure_with_no_examples_reads_as_a_sentence():
    figures = {f["key"]: f for f in panel(est(labeled_examples=0), "prompting")["figures"]}
    detail = figures["one_off"]["detail"]
    assert detail.startswith("No training cost yet, with no examples to train on; engineering $")
    assert "yet plus" not in detail


def test_one_off_figure_names_training_and_engineering():
    figures = {f["key"]: f for f in panel(est(labeled_examples=800), "fine_tuning")["figures"]}
    assert re.match(
        r"Training \$[\d,.]+ \(800 examples, \d+ epochs?\) plus engineering \$[\d,]+ "
        r"\(\d+ days? at \$[\d,]+\)\.", figures["one_off"]["detail"]
    )
