"""The reasons' sentences: each fired rule in words, quoting the person's own answers and money
figures (DESIGN.md section 3, "Result").

Plain Python with no Django import. Each function gets the Facts a rule fired on and the verdict,
since trigger and note reasons are listed in every outcome and must make sense in each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from decisions.domain.economics import BASELINE_LARGE, Economics
from decisions.domain.fields import HYBRID
from decisions.domain.money import about_volume, format_money, format_months

if TYPE_CHECKING:
    from decisions.domain.engine import Answers
    from decisions.domain.rules import Facts



def _count(n: int, singular: str, plural: str) -> str:
    return f"{n:,} {singular if n == 1 else plural}"


def join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'; when a part has its own comma, 'a, and b' and 'a; b; and c',
    to stay clear."""
    if len(parts) <= 1:
        return "".join(parts)
    if any(", " in part for part in parts):
        if len(parts) == 2:
            return f"{parts[0]}, and {parts[1]}"
        return f"{'; '.join(parts[:-1])}; and {parts[-1]}"
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def examples(a: Answers) -> str:
    return _count(a.labeled_examples, "labeled example", "labeled examples")


def volume_words(volume: int) -> str:
    return _count(volume, "completion", "completions") + " a month"


_money = format_money


def _baseline_words(e: Economics, baseline: str) -> str:
    """The baseline option in words, and why when it is the large model: "prompting X with your
    prompt"."""
    if baseline == BASELINE_LARGE:
        return (
            f"prompting {e.prompted_model} with your prompt (the baseline is the large model: "
            "prompted, your small model falls short)"
        )
    return f"prompting {e.tuned_model} with your prompt"


def _tuned_monthly(f: Facts, volume: int) -> float:
    e = f.economics
    assert e is not None
    return volume * e.tuned_per_request + e.monthly_fixed


def pays_back(f: Facts, recommendation: str) -> str:
    e, a = f.economics, f.answers
    assert e is not None
    volume, baseline_name = a.monthly_requests, f.baseline
    tuned = _tuned_monthly(f, volume)
    baseline = volume * e.per_request(baseline_name)
    months = e.payback_months(volume, baseline_name)
    assert months is not None
    figures = (
        f"At {volume_words(volume)}, fine-tuned {e.tuned_model} would cost {_money(tuned)} a month "
        f"against {_money(baseline)} for {_baseline_words(e, baseline_name)}"
    )
    if recommendation == HYBRID and a.reasoning == "complex" and not f.small_good_enough:
        prompted = volume * e.prompted_per_request
        return (
            f"{figures}: it would pay back its {_money(e.one_off)} one-off cost in "
            f"{format_months(months)} if it replaced prompting. In this hybrid it does not: "
            f"{e.prompted_model} still does the reasoning, so the hybrid costs "
            f"{_money(prompted + tuned)} a month, {_money(tuned)} more than prompting "
            f"{e.prompted_model} alone, for the consistency of its output."
        )
    if recommendation == HYBRID:
        return (
            f"{figures}, both with the facts retrieved into every call: the fine-tuned model "
            f"earns back its {_money(e.one_off)} one-off cost in {format_months(months)}."
        )
    return (
        f"{figures}: it saves {_money(e.saving(volume, baseline_name))} a month and pays back its "
        f"{_money(e.one_off)} one-off cost in {format_months(months)}."
    )


def costs_more(f: Facts, recommendation: str) -> str:
    e, a = f.economics, f.answers
    assert e is not None
    volume, baseline_name = a.monthly_requests, f.baseline
    baseline_per_request = e.per_request(baseline_name)
    break_even = e.break_even_volume(baseline_name)
    # A hybrid that keeps the prompted model for the reasoning runs the fine-tuned one beside it:
    # no volume pays it back there, as pays_back says too.
    beside = recommendation == HYBRID and a.reasoning == "complex" and not f.small_good_enough
    from_volume = (
        f" It would pay back from {about_volume(break_even)} completions a month"
        + (" if it replaced prompting; in this hybrid no volume pays it back." if beside else ".")
        if break_even is not None
        else ""
    )
    if baseline_per_request <= e.tuned_per_request:
        return (
            f"A request to fine-tuned {e.tuned_model} would cost "
            f"{_money(e.tuned_per_request)} against {_money(baseline_per_request)} for "
            f"{_baseline_words(e, baseline_name)}, so fine-tuning saves nothing at any volume "
            f"and its {_money(e.one_off)} one-off cost never pays back."
        )
    if volume == 0:
        return (
            f"With no volume yet, fine-tuning cannot earn back its {_money(e.one_off)} one-off "
            f"cost.{from_volume or ' No volume up to 10^12 a month would pay it back.'}"
        )
    tuned = _tuned_monthly(f, volume)
    baseline = volume * baseline_per_request
    figures = (
        f"At {volume_words(volume)}, fine-tuned {e.tuned_model} would cost {_money(tuned)} a month "
        f"against {_money(baseline)} for {_baseline_words(e, baseline_name)}"
    )
    saving = e.saving(volume, baseline_name)
    if saving <= 0:
        return (
            f"{figures}: {_money(-saving)} a month more, its monthly fixed costs included, so it "
            f"does not pay back its {_money(e.one_off)} one-off cost at this volume.{from_volume}"
        )
    months = e.one_off / saving
    return (
        f"{figures}: it saves {_money(saving)} a month, so its {_money(e.one_off)} one-off cost "
        f"takes {format_months(months)} to pay back, longer than the "
        f"{format_months(e.horizon_months)} it can earn.{from_volume}"
    )


