"""The decision engine, version 2.0, checked against DESIGN.md section 3 (and 3b) alone.

Pure Python: no database, no Django. Everything the engine decides is restated here from DESIGN's
words, independently of decisions/engine.py: the pay-back test and the break-even volume
(`ref_pays_back`, `ref_break_even`), the rule table (`ref_fired`), the procedure
(`ref_recommendation`), `what_would_change` (`ref_what_would_change`) and `strength`
(`ref_strength`). Table-driven tests pin each rule; hypothesis properties compare the engine with
the restatement over random answers and random economics.

Readings of DESIGN where it leaves room (see the report that came with this file):
- rows are shown in the order of the tradeoff table (the article's table,
  decisions.domain.tradeoffs), which is the table the rows belong to; reasons in the order of
  the rule table;
- `strength`'s "a single change" is a change of one answer (not the combined change);
- DESIGN does not say which of several smallest combined changes to show, so any one of the
  smallest is accepted, provided it is made of the candidate values and really flips the verdict;
- "between 0.8 and 1.25 times" is taken in exact arithmetic.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.domain import rules
from decisions.domain.economics import PAYBACK_MONTHS
from decisions.domain.engine import (
    ENGINE_VERSION,
    LONG_PROMPT,
    MIN_EXAMPLES,
    Answers,
    Economics,
    InvalidAnswers,
    decide,
)
from decisions.domain.tradeoffs import TRADEOFFS_BY_KEY

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The monotonicity properties decide twice per example; fewer examples keep the file under ~20 s.
LIGHT = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- DESIGN section 3, restated ---

FIELDS = (
    "monthly_requests",
    "prompt_tokens",
    "labeled_examples",
    "domain_language",
    "change_frequency",
    "phase",
    "fresh_knowledge",
    "latency",
    "output_format",
    "reasoning",
    "small_model",
)
NUMBER_FIELDS = ("monthly_requests", "prompt_tokens", "labeled_examples")
BOOL_FIELDS = ("domain_language", "fresh_knowledge")
CHOICES = {
    "change_frequency": ("weekly", "monthly", "quarterly", "rarely"),
    "phase": ("exploring", "launching", "production"),
    "latency": ("batch", "interactive", "critical"),
    "output_format": ("free_text", "structured", "strict"),
    "reasoning": ("simple", "complex"),
    "small_model": ("good_enough", "falls_short", "not_tried"),
}

# (code, kind, rows, favours), in the rule table's order.
RULE_TABLE = (
    ("few_examples", "blocker", ("data_required",), "prompting"),
    ("changes_often", "blocker", ("updateability",), "prompting"),
    ("exploring", "blocker", ("setup_cost",), "prompting"),
    ("pays_back", "signal", ("inference_cost",), "fine_tuning"),
    ("strict_format", "signal", ("consistency",), "fine_tuning"),
    ("domain_language", "signal", (), "fine_tuning"),
    ("latency_critical", "signal", ("latency",), "fine_tuning"),
    ("fresh_knowledge", "hybrid_trigger", ("knowledge_cutoff",), "prompting"),
    ("complex_reasoning", "hybrid_trigger", (), "hybrid"),
    ("prompting_default", "default", ("setup_cost", "updateability"), "prompting"),
    ("costs_more", "note", (), "prompting"),
    ("try_small_first", "note", (), "prompting"),
    ("reasoning_stays_large", "note", (), "prompting"),
)
RULE_ORDER = tuple(code for code, _, _, _ in RULE_TABLE)
RULE_KIND = {code: kind for code, kind, _, _ in RULE_TABLE}
RULE_ROWS = {code: rows for code, _, rows, _ in RULE_TABLE}
RULE_FAVOURS = {code: favours for code, _, _, favours in RULE_TABLE}
BLOCKERS = tuple(code for code in RULE_ORDER if RULE_KIND[code] == "blocker")
SIGNALS = tuple(code for code in RULE_ORDER if RULE_KIND[code] == "signal")
NOTES = tuple(code for code in RULE_ORDER if RULE_KIND[code] == "note")

# The article's tradeoff table, in its order (the rows' "table order").
ROW_ORDER = (
    "setup_cost",
    "data_required",
    "inference_cost",
    "latency",
    "consistency",
    "updateability",
    "knowledge_cutoff",
)
MAX_VOLUME = 10**12


def baseline_price(econ: Economics, small_model: str) -> float:
    """A when the small model, prompted, falls short; otherwise B."""
    if small_model == "falls_short":
        return econ.prompted_per_request
    return econ.small_prompted_per_request


def ref_pays_back(econ: Economics, volume: int, small_model: str) -> bool:
    """S(V) = V x (baseline - tuned) - monthly_fixed; pays back when S > 0 and one_off <= h x S."""
    saving = volume * (baseline_price(econ, small_model) - econ.tuned_per_request) - (
        econ.monthly_fixed
    )
    return saving > 0 and econ.one_off <= econ.horizon_months * saving


def ref_break_even(econ: Economics, small_model: str) -> int | None:
    """The least whole V in 1..10^12 that pays back (the test is monotone in V, even in floats)."""
    if baseline_price(econ, small_model) <= econ.tuned_per_request:
        return None
    if not ref_pays_back(econ, MAX_VOLUME, small_model):
        return None
    low, high = 1, MAX_VOLUME
    while low < high:
        middle = (low + high) // 2
        if ref_pays_back(econ, middle, small_model):
            high = middle
        else:
            low = middle + 1
    return low


def ref_fired(a: dict, econ: Economics | None) -> list[str]:
    """The codes of the fired rules, in the rule table's order."""
    good = a["small_model"] == "good_enough"
    fired = {
        "few_examples": a["labeled_examples"] < MIN_EXAMPLES,
        "changes_often": a["change_frequency"] in ("weekly", "monthly"),
        "exploring": a["phase"] == "exploring",
        "pays_back": econ is not None
        and a["monthly_requests"] >= 1
        and ref_pays_back(econ, a["monthly_requests"], a["small_model"]),
        "strict_format": a["output_format"] == "strict" and not good,
        "domain_language": a["domain_language"] and not good,
        "latency_critical": a["latency"] == "critical"
        and a["prompt_tokens"] >= LONG_PROMPT
        and not good,
        "fresh_knowledge": a["fresh_knowledge"],
        "complex_reasoning": a["reasoning"] == "complex",
    }
    blocker = any(fired[code] for code in BLOCKERS)
    signal = any(fired[code] for code in SIGNALS)
    fired["prompting_default"] = not blocker and not signal
    fired["costs_more"] = econ is not None and not fired["pays_back"]
    fired["try_small_first"] = (
        econ is not None
        and a["small_model"] == "not_tried"
        and econ.small_prompted_per_request < econ.prompted_per_request
    )
    fired["reasoning_stays_large"] = (
        not blocker
        and signal
        and fired["complex_reasoning"]
        and not good
        and not fired["strict_format"]
    )
    return [code for code in RULE_ORDER if fired[code]]


