"""The decision engine against DESIGN.md section 3: rules, procedure, flips, validation and wording.

Pure Python: no database, no Django. The hypothesis properties compare the engine with a small,
independent restatement of DESIGN's rule table (`design_codes`, `design_recommendation`).
"""

import dataclasses
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisions.engine import (
    ANSWER_FIELDS,
    CHANGE_FREQUENCY_CHOICES,
    ENGINE_VERSION,
    HIGH_VOLUME,
    LATENCY_CHOICES,
    MAX_LABELED_EXAMPLES,
    MAX_MONTHLY_REQUESTS,
    MAX_PROMPT_TOKENS,
    MIN_EXAMPLES,
    OUTPUT_FORMAT_CHOICES,
    PHASE_CHOICES,
    REASONING_CHOICES,
    RECOMMENDATION_LABELS,
    RULES,
    Answers,
    InvalidAnswers,
    decide,
)
from decisions.tradeoffs import TRADEOFFS, TRADEOFFS_BY_KEY

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
}


def answers(**changes: object) -> Answers:
    return Answers(**{**CALM, **changes})


def codes(answers_: Answers) -> list[str]:
    return [reason.code for reason in decide(answers_).reasons]


# --- DESIGN.md's rule table, restated independently of the engine ---

DESIGN_RULES = [
    ("few_examples", "blocker", ("data_required",), "prompting"),
    ("changes_often", "blocker", ("updateability",), "prompting"),
    ("exploring", "blocker", ("setup_cost",), "prompting"),
    ("high_volume", "signal", ("inference_cost",), "fine_tuning"),
    ("strict_format", "signal", ("consistency",), "fine_tuning"),
    ("domain_language", "signal", (), "fine_tuning"),
    ("latency_critical", "signal", ("latency",), "fine_tuning"),
    ("fresh_knowledge", "hybrid_trigger", ("knowledge_cutoff",), "prompting"),
    ("complex_reasoning", "hybrid_trigger", (), "hybrid"),
    ("prompting_default", "default", ("setup_cost", "updateability"), "prompting"),
]
BLOCKERS = ("few_examples", "changes_often", "exploring")
SIGNALS = ("high_volume", "strict_format", "domain_language", "latency_critical")
TRIGGERS = ("fresh_knowledge", "complex_reasoning")
RULE_ROWS = {code: rows for code, _, rows, _ in DESIGN_RULES}
RULE_FAVOURS = {code: favours for code, _, _, favours in DESIGN_RULES}
TABLE_ORDER = [row.key for row in TRADEOFFS]


def design_conditions(a: Answers) -> dict[str, bool]:
    fired = {
        "few_examples": a.labeled_examples < 100,
        "changes_often": a.change_frequency in ("weekly", "monthly"),
        "exploring": a.phase == "exploring",
        "high_volume": a.monthly_requests >= 1_000_000,
        "strict_format": a.output_format == "strict",
        "domain_language": a.domain_language,
        "latency_critical": a.latency == "critical",
        "fresh_knowledge": a.fresh_knowledge,
        "complex_reasoning": a.reasoning == "complex",
    }
    fired["prompting_default"] = not any(fired[code] for code in BLOCKERS + SIGNALS)
    return fired


def design_codes(a: Answers) -> list[str]:
    fired = design_conditions(a)
    return [code for code, _, _, _ in DESIGN_RULES if fired[code]]


def design_recommendation(a: Answers) -> str:
    fired = design_conditions(a)
    if any(fired[code] for code in BLOCKERS):
        return "prompting"
    if not any(fired[code] for code in SIGNALS):
        return "prompting"
    if any(fired[code] for code in TRIGGERS):
        return "hybrid"
    return "fine_tuning"


def design_candidates(a: Answers) -> list[tuple[str, list[object]]]:
    """Every field but prompt_tokens, in table order, with the values DESIGN says to try."""
    choices = {
        "change_frequency": CHANGE_FREQUENCY_CHOICES,
        "phase": PHASE_CHOICES,
        "latency": LATENCY_CHOICES,
        "output_format": OUTPUT_FORMAT_CHOICES,
        "reasoning": REASONING_CHOICES,
    }
    out: list[tuple[str, list[object]]] = []
    for name in ANSWER_FIELDS:
        value = getattr(a, name)
        if name == "labeled_examples":
            out.append((name, [99 if value >= 100 else 100]))
        elif name == "monthly_requests":
            out.append((name, [999_999 if value >= 1_000_000 else 1_000_000]))
        elif name in ("domain_language", "fresh_knowledge"):
            out.append((name, [not value]))
        elif name in choices:
            out.append((name, [choice for choice, _ in choices[name] if choice != value]))
    return out


