"""The cost panel: an estimate in figures and words, as stored with a decision, so a result is
shown as it was given without recomputing anything (DESIGN.md section 3b).

Plain Python with no Django import.
"""

from __future__ import annotations

from decimal import Decimal

from decisions.domain.costs import CostEstimate, Option, cents, significant
from decisions.domain.fields import MAX_MONTHLY_REQUESTS
from decisions.domain.money import about_volume, format_money, format_months, volume_words
from decisions.domain.panel_words import (
    Quoted,
    a_month,
    and_join,
    assumptions,
    lower_first,
    plural,
    summary,
)
from decisions.domain.prices import display_name

PANEL_VERSION = 2
_KEY_NAMES = {"A": "prompted", "B": "small_prompted", "C": "tuned"}


def panel(est: CostEstimate, recommendation: str) -> dict[str, object]:
    """The cost panel for a decision with this verdict: every figure and sentence the result
    page, the exports and the admin show, JSON-ready, so a stored decision is shown as it was
    given without recomputing anything. Money to the cent, per-request prices to 4 significant
    digits."""
    volume = est.answers.monthly_requests
    e = est.economics
    baseline_name = e.baseline(est.answers.small_model) if e else None
    baseline_key = "A" if baseline_name == "prompted" else "B"
    shown = [option for option in est.options if option.key != "H" or recommendation == "hybrid"]
    # Each shown option's month at this volume, in figures and in words, worked out once: the
    # options, the figures and the summary all quote them.
    monthly = {option.key: option.monthly(volume) for option in shown} if volume else {}
    figures: list[dict[str, str]] = []
    payload: dict[str, object] = {
        "version": PANEL_VERSION,
        "currency": est.currency,
        "today": est.today,
        "price_as_of": min((d for d in (est.prompt_model.as_of, est.tune_model.as_of) if d),
                           default=""),
        "volume": volume,
        "inputs": est.inputs.as_dict(),
        "prompt_model": est.prompt_model.as_dict(),
        "tune_model": est.tune_model.as_dict(),
        "options": [
            {
                "key": option.key,
                "label": option.label,
                "per_request": significant(option.per_request, 10),
                "monthly_fixed": cents(option.monthly_fixed),
                "monthly": cents(monthly[option.key]) if volume else None,
            }
            for option in shown
        ],
        "caching": list(est.caching),
        "batch": est.batch,
        "unpriced": est.unpriced,
        "hosting_monthly": cents(est.hosting_monthly),
        "dedicated_monthly": cents(est.dedicated_monthly),
        "retraining_monthly": cents(est.retraining_monthly),
        "training_cost": cents(est.training_cost),
        "engineering_cost": cents(est.engineering_cost),
        "one_off": cents(est.one_off),
        "horizon_months": cents(est.horizon_months),
        "horizon_reason": est.horizon_reason,
        "baseline": baseline_key if e else None,
        "pays_back": False,
        "saving": None,
        "payback_months": None,
        "break_even_volume": None,
        "figures": figures,
    }
    a = est.option("A")
    assert a is not None
    price_notes = _price_notes(est)
    per_month = {key: a_month(value) for key, value in monthly.items()}
    if e is None:
        figures.append(_option_figure(a, price_notes.get("A", ""), per_month.get("A")))
        payload["summary"] = est.unpriced
        payload["assumptions"] = assumptions(est)
        return payload

    b, c = est.option("B"), est.option("C")
    assert b is not None and c is not None and est.one_off is not None
    baseline = a if baseline_key == "A" else b
    assert baseline_name is not None
    break_even = e.break_even_volume(baseline_name)
    pays_back = volume >= 1 and e.pays_back(volume, baseline_name)
    saving = Decimal(str(e.saving(volume, baseline_name))) if volume else None
    months = e.payback_months(volume, baseline_name) if volume else None
    payload.update(
        pays_back=pays_back,
        saving=cents(saving),
        payback_months=round(months, 2) if months is not None else None,
        break_even_volume=break_even,
    )
    hybrid = recommendation == "hybrid"
    hybrid_option = est.option("H") if hybrid else None
    assert est.horizon_months is not None
    quoted = Quoted(
        monthly,
        per_month,
        {"A": a, "B": b, "C": c},
        prompt_name=display_name(est.prompt_model.name),
        tune_name=display_name(est.tune_model.name),
        horizon=format_months(est.horizon_months),
        months=format_months(months),
        one_off=format_money(est.one_off),
        break_even=about_volume(break_even) if break_even is not None else "",
        saving=(
            a_month(saving if saving > 0 else -saving) if saving is not None and not hybrid else ""
        ),
    )

    for option in (a, b, c):
        figures.append(
            _option_figure(option, price_notes.get(option.key, ""), per_month.get(option.key))
        )
    if est.dedicated_monthly is not None:
        figures.append(_dedicated_figure(est, quoted))
    if hybrid:
        figures.append(_hybrid_figure(est, hybrid_option, quoted))
    elif volume:
        figures.append(_saving_figure(est, baseline, saving, quoted))
    figures.append(_one_off_figure(est, quoted))
    figures.append(_payback_figure(est, volume, pays_back, months, hybrid_option, quoted))
    figures.append(_break_even_figure(break_even, hybrid_option is not None, quoted))
    payload["summary"] = summary(est, baseline, volume, pays_back, saving, months, break_even,
                                  hybrid_option, hybrid, quoted)
    payload["assumptions"] = assumptions(est)
    return payload