def ref_recommendation(a: dict, econ: Economics | None) -> str:
    """DESIGN's five-step procedure."""
    fired = set(ref_fired(a, econ))
    if fired & set(BLOCKERS):
        return "prompting"
    if not fired & set(SIGNALS):
        return "prompting"
    if "complex_reasoning" in fired and a["small_model"] != "good_enough":
        return "hybrid" if "strict_format" in fired else "prompting"
    if "fresh_knowledge" in fired:
        return "hybrid"
    return "fine_tuning"


def ref_rows(codes: list[str]) -> list[tuple[str, str]]:
    """(key, favours) of the rows the fired rules name, each once, in the tradeoff table's order."""
    named: dict[str, str] = {}
    for code in codes:
        for key in RULE_ROWS[code]:
            named.setdefault(key, RULE_FAVOURS[code])
    return sorted(named.items(), key=lambda item: ROW_ORDER.index(item[0]))


def ref_candidates(a: dict, econ: Economics | None) -> list[tuple[str, tuple]]:
    """For each field in the Answers table's order, the values DESIGN says to try."""
    out = []
    for name in FIELDS:
        if name == "monthly_requests":
            be = ref_break_even(econ, a["small_model"]) if econ is not None else None
            values: tuple = () if be is None else (be, be - 1)
        elif name == "prompt_tokens":
            values = (LONG_PROMPT, LONG_PROMPT - 1)
        elif name == "labeled_examples":
            values = (MIN_EXAMPLES, MIN_EXAMPLES - 1)
        elif name in BOOL_FIELDS:
            values = (not a[name],)
        else:
            values = CHOICES[name]
        out.append((name, tuple(v for v in values if v != a[name])))
    return out


def ref_what_would_change(
    a: dict, econ: Economics | None
) -> tuple[list[tuple[dict, str]], int | None]:
    """Every single change that flips the verdict, in order; else (no singles) the size of the
    smallest combined change. Economics stay as computed for the person's answers."""
    current = ref_recommendation(a, econ)
    candidates = ref_candidates(a, econ)
    singles = []
    for name, values in candidates:
        for value in values:
            recommendation = ref_recommendation({**a, name: value}, econ)
            if recommendation != current:
                singles.append(({name: value}, recommendation))
    if singles:
        return singles, None
    fields = [(name, values) for name, values in candidates if values]
    for size in range(2, len(fields) + 1):
        for combo in itertools.combinations(fields, size):
            names = [name for name, _ in combo]
            for values in itertools.product(*(values for _, values in combo)):
                changed = {**a, **dict(zip(names, values, strict=True))}
                if ref_recommendation(changed, econ) != current:
                    return [], size
    return [], None


def near(value: int, person: int) -> bool:
    """0.8 x person <= value <= 1.25 x person, both ends included, exactly; from 0 none is."""
    return person > 0 and Fraction(4, 5) * person <= value <= Fraction(5, 4) * person


def ref_strength(a: dict, econ: Economics | None) -> str:
    singles, _ = ref_what_would_change(a, econ)
    for changes, _ in singles:
        ((name, value),) = changes.items()
        if name in NUMBER_FIELDS and near(value, a[name]):
            return "borderline"
    fired = ref_fired(a, econ)
    if sum(code in fired for code in BLOCKERS) == 1 and "pays_back" in fired:
        return "borderline"
    return "clear"


# --- Helpers ---

# Answers on which no blocker, signal or hybrid trigger fires; each test changes what it is about.
CALM = {
    "monthly_requests": 10_000,
    "prompt_tokens": 1500,
    "labeled_examples": 500,
    "domain_language": False,
    "change_frequency": "rarely",
    "phase": "production",
    "fresh_knowledge": False,
    "latency": "interactive",
    "output_format": "free_text",
    "reasoning": "simple",
    "small_model": "not_tried",
}


def econ(**overrides) -> Economics:
    values = {
        "prompted_per_request": 0.375,
        "small_prompted_per_request": 0.375,
        "tuned_per_request": 0.125,
        "monthly_fixed": 0.0,
        "one_off": 1000.0,
        "horizon_months": 12.0,
        "prompted_model": "big-model",
        "tuned_model": "small-model",
    }
    values.update(overrides)
    return Economics(**values)


# A == B, so try_small_first stays silent; saving 0.25 a request against either baseline:
# 12 x 0.25 x V >= 1000  <=>  V >= 333.3..., so the break-even volume is 334.
SAME = econ()
# B < A: against A (falls_short) the saving is 0.875 a request, break-even 96; against B, 334.
SPLIT = econ(prompted_per_request=1.0)
# Both baselines cheaper than the fine-tuned model: never pays back.
NEVER = econ(prompted_per_request=0.1, small_prompted_per_request=0.1)


def answers(**overrides) -> dict:
    return {**CALM, **overrides}


def run(a: dict, economics: Economics | None = None):
    return decide(Answers(**a), economics)


def codes(result) -> list[str]:
    return [reason.code for reason in result.reasons]


def reason_text(result, code: str) -> str:
    matches = [reason.text for reason in result.reasons if reason.code == code]
    assert matches, f"{code} did not fire; fired: {codes(result)}"
    return matches[0]


ZERO_DOLLARS = re.compile(r"\$0\.00(?![0-9])")  # "$0.00", not "$0.0016"


def all_texts(result) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False)


# --- The constants and the shape ---


def test_named_constants():
    assert (MIN_EXAMPLES, PAYBACK_MONTHS, LONG_PROMPT, ENGINE_VERSION) == (100, 12, 1000, "2.0")


def test_answers_defaults():
    a = Answers(**{k: v for k, v in CALM.items() if k not in ("prompt_tokens", "small_model")})
    assert (a.prompt_tokens, a.small_model) == (1500, "not_tried")
    assert [f.name for f in dataclasses.fields(Answers)] == list(FIELDS)


def test_result_shape_and_version():
    result = run(answers(), SAME)
    assert result.engine_version == "2.0"
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    for key in ("recommendation", "strength", "reasons", "rows", "what_would_change"):
        assert key in data
    assert data["engine_version"] == "2.0"
    assert [list(r) for r in data["reasons"]] == [["code", "favours", "text"]] * len(result.reasons)
    assert [list(r) for r in data["rows"]] == [
        ["key", "dimension", "prompting", "fine_tuning", "favours"]
    ] * len(result.rows)
    assert all(list(c) == ["changes", "recommendation", "text"] for c in data["what_would_change"])
    assert result.strength in ("clear", "borderline")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_requests", -1),
        ("monthly_requests", 10**12 + 1),
        ("monthly_requests", True),
        ("prompt_tokens", -1),
        ("prompt_tokens", 2_000_001),
        ("labeled_examples", 10**9 + 1),
        ("labeled_examples", 1.5),
        ("domain_language", "yes"),
        ("change_frequency", "daily"),
        ("phase", "done"),
        ("latency", "fast"),
        ("output_format", "json"),
        ("reasoning", "hard"),
        ("small_model", "maybe"),
    ],
)
def test_invalid_answers_are_refused(field, value):
    with pytest.raises(InvalidAnswers):
        Answers(**answers(**{field: value}))