def brute_force_flips(a: Answers, size: int) -> list[tuple[dict[str, object], str]]:
    """Every change of exactly `size` answers that flips the verdict, in the documented order."""
    current = design_recommendation(a)
    flips = []
    for combo in itertools.combinations(design_candidates(a), size):
        names = [name for name, _ in combo]
        for values in itertools.product(*(values for _, values in combo)):
            changes = dict(zip(names, values, strict=True))
            flipped = design_recommendation(dataclasses.replace(a, **changes))
            if flipped != current:
                flips.append((changes, flipped))
    return flips


# --- Strategies: valid answers, numbers biased toward the thresholds ---


def near(*points: int) -> st.SearchStrategy[int]:
    return st.sampled_from(sorted({p + d for p in points for d in (-1, 0, 1) if p + d >= 0}))


def values_of(choices: tuple[tuple[str, str], ...]) -> st.SearchStrategy[str]:
    return st.sampled_from([value for value, _ in choices])


valid_answers = st.builds(
    Answers,
    monthly_requests=st.one_of(
        near(0, HIGH_VOLUME), st.integers(0, MAX_MONTHLY_REQUESTS), st.just(MAX_MONTHLY_REQUESTS)
    ),
    prompt_tokens=st.one_of(st.integers(0, MAX_PROMPT_TOKENS), st.just(MAX_PROMPT_TOKENS)),
    labeled_examples=st.one_of(
        near(0, MIN_EXAMPLES), st.integers(0, MAX_LABELED_EXAMPLES), st.just(MAX_LABELED_EXAMPLES)
    ),
    domain_language=st.booleans(),
    change_frequency=values_of(CHANGE_FREQUENCY_CHOICES),
    phase=values_of(PHASE_CHOICES),
    fresh_knowledge=st.booleans(),
    latency=values_of(LATENCY_CHOICES),
    output_format=values_of(OUTPUT_FORMAT_CHOICES),
    reasoning=values_of(REASONING_CHOICES),
)


# --- The tables themselves ---


def test_rule_table_matches_design():
    assert [(r.code, r.kind, r.rows, r.favours) for r in RULES] == DESIGN_RULES


def test_tradeoff_table_has_the_seven_rows_in_article_order():
    assert TABLE_ORDER == [
        "setup_cost",
        "data_required",
        "inference_cost",
        "latency",
        "consistency",
        "updateability",
        "knowledge_cutoff",
    ]
    assert TRADEOFFS_BY_KEY["setup_cost"].fine_tuning == "Days to weeks (curate data, train, eval)"
    assert TRADEOFFS_BY_KEY["latency"].fine_tuning == 'Lower (model already "knows" behavior)'


def test_every_row_a_rule_names_is_in_the_tradeoff_table():
    assert {key for rule in RULES for key in rule.rows} <= set(TRADEOFFS_BY_KEY)


def test_choice_constants_carry_the_human_labels():
    assert CHANGE_FREQUENCY_CHOICES == (
        ("weekly", "Weekly"),
        ("monthly", "Monthly"),
        ("quarterly", "Quarterly"),
        ("rarely", "Rarely"),
    )
    assert dict(PHASE_CHOICES) == {
        "exploring": "Exploring",
        "launching": "Launching",
        "production": "In production",
    }
    assert dict(LATENCY_CHOICES)["batch"] == "Batch / offline"
    assert dict(LATENCY_CHOICES)["critical"] == "Latency-critical"
    assert dict(OUTPUT_FORMAT_CHOICES)["strict"] == "Strict schema"
    assert dict(REASONING_CHOICES)["complex"] == "Complex, multi-step"
    assert RECOMMENDATION_LABELS == {
        "prompting": "Prompting",
        "fine_tuning": "Fine-tuning",
        "hybrid": "Hybrid",
    }


def test_answers_fields_are_in_design_order_with_prompt_tokens_defaulting_to_1500():
    assert list(ANSWER_FIELDS) == list(CALM)
    without_tokens = {k: v for k, v in CALM.items() if k != "prompt_tokens"}
    assert Answers(**without_tokens).prompt_tokens == 1500


