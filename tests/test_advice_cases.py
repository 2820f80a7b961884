"""The six worked cases of docs/advice.md, priced with the seeded price sheet, each checked
against the hand arithmetic written out beside it (and in the doc).

Default pair (decisions/price_sheet.py, Together AI):
- A: prompting Llama-3.3-70B-Instruct-Turbo at $0.88 per million tokens in and out, no caching;
- B: prompting Meta-Llama-3.1-8B-Instruct-Turbo at $0.18 per million in and out;
- C: that 8B model fine-tuned (LoRA): nothing per token, a dedicated endpoint at $3.99 an hour
  (x 730 hours = $2,912.70 a month); training $1.35 per million tokens.
Cost details at their defaults unless a case says otherwise: 500 input and 300 output tokens a
request, a 100-token instruction kept with the fine-tuned model, 1,000 retrieved tokens when
answers need fresh facts, 3 epochs, 10 engineering days at $800 (one-off engineering $8,000), and
one engineering day per retrain.
"""

import re

import pytest

from decisions.engine import Answers
from decisions.models import Decision
from tests.advice_cases import CASES

A_PRICE = 0.88 / 1e6  # per token, in and out alike
B_PRICE = 0.18 / 1e6
HOSTING = 3.99 * 730  # $2,912.70 a month
TRAINING = 1.35 / 1e6
ENGINEERING = 10 * 800
RETRAINS = {"weekly": 4.33, "monthly": 1, "quarterly": 1 / 3, "rarely": 1 / 12}


def _hand(answers: dict, details: dict) -> dict:
    """Options A, B, C a month, the one-off cost and the baseline's saving, by hand."""
    d = {"input_tokens": 500, "output_tokens": 300, "tuned_prompt_tokens": 100,
         "retrieved_tokens": 1000, "epochs": 3, **details}
    retrieved = d["retrieved_tokens"] if answers["fresh_knowledge"] else 0
    tokens = answers["prompt_tokens"] + d["input_tokens"] + retrieved + d["output_tokens"]
    volume = answers["monthly_requests"]
    training = (
        answers["labeled_examples"]
        * (d["tuned_prompt_tokens"] + d["input_tokens"] + retrieved + d["output_tokens"])
        * d["epochs"] * TRAINING
    )
    fixed = HOSTING + RETRAINS[answers["change_frequency"]] * (training + 800)
    a, b, c = volume * tokens * A_PRICE, volume * tokens * B_PRICE, fixed
    baseline = a if answers.get("small_model") == "falls_short" else b
    return {"A": a, "B": b, "C": c, "one_off": training + ENGINEERING, "saving": baseline - c}


def _record(name: str) -> Decision:
    answers, details, *_ = CASES[name]
    decision, _ = Decision.objects.record(Answers(**answers), title=name, cost_details=details)
    return decision


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_verdict_strength_and_reasons_are_those_worked_by_hand(name):
    _, _, recommendation, strength, codes = CASES[name]
    decision = _record(name)
    assert decision.recommendation == recommendation
    assert decision.strength == strength
    assert [reason["code"] for reason in decision.result["reasons"]] == codes


@pytest.mark.django_db
@pytest.mark.parametrize("name", [name for name in CASES if name != "all zero"])
def test_monthly_costs_match_the_hand_arithmetic(name):
    answers, details, *_ = CASES[name]
    hand = _hand(answers, details)
    panel = _record(name).cost_estimate
    monthly = {option["key"]: option["monthly"] for option in panel["options"]}
    for key in "ABC":
        assert monthly[key] == pytest.approx(hand[key], abs=0.01), key
    assert panel["one_off"] == pytest.approx(hand["one_off"], abs=0.01)
    assert panel["saving"] == pytest.approx(hand["saving"], abs=0.01)
    pays = hand["saving"] > 0 and hand["one_off"] <= 12 * hand["saving"]
    assert panel["pays_back"] is pays
    if pays:
        assert panel["payback_months"] == pytest.approx(hand["one_off"] / hand["saving"], abs=0.01)


@pytest.mark.django_db
def test_the_classifier_pays_back_from_the_volume_worked_by_hand():
    answers, details, *_ = CASES["strict-JSON classifier"]
    # Saving at V against B: V x 2,450 tokens x $0.18/M - fixed; pays back in a year when
    # 12 x saving >= one-off, so V >= (one-off / 12 + fixed) / (2,450 x $0.18/M).
    hand = _hand(answers, details)
    per_request = 2_450 * B_PRICE
    least = (hand["one_off"] / 12 + hand["C"]) / per_request
    panel = _record("strict-JSON classifier").cost_estimate
    assert panel["break_even_volume"] == pytest.approx(least, abs=1)


@pytest.mark.django_db
def test_all_zero_answers_show_no_monthly_figures_and_no_zero_dollars():
    decision = _record("all zero")
    panel = decision.cost_estimate
    assert all(option["monthly"] is None for option in panel["options"])
    assert panel["saving"] is None and panel["pays_back"] is False
    text = " ".join(
        [panel["summary"], *(f"{f['value']} {f['detail']}" for f in panel["figures"]),
         *(reason["text"] for reason in decision.result["reasons"])]
    )
    assert not re.search(r"\$0\.00(?!\d)", text)  # "$0.00070" a request is a real price
    assert "No volume yet" in panel["summary"]