def _per_request_words(value: Decimal) -> str:
    """A per-request price, or the plain fact that there is none (a model billed by the hour)."""
    return f"{format_money(value)} a request" if value else "No charge per request"


def _price_notes(est: CostEstimate) -> dict[str, str]:
    notes = {}
    for key, price in (("A", est.prompt_model), ("B", est.tune_model)):
        parts = []
        if price.name in est.caching:
            parts.append("the static prompt billed at the cached-input price")
        if est.batch and price.batch_discount is not None:
            parts.append("at batch prices")
        notes[key] = and_join(parts)
    if est.batch and est.tune_model.batch_discount is not None:
        notes["C"] = "at batch prices"
    if est.dedicated_monthly is not None:
        notes["C"] = and_join([
            note for note in (notes.get("C", ""), "at the base model's per-token rate, to compare "
                              "like with like") if note
        ])
    return notes


def _option_figure(option: Option, note: str, per_month: str | None) -> dict[str, str]:
    """The option's month in words (`per_month`, None with no volume) over its per-request
    price."""
    per_request = _per_request_words(option.per_request)
    if note:
        per_request += f", {note}"
    if option.key == "C" and option.monthly_fixed:
        per_request += f", plus {format_money(option.monthly_fixed)} a month fixed"
    if per_month is None:
        return {"key": option.key, "label": option.label, "value": per_request, "detail": ""}
    return {"key": option.key, "label": option.label, "value": per_month, "detail": per_request}


def _dedicated_figure(est: CostEstimate, quoted: Quoted) -> dict[str, str]:
    assert est.dedicated_monthly is not None
    provider = est.tune_model.provider or "The provider"
    return {
        "key": "dedicated",
        "label": "Dedicated deployment for the fine-tuned model",
        "value": f"{format_money(est.tune_model.hosting_per_hour)} an hour, "
        f"{a_month(est.dedicated_monthly)} running all month",
        "detail": (
            f"{provider} serves fine-tuned {quoted.tune_name} only on a deployment billed by the "
            "hour. The untuned model could run on one too, so the "
            "comparison above prices every option per token, at the same rates; whether hourly "
            "billing is cheaper for you depends on your throughput, not on training."
        ),
    }


def _hybrid_figure(est: CostEstimate, hybrid: Option | None, quoted: Quoted) -> dict[str, str]:
    monthly, per_month = quoted.monthly, quoted.per_month
    c = quoted.options["C"]
    if hybrid is None:  # the retrieval hybrid: the fine-tuned model with facts fetched per call
        label = f"What the hybrid runs: fine-tuned {quoted.tune_name} with retrieval"
        if not monthly:
            return {"key": "H", "label": label, "value": _per_request_words(c.per_request),
                    "detail": "Retrieved facts are in every option's input."}
        return {
            "key": "H",
            "label": label,
            "value": per_month["C"],
            "detail": "Retrieved facts are in every option's input, so they cost the same "
            "whichever model reads them.",
        }
    if not monthly:
        return {"key": "H", "label": hybrid.label, "value": _per_request_words(hybrid.per_request),
                "detail": "No saving: it runs both models on every request."}
    extra = monthly["H"] - monthly["A"]
    return {
        "key": "H",
        "label": hybrid.label,
        "value": per_month["H"],
        "detail": f"{format_money(extra)} a month more than prompting {quoted.prompt_name} "
        "alone: the hybrid runs both models, so it saves nothing; it buys consistent output.",
    }