# --- Each rule fires exactly when its condition holds ---

RULE_CASES = [
    ("few_examples", {"labeled_examples": 0}, True),
    ("few_examples", {"labeled_examples": 99}, True),
    ("few_examples", {"labeled_examples": 100}, False),
    ("few_examples", {"labeled_examples": 101}, False),
    ("changes_often", {"change_frequency": "weekly"}, True),
    ("changes_often", {"change_frequency": "monthly"}, True),
    ("changes_often", {"change_frequency": "quarterly"}, False),
    ("changes_often", {"change_frequency": "rarely"}, False),
    ("exploring", {"phase": "exploring"}, True),
    ("exploring", {"phase": "launching"}, False),
    ("exploring", {"phase": "production"}, False),
    ("high_volume", {"monthly_requests": 999_999}, False),
    ("high_volume", {"monthly_requests": 1_000_000}, True),
    ("high_volume", {"monthly_requests": 1_000_001}, True),
    ("strict_format", {"output_format": "strict"}, True),
    ("strict_format", {"output_format": "structured"}, False),
    ("strict_format", {"output_format": "free_text"}, False),
    ("domain_language", {"domain_language": True}, True),
    ("domain_language", {"domain_language": False}, False),
    ("latency_critical", {"latency": "critical"}, True),
    ("latency_critical", {"latency": "interactive"}, False),
    ("latency_critical", {"latency": "batch"}, False),
    ("fresh_knowledge", {"fresh_knowledge": True}, True),
    ("fresh_knowledge", {"fresh_knowledge": False}, False),
    ("complex_reasoning", {"reasoning": "complex"}, True),
    ("complex_reasoning", {"reasoning": "simple"}, False),
    ("prompting_default", {}, True),
    ("prompting_default", {"fresh_knowledge": True, "reasoning": "complex"}, True),
    ("prompting_default", {"labeled_examples": 99}, False),
    ("prompting_default", {"output_format": "strict"}, False),
]


@pytest.mark.parametrize(
    ("code", "changes", "fires"),
    RULE_CASES,
    ids=[f"{code}-{'fires' if on else 'quiet'}-{changes}" for code, changes, on in RULE_CASES],
)
def test_rule_fires_exactly_when_its_condition_holds(code, changes, fires):
    assert (code in codes(answers(**changes))) is fires


# --- The four-step procedure ---

PROCEDURE_CASES = [
    pytest.param({"labeled_examples": 40}, "prompting", id="few-examples-blocks-fine-tuning"),
    pytest.param(
        {"change_frequency": "weekly", "output_format": "strict"},
        "prompting",
        id="changing-requirements-block-a-signal",
    ),
    pytest.param(
        {"phase": "exploring", "monthly_requests": 2_000_000, "reasoning": "complex"},
        "prompting",
        id="exploring-blocks-signal-and-trigger",
    ),
    pytest.param({}, "prompting", id="no-signal-defaults-to-prompting"),
    pytest.param(
        {"fresh_knowledge": True, "reasoning": "complex"},
        "prompting",
        id="hybrid-triggers-alone-stay-prompting",
    ),
    pytest.param(
        {"monthly_requests": 2_000_000, "reasoning": "complex"},
        "hybrid",
        id="signal-and-complex-reasoning-is-hybrid",
    ),
    pytest.param(
        {"latency": "critical", "fresh_knowledge": True},
        "hybrid",
        id="signal-and-fresh-knowledge-is-hybrid",
    ),
    pytest.param({"monthly_requests": 1_000_000}, "fine_tuning", id="high-volume-is-fine-tuning"),
    pytest.param({"output_format": "strict"}, "fine_tuning", id="strict-format-is-fine-tuning"),
    pytest.param({"domain_language": True}, "fine_tuning", id="domain-language-is-fine-tuning"),
    pytest.param({"latency": "critical"}, "fine_tuning", id="latency-critical-is-fine-tuning"),
]


@pytest.mark.parametrize(("changes", "recommendation"), PROCEDURE_CASES)
def test_procedure_gives_the_design_verdict(changes, recommendation):
    assert decide(answers(**changes)).recommendation == recommendation


