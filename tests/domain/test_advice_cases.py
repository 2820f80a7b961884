"""The six worked cases of docs/advice.md, priced with the seeded price sheet, each checked
against the hand arithmetic written out beside it (and in the doc).

Default pair (decisions/price_sheet.py):
- A: prompting Llama-3.3-70B-Instruct-Turbo on Together AI at $0.88 per million tokens in and out,
  no caching;
- B: prompting Llama 3.1 8B Instruct on Fireworks AI (llama-v3p1-8b-instruct) at $0.20 per million
  in and out;
- C: that 8B model fine-tuned (LoRA); training $0.50 per million tokens. Fireworks serves a
  fine-tuned model only on a dedicated deployment at $8.00 an hour (x 730 hours = $5,840 a month),
  with nothing charged per token. Since the untuned model could run on the same deployment, C is
  compared like with like: at the base $0.20 per million on the fine-tuned request (the kept
  instruction + input (+ retrieved) + output tokens), with retraining as its only fixed cost; the
  $5,840 is shown apart and counted in no option.
Cost details at their defaults unless a case says otherwise: 500 input and 300 output tokens a
request, a 100-token instruction kept with the fine-tuned model, 1,000 retrieved tokens when
answers need fresh facts, 3 epochs, 10 engineering days at $800 (one-off engineering $8,000), and
one engineering day per retrain.
"""

import math
import re

import pytest

from decisions import services
from decisions.domain.engine import Answers
from decisions.models import Decision
from tests.advice_cases import CASES

A_PRICE = 0.88 / 1e6  # per token, in and out alike
B_PRICE = 0.20 / 1e6  # the 8B model, prompted or (compared like with like) fine-tuned
DEDICATED = 8.00 * 730  # $5,840 a month, shown apart from the options
TRAINING = 0.50 / 1e6
ENGINEERING = 10 * 800
RETRAINS = {"weekly": 4.33, "monthly": 1, "quarterly": 1 / 3, "rarely": 1 / 12}


def _hand(answers: dict, details: dict) -> dict:
    """Options A, B, C a month (and a request), the one-off cost, the baseline's saving and the
    break-even volume, by hand."""
    d = {"input_tokens": 500, "output_tokens": 300, "tuned_prompt_tokens": 100,
         "retrieved_tokens": 1000, "epochs": 3, **details}
    retrieved = d["retrieved_tokens"] if answers["fresh_knowledge"] else 0
    tokens = answers["prompt_tokens"] + d["input_tokens"] + retrieved + d["output_tokens"]
    tuned_tokens = d["tuned_prompt_tokens"] + d["input_tokens"] + retrieved + d["output_tokens"]
    volume = answers["monthly_requests"]
    training = answers["labeled_examples"] * tuned_tokens * d["epochs"] * TRAINING
    fixed = RETRAINS[answers["change_frequency"]] * (training + 800)  # no hosting in it
    per_request = {"A": tokens * A_PRICE, "B": tokens * B_PRICE, "C": tuned_tokens * B_PRICE}
    a, b = volume * per_request["A"], volume * per_request["B"]
    c = volume * per_request["C"] + fixed
    baseline = "A" if answers.get("small_model") == "falls_short" else "B"
    one_off = training + ENGINEERING
    margin = per_request[baseline] - per_request["C"]
    # Pays back within 12 months when V x margin - fixed >= one-off / 12.
    break_even = math.ceil((one_off / 12 + fixed) / margin) if margin > 0 else None
    return {
        "A": a, "B": b, "C": c, "per_request": per_request, "fixed": fixed, "one_off": one_off,
        "saving": {"A": a, "B": b}[baseline] - c, "break_even": break_even,
    }


def _record(name: str) -> Decision:
    answers, details, *_ = CASES[name]
    decision, _ = services.record_decision(Answers(**answers), title=name, cost_details=details)
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
    if hand["saving"] > 0:
        assert panel["payback_months"] == pytest.approx(hand["one_off"] / hand["saving"], abs=0.01)
    else:
        assert panel["payback_months"] is None
    assert panel["break_even_volume"] == hand["break_even"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_the_hourly_deployment_is_shown_apart_and_c_is_priced_per_token(name):
    answers, details, *_ = CASES[name]
    hand = _hand(answers, details)
    panel = _record(name).cost_estimate
    per_request = {option["key"]: option["per_request"] for option in panel["options"]}
    fixed = {option["key"]: option["monthly_fixed"] for option in panel["options"]}
    for key in "ABC":
        assert per_request[key] == pytest.approx(hand["per_request"][key], abs=1e-9), key
    assert fixed == {"A": 0.0, "B": 0.0, "C": pytest.approx(hand["fixed"], abs=0.01)}
    assert panel["hosting_monthly"] == 0.0
    assert panel["dedicated_monthly"] == DEDICATED == 5840.0
    dedicated = [f for f in panel["figures"] if f["key"] == "dedicated"]
    assert [f["value"] for f in dedicated] == ["$8.00 an hour, $5,840 a month running all month"]


@pytest.mark.django_db
def test_the_classifier_pays_back_from_the_volume_worked_by_hand():
    answers, details, *_ = CASES["strict-JSON classifier"]
    # Saving at V against B: V x (2,450 - 550 tokens) x $0.20/M - fixed; pays back in a year when
    # 12 x saving >= one-off, so V >= (one-off / 12 + fixed) / (1,900 x $0.20/M).
    hand = _hand(answers, details)
    per_request = (2_450 - 550) * B_PRICE
    least = (hand["one_off"] / 12 + hand["fixed"]) / per_request
    assert least == pytest.approx(1_937_061.4, abs=0.1)
    panel = _record("strict-JSON classifier").cost_estimate
    assert panel["break_even_volume"] == math.ceil(least) == 1_937_062


@pytest.mark.django_db
def test_all_zero_answers_show_no_monthly_figures_and_no_zero_dollars():
    decision = _record("all zero")
    panel = decision.cost_estimate
    assert all(option["monthly"] is None for option in panel["options"])
    assert panel["saving"] is None and panel["pays_back"] is False
    # No prompt to drop: the fine-tuned request (100 + 500 + 300 tokens) costs more than the
    # prompted one (0 + 500 + 300) at the same rate, so no volume pays back.
    answers, details, *_ = CASES["all zero"]
    assert _hand(answers, details)["break_even"] is None
    assert panel["break_even_volume"] is None
    text = " ".join(
        [panel["summary"], *(f"{f['value']} {f['detail']}" for f in panel["figures"]),
         *(reason["text"] for reason in decision.result["reasons"])]
    )
    assert not re.search(r"\$0\.00(?!\d)", text)  # "$0.00070" a request is a real price
    assert "No volume yet" in panel["summary"]