def try_small_first(f: Facts, recommendation: str) -> str:
    e, volume = f.economics, f.answers.monthly_requests
    assert e is not None
    if volume == 0:
        small, large, per = e.small_prompted_per_request, e.prompted_per_request, "request"
    else:
        small = volume * e.small_prompted_per_request
        large = volume * e.prompted_per_request
        per = "month"
    return (
        f"Prompting {e.tuned_model} instead of {e.prompted_model} would cost {_money(small)} "
        f"instead of {_money(large)} a {per}, with no training: try it on your evaluation set "
        "first."
    )


def fresh_knowledge(f: Facts, recommendation: str) -> str:
    facts = (
        "Your answers depend on facts that change after a model is trained (prices, policies, "
        "case law, news)"
    )
    if recommendation == HYBRID and _reasoning_hybrid(f):
        return (
            f"{facts}: retrieve them at call time into the reasoning model's prompt; the "
            "fine-tuned output step only shapes what the reasoning found."
        )
    if recommendation == HYBRID:
        return (
            f"{facts}: pair the fine-tuned model, which carries the stable behaviour, with "
            "retrieval: current facts are fetched at call time and put into its prompt, since "
            "training freezes what a model knows."
        )
    return (
        f"{facts}: retrieve them at call time and put them into the prompt; a fine-tuned model "
        "is frozen to its training data."
    )


def _reasoning_hybrid(f: Facts) -> bool:
    return f.answers.reasoning == "complex" and not f.small_good_enough


def complex_reasoning(f: Facts, recommendation: str) -> str:
    task = "Your task needs multi-step reasoning, planning or tool use"
    if f.small_good_enough:
        return (
            f"{task}; your evaluation set shows the model you would fine-tune handles it when "
            "prompted, so fine-tuning it keeps that quality."
        )
    if recommendation == HYBRID:
        return (
            f"{task}: keep a large model, prompted as it is, for the reasoning, and let a small "
            "fine-tuned model produce the exact output format from what it found (the article's "
            "structured output layer)."
        )
    return f"{task}, which a large model handles as it is with a detailed prompt."


def reasoning_stays_large(f: Facts, recommendation: str) -> str:
    fixes = []
    if f.answers.domain_language:
        fixes.append("the specialised language in the reasoning")
    if f.pays_back():
        fixes.append("the cost of the reasoning model")
    if f.latency_critical():
        fixes.append("the long prompt the reasoning model reads")
    fixed = join(fixes) or "the reasoning"
    return (
        "A fine-tuned output step would not fix "
        f"{fixed}, and the small model is not shown to carry multi-step reasoning: keep "
        "prompting the large model, with examples of your terms in the prompt, and judge a "
        "fine-tuned model on your evaluation set before it takes over any reasoning."
    )


def prompting_default(f: Facts, recommendation: str) -> str:
    a, e = f.answers, f.economics
    parts = []
    if e is not None and a.monthly_requests >= 1:
        parts.append(f"fine-tuning would not pay back at {volume_words(a.monthly_requests)}")
    elif e is not None:
        parts.append("there is no volume yet for fine-tuning to pay back")
    if f.small_good_enough:
        parts.append("the model you would fine-tune is already good enough when prompted")
    else:
        quality = []
        if a.output_format != "strict":
            quality.append("no exact schema")
        if not a.domain_language:
            quality.append("no specialised language")
        if a.latency != "critical":
            quality.append("no latency-critical path")
        elif not f.long_prompt:
            quality.append(
                f"a prompt too short ({a.prompt_tokens:,} tokens) to slow a latency-critical path"
            )
        parts.append(f"your task needs {join(quality)}")
    return (
        f"Nothing in your answers calls for fine-tuning: {join(parts)}. A prompt is faster to "
        "set up and easier to change."
    )