@pytest.mark.parametrize(
    ("examples", "recommendation"),
    [(0, "prompting"), (99, "prompting"), (100, "fine_tuning"), (101, "fine_tuning")],
)
def test_examples_threshold_is_one_hundred(examples, recommendation):
    result = decide(answers(labeled_examples=examples, output_format="strict"))
    assert result.recommendation == recommendation


@pytest.mark.parametrize(
    ("requests", "recommendation"),
    [(999_999, "prompting"), (1_000_000, "fine_tuning"), (1_000_001, "fine_tuning")],
)
def test_volume_threshold_is_one_million_a_month(requests, recommendation):
    assert decide(answers(monthly_requests=requests)).recommendation == recommendation


def test_prompt_tokens_never_change_the_verdict():
    low = decide(answers(prompt_tokens=0, monthly_requests=2_000_000))
    high = decide(answers(prompt_tokens=MAX_PROMPT_TOKENS, monthly_requests=2_000_000))
    assert low == high


@given(valid_answers)
def test_engine_agrees_with_the_design_table(a):
    result = decide(a)
    assert result.recommendation == design_recommendation(a)
    assert [reason.code for reason in result.reasons] == design_codes(a)
    assert all(reason.favours == RULE_FAVOURS[reason.code] for reason in result.reasons)


@given(valid_answers)
def test_any_blocker_means_prompting(a):
    if any(design_conditions(a)[code] for code in BLOCKERS):
        assert decide(a).recommendation == "prompting"


def lift_blockers(a: Answers) -> Answers:
    return dataclasses.replace(
        a,
        labeled_examples=max(a.labeled_examples, MIN_EXAMPLES),
        change_frequency=(
            "quarterly" if a.change_frequency in ("weekly", "monthly") else a.change_frequency
        ),
        phase="launching" if a.phase == "exploring" else a.phase,
    )


@given(valid_answers)
def test_lifting_every_blocker_never_moves_toward_prompting(a):
    before = decide(a).recommendation
    after = decide(lift_blockers(a)).recommendation
    if before != "prompting":
        assert after == before
    assert not set(codes(lift_blockers(a))) & set(BLOCKERS)


@given(valid_answers, st.sampled_from(BLOCKERS))
def test_lifting_one_blocker_never_turns_fine_tuning_or_hybrid_into_prompting(a, blocker):
    lifted = {
        "few_examples": {"labeled_examples": max(a.labeled_examples, MIN_EXAMPLES)},
        "changes_often": {"change_frequency": "rarely"},
        "exploring": {"phase": "production"},
    }[blocker]
    if decide(a).recommendation in ("fine_tuning", "hybrid"):
        assert decide(dataclasses.replace(a, **lifted)).recommendation != "prompting"


@given(valid_answers, valid_answers)
def test_each_rule_reads_only_the_answers_it_declares(a, b):
    # The what-would-change search relies on `reads`; so must anyone adding a rule.
    for rule in RULES:
        mixed = dataclasses.replace(b, **{name: getattr(a, name) for name in rule.reads})
        assert rule.fires(mixed) == rule.fires(a)


def test_each_blocker_reads_one_answer():
    # The combined search assumes it: that answer must change for the blocker to stop firing.
    assert all(len(rule.reads) == 1 for rule in RULES if rule.kind == "blocker")


# --- Tradeoff rows ---


def test_design_example_shows_the_rows_its_rules_name():
    result = decide(answers(monthly_requests=2_000_000, labeled_examples=800, reasoning="complex"))
    assert result.recommendation == "hybrid"
    assert [(row.key, row.favours) for row in result.rows] == [("inference_cost", "fine_tuning")]
    row = result.rows[0]
    assert (row.dimension, row.prompting, row.fine_tuning) == (
        "Inference cost",
        "Higher (longer prompts = more tokens)",
        "Lower (shorter prompts, smaller model)",
    )


def test_prompting_default_shows_setup_and_updateability_for_prompting():
    result = decide(answers())
    assert [(row.key, row.favours) for row in result.rows] == [
        ("setup_cost", "prompting"),
        ("updateability", "prompting"),
    ]


def test_domain_language_and_complex_reasoning_name_no_row():
    result = decide(answers(domain_language=True, reasoning="complex"))
    assert result.recommendation == "hybrid"
    assert result.rows == ()


@given(valid_answers)
def test_a_row_appears_iff_a_fired_rule_names_it(a):
    result = decide(a)
    named = {key: RULE_FAVOURS[code] for code in design_codes(a) for key in RULE_ROWS[code]}
    assert {row.key: row.favours for row in result.rows} == named