@pytest.mark.parametrize(
    "extremes",
    [
        {"monthly_requests": 0, "prompt_tokens": 0, "labeled_examples": 0},
        {"monthly_requests": 10**12, "prompt_tokens": 2_000_000, "labeled_examples": 10**9},
    ],
)
def test_range_ends_are_accepted(extremes):
    assert run(answers(**extremes), SAME).engine_version == "2.0"


# --- 1. Every rule, table-driven ---

P, F = "prompting", "fine_tuning"

# (id, answer overrides, economics, fired codes, recommendation, rows as (key, favours))
# fmt: off
RULE_CASES = [
    ("calm", {}, None, ["prompting_default"], P, [("setup_cost", P), ("updateability", P)]),
    ("few_examples_99", {"labeled_examples": 99}, None, ["few_examples"], P,
     [("data_required", P)]),
    ("few_examples_0", {"labeled_examples": 0}, None, ["few_examples"], P,
     [("data_required", P)]),
    ("examples_100_is_enough", {"labeled_examples": 100}, None, ["prompting_default"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("changes_weekly", {"change_frequency": "weekly"}, None, ["changes_often"], P,
     [("updateability", P)]),
    ("changes_monthly", {"change_frequency": "monthly"}, None, ["changes_often"], P,
     [("updateability", P)]),
    ("changes_quarterly", {"change_frequency": "quarterly"}, None, ["prompting_default"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("exploring", {"phase": "exploring"}, None, ["exploring"], P, [("setup_cost", P)]),
    ("launching", {"phase": "launching"}, None, ["prompting_default"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("pays_back", {}, SAME, ["pays_back"], F, [("inference_cost", F)]),
    ("strict", {"output_format": "strict"}, None, ["strict_format"], F, [("consistency", F)]),
    ("structured_is_not_strict", {"output_format": "structured"}, None, ["prompting_default"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("strict_small_good_enough", {"output_format": "strict", "small_model": "good_enough"}, None,
     ["prompting_default"], P, [("setup_cost", P), ("updateability", P)]),
    ("strict_small_falls_short", {"output_format": "strict", "small_model": "falls_short"}, None,
     ["strict_format"], F, [("consistency", F)]),
    ("domain_language", {"domain_language": True}, None, ["domain_language"], F, []),
    ("domain_small_good_enough", {"domain_language": True, "small_model": "good_enough"}, None,
     ["prompting_default"], P, [("setup_cost", P), ("updateability", P)]),
    ("latency_1000", {"latency": "critical", "prompt_tokens": 1000}, None, ["latency_critical"],
     F, [("latency", F)]),
    ("latency_999", {"latency": "critical", "prompt_tokens": 999}, None, ["prompting_default"],
     P, [("setup_cost", P), ("updateability", P)]),
    ("latency_small_good_enough",
     {"latency": "critical", "prompt_tokens": 8000, "small_model": "good_enough"}, None,
     ["prompting_default"], P, [("setup_cost", P), ("updateability", P)]),
    ("latency_interactive_long_prompt", {"prompt_tokens": 8000}, None, ["prompting_default"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("all_quality_signals_silent_when_good_enough",
     {"output_format": "strict", "domain_language": True, "latency": "critical",
      "small_model": "good_enough"}, SAME, ["pays_back"], F, [("inference_cost", F)]),
    ("fresh_alone", {"fresh_knowledge": True}, None, ["fresh_knowledge", "prompting_default"], P,
     [("setup_cost", P), ("updateability", P), ("knowledge_cutoff", P)]),
    ("fresh_with_signal_is_hybrid", {"fresh_knowledge": True, "output_format": "strict"}, None,
     ["strict_format", "fresh_knowledge"], "hybrid",
     [("consistency", F), ("knowledge_cutoff", P)]),
    ("fresh_with_pays_back_is_hybrid", {"fresh_knowledge": True}, SAME,
     ["pays_back", "fresh_knowledge"], "hybrid",
     [("inference_cost", F), ("knowledge_cutoff", P)]),
    ("complex_alone", {"reasoning": "complex"}, None, ["complex_reasoning", "prompting_default"],
     P, [("setup_cost", P), ("updateability", P)]),
    ("complex_strict_is_hybrid", {"reasoning": "complex", "output_format": "strict"}, None,
     ["strict_format", "complex_reasoning"], "hybrid", [("consistency", F)]),
    ("complex_domain_stays_large", {"reasoning": "complex", "domain_language": True}, None,
     ["domain_language", "complex_reasoning", "reasoning_stays_large"], P, []),
    ("complex_latency_stays_large",
     {"reasoning": "complex", "latency": "critical", "prompt_tokens": 4000}, None,
     ["latency_critical", "complex_reasoning", "reasoning_stays_large"], P, [("latency", F)]),
    ("complex_pays_back_stays_large", {"reasoning": "complex"}, SAME,
     ["pays_back", "complex_reasoning", "reasoning_stays_large"], P, [("inference_cost", F)]),
    ("complex_pays_back_falls_short_stays_large",
     {"reasoning": "complex", "small_model": "falls_short"}, SAME,
     ["pays_back", "complex_reasoning", "reasoning_stays_large"], P, [("inference_cost", F)]),
    ("complex_strict_domain_is_hybrid",
     {"reasoning": "complex", "output_format": "strict", "domain_language": True}, None,
     ["strict_format", "domain_language", "complex_reasoning"], "hybrid", [("consistency", F)]),
    ("complex_strict_fresh_is_hybrid",
     {"reasoning": "complex", "output_format": "strict", "fresh_knowledge": True}, None,
     ["strict_format", "fresh_knowledge", "complex_reasoning"], "hybrid",
     [("consistency", F), ("knowledge_cutoff", P)]),
    ("complex_domain_fresh_stays_large",
     {"reasoning": "complex", "domain_language": True, "fresh_knowledge": True}, None,
     ["domain_language", "fresh_knowledge", "complex_reasoning", "reasoning_stays_large"], P,
     [("knowledge_cutoff", P)]),
    ("complex_good_enough_pays_back_is_fine_tuning",
     {"reasoning": "complex", "small_model": "good_enough"}, SAME,
     ["pays_back", "complex_reasoning"], F, [("inference_cost", F)]),
    ("complex_good_enough_fresh_pays_back_is_hybrid",
     {"reasoning": "complex", "small_model": "good_enough", "fresh_knowledge": True}, SAME,
     ["pays_back", "fresh_knowledge", "complex_reasoning"], "hybrid",
     [("inference_cost", F), ("knowledge_cutoff", P)]),
    ("blocker_beats_signal", {"labeled_examples": 40, "output_format": "strict"}, None,
     ["few_examples", "strict_format"], P, [("data_required", P), ("consistency", F)]),
    ("blocker_beats_pays_back", {"change_frequency": "weekly"}, SAME,
     ["changes_often", "pays_back"], P, [("inference_cost", F), ("updateability", P)]),
    ("two_blockers_rows_in_table_order", {"labeled_examples": 5, "phase": "exploring"}, None,
     ["few_examples", "exploring"], P, [("setup_cost", P), ("data_required", P)]),
    ("three_blockers", {"labeled_examples": 5, "phase": "exploring",
                        "change_frequency": "monthly"}, None,
     ["few_examples", "changes_often", "exploring"], P,
     [("setup_cost", P), ("data_required", P), ("updateability", P)]),
    ("no_stays_large_under_a_blocker",
     {"labeled_examples": 5, "reasoning": "complex", "domain_language": True}, None,
     ["few_examples", "domain_language", "complex_reasoning"], P, [("data_required", P)]),
    ("costs_more_never_pays", {}, NEVER, ["prompting_default", "costs_more"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("costs_more_is_only_a_note", {"output_format": "strict"}, NEVER,
     ["strict_format", "costs_more"], F, [("consistency", F)]),
    ("try_small_first_is_only_a_note", {}, SPLIT, ["pays_back", "try_small_first"], F,
     [("inference_cost", F)]),
    ("try_small_first_not_when_falls_short", {"small_model": "falls_short"}, SPLIT,
     ["pays_back"], F, [("inference_cost", F)]),
    ("try_small_first_not_when_good_enough", {"small_model": "good_enough"}, SPLIT,
     ["pays_back"], F, [("inference_cost", F)]),
    ("try_small_first_not_when_b_equals_a", {}, SAME, ["pays_back"], F, [("inference_cost", F)]),
    ("zero_volume_notes", {"monthly_requests": 0}, SPLIT,
     ["prompting_default", "costs_more", "try_small_first"], P,
     [("setup_cost", P), ("updateability", P)]),
    ("all_notes_with_hybrid_blocked_reasoning",
     {"reasoning": "complex", "domain_language": True}, NEVER,
     ["domain_language", "complex_reasoning", "costs_more", "reasoning_stays_large"], P, []),
]
# fmt: on


@pytest.mark.parametrize(
    ("overrides", "economics", "fired", "recommendation", "rows"),
    [case[1:] for case in RULE_CASES],
    ids=[case[0] for case in RULE_CASES],
)
def test_rule_table(overrides, economics, fired, recommendation, rows):
    a = answers(**overrides)
    # The table above is hand-written from DESIGN; the restatement must agree with it too.
    assert ref_fired(a, economics) == fired, "the test's own restatement disagrees with its table"
    assert ref_recommendation(a, economics) == recommendation
    assert ref_rows(fired) == rows
    result = run(a, economics)
    assert codes(result) == fired, f"reasons for {overrides} (economics {economics})"
    assert result.recommendation == recommendation
    assert [(row.key, row.favours) for row in result.rows] == rows
    for reason in result.reasons:
        assert reason.favours == RULE_FAVOURS[reason.code], reason.code
        assert reason.text.strip(), reason.code


def test_rows_carry_the_articles_words():
    result = run(answers(output_format="strict", labeled_examples=5, fresh_knowledge=True), SAME)
    assert result.rows
    for row in result.rows:
        source = TRADEOFFS_BY_KEY[row.key]
        assert (row.dimension, row.prompting, row.fine_tuning) == (
            source.dimension,
            source.prompting,
            source.fine_tuning,
        )
    inference = TRADEOFFS_BY_KEY["inference_cost"]
    assert inference.dimension == "Inference cost"
    assert inference.fine_tuning == "Lower (shorter prompts, smaller model)"


# --- 2. Economics edge cases ---


def test_economics_baseline_is_a_only_when_the_small_model_falls_short():
    assert SPLIT.baseline("falls_short") == "prompted"
    assert SPLIT.baseline("not_tried") == "small_prompted"
    assert SPLIT.baseline("good_enough") == "small_prompted"


def test_break_even_by_hand():
    # SAME: 12 x 0.25 x V >= 1000 -> V >= 333.33: 334 against either baseline.
    assert ref_break_even(SAME, "not_tried") == 334
    assert SAME.break_even_volume("small_prompted") == 334
    assert SAME.break_even_volume("prompted") == 334
    assert SAME.pays_back(334, "small_prompted")
    assert not SAME.pays_back(333, "small_prompted")
    # SPLIT against A: 12 x 0.875 x V >= 1000 -> V >= 95.2: 96.
    assert ref_break_even(SPLIT, "falls_short") == 96
    assert SPLIT.break_even_volume("prompted") == 96
    assert SPLIT.break_even_volume("small_prompted") == 334


def test_baseline_cheaper_than_fine_tuned_never_pays_back():
    assert ref_break_even(NEVER, "not_tried") is None
    assert NEVER.break_even_volume("small_prompted") is None
    assert NEVER.break_even_volume("prompted") is None
    assert not NEVER.pays_back(10**12, "small_prompted")
    result = run(answers(monthly_requests=10**12), NEVER)
    assert "pays_back" not in codes(result)
    assert "costs_more" in codes(result)
    assert all("monthly_requests" not in c.changes for c in result.what_would_change)


def test_baseline_equal_to_fine_tuned_never_pays_back():
    equal = econ(small_prompted_per_request=0.125, one_off=0.0)
    assert equal.break_even_volume("small_prompted") is None
    result = run(answers(monthly_requests=10**12), equal)
    assert "pays_back" not in codes(result)
    assert "costs_more" in codes(result)


def test_zero_volume_never_pays_back_even_with_nothing_to_pay():
    free = econ(one_off=0.0, monthly_fixed=0.0)
    result = run(answers(monthly_requests=0), free)
    assert "pays_back" not in codes(result)
    assert "costs_more" in codes(result)
    assert result.recommendation == "prompting"
    assert ref_break_even(free, "not_tried") == 1
    assert free.break_even_volume("small_prompted") == 1
    # One request a month is enough when training is free.
    assert "pays_back" in codes(run(answers(monthly_requests=1), free))


def test_hosting_and_retraining_fees():
    # S(V) = 0.25 V - 500 > 0 needs V > 2000; 1200 <= 12 S(V) needs S >= 100, V >= 2400.
    hosted = econ(monthly_fixed=500.0, one_off=1200.0)
    assert ref_break_even(hosted, "not_tried") == 2400
    assert hosted.break_even_volume("small_prompted") == 2400
    assert not hosted.pays_back(2399, "small_prompted")
    assert "pays_back" in codes(run(answers(monthly_requests=2400), hosted))
    assert "pays_back" not in codes(run(answers(monthly_requests=2399), hosted))
    # Without a one-off cost the fee alone decides: S must be > 0, so V > 2000.
    fee_only = econ(monthly_fixed=500.0, one_off=0.0)
    assert fee_only.break_even_volume("small_prompted") == 2001
    assert "pays_back" not in codes(run(answers(monthly_requests=2000), fee_only))
    assert "pays_back" in codes(run(answers(monthly_requests=2001), fee_only))


def test_break_even_at_the_top_of_the_range():
    # One dollar saved a request, no one-off: it pays back once V x 1.0 > monthly_fixed.
    top = econ(small_prompted_per_request=1.125, one_off=0.0, monthly_fixed=float(10**12 - 1))
    assert ref_break_even(top, "not_tried") == 10**12
    assert top.break_even_volume("small_prompted") == 10**12
    assert "pays_back" in codes(run(answers(monthly_requests=10**12), top))
    beyond = econ(small_prompted_per_request=1.125, one_off=0.0, monthly_fixed=float(10**12))
    assert ref_break_even(beyond, "not_tried") is None
    assert beyond.break_even_volume("small_prompted") is None
    result = run(answers(monthly_requests=10**12), beyond)
    assert "costs_more" in codes(result)
    assert all("monthly_requests" not in c.changes for c in result.what_would_change)


def test_short_horizon():
    # 2 months: 2 x 0.25 x V >= 1000 -> V >= 2000; in 12 months V >= 334 would do.
    short = econ(horizon_months=2.0)
    assert ref_break_even(short, "not_tried") == 2000
    assert short.break_even_volume("small_prompted") == 2000
    assert "pays_back" not in codes(run(answers(monthly_requests=1000), short))
    assert "pays_back" in codes(run(answers(monthly_requests=1000), SAME))
    assert "pays_back" in codes(run(answers(monthly_requests=2000), short))


def test_no_economics_no_cost_rule():
    for volume in (0, 1, 10_000, 10**12):
        result = run(answers(monthly_requests=volume), None)
        assert not {"pays_back", "costs_more", "try_small_first"} & set(codes(result))
        assert all("monthly_requests" not in c.changes for c in result.what_would_change)
    assert decide(Answers(**answers())).recommendation == "prompting"


def test_baseline_a_when_falls_short_b_otherwise():
    # At 200 a month SPLIT pays back against A (break-even 96) but not against B (334).
    assert "pays_back" in codes(
        run(answers(monthly_requests=200, small_model="falls_short"), SPLIT)
    )
    for small_model in ("not_tried", "good_enough"):
        result = run(answers(monthly_requests=200, small_model=small_model), SPLIT)
        assert "pays_back" not in codes(result), small_model
        assert "costs_more" in codes(result), small_model


# --- 3. what_would_change and strength, by hand ---


def changes_of(result) -> list[tuple[dict, str]]:
    return [(dict(c.changes), c.recommendation) for c in result.what_would_change]


def test_what_would_change_by_hand():
    a = answers(output_format="strict")
    expected = [
        ({"labeled_examples": 99}, "prompting"),
        ({"change_frequency": "weekly"}, "prompting"),
        ({"change_frequency": "monthly"}, "prompting"),
        ({"phase": "exploring"}, "prompting"),
        ({"fresh_knowledge": True}, "hybrid"),
        ({"reasoning": "complex"}, "hybrid"),
    ]
    assert ref_what_would_change(a, SAME) == (expected, None)
    assert changes_of(run(a, SAME)) == expected


def test_what_would_change_tries_the_break_even_volume():
    a = answers(monthly_requests=300)
    assert changes_of(run(a, SAME))[0] == ({"monthly_requests": 334}, "fine_tuning")
    b = answers(monthly_requests=5000)
    assert ({"monthly_requests": 333}, "prompting") in changes_of(run(b, SAME))


def test_what_would_change_tries_the_prompt_threshold():
    a = answers(latency="critical", prompt_tokens=4000)
    assert changes_of(run(a, None))[0] == ({"prompt_tokens": 999}, "prompting")
    b = answers(latency="critical", prompt_tokens=200)
    assert changes_of(run(b, None))[0] == ({"prompt_tokens": 1000}, "fine_tuning")


def test_combined_change_when_no_single_one_flips():
    a = answers(labeled_examples=50, change_frequency="weekly", output_format="strict")
    assert ref_what_would_change(a, None) == ([], 2)
    result = run(a, None)
    assert len(result.what_would_change) == 1
    (change,) = result.what_would_change
    assert change.recommendation == "fine_tuning"
    assert dict(change.changes) in (
        {"labeled_examples": 100, "change_frequency": "quarterly"},
        {"labeled_examples": 100, "change_frequency": "rarely"},
    )


@pytest.mark.parametrize(
    ("overrides", "economics", "strength"),
    [
        # labeled 80 -> 100 is exactly 1.25 times: included.
        ({"labeled_examples": 80, "output_format": "strict"}, None, "borderline"),
        ({"labeled_examples": 79, "output_format": "strict"}, None, "clear"),
        # labeled 123 -> 99 is 0.805 times; 124 -> 99 is 0.798 times.
        ({"labeled_examples": 123, "output_format": "strict"}, None, "borderline"),
        ({"labeled_examples": 124, "output_format": "strict"}, None, "clear"),
        # volume 268 -> 334 is 1.246 times; 267 -> 334 is 1.251 times.
        ({"monthly_requests": 268}, SAME, "borderline"),
        ({"monthly_requests": 267}, SAME, "clear"),
        # from 0, nothing is near.
        ({"monthly_requests": 0}, SAME, "clear"),
        # prompt 1248 -> 999 is 0.8005 times; 1249 -> 999 is 0.7998 times.
        ({"latency": "critical", "prompt_tokens": 1248}, None, "borderline"),
        ({"latency": "critical", "prompt_tokens": 1249}, None, "clear"),
        # one blocker between the team and a saving, however far from its threshold.
        ({"labeled_examples": 5}, SAME, "borderline"),
        ({"phase": "exploring"}, SAME, "borderline"),
        ({"phase": "exploring", "labeled_examples": 5}, SAME, "clear"),
        ({"phase": "exploring"}, NEVER, "clear"),
        ({}, None, "clear"),
    ],
)
def test_strength_by_hand(overrides, economics, strength):
    a = answers(**overrides)
    assert ref_strength(a, economics) == strength, "the test's own restatement"
    result = run(a, economics)
    assert result.strength == strength
    if result.strength == "borderline":
        assert result.strength_note.strip(), "a borderline verdict says which answer to firm up"


def test_strength_at_exactly_080_of_the_volume():
    # one_off 1203: 12 x 0.25 x V >= 1203 -> V >= 401. At 500 a month the flip is 400 = 0.8 x 500.
    edge = econ(one_off=1203.0)
    assert edge.break_even_volume("small_prompted") == 401
    assert ref_strength(answers(monthly_requests=500), edge) == "borderline"
    assert ref_strength(answers(monthly_requests=501), edge) == "clear"
    assert run(answers(monthly_requests=500), edge).strength == "borderline"
    assert run(answers(monthly_requests=501), edge).strength == "clear"


@pytest.mark.parametrize(
    ("overrides", "economics", "words"),
    [
        ({"labeled_examples": 80, "output_format": "strict"}, None, ("example",)),
        ({"monthly_requests": 268}, SAME, ("volume", "request", "completion")),
        ({"latency": "critical", "prompt_tokens": 1248}, None, ("prompt",)),
        ({"labeled_examples": 5}, SAME, ("label",)),
    ],
)
def test_a_borderline_verdict_says_which_answer_to_firm_up(overrides, economics, words):
    result = run(answers(**overrides), economics)
    assert result.strength == "borderline"
    note = result.strength_note.lower()
    assert any(word in note for word in words), note


# --- 3. Properties against the restatement ---

PRICE = st.one_of(
    st.sampled_from([0.0, 1e-6, 0.0001, 0.000125, 0.00056, 0.00128, 0.0064, 0.01, 0.125, 0.375]),
    st.floats(min_value=0, max_value=0.05, allow_nan=False, allow_infinity=False),
)
FIXED = st.one_of(
    st.sampled_from([0.0, 0.0, 50.0, 500.0, 1234.5, 20_000.0]),
    st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False),
)
ONE_OFF = st.one_of(
    st.sampled_from([0.0, 10.0, 1200.0, 8010.0, 50_000.0]),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)
HORIZON = st.one_of(
    st.sampled_from([12.0, 12.0, 2.0, 1.0, 0.5, 6.0, 11.5]),
    st.floats(min_value=0.1, max_value=12, allow_nan=False, allow_infinity=False),
)


@st.composite
def cheaper_tuned_st(draw) -> Economics:
    """Economics in which the fine-tuned model is cheaper per request than both baselines."""
    small = draw(PRICE.filter(lambda price: price > 0))
    return Economics(
        prompted_per_request=small * draw(st.sampled_from([1.0, 1.5, 5.0])),
        small_prompted_per_request=small,
        tuned_per_request=small * draw(st.sampled_from([0.0, 0.1, 0.44, 0.9, 0.999])),
        monthly_fixed=draw(FIXED),
        one_off=draw(ONE_OFF),
        horizon_months=draw(HORIZON),
        prompted_model="big-model",
        tuned_model="small-model",
    )


economics_st = st.one_of(
    st.none(),
    st.builds(
        Economics,
        prompted_per_request=PRICE,
        small_prompted_per_request=PRICE,
        tuned_per_request=PRICE,
        monthly_fixed=FIXED,
        one_off=ONE_OFF,
        horizon_months=HORIZON,
        prompted_model=st.just("big-model"),
        tuned_model=st.just("small-model"),
    ),
    cheaper_tuned_st(),
)
EXAMPLES = st.one_of(
    st.sampled_from([0, 7, 10, 50, 79, 80, 81, 99, 100, 101, 123, 124, 125, 500, 20_000]),
    st.integers(min_value=MIN_EXAMPLES, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
)
TOKENS = st.one_of(
    st.sampled_from([0, 100, 799, 800, 801, 999, 1000, 1001, 1248, 1249, 1250, 1500, 8000]),
    st.integers(min_value=0, max_value=2_000_000),
)


@st.composite
def case_st(draw) -> tuple[dict, Economics | None]:
    economics = draw(economics_st)
    small_model = draw(st.sampled_from(CHOICES["small_model"]))
    volumes = st.one_of(
        st.sampled_from([0, 1, 5_000, 300_000, 2_000_000, 50_000_000, 10**12]),
        st.integers(min_value=0, max_value=10**12),
    )
    be = ref_break_even(economics, small_model) if economics is not None else None
    if be is not None:
        around = [be - 1, be, be + 1, be * 4 // 5, be * 5 // 4, be * 5 // 4 + 1, be * 2]
        near_be = st.sampled_from([v for v in around if 0 <= v <= 10**12])
        volumes = st.one_of(near_be, near_be, volumes)
    a = {
        "monthly_requests": draw(volumes),
        "prompt_tokens": draw(TOKENS),
        "labeled_examples": draw(EXAMPLES),
        "domain_language": draw(st.booleans()),
        "change_frequency": draw(
            st.sampled_from(CHOICES["change_frequency"] + ("quarterly", "rarely") * 2)
        ),
        "phase": draw(st.sampled_from(CHOICES["phase"] + ("production", "launching") * 2)),
        "fresh_knowledge": draw(st.booleans()),
        "latency": draw(st.sampled_from(CHOICES["latency"])),
        "output_format": draw(st.sampled_from(CHOICES["output_format"])),
        "reasoning": draw(st.sampled_from(CHOICES["reasoning"])),
        "small_model": small_model,
    }
    return a, economics


@PROPERTY
@given(case_st())
def test_recommendation_reasons_and_rows_agree_with_design(case):
    a, economics = case
    result = run(a, economics)
    fired = ref_fired(a, economics)
    assert result.recommendation == ref_recommendation(a, economics), (a, economics, codes(result))
    assert codes(result) == fired, (a, economics)
    assert [(row.key, row.favours) for row in result.rows] == ref_rows(fired), (a, economics)
    assert [r.favours for r in result.reasons] == [RULE_FAVOURS[code] for code in fired]


@PROPERTY
@given(case_st())
def test_what_would_change_agrees_with_design(case):
    a, economics = case
    result = run(a, economics)
    singles, smallest = ref_what_would_change(a, economics)
    got = changes_of(result)
    if singles:
        assert got == singles, f"answers {a}, economics {economics}"
        return
    # No single change flips the verdict: exactly one smallest combined change.
    assert smallest is not None
    assert len(got) == 1, f"answers {a}, economics {economics}: {got}"
    ((changes, recommendation),) = got
    assert len(changes) == smallest, f"not the smallest: {changes} (smallest {smallest})"
    allowed = dict(ref_candidates(a, economics))
    for name, value in changes.items():
        assert value in allowed[name], f"{name}={value!r} is not a value DESIGN tries"
    changed = {**a, **changes}
    assert recommendation == ref_recommendation(changed, economics) != result.recommendation


@PROPERTY
@given(case_st())
def test_strength_agrees_with_design(case):
    a, economics = case
    result = run(a, economics)
    assert result.strength == ref_strength(a, economics), f"answers {a}, economics {economics}"
    if result.strength == "borderline":
        assert result.strength_note.strip()


@PROPERTY
@given(case_st())
def test_pays_back_fires_iff_it_pays_back_within_the_horizon(case):
    a, economics = case
    result = run(a, economics)
    expected = (
        economics is not None
        and a["monthly_requests"] >= 1
        and ref_pays_back(economics, a["monthly_requests"], a["small_model"])
    )
    assert ("pays_back" in codes(result)) == expected, (a, economics)
    if economics is not None:
        assert ("costs_more" in codes(result)) == (not expected)


@PROPERTY
@given(
    economics_st.filter(lambda e: e is not None),
    st.sampled_from(CHOICES["small_model"]),
    st.integers(min_value=0, max_value=10**12),
)
def test_economics_methods_agree_with_the_formula(economics, small_model, volume):
    baseline = economics.baseline(small_model)
    assert baseline == ("prompted" if small_model == "falls_short" else "small_prompted")
    assert economics.pays_back(volume, baseline) == ref_pays_back(economics, volume, small_model)
    assert economics.break_even_volume(baseline) == ref_break_even(economics, small_model)


@LIGHT
@given(case_st())
def test_notes_never_change_the_recommendation(case):
    a, economics = case
    result = run(a, economics)
    # The recommendation without economics differs only through pays_back.
    without = run(a, None)
    if "pays_back" not in codes(result):
        assert without.recommendation == result.recommendation


# --- 4. Reason texts ---


def test_pays_back_text_quotes_the_designs_example():
    # DESIGN: 2,000,000 a month, C $1,120 against B $2,560: saves $1,440, pays back $8,010 in 5.6.
    example = econ(
        prompted_per_request=0.00128,
        small_prompted_per_request=0.00128,
        tuned_per_request=0.00056,
        one_off=8010.0,
    )
    result = run(answers(monthly_requests=2_000_000), example)
    text = reason_text(result, "pays_back")
    for figure in ("2,000,000", "$1,120", "$2,560", "$1,440", "$8,010", "5.6", "small-model"):
        assert figure in text, f"{figure!r} missing from {text!r}"


def test_try_small_first_quotes_both_monthly_costs():
    example = econ(
        prompted_per_request=0.0064,
        small_prompted_per_request=0.00128,
        tuned_per_request=0.00056,
        one_off=8010.0,
    )
    text = reason_text(run(answers(monthly_requests=2_000_000), example), "try_small_first")
    for figure in ("$2,560", "$12,800", "big-model", "small-model"):
        assert figure in text, f"{figure!r} missing from {text!r}"


def test_costs_more_says_it_does_not_pay_back_at_this_volume_and_from_about_what_volume():
    # Saves 0.25 a request against $1,000,000 a month fixed: at 1,234,567 a month it costs
    # $691,358 more; it pays back within 12 months from (1,000 / 12 + 1,000,000) / 0.25 =
    # 4,000,333.3..., so 4,000,334, "about 4 million".
    expensive = econ(monthly_fixed=1_000_000.0)
    result = run(answers(monthly_requests=1_234_567), expensive)
    assert expensive.break_even_volume("small_prompted") == 4_000_334
    text = reason_text(result, "costs_more")
    assert text.endswith(
        "$691,358 a month more, its monthly fixed costs included, so it does not pay back its "
        "$1,000 one-off cost at this volume. It would pay back from about 4 million completions "
        "a month."
    ), text
    assert "never pays back" not in text and "4,000,334" not in text


def test_a_fine_tuning_verdict_that_costs_more_says_it_is_chosen_for_quality():
    result = run(answers(output_format="strict", domain_language=True, small_model="falls_short"),
                 NEVER)
    assert result.recommendation == "fine_tuning"
    assert codes(result) == ["strict_format", "domain_language", "costs_more"]
    assert result.summary == (
        "Fine-tuning: your output must match an exact schema every time; your task uses "
        "specialised language the model mishandles; and it is chosen for quality, not savings: "
        "it does not pay back at your volume."
    )


def test_a_summary_of_two_parts_joins_them_with_a_comma_and_and():
    result = run(answers(output_format="strict", small_model="falls_short"), NEVER)
    assert codes(result) == ["strict_format", "costs_more"]
    assert result.summary == (
        "Fine-tuning: your output must match an exact schema every time, and it is chosen for "
        "quality, not savings: it does not pay back at your volume."
    )


def test_with_no_volume_yet_the_quality_clause_does_not_speak_of_your_volume():
    result = run(answers(output_format="strict", small_model="falls_short", monthly_requests=0),
                 SAME)
    assert result.recommendation == "fine_tuning" and "costs_more" in codes(result)
    assert result.summary.endswith(
        "it is chosen for quality, not savings: with no volume yet, it cannot pay back."
    )
    assert "your volume" not in result.summary


def test_one_labeled_example_is_it_not_them():
    text = reason_text(run(answers(labeled_examples=1)), "few_examples")
    assert "You have 1 labeled example: too few to beat a prompt that carries it." in text


def test_a_fine_tuning_verdict_that_pays_back_makes_no_quality_only_claim():
    result = run(answers(output_format="strict", small_model="falls_short"), SPLIT)
    assert result.recommendation == "fine_tuning" and "costs_more" not in codes(result)
    assert "chosen for quality" not in result.summary


@pytest.mark.parametrize("economics", [NEVER, econ(monthly_fixed=1_000_000.0)])
def test_a_prompting_verdict_never_quotes_the_quality_clause(economics):
    result = run(answers(), economics)
    assert result.recommendation == "prompting" and "costs_more" in codes(result)
    assert "chosen for quality" not in result.summary


def test_domain_language_promises_more_reliable_use_not_teaching():
    text = reason_text(run(answers(domain_language=True, small_model="falls_short")),
                       "domain_language")
    assert text.endswith(
        "fine-tuning on your examples can help it use that language more reliably."
    ), text
    assert "teach" not in text


def test_what_would_change_gives_a_computed_volume_as_about():
    # 12 x 0.25 x V >= 1,000,000 from V = 333,334: "about 330,000", either way round; the
    # person's own volume is quoted exactly.
    heavy = econ(one_off=1_000_000.0)
    assert heavy.break_even_volume("small_prompted") == 333_334
    over = run(answers(monthly_requests=1_000_000), heavy)
    assert over.recommendation == "fine_tuning"
    assert "1,000,000 completions a month" in over.summary
    assert "With fewer than about 330,000 completions a month, this would be prompting." in [
        change.text for change in over.what_would_change
    ]
    under = run(answers(monthly_requests=100_000), heavy)
    assert under.recommendation == "prompting"
    assert "With about 330,000 or more completions a month, this would be fine-tuning." in [
        change.text for change in under.what_would_change
    ]
    assert not any("333,334" in change.text for change in under.what_would_change)


def test_costs_more_quotes_the_volume_with_separators():
    # Saves 0.25 a request, but $1,000,000 a month of hosting eats it at 1,234,567 a month.
    expensive = econ(monthly_fixed=1_000_000.0)
    text = reason_text(run(answers(monthly_requests=1_234_567), expensive), "costs_more")
    assert "1,234,567" in text, text


def test_few_examples_with_none_says_there_is_nothing_to_train_on():
    text = reason_text(run(answers(labeled_examples=0)), "few_examples")
    assert text == (
        "You have no labeled examples yet, so there is nothing to train on; a prompt works "
        "with none."
    )


@pytest.mark.parametrize("count", [1, 7, 40, 99])
def test_few_examples_quotes_the_count_and_the_hedges(count):
    text = reason_text(run(answers(labeled_examples=count)), "few_examples")
    assert re.search(rf"\b{count}\b", text), text
    assert "needs 100" not in text, text
    assert not re.search(r"fine-tuning needs", text, re.IGNORECASE), text
    assert re.search(r"\b10\b", text), f"says providers accept as few as 10: {text!r}"
    assert re.search(r"\b50\b", text) and re.search(r"\b100\b", text), (
        f"says gains show from 50 to 100: {text!r}"
    )


def test_latency_quotes_the_prompt_tokens():
    text = reason_text(run(answers(latency="critical", prompt_tokens=8000)), "latency_critical")
    assert "8,000" in text, text


def test_strict_format_credits_structured_outputs():
    text = reason_text(run(answers(output_format="strict")), "strict_format").lower()
    assert "structured output" in text or "schema-constrained" in text, text
    assert "guarantee" in text and "valid" in text, text


def test_fresh_knowledge_hybrid_mentions_retrieval():
    result = run(answers(fresh_knowledge=True, output_format="strict"))
    assert result.recommendation == "hybrid"
    assert "retriev" in reason_text(result, "fresh_knowledge").lower()


def test_hybrid_claims_no_saving():
    result = run(answers(reasoning="complex", output_format="strict"), SAME)
    assert result.recommendation == "hybrid"
    assert "hybrid" in reason_text(result, "pays_back").lower(), (
        "3b: in a hybrid the pay-back text says the hybrid does not save"
    )


@pytest.mark.parametrize("volume", [0, 100])
def test_a_reasoning_hybrid_that_does_not_pay_back_never_says_it_would_unqualified(volume):
    # Below the break-even (334), costs_more fires: its "would pay back from" must say, as
    # pays_back does, that only replacing prompting would, and that this hybrid never does.
    result = run(answers(reasoning="complex", output_format="strict", monthly_requests=volume),
                 SAME)
    assert result.recommendation == "hybrid"
    text = reason_text(result, "costs_more")
    assert text.endswith(
        "It would pay back from 334 completions a month if it replaced prompting; in "
        "this hybrid no volume pays it back."
    ), text


def test_too_few_examples_in_a_summary_says_too_few_to_beat_a_prompt():
    result = run(answers(labeled_examples=50, output_format="strict"))
    assert result.recommendation == "prompting"
    assert "too few to beat a prompt that carries them" in result.summary
    assert "too few to train on" not in result.summary


def test_zero_volume_never_prints_zero_dollars():
    for economics in (SAME, SPLIT, NEVER, econ(monthly_fixed=300.0), econ(horizon_months=2.0)):
        result = run(answers(monthly_requests=0), economics)
        assert not ZERO_DOLLARS.search(all_texts(result)), economics


@PROPERTY
@given(case_st())
def test_texts_stay_true_in_the_edge_cases(case):
    a, economics = case
    texts = all_texts(run(a, economics))
    # A missing volume never shows as "$0.00" (amounts that really are zero, a free model or a
    # one-off of $0, may print as such).
    real_amounts = (
        economics is not None
        and economics.one_off > 0
        and min(
            economics.prompted_per_request,
            economics.small_prompted_per_request,
            economics.tuned_per_request,
        )
        > 0
    )
    if a["monthly_requests"] == 0 and real_amounts:
        assert not ZERO_DOLLARS.search(texts), (a, economics)
    assert "$-" not in texts and "-$" not in texts, f"a negative amount: {a}, {economics}"
    assert not re.search(r"\b(nan|inf)\b", texts, re.IGNORECASE), (a, economics)


# --- 5. Monotonicity ---

BLOCKER_SETTINGS = {
    "few_examples": {"labeled_examples": 99},
    "changes_often": {"change_frequency": "weekly"},
    "exploring": {"phase": "exploring"},
}


@LIGHT
@given(case_st(), st.sampled_from(sorted(BLOCKER_SETTINGS)))
def test_adding_a_blocker_always_yields_prompting(case, blocker):
    a, economics = case
    result = run({**a, **BLOCKER_SETTINGS[blocker]}, economics)
    assert result.recommendation == "prompting"
    assert blocker in codes(result)
    assert "prompting_default" not in codes(result)
    assert "reasoning_stays_large" not in codes(result)


@LIGHT
@given(case_st())
def test_lifting_one_of_several_blockers_keeps_prompting(case):
    a, economics = case
    blocked = {**a, "labeled_examples": 5, "phase": "exploring"}
    for lift in ({"labeled_examples": 100}, {"phase": "production"}):
        assert run({**blocked, **lift}, economics).recommendation == "prompting"


@LIGHT
@given(
    case_st(),
    st.sampled_from([100, 101, 5000, 10**9]),
    st.sampled_from(["quarterly", "rarely"]),
    st.sampled_from(["launching", "production"]),
)
def test_blockers_are_thresholds_only(case, examples, frequency, phase):
    a, economics = case
    base = {**a, "labeled_examples": 100, "change_frequency": "rarely", "phase": "production"}
    moved = {**a, "labeled_examples": examples, "change_frequency": frequency, "phase": phase}
    assert run(base, economics).recommendation == run(moved, economics).recommendation


FINE_TUNING_EVIDENCE = (
    {"output_format": "strict"},
    {"domain_language": True},
    {"latency": "critical"},
)


@LIGHT
@given(case_st(), st.sampled_from(FINE_TUNING_EVIDENCE))
def test_more_evidence_never_moves_a_fine_tuning_or_hybrid_verdict(case, evidence):
    a, economics = case
    before = run(a, economics).recommendation
    if before != "prompting":
        assert run({**a, **evidence}, economics).recommendation == before, (a, evidence)


@LIGHT
@given(case_st(), st.integers(min_value=1, max_value=10**12))
def test_more_volume_never_stops_paying_back_nor_moves_a_non_prompting_verdict(case, more):
    a, economics = case
    bigger = {**a, "monthly_requests": min(10**12, a["monthly_requests"] + more)}
    before, after = run(a, economics), run(bigger, economics)
    if "pays_back" in codes(before):
        assert "pays_back" in codes(after)
    if before.recommendation != "prompting":
        assert after.recommendation == before.recommendation


# --- 4. The rule table's `reads`, which the what-would-change search relies on ---


@PROPERTY
@given(case_st(), case_st())
def test_a_rule_fires_the_same_whatever_the_answers_it_does_not_read(case, other):
    """When one answer changes, the search tests again only the rules that read it
    (decisions.domain.changes): a rule whose `reads` left out an answer it looks at would make
    what-would-change miss a flip."""
    a, economics = case
    facts = rules.Facts(Answers(**a), economics)
    for name, value in other[0].items():
        changed = rules.Facts(Answers(**{**a, name: value}), economics)
        for rule in rules.RULES:
            if name not in rule.reads:
                assert rule.fires(changed) == rule.fires(facts), (rule.code, name, value, a)
