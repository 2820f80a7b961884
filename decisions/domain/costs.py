"""What each way of running a task costs, and the Economics the engine decides the volume question
with (DESIGN.md section 3b).

Plain Python with no Django import. Three options per request, never two: A prompts the model the
person would prompt, B prompts the fine-tunable model with the same prompt, C is the fine-tuned
model. Money is Decimal here (volumes reach 10^12, so floats would lose cents on the page); the
Economics handed to the engine are floats, and the pay-back test lives there, once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import ClassVar

from decisions.domain.economics import PAYBACK_MONTHS, Economics
from decisions.domain.engine import Answers
from decisions.domain.fields import COST_INPUTS
from decisions.domain.money import format_months
from decisions.domain.prices import Price, date_words, display_name, unavailable_reason
from decisions.domain.question import CheckedFields, InvalidFields, Question

CURRENCY = "USD"
HOURS_PER_MONTH = 730  # 365 days x 24 hours / 12, the figure cloud providers bill hosting by
DAYS_PER_MONTH = Decimal("365.25") / 12
TOKENS_PER_MILLION = Decimal(1_000_000)
# Retrains a month for each answer to "how often do requirements change" (weekly: 52/12).
RETRAINS_PER_MONTH: dict[str, Decimal] = {
    "weekly": Decimal("4.33"),
    "monthly": Decimal(1),
    "quarterly": Decimal(1) / 3,
    "rarely": Decimal(1) / 12,
}

# Enough digits for 10^12 requests x 4M tokens x any sane price, to the cent, with room to spare.
# Passed to single operations rather than entered with localcontext(), which copies it each time.
_CONTEXT = Context(prec=60)
_CENT = Decimal("0.01")
_ONE = Decimal(1)
_ZERO = Decimal(0)


class InvalidCostInputs(InvalidFields):
    """Raised for cost details the estimate cannot use; `errors` maps each field to messages."""


# --- The person's cost details ---

_DEFAULT = {name: question.default for name, question in COST_INPUTS.items()}


@dataclass(frozen=True, kw_only=True)
class CostInputs(CheckedFields):
    """The optional cost details, with defaults; validated on construction.

    input_tokens is what each request sends besides the static prompt (the user's text);
    output_tokens what the model writes back; tuned_prompt_tokens the short instruction a
    fine-tuned model still gets; retrieved_tokens the facts fetched into every call when answers
    need fresh knowledge; prompt_caching bills the static prompt at the cached-input price.
    """

    input_tokens: int = _DEFAULT["input_tokens"]  # type: ignore[assignment]
    output_tokens: int = _DEFAULT["output_tokens"]  # type: ignore[assignment]
    tuned_prompt_tokens: int = _DEFAULT["tuned_prompt_tokens"]  # type: ignore[assignment]
    retrieved_tokens: int = _DEFAULT["retrieved_tokens"]  # type: ignore[assignment]
    prompt_caching: bool = _DEFAULT["prompt_caching"]  # type: ignore[assignment]
    epochs: int = _DEFAULT["epochs"]  # type: ignore[assignment]
    engineering_days: int = _DEFAULT["engineering_days"]  # type: ignore[assignment]
    day_rate: int = _DEFAULT["day_rate"]  # type: ignore[assignment]

    catalogue: ClassVar[Mapping[str, Question]] = COST_INPUTS
    invalid: ClassVar[type[InvalidFields]] = InvalidCostInputs
    not_an_object: ClassVar[str] = "Send the cost details as an object."


COST_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CostInputs))
# The cost details' defaults, models aside, in the order the form asks them.
COST_DETAIL_DEFAULTS: dict[str, object] = {name: _DEFAULT[name] for name in COST_FIELDS}


# --- The estimate ---


@dataclass(frozen=True)
class Option:
    """One way of running the task: what a request costs and what a month costs besides."""

    key: str  # "A", "B", "C" or "H" (what the hybrid runs)
    label: str  # "Prompting gpt-4.1"
    per_request: Decimal
    monthly_fixed: Decimal = Decimal(0)
    detail: str = ""

    def monthly(self, volume: int | Decimal) -> Decimal:
        return _CONTEXT.add(_CONTEXT.multiply(self.per_request, volume), self.monthly_fixed)


@dataclass(frozen=True)
class CostEstimate:
    """The cost panel's figures for one decision: the options, the fixed and one-off costs, the
    horizon, and the Economics the engine reads. economics is None, with `unpriced` saying why
    in words, when the fine-tuning side cannot be priced; then only option A is given."""

    inputs: CostInputs
    answers: Answers
    prompt_model: Price
    tune_model: Price
    today: str
    options: tuple[Option, ...]
    hosting_monthly: Decimal | None = None
    # A deployment billed by the hour that the fine-tuned model needs, shown beside the
    # comparison (the untuned model could use one too); None when fine-tunes are billed per token.
    dedicated_monthly: Decimal | None = None
    retraining_monthly: Decimal | None = None
    retrains_per_month: Decimal | None = None
    training_cost: Decimal | None = None
    engineering_cost: Decimal = Decimal(0)
    one_off: Decimal | None = None
    horizon_months: Decimal | None = None
    horizon_reason: str = ""
    caching: tuple[str, ...] = ()  # which models' static prompt was billed as cached
    batch: bool = False
    economics: Economics | None = None
    unpriced: str = ""
    currency: str = CURRENCY

    def option(self, key: str) -> Option | None:
        for option in self.options:
            if option.key == key:
                return option
        return None


def _per_million(tokens: int | Decimal, price_per_m: Decimal) -> Decimal:
    return tokens * price_per_m / TOKENS_PER_MILLION


def _static_cost(price: Price, tokens: int, inputs: CostInputs) -> tuple[Decimal, bool]:
    """The static prompt's cost, at the cached-input price where the provider has one and the
    prompt is long enough to be cached; and whether it was."""
    cached = price.cached_input_per_m
    if inputs.prompt_caching and cached is not None and tokens >= price.min_cache_tokens:
        return _per_million(tokens, cached), True
    return _per_million(tokens, price.input_per_m), False


def _batched(price: Price, cost: Decimal, batch: bool) -> Decimal:
    if batch and price.batch_discount is not None:
        return cost * (1 - price.batch_discount)
    return cost


def _horizon(tune: Price, today: datetime.date) -> tuple[Decimal, str]:
    months = Decimal(PAYBACK_MONTHS)
    if tune.retires_on:
        left = Decimal((datetime.date.fromisoformat(tune.retires_on) - today).days)
        left = left / DAYS_PER_MONTH
        if left < months:
            return left, (
                f"{tune.name} retires on {date_words(tune.retires_on)}, so a fine-tune can earn "
                f"for {format_months(left)}, not {PAYBACK_MONTHS}."
            )
    return months, ""


def estimate(
    answers: Answers,
    inputs: CostInputs,
    prompt_model: Price,
    tune_model: Price,
    *,
    today: datetime.date,
    suggestion: str = "",
) -> CostEstimate:
    """Options A, B and C per request for these answers and cost details, the fixed and one-off
    costs of fine-tuning, and the Economics for the engine (None when `tune_model` cannot be
    fine-tuned by a new customer on `today`; `suggestion` names one that can).

    - Every option's input is the static prompt plus input_tokens, plus retrieved_tokens when the
      answers need fresh knowledge; the fine-tuned model's static prompt is tuned_prompt_tokens.
    - A static prompt of at least the provider's minimum cacheable length is billed at its
      cached-input price (prompt_caching on); batch prices apply when latency is batch.
    - Training: labeled_examples x (instruction + input + output tokens) x epochs x the training
      price. One-off: training plus engineering_days x day_rate. Monthly fixed: hosting and
      storage, plus retraining (training and one engineering day) as often as requirements change.
    """
    with localcontext(_CONTEXT):
        batch = answers.latency == "batch"
        dynamic = inputs.input_tokens + (inputs.retrieved_tokens if answers.fresh_knowledge else 0)
        caching: list[str] = []

        def prompted(price: Price) -> Decimal:
            static, cached = _static_cost(price, answers.prompt_tokens, inputs)
            if cached:
                caching.append(price.name)
            cost = (
                static
                + _per_million(dynamic, price.input_per_m)
                + _per_million(inputs.output_tokens, price.output_per_m)
            )
            return _batched(price, cost, batch)

        prompt_name, tune_name = display_name(prompt_model.name), display_name(tune_model.name)
        option_a = Option("A", f"Prompting {prompt_name}", prompted(prompt_model))
        engineering_cost = Decimal(inputs.engineering_days * inputs.day_rate)
        reason = unavailable_reason(tune_model, today, suggestion)
        if reason:
            return CostEstimate(
                inputs=inputs, answers=answers, prompt_model=prompt_model, tune_model=tune_model,
                today=today.isoformat(), options=(option_a,), engineering_cost=engineering_cost,
                caching=tuple(caching), batch=batch, unpriced=reason,
            )
        assert tune_model.ft_input_per_m is not None and tune_model.ft_output_per_m is not None
        assert tune_model.training_per_m is not None
        option_b = Option("B", f"Prompting {tune_name}", prompted(tune_model))
        # A fine-tune served by the hour is compared like with like: at the base model's
        # per-token rate, since the untuned model could be put on the same hourly deployment;
        # the deployment itself is shown beside the figures, not counted as a saving of training.
        by_the_hour = tune_model.serves_fine_tunes_by_the_hour
        tuned_in = tune_model.input_per_m if by_the_hour else tune_model.ft_input_per_m
        tuned_out = tune_model.output_per_m if by_the_hour else tune_model.ft_output_per_m
        tuned_per_request = _batched(
            tune_model,
            _per_million(inputs.tuned_prompt_tokens + dynamic, tuned_in)
            + _per_million(inputs.output_tokens, tuned_out),
            batch,
        )
        tokens_per_example = inputs.tuned_prompt_tokens + dynamic + inputs.output_tokens
        training_cost = _per_million(
            answers.labeled_examples * tokens_per_example * inputs.epochs,
            tune_model.training_per_m,
        )
        retrains = RETRAINS_PER_MONTH[answers.change_frequency]
        retraining_monthly = retrains * (training_cost + inputs.day_rate)
        dedicated_monthly = tune_model.hosting_per_hour * HOURS_PER_MONTH
        hosting_monthly = tune_model.storage_per_month + (0 if by_the_hour else dedicated_monthly)
        monthly_fixed = hosting_monthly + retraining_monthly
        option_c = Option("C", f"Fine-tuned {tune_name}", tuned_per_request, monthly_fixed)
        one_off = training_cost + engineering_cost
        horizon, horizon_reason = _horizon(tune_model, today)
        options = [option_a, option_b, option_c]
        if answers.reasoning == "complex" and answers.small_model != "good_enough":
            options.append(
                Option(
                    "H",
                    f"Hybrid: prompting {prompt_name} plus fine-tuned {tune_name}",
                    option_a.per_request + tuned_per_request,
                    monthly_fixed,
                )
            )
        economics = Economics(
            prompted_per_request=float(option_a.per_request),
            small_prompted_per_request=float(option_b.per_request),
            tuned_per_request=float(tuned_per_request),
            monthly_fixed=float(monthly_fixed),
            one_off=float(one_off),
            horizon_months=float(horizon),
            prompted_model=prompt_name,
            tuned_model=tune_name,
        )
    return CostEstimate(
        inputs=inputs,
        answers=answers,
        prompt_model=prompt_model,
        tune_model=tune_model,
        today=today.isoformat(),
        options=tuple(options),
        hosting_monthly=hosting_monthly,
        dedicated_monthly=dedicated_monthly if by_the_hour else None,
        retraining_monthly=retraining_monthly,
        retrains_per_month=retrains,
        training_cost=training_cost,
        engineering_cost=engineering_cost,
        one_off=one_off,
        horizon_months=horizon,
        horizon_reason=horizon_reason,
        caching=tuple(dict.fromkeys(caching)),
        batch=batch,
        economics=economics,
    )


def cents(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float(value.quantize(_CENT, ROUND_HALF_UP, _CONTEXT))


def significant(value: Decimal | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    if value == _ZERO:  # a Decimal 0: an int would be converted at every call
        return 0.0
    step = _ONE.scaleb(value.adjusted() - digits + 1, _CONTEXT)
    return float(value.quantize(step, ROUND_HALF_UP, _CONTEXT))