@given(valid_answers)
def test_rows_are_in_table_order_without_duplicates(a):
    keys = [row.key for row in decide(a).rows]
    assert keys == sorted(set(keys), key=TABLE_ORDER.index)


# --- Reasons and summary, in the person's own numbers ---


def reason_text(a: Answers, code: str) -> str:
    return next(r.text for r in decide(a).reasons if r.code == code)


def test_high_volume_reason_quotes_volume_and_threshold():
    text = reason_text(answers(monthly_requests=2_000_000), "high_volume")
    assert text == (
        "You expect 2,000,000 completions a month, at or over the 1,000,000 where the cost of a "
        "long prompt on every call adds up."
    )


def test_few_examples_reason_quotes_count_and_threshold():
    text = reason_text(answers(labeled_examples=40), "few_examples")
    assert "You have 40 labeled examples, fewer than the 100" in text


def test_one_labeled_example_is_singular():
    text = reason_text(answers(labeled_examples=1), "few_examples")
    assert "You have 1 labeled example, " in text


@pytest.mark.parametrize("frequency", ["weekly", "monthly"])
def test_changes_often_reason_quotes_the_frequency(frequency):
    text = reason_text(answers(change_frequency=frequency), "changes_often")
    assert f"requirements change {frequency}" in text


def test_prompting_default_reason_quotes_volume_and_threshold():
    text = reason_text(answers(monthly_requests=250_000), "prompting_default")
    assert "250,000 completions a month is under the 1,000,000" in text


@pytest.mark.parametrize("code", TRIGGERS)
def test_hybrid_trigger_reason_fits_the_verdict(code):
    trigger = {
        "fresh_knowledge": {"fresh_knowledge": True},
        "complex_reasoning": {"reasoning": "complex"},
    }[code]
    prompting = reason_text(answers(**trigger), code)
    hybrid = reason_text(answers(output_format="strict", **trigger), code)
    # Only under hybrid does the reason describe splitting off a fine-tuned output step.
    assert "output" not in prompting
    assert "output" in hybrid


def test_fresh_knowledge_under_prompting_says_the_prompt_supplies_the_facts():
    assert "a prompt can supply them at call time" in reason_text(
        answers(fresh_knowledge=True), "fresh_knowledge"
    )


def test_summary_gives_the_blocking_reason_in_one_sentence():
    summary = decide(answers(labeled_examples=40, output_format="strict")).summary
    assert summary == (
        "Prompting: you have 40 labeled examples, fewer than the 100 fine-tuning needs."
    )


def test_summary_separates_reasons_that_contain_commas():
    summary = decide(answers(labeled_examples=40, change_frequency="weekly")).summary
    assert summary == (
        "Prompting: you have 40 labeled examples, fewer than the 100 fine-tuning needs; "
        "and your requirements change weekly."
    )


def test_summary_of_hybrid_names_signals_and_triggers():
    summary = decide(answers(monthly_requests=2_000_000, reasoning="complex")).summary
    assert summary == (
        "Hybrid: you expect 2,000,000 completions a month and your task needs multi-step "
        "reasoning or tool use."
    )


def test_summary_of_prompting_default():
    summary = decide(answers(reasoning="complex")).summary
    assert summary == "Prompting: nothing in your answers calls for fine-tuning."


@given(valid_answers)
def test_summary_is_one_sentence_led_by_the_verdict(a):
    result = decide(a)
    assert result.summary.startswith(RECOMMENDATION_LABELS[result.recommendation] + ": ")
    assert result.summary.endswith(".")
    assert result.summary.count(". ") == 0


# --- What would change the answer ---


def test_more_examples_would_flip_to_fine_tuning():
    changes = decide(answers(labeled_examples=40, output_format="strict")).what_would_change
    first = changes[0]
    assert first.changes == {"labeled_examples": 100}
    assert first.recommendation == "fine_tuning"
    assert first.text == "With 100 or more labeled examples, this would be fine-tuning."


def test_lower_volume_would_flip_back_to_prompting():
    changes = decide(answers(monthly_requests=1_000_000)).what_would_change
    assert changes[0].changes == {"monthly_requests": 999_999}
    assert changes[0].text == (
        "With fewer than 1,000,000 completions a month, this would be prompting."
    )