def _saving_figure(
    est: CostEstimate, baseline: Option, saving: Decimal | None, quoted: Quoted
) -> dict[str, str]:
    monthly = quoted.monthly
    b, c = quoted.options["B"], quoted.options["C"]
    assert saving is not None
    prompt_part = monthly["B"] - monthly["C"]
    model_part = monthly["A"] - monthly["B"]
    value = (
        f"{quoted.saving} saved" if saving > 0 else f"{quoted.saving} more"
        if saving < 0 else "Nothing saved"
    )
    if prompt_part >= 0:
        shorter = (
            f"Dropping the long prompt saves {a_month(prompt_part)} against "
            f"{lower_first(b.label)}, {_fixed_words(est)} included"
        )
    else:
        shorter = (
            f"Dropping the long prompt does not cover {_fixed_words(est)}: "
            f"{lower_first(c.label)} costs {a_month(-prompt_part)} more than "
            f"{lower_first(b.label)}"
        )
    if baseline.key == "A":
        smaller = (
            f"; the smaller model saves {a_month(model_part)}, counted because "
            f"{quoted.tune_name} falls short unless it is trained"
        )
    else:
        smaller = (
            f"; the smaller model saves {a_month(model_part)} more, which prompting "
            f"{quoted.tune_name} gives without training, so it is not counted"
        )
    return {
        "key": "saving",
        "label": f"Fine-tuning against {lower_first(baseline.label)}",
        "value": value,
        "detail": f"{shorter}{smaller}.",
    }


def _fixed_words(est: CostEstimate) -> str:
    """What the fine-tuned model's monthly fixed cost is made of, in words."""
    return "hosting and retraining" if est.hosting_monthly else "retraining"


def _one_off_figure(est: CostEstimate, quoted: Quoted) -> dict[str, str]:
    inputs = est.inputs
    assert est.one_off is not None and est.training_cost is not None
    retrain = ""
    if est.retraining_monthly:
        retrain = (
            f" Retraining as often as requirements change adds "
            f"{a_month(est.retraining_monthly)} (training plus one engineering day each time)."
        )
    examples = est.answers.labeled_examples
    engineering = (
        f"engineering {format_money(est.engineering_cost)} "
        f"({plural(inputs.engineering_days, 'day')} at {format_money(inputs.day_rate)})"
    )
    detail = (
        f"Training {format_money(est.training_cost)} ({plural(examples, 'example')}, "
        f"{plural(inputs.epochs, 'epoch')}) plus {engineering}."
        if examples
        else f"No training cost yet, with no examples to train on; {engineering}."
    )
    return {
        "key": "one_off",
        "label": "One-off cost of fine-tuning",
        "value": quoted.one_off,
        "detail": detail + retrain,
    }


def _payback_figure(
    est: CostEstimate,
    volume: int,
    pays_back: bool,
    months: float | None,
    hybrid: Option | None,
    quoted: Quoted,
) -> dict[str, str]:
    horizon = quoted.horizon
    detail = est.horizon_reason
    if not volume:
        value = "No volume yet"
    elif months is None:
        value = f"Not within {horizon} at this volume"
    elif pays_back:
        value = quoted.months
        if hybrid is not None:
            value += ", if it replaced prompting"
    else:
        value = f"{quoted.months}: longer than the {horizon} it can earn"
    return {"key": "payback", "label": "Pays back in", "value": value, "detail": detail}


def _break_even_figure(
    break_even: int | None, reasoning_hybrid: bool, quoted: Quoted
) -> dict[str, str]:
    horizon = quoted.horizon
    if break_even is None:
        value = "No volume"
        detail = f"No volume up to {MAX_MONTHLY_REQUESTS:,} a month pays back within {horizon}."
    elif reasoning_hybrid:
        value = f"{quoted.break_even} completions a month, if it replaced prompting"
        detail = (
            "In this hybrid the fine-tuned model runs beside the prompted one, so no volume pays "
            "it back."
        )
    else:
        value = f"{quoted.break_even} completions a month"
        detail = (
            f"The least volume at which fine-tuning pays back within {horizon}: "
            f"{volume_words(break_even)} at today's figures."
        )
    return {"key": "break_even", "label": "Pays back from", "value": value, "detail": detail}
