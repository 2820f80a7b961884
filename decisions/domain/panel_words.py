"""The cost panel's two sentences, its summary and its assumptions, and the words for models and
months that the panel's figures share with them.

Plain Python with no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from decisions.domain.costs import CostEstimate, Option
from decisions.domain.money import format_money, volume_words
from decisions.domain.prices import display_name


@dataclass(frozen=True)
class Quoted:
    """What the panel's figures and its summary both quote, worked out once for a panel."""

    monthly: dict[str, Decimal]  # each shown option's month at the volume; empty with no volume
    per_month: dict[str, str]  # the same in words: "$1,234 a month"
    options: dict[str, Option]  # options A, B and C by key
    prompt_name: str = ""  # the prompted model's name for sentences
    tune_name: str = ""  # the fine-tunable model's
    horizon: str = ""  # the months a fine-tune can earn, in words
    months: str = ""  # how long fine-tuning takes to pay back, in words
    one_off: str = ""  # fine-tuning's one-off cost: "$8,003"
    break_even: str = ""  # the least volume that pays back: "about 1.8 million"; empty for none
    saving: str = ""  # what fine-tuning saves a month, or costs more: "$1,234 a month"


def plural(count: int | Decimal, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def a_month(value: Decimal) -> str:
    return f"{format_money(value)} a month"


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def and_join(parts: list[str]) -> str:
    return " and ".join(parts)


def summary(
    est: CostEstimate,
    baseline: Option,
    volume: int,
    pays_back: bool,
    saving: Decimal | None,
    months: float | None,
    break_even: int | None,
    hybrid: Option | None,
    recommendation_is_hybrid: bool,
    quoted: Quoted,
) -> str:
    options, horizon, per_month = quoted.options, quoted.horizon, quoted.per_month
    a, b, c = options["A"], options["B"], options["C"]
    prompt_name, tune_name = quoted.prompt_name, quoted.tune_name
    assert est.one_off is not None
    from_volume = (
        f"Fine-tuning pays back within {horizon} from {quoted.break_even} completions a month."
        if break_even is not None
        else f"No volume pays back fine-tuning's {quoted.one_off} one-off cost within {horizon}."
    )
    if not volume:
        tuned = (
            f"{format_money(c.per_request)} on fine-tuned {tune_name}"
            if c.per_request
            else f"nothing per request on fine-tuned {tune_name}, which is billed by the hour"
        )
        return (
            f"No volume yet, so there are no monthly figures: a request costs "
            f"{format_money(a.per_request)} prompting {prompt_name}, "
            f"{format_money(b.per_request)} prompting {tune_name} and {tuned}. {from_volume}"
        )
    text = (
        f"At {volume_words(volume)}, {lower_first(a.label)} costs {per_month['A']}, "
        f"{lower_first(b.label)} {per_month['B']} and {lower_first(c.label)} {per_month['C']}."
    )
    if hybrid is None and recommendation_is_hybrid:
        months_text = (
            f"; it earns back its {quoted.one_off} one-off cost in {quoted.months}"
            if pays_back and months is not None
            else ""
        )
        return (
            f"{text} The hybrid runs fine-tuned {tune_name} with facts retrieved into every "
            f"call: {per_month['C']}, against {per_month[baseline.key]} "
            f"for {lower_first(baseline.label)} with the same facts{months_text}."
        )
    if hybrid is not None:
        extra = quoted.monthly["H"] - quoted.monthly["A"]
        return (
            f"{text} The hybrid runs both {prompt_name} and fine-tuned "
            f"{tune_name}: {per_month['H']}, {format_money(extra)} "
            f"more than prompting {prompt_name} alone. It saves nothing; it buys "
            "consistent output."
        )
    assert saving is not None
    against = f"Against {lower_first(baseline.label)}"
    if pays_back and months is not None:
        return (
            f"{text} {against}, fine-tuning saves {quoted.saving} and pays back its "
            f"{quoted.one_off} one-off cost in {quoted.months}."
        )
    if saving > 0 and months is not None:
        return (
            f"{text} {against}, fine-tuning saves {quoted.saving}, but its "
            f"{quoted.one_off} one-off cost takes {quoted.months} to pay back, "
            f"longer than the {horizon} it can earn. {from_volume}"
        )
    return f"{text} {against}, fine-tuning costs {quoted.saving} more. {from_volume}"


def assumptions(est: CostEstimate) -> str:
    inputs, answers = est.inputs, est.answers
    retrieved = (
        f", plus {inputs.retrieved_tokens:,} retrieved tokens" if answers.fresh_knowledge else ""
    )
    if not inputs.prompt_caching:
        caching = "prompt caching is off"
    elif est.caching:
        caching = (
            "the static prompt is billed at the cached-input price for "
            f"{and_join([display_name(name) for name in est.caching])}, "
            "as if every call found it cached"
        )
    else:
        caching = (
            "no cached-input price applies (the price sheet has none for these models, or the "
            "prompt is shorter than the provider caches)"
        )
    return (
        f"Each request sends the {answers.prompt_tokens:,}-token prompt (the fine-tuned model "
        f"keeps a {inputs.tuned_prompt_tokens:,}-token instruction) and "
        f"{inputs.input_tokens:,} other input tokens{retrieved}, and gets "
        f"{inputs.output_tokens:,} output tokens back; {caching}. A request is one model call: "
        "an agent's tool loop makes several."
    )