def test_single_changes_are_in_field_then_choice_order():
    changes = decide(answers(output_format="strict")).what_would_change
    assert [(c.changes, c.recommendation) for c in changes] == [
        ({"labeled_examples": 99}, "prompting"),
        ({"change_frequency": "weekly"}, "prompting"),
        ({"change_frequency": "monthly"}, "prompting"),
        ({"phase": "exploring"}, "prompting"),
        ({"fresh_knowledge": True}, "hybrid"),
        ({"output_format": "free_text"}, "prompting"),
        ({"output_format": "structured"}, "prompting"),
        ({"reasoning": "complex"}, "hybrid"),
    ]


def test_two_blockers_need_one_combined_change():
    changes = decide(
        answers(labeled_examples=40, change_frequency="weekly", output_format="strict")
    ).what_would_change
    assert len(changes) == 1
    assert changes[0].changes == {"labeled_examples": 100, "change_frequency": "quarterly"}
    assert changes[0].recommendation == "fine_tuning"
    assert changes[0].text == (
        "With 100 or more labeled examples and requirements that change only quarterly, "
        "this would be fine-tuning."
    )


def test_three_blockers_and_no_signal_need_four_changes():
    changes = decide(
        answers(labeled_examples=40, change_frequency="weekly", phase="exploring")
    ).what_would_change
    assert [(c.changes, c.recommendation) for c in changes] == [
        (
            {
                "monthly_requests": 1_000_000,
                "labeled_examples": 100,
                "change_frequency": "quarterly",
                "phase": "launching",
            },
            "fine_tuning",
        )
    ]


@given(valid_answers)
def test_every_listed_change_gives_the_stated_recommendation(a):
    current = decide(a).recommendation
    for change in decide(a).what_would_change:
        assert "prompt_tokens" not in change.changes
        flipped = decide(dataclasses.replace(a, **change.changes)).recommendation
        assert flipped == change.recommendation != current


@given(valid_answers)
def test_single_changes_are_exactly_the_single_flips_in_order(a):
    listed = [(c.changes, c.recommendation) for c in decide(a).what_would_change]
    singles = brute_force_flips(a, 1)
    if singles:
        assert listed == singles
    else:
        assert len(listed) == 1
        assert len(listed[0][0]) >= 2


@given(valid_answers)
def test_combined_change_is_the_first_of_the_smallest_flips(a):
    if brute_force_flips(a, 1):
        return
    (listed,) = decide(a).what_would_change
    size = len(listed.changes)
    for smaller in range(2, size):
        assert brute_force_flips(a, smaller) == []
    assert (listed.changes, listed.recommendation) == brute_force_flips(a, size)[0]


@given(valid_answers)
def test_something_always_changes_the_verdict(a):
    assert decide(a).what_would_change


# --- Result shape ---


def test_as_dict_has_exactly_the_design_shape():
    data = decide(answers(labeled_examples=40, output_format="strict")).as_dict()
    assert list(data) == [
        "recommendation",
        "summary",
        "reasons",
        "rows",
        "what_would_change",
        "engine_version",
    ]
    assert list(data["reasons"][0]) == ["code", "favours", "text"]
    assert list(data["rows"][0]) == ["key", "dimension", "prompting", "fine_tuning", "favours"]
    assert list(data["what_would_change"][0]) == ["changes", "recommendation", "text"]
    assert data["engine_version"] == ENGINE_VERSION == "1.0"


@given(valid_answers)
def test_as_dict_round_trips_through_json(a):
    data = decide(a).as_dict()
    assert json.loads(json.dumps(data)) == data


@given(valid_answers)
def test_answers_as_dict_round_trips_through_json_and_from_mapping(a):
    assert Answers.from_mapping(json.loads(json.dumps(a.as_dict()))) == a
    assert Answers(**a.as_dict()) == a


def test_result_carries_the_engine_version():
    assert decide(answers()).engine_version == ENGINE_VERSION


# --- Validation ---

INT_FIELDS = {
    "monthly_requests": MAX_MONTHLY_REQUESTS,
    "prompt_tokens": MAX_PROMPT_TOKENS,
    "labeled_examples": MAX_LABELED_EXAMPLES,
}
BOOL_FIELDS = ("domain_language", "fresh_knowledge")
CHOICE_FIELDS = ("change_frequency", "phase", "latency", "output_format", "reasoning")

BAD_VALUES = (
    [
        pytest.param(name, value, id=f"{name}-{label}")
        for name, maximum in INT_FIELDS.items()
        for label, value in [
            ("text", "12"),
            ("float", 1.0),
            ("bool", True),
            ("none", None),
            ("negative", -1),
            ("over-max", maximum + 1),
        ]
    ]
    + [
        pytest.param(name, value, id=f"{name}-{label}")
        for name in BOOL_FIELDS
        for label, value in [("one", 1), ("zero", 0), ("yes", "yes"), ("none", None)]
    ]
    + [
        pytest.param(name, value, id=f"{name}-{label}")
        for name in CHOICE_FIELDS
        for label, value in [("unknown", "sometimes"), ("number", 1), ("none", None), ("list", [])]
    ]
)


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_bad_answer_is_refused_naming_its_field(name, value):
    with pytest.raises(InvalidAnswers) as caught:
        answers(**{name: value})
    assert list(caught.value.errors) == [name]
    assert all(message.endswith(".") for message in caught.value.errors[name])


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_from_mapping_refuses_the_same_bad_answer(name, value):
    with pytest.raises(InvalidAnswers) as caught:
        Answers.from_mapping({**CALM, name: value})
    assert list(caught.value.errors) == [name]


@pytest.mark.parametrize(("name", "maximum"), INT_FIELDS.items())
def test_numbers_are_accepted_from_zero_to_their_maximum(name, maximum):
    assert getattr(answers(**{name: 0}), name) == 0
    assert getattr(answers(**{name: maximum}), name) == maximum


def test_out_of_range_message_says_the_range():
    with pytest.raises(InvalidAnswers) as caught:
        answers(monthly_requests=-5)
    assert caught.value.errors == {
        "monthly_requests": ["Enter a number of completions a month from 0 to 1,000,000,000,000."]
    }


def test_unknown_choice_message_lists_the_choices():
    with pytest.raises(InvalidAnswers) as caught:
        answers(phase="done")
    assert caught.value.errors == {"phase": ["Choose one of: exploring, launching, production."]}


def test_every_offending_field_is_named_at_once():
    everything_wrong = {
        "monthly_requests": True,
        "prompt_tokens": 1.5,
        "labeled_examples": -1,
        "domain_language": "yes",
        "change_frequency": "daily",
        "phase": None,
        "fresh_knowledge": 1,
        "latency": "slow",
        "output_format": 3,
        "reasoning": "",
    }
    with pytest.raises(InvalidAnswers) as caught:
        Answers(**everything_wrong)
    assert list(caught.value.errors) == list(ANSWER_FIELDS)


def test_invalid_answers_is_a_value_error():
    with pytest.raises(ValueError, match="labeled_examples"):
        answers(labeled_examples=-1)


def test_from_mapping_accepts_omitted_prompt_tokens():
    data = {k: v for k, v in CALM.items() if k != "prompt_tokens"}
    assert Answers.from_mapping(data) == answers(prompt_tokens=1500)


@pytest.mark.parametrize("name", [n for n in CALM if n != "prompt_tokens"])
def test_from_mapping_reports_a_missing_required_field(name):
    data = {k: v for k, v in CALM.items() if k != name}
    with pytest.raises(InvalidAnswers) as caught:
        Answers.from_mapping(data)
    assert caught.value.errors == {name: ["This field is required."]}


def test_from_mapping_reports_unknown_fields():
    with pytest.raises(InvalidAnswers) as caught:
        Answers.from_mapping({**CALM, "budget": 10, "team": "ml"})
    assert caught.value.errors == {"budget": ["Unknown field."], "team": ["Unknown field."]}


def test_from_mapping_reports_missing_unknown_and_invalid_together():
    data = {k: v for k, v in CALM.items() if k != "phase"}
    data.update(monthly_requests="lots", budget=10)
    with pytest.raises(InvalidAnswers) as caught:
        Answers.from_mapping(data)
    assert set(caught.value.errors) == {"monthly_requests", "phase", "budget"}
    assert caught.value.errors["phase"] == ["This field is required."]


@pytest.mark.parametrize("data", [[], "answers", None, 3])
def test_from_mapping_refuses_what_is_not_an_object(data):
    with pytest.raises(InvalidAnswers) as caught:
        Answers.from_mapping(data)
    assert list(caught.value.errors) == ["__all__"]
