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
from dataclasses import MISSING, dataclass, fields
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from decisions.domain.engine import (
    MAX_LABELED_EXAMPLES,
    MAX_MONTHLY_REQUESTS,
    MAX_PROMPT_TOKENS,
    NON_FIELD_ERRORS,
    PAYBACK_MONTHS,
    Answers,
    Economics,
    mapping_errors,
)
from decisions.domain.money import (  # noqa: F401 - format_count is re-exported
    about_volume,
    format_count,
    format_money,
    format_months,
)

CURRENCY = "USD"
HOURS_PER_MONTH = 730  # 365 days x 24 hours / 12, the figure cloud providers bill hosting by
DAYS_PER_MONTH = Decimal("365.25") / 12
TOKENS_PER_MILLION = Decimal(1_000_000)
DEFAULT_MIN_CACHE_TOKENS = 1_024
# Retrains a month for each answer to "how often do requirements change" (weekly: 52/12).
RETRAINS_PER_MONTH: dict[str, Decimal] = {
    "weekly": Decimal("4.33"),
    "monthly": Decimal(1),
    "quarterly": Decimal(1) / 3,
    "rarely": Decimal(1) / 12,
}

MAX_TOKENS_PER_REQUEST = 2_000_000
MAX_EPOCHS = 100
MAX_ENGINEERING_DAYS = 1000
MAX_DAY_RATE = 1_000_000

# Enough digits for 10^12 requests x 4M tokens x any sane price, to the cent, with room to spare.
_CONTEXT = Context(prec=60)
_CENT = Decimal("0.01")

# Whether a new customer can fine-tune a model today.
OPEN, CLOSED, RETIRED = "open", "closed", "retired"
FINE_TUNING_STATUSES = (OPEN, CLOSED, RETIRED)


class InvalidCostInputs(ValueError):
    """Raised for cost details the estimate cannot use; `errors` maps each field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))


# --- The price sheet ---


def _decimal(value: object) -> Decimal | None:
    """A finite, non-negative Decimal from a Decimal, int, float or numeric string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = str(value)  # Decimal(0.8) would keep the binary error: 0.8000000000000000444...
    if not isinstance(value, Decimal | int | str):
        return None
    try:
        number = Decimal(value)
    except ArithmeticError:
        return None
    if not number.is_finite() or number < 0:
        return None
    return number


_PRICE_FIELDS = ("input_per_m", "output_per_m", "hosting_per_hour", "storage_per_month")
_OPTIONAL_PRICE_FIELDS = (
    "cached_input_per_m", "batch_discount", "ft_input_per_m", "ft_output_per_m", "training_per_m",
)
_DATE_FIELDS = ("as_of", "fine_tuning_since", "retires_on")


def _iso(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value or "")
    if text:
        datetime.date.fromisoformat(text)  # raises ValueError on anything but an ISO date
    return text


@dataclass(frozen=True, kw_only=True)
class Price:
    """One model's prices in USD: tokens per million, hosting per hour, storage per month.

    cached_input_per_m is the provider's price for a cached prompt prefix (None: no caching);
    batch_discount the share taken off by its batch API (0.5 for half price; None: no batch).
    The ft_* and training prices are None where the provider offers no fine-tuning of the model;
    hosting and storage are what a fine-tuned model costs to keep (0 for pay per token).
    fine_tuning says whether a new customer can fine-tune it today (open, closed since a date,
    retired on a date; empty when never offered), with its source; retires_on is when the model
    and its fine-tunes stop serving, where announced. Raises ValueError on a bad value.
    """

    name: str
    provider: str = ""
    input_per_m: Decimal
    cached_input_per_m: Decimal | None = None
    output_per_m: Decimal
    batch_discount: Decimal | None = None
    min_cache_tokens: int = DEFAULT_MIN_CACHE_TOKENS
    ft_input_per_m: Decimal | None = None
    ft_output_per_m: Decimal | None = None
    training_per_m: Decimal | None = None
    hosting_per_hour: Decimal = Decimal(0)
    storage_per_month: Decimal = Decimal(0)
    fine_tuning: str = ""
    fine_tuning_since: str = ""
    fine_tuning_source: str = ""
    retires_on: str = ""
    as_of: str = ""
    source_url: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        for name in (*_PRICE_FIELDS, *_OPTIONAL_PRICE_FIELDS):
            value = getattr(self, name)
            if value is None and name in _OPTIONAL_PRICE_FIELDS:
                continue
            number = _decimal(value)
            if number is None or (name == "batch_discount" and number >= 1):
                raise ValueError(
                    f"{self.name}: {name} must be a non-negative number, not {value!r}"
                )
            object.__setattr__(self, name, number)
        if isinstance(self.min_cache_tokens, bool) or not isinstance(self.min_cache_tokens, int):
            raise ValueError(f"{self.name}: min_cache_tokens must be a whole number")
        if self.fine_tuning not in ("", *FINE_TUNING_STATUSES):
            raise ValueError(f"{self.name}: fine_tuning must be one of {FINE_TUNING_STATUSES}")
        for name in _DATE_FIELDS:
            object.__setattr__(self, name, _iso(getattr(self, name)))

    @property
    def serves_fine_tunes_by_the_hour(self) -> bool:
        """A fine-tuned model that runs only on a dedicated deployment billed by the hour, with
        nothing charged per token (the ft_* prices are 0)."""
        return (
            self.hosting_per_hour > 0 and self.ft_input_per_m == 0 and self.ft_output_per_m == 0
        )

    @property
    def has_fine_tuning_prices(self) -> bool:
        return None not in (self.ft_input_per_m, self.ft_output_per_m, self.training_per_m)

    def open_on(self, today: datetime.date) -> bool:
        """Whether a new customer can fine-tune this model on `today`."""
        if self.fine_tuning != OPEN or not self.has_fine_tuning_prices:
            return False
        return not self.retires_on or today < datetime.date.fromisoformat(self.retires_on)

    def availability(self) -> str:
        """Fine-tuning for a new customer in words: "Open", "Closed to new customers since
        7 May 2026", "Retired on 23 October 2026", "Not offered"."""
        since = date_words(self.fine_tuning_since)
        if self.fine_tuning == OPEN:
            return "Open to new customers"
        if self.fine_tuning == CLOSED:
            return f"Closed to new customers since {since}" if since else "Closed to new customers"
        if self.fine_tuning == RETIRED:
            return f"Retired on {since}" if since else "Retired"
        return "Not offered"

    def as_dict(self) -> dict[str, object]:
        """Every field, prices as floats; Price(**price.as_dict()) rebuilds an equal Price."""
        return {
            f.name: (float(value) if isinstance(value, Decimal) else value)
            for f in fields(self)
            for value in (getattr(self, f.name),)
        }


def display_name(name: str) -> str:
    """A model's name for sentences: the last part of a path-like API name
    ("meta-llama/Llama-3.3-70B-Instruct-Turbo" -> "Llama-3.3-70B-Instruct-Turbo")."""
    return name.rstrip("/").rsplit("/", 1)[-1] or name


def date_words(iso: str) -> str:
    """'2026-05-07' -> '7 May 2026'; the text as it is when it is not a date."""
    try:
        day = datetime.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


# --- The person's cost details ---

# field: (smallest, largest, what is counted, an example for the error message)
_INT_FIELDS: dict[str, tuple[int, int, str, str]] = {
    "monthly_requests": (0, MAX_MONTHLY_REQUESTS, "completions a month", "250000"),
    "prompt_tokens": (0, MAX_PROMPT_TOKENS, "prompt tokens", "1500"),
    "labeled_examples": (0, MAX_LABELED_EXAMPLES, "labeled examples", "800"),
    "input_tokens": (0, MAX_TOKENS_PER_REQUEST, "input tokens per request", "500"),
    "output_tokens": (0, MAX_TOKENS_PER_REQUEST, "output tokens per request", "300"),
    "tuned_prompt_tokens": (0, MAX_TOKENS_PER_REQUEST, "instruction tokens", "100"),
    "retrieved_tokens": (0, MAX_TOKENS_PER_REQUEST, "retrieved tokens per request", "1000"),
    "epochs": (1, MAX_EPOCHS, "training epochs", "3"),
    "engineering_days": (0, MAX_ENGINEERING_DAYS, "engineering days", "10"),
    "day_rate": (0, MAX_DAY_RATE, "US dollars a day", "800"),
}
_BOOL_FIELDS = frozenset({"prompt_caching"})


def _field_errors(name: str, value: object) -> list[str]:
    if name in _BOOL_FIELDS:
        return [] if isinstance(value, bool) else ["Answer true or false."]
    smallest, largest, noun, example = _INT_FIELDS[name]
    # bool is a subclass of int and 1.0 == 1: neither is a count someone typed.
    if not isinstance(value, int) or isinstance(value, bool):
        return [f"Enter the number of {noun} as a whole number, for example {example}."]
    if not smallest <= value <= largest:
        return [f"Enter a number of {noun} from {smallest:,} to {largest:,}."]
    return []


@dataclass(frozen=True, kw_only=True)
class CostInputs:
    """The optional cost details, with defaults; validated on construction.

    input_tokens is what each request sends besides the static prompt (the user's text);
    output_tokens what the model writes back; tuned_prompt_tokens the short instruction a
    fine-tuned model still gets; retrieved_tokens the facts fetched into every call when answers
    need fresh knowledge; prompt_caching bills the static prompt at the cached-input price.
    """

    input_tokens: int = 500
    output_tokens: int = 300
    tuned_prompt_tokens: int = 100
    retrieved_tokens: int = 1000
    prompt_caching: bool = True
    epochs: int = 3
    engineering_days: int = 10
    day_rate: int = 800

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for name in COST_FIELDS:
            messages = _field_errors(name, getattr(self, name))
            if messages:
                errors[name] = messages
        if errors:
            raise InvalidCostInputs(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> CostInputs:
        """CostInputs from decoded JSON; reports every unknown or invalid field at once."""
        if not isinstance(data, Mapping):
            raise InvalidCostInputs({NON_FIELD_ERRORS: ["Send the cost details as an object."]})
        errors = mapping_errors(cls, data, _field_errors)
        if errors:
            raise InvalidCostInputs(errors)
        return cls(**{name: data[name] for name in COST_FIELDS if name in data})

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COST_FIELDS}


COST_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CostInputs))
# The optional "Cost details" answers and their defaults, in the order the form asks them.
COST_DETAIL_DEFAULTS: dict[str, object] = {
    f.name: f.default for f in fields(CostInputs) if f.default is not MISSING
}


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
        with localcontext(_CONTEXT):
            return self.per_request * volume + self.monthly_fixed


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
        return next((option for option in self.options if option.key == key), None)


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


def unavailable_reason(tune: Price, today: datetime.date, suggestion: str = "") -> str:
    """Why `tune` cannot be fine-tuned by a new customer today, in words, with an open model
    to try instead; empty when it can."""
    if tune.open_on(today):
        return ""
    instead = f" Choose a model a new customer can fine-tune today, such as {suggestion}." if (
        suggestion
    ) else ""
    provider = tune.provider or "The provider"
    if tune.fine_tuning == CLOSED:
        since = date_words(tune.fine_tuning_since)
        when = f" since {since}" if since else ""
        reason = f"{provider} has closed fine-tuning of {tune.name} to new customers{when}."
    elif tune.fine_tuning == RETIRED or (
        tune.retires_on and today >= datetime.date.fromisoformat(tune.retires_on)
    ):
        when = date_words(tune.fine_tuning_since or tune.retires_on)
        reason = f"{tune.name} was retired{f' on {when}' if when else ''}."
    elif tune.fine_tuning == OPEN:
        reason = f"The price sheet has no fine-tuning price for {tune.name}."
    else:
        reason = f"The price sheet does not list {tune.name} as open for fine-tuning."
    return f"{reason} There is no fine-tuning estimate.{instead}"


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
    with localcontext(_CONTEXT):
        return float(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def significant(value: Decimal | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    if value == 0:
        return 0.0
    with localcontext(_CONTEXT):
        exponent = value.adjusted() - digits + 1
        return float(value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))


# --- The panel: the estimate in words, as stored with a decision ---

PANEL_VERSION = 2
_KEY_NAMES = {"A": "prompted", "B": "small_prompted", "C": "tuned"}


def _plural(count: int | Decimal, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _a_month(value: Decimal) -> str:
    return f"{format_money(value)} a month"


def _volume_words(volume: int) -> str:
    return f"{volume:,} completion{'' if volume == 1 else 's'} a month"


def panel(est: CostEstimate, recommendation: str) -> dict[str, object]:
    """The cost panel for a decision with this verdict: every figure and sentence the result
    page, the exports and the admin show, JSON-ready, so a stored decision is shown as it was
    given without recomputing anything. Money to the cent, per-request prices to 4 significant
    digits."""
    volume = est.answers.monthly_requests
    e = est.economics
    baseline_key = "A" if e and e.baseline(est.answers.small_model) == "prompted" else "B"
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
                "monthly": cents(option.monthly(volume)) if volume else None,
            }
            for option in est.options
            if option.key != "H" or recommendation == "hybrid"
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
    if e is None:
        figures.append(_option_figure(a, volume, price_notes.get("A", "")))
        payload["summary"] = est.unpriced
        payload["assumptions"] = _assumptions(est)
        return payload

    b, c = est.option("B"), est.option("C")
    assert b is not None and c is not None and est.one_off is not None
    baseline = a if baseline_key == "A" else b
    baseline_name = e.baseline(est.answers.small_model)
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

    for option in (a, b, c):
        figures.append(_option_figure(option, volume, price_notes.get(option.key, "")))
    if est.dedicated_monthly is not None:
        figures.append(_dedicated_figure(est))
    if hybrid:
        figures.append(_hybrid_figure(est, hybrid_option, volume))
    elif volume:
        figures.append(_saving_figure(est, baseline, saving))
    figures.append(_one_off_figure(est))
    figures.append(_payback_figure(est, volume, pays_back, months, hybrid_option is not None))
    figures.append(_break_even_figure(est, break_even, hybrid_option is not None))
    payload["summary"] = _summary(est, baseline, volume, pays_back, saving, months, break_even,
                                  hybrid_option, hybrid)
    payload["assumptions"] = _assumptions(est)
    return payload


def _tune(est: CostEstimate) -> str:
    return display_name(est.tune_model.name)


def _prompt(est: CostEstimate) -> str:
    return display_name(est.prompt_model.name)


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


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
        notes[key] = _and(parts)
    if est.batch and est.tune_model.batch_discount is not None:
        notes["C"] = "at batch prices"
    if est.dedicated_monthly is not None:
        notes["C"] = _and([
            note for note in (notes.get("C", ""), "at the base model's per-token rate, to compare "
                              "like with like") if note
        ])
    return notes


def _and(parts: list[str]) -> str:
    return " and ".join(parts)


def _option_figure(option: Option, volume: int, note: str) -> dict[str, str]:
    per_request = _per_request_words(option.per_request)
    if note:
        per_request += f", {note}"
    if option.key == "C" and option.monthly_fixed:
        per_request += f", plus {format_money(option.monthly_fixed)} a month fixed"
    if not volume:
        return {"key": option.key, "label": option.label, "value": per_request, "detail": ""}
    return {
        "key": option.key,
        "label": option.label,
        "value": _a_month(option.monthly(volume)),
        "detail": per_request,
    }


def _dedicated_figure(est: CostEstimate) -> dict[str, str]:
    assert est.dedicated_monthly is not None
    return {
        "key": "dedicated",
        "label": "Dedicated deployment for the fine-tuned model",
        "value": f"{format_money(est.tune_model.hosting_per_hour)} an hour, "
        f"{_a_month(est.dedicated_monthly)} running all month",
        "detail": (
            f"{est.tune_model.provider or 'The provider'} serves fine-tuned {_tune(est)} only on "
            "a deployment billed by the hour. The untuned model could run on one too, so the "
            "comparison above prices every option per token, at the same rates; whether hourly "
            "billing is cheaper for you depends on your throughput, not on training."
        ),
    }


def _hybrid_figure(est: CostEstimate, hybrid: Option | None, volume: int) -> dict[str, str]:
    a, b, c = est.option("A"), est.option("B"), est.option("C")
    assert a is not None and b is not None and c is not None
    if hybrid is None:  # the retrieval hybrid: the fine-tuned model with facts fetched per call
        label = f"What the hybrid runs: fine-tuned {_tune(est)} with retrieval"
        if not volume:
            return {"key": "H", "label": label, "value": _per_request_words(c.per_request),
                    "detail": "Retrieved facts are in every option's input."}
        return {
            "key": "H",
            "label": label,
            "value": _a_month(c.monthly(volume)),
            "detail": "Retrieved facts are in every option's input, so they cost the same "
            "whichever model reads them.",
        }
    if not volume:
        return {"key": "H", "label": hybrid.label, "value": _per_request_words(hybrid.per_request),
                "detail": "No saving: it runs both models on every request."}
    extra = hybrid.monthly(volume) - a.monthly(volume)
    return {
        "key": "H",
        "label": hybrid.label,
        "value": _a_month(hybrid.monthly(volume)),
        "detail": f"{format_money(extra)} a month more than prompting {_prompt(est)} "
        "alone: the hybrid runs both models, so it saves nothing; it buys consistent output.",
    }


def _saving_figure(est: CostEstimate, baseline: Option, saving: Decimal | None) -> dict[str, str]:
    a, b, c = est.option("A"), est.option("B"), est.option("C")
    assert a is not None and b is not None and c is not None and saving is not None
    volume = est.answers.monthly_requests
    prompt_part = b.monthly(volume) - c.monthly(volume)
    model_part = a.monthly(volume) - b.monthly(volume)
    value = (
        f"{_a_month(saving)} saved" if saving > 0 else f"{_a_month(-saving)} more"
        if saving < 0 else "Nothing saved"
    )
    if prompt_part >= 0:
        shorter = (
            f"Dropping the long prompt saves {_a_month(prompt_part)} against "
            f"{_lower_first(b.label)}, {_fixed_words(est)} included"
        )
    else:
        shorter = (
            f"Dropping the long prompt does not cover {_fixed_words(est)}: "
            f"{_lower_first(c.label)} costs {_a_month(-prompt_part)} more than "
            f"{_lower_first(b.label)}"
        )
    if baseline.key == "A":
        smaller = (
            f"; the smaller model saves {_a_month(model_part)}, counted because "
            f"{_tune(est)} falls short unless it is trained"
        )
    else:
        smaller = (
            f"; the smaller model saves {_a_month(model_part)} more, which prompting "
            f"{_tune(est)} gives without training, so it is not counted"
        )
    return {
        "key": "saving",
        "label": f"Fine-tuning against {_lower_first(baseline.label)}",
        "value": value,
        "detail": f"{shorter}{smaller}.",
    }


def _fixed_words(est: CostEstimate) -> str:
    """What the fine-tuned model's monthly fixed cost is made of, in words."""
    return "hosting and retraining" if est.hosting_monthly else "retraining"


def _one_off_figure(est: CostEstimate) -> dict[str, str]:
    inputs = est.inputs
    assert est.one_off is not None and est.training_cost is not None
    retrain = ""
    if est.retraining_monthly:
        retrain = (
            f" Retraining as often as requirements change adds "
            f"{_a_month(est.retraining_monthly)} (training plus one engineering day each time)."
        )
    examples = est.answers.labeled_examples
    training = (
        f"Training {format_money(est.training_cost)} ({_plural(examples, 'example')}, "
        f"{_plural(inputs.epochs, 'epoch')})"
        if examples
        else "No examples to train on yet"
    )
    return {
        "key": "one_off",
        "label": "One-off cost of fine-tuning",
        "value": format_money(est.one_off),
        "detail": f"{training} plus engineering {format_money(est.engineering_cost)} "
        f"({_plural(inputs.engineering_days, 'day')} at {format_money(inputs.day_rate)}).{retrain}",
    }


def _payback_figure(
    est: CostEstimate, volume: int, pays_back: bool, months: float | None, hybrid: bool
) -> dict[str, str]:
    assert est.horizon_months is not None
    horizon = format_months(est.horizon_months)
    detail = est.horizon_reason
    if not volume:
        value = "No volume yet"
    elif months is None:
        value = f"Not within {horizon} at this volume"
    elif pays_back:
        value = f"{format_months(months)}"
        if hybrid:
            value += ", if it replaced prompting"
    else:
        value = f"{format_months(months)}: longer than the {horizon} it can earn"
    return {"key": "payback", "label": "Pays back in", "value": value, "detail": detail}


def _break_even_figure(
    est: CostEstimate, break_even: int | None, reasoning_hybrid: bool
) -> dict[str, str]:
    assert est.horizon_months is not None
    horizon = format_months(est.horizon_months)
    if break_even is None:
        value = "No volume"
        detail = f"No volume up to {MAX_MONTHLY_REQUESTS:,} a month pays back within {horizon}."
    elif reasoning_hybrid:
        value = f"{about_volume(break_even)} completions a month, if it replaced prompting"
        detail = (
            "In this hybrid the fine-tuned model runs beside the prompted one, so no volume pays "
            "it back."
        )
    else:
        value = f"{about_volume(break_even)} completions a month"
        detail = (
            f"The least volume at which fine-tuning pays back within {horizon}: "
            f"{_volume_words(break_even)} at today's figures."
        )
    return {"key": "break_even", "label": "Pays back from", "value": value, "detail": detail}


def _summary(
    est: CostEstimate,
    baseline: Option,
    volume: int,
    pays_back: bool,
    saving: Decimal | None,
    months: float | None,
    break_even: int | None,
    hybrid: Option | None,
    recommendation_is_hybrid: bool = False,
) -> str:
    a, b, c = est.option("A"), est.option("B"), est.option("C")
    assert a is not None and b is not None and c is not None and est.one_off is not None
    assert est.horizon_months is not None
    horizon = format_months(est.horizon_months)
    from_volume = (
        f"Fine-tuning pays back within {horizon} from {about_volume(break_even)} completions a "
        "month."
        if break_even is not None
        else f"No volume pays back fine-tuning's {format_money(est.one_off)} one-off cost within "
        f"{horizon}."
    )
    if not volume:
        tuned = (
            f"{format_money(c.per_request)} on fine-tuned {_tune(est)}"
            if c.per_request
            else f"nothing per request on fine-tuned {_tune(est)}, which is billed by the hour"
        )
        return (
            f"No volume yet, so there are no monthly figures: a request costs "
            f"{format_money(a.per_request)} prompting {_prompt(est)}, "
            f"{format_money(b.per_request)} prompting {_tune(est)} and {tuned}. {from_volume}"
        )
    text = (
        f"At {_volume_words(volume)}, {_lower_first(a.label)} costs "
        f"{_a_month(a.monthly(volume))}, {_lower_first(b.label)} "
        f"{_a_month(b.monthly(volume))} and {_lower_first(c.label)} "
        f"{_a_month(c.monthly(volume))}."
    )
    if hybrid is None and recommendation_is_hybrid:
        months_text = (
            f"; it earns back its {format_money(est.one_off)} one-off cost in "
            f"{format_months(months)}" if pays_back and months is not None else ""
        )
        return (
            f"{text} The hybrid runs fine-tuned {_tune(est)} with facts retrieved into every "
            f"call: {_a_month(c.monthly(volume))}, against {_a_month(baseline.monthly(volume))} "
            f"for {_lower_first(baseline.label)} with the same facts{months_text}."
        )
    if hybrid is not None:
        extra = hybrid.monthly(volume) - a.monthly(volume)
        return (
            f"{text} The hybrid runs both {_prompt(est)} and fine-tuned "
            f"{_tune(est)}: {_a_month(hybrid.monthly(volume))}, {format_money(extra)} "
            f"more than prompting {_prompt(est)} alone. It saves nothing; it buys "
            "consistent output."
        )
    assert saving is not None
    against = f"Against {_lower_first(baseline.label)}"
    if pays_back and months is not None:
        return (
            f"{text} {against}, fine-tuning saves {_a_month(saving)} and pays back its "
            f"{format_money(est.one_off)} one-off cost in {format_months(months)}."
        )
    if saving > 0 and months is not None:
        return (
            f"{text} {against}, fine-tuning saves {_a_month(saving)}, but its "
            f"{format_money(est.one_off)} one-off cost takes {format_months(months)} to pay back, "
            f"longer than the {horizon} it can earn. {from_volume}"
        )
    return f"{text} {against}, fine-tuning costs {_a_month(-saving)} more. {from_volume}"


def _assumptions(est: CostEstimate) -> str:
    inputs, answers = est.inputs, est.answers
    retrieved = (
        f", plus {inputs.retrieved_tokens:,} retrieved tokens" if answers.fresh_knowledge else ""
    )
    if not inputs.prompt_caching:
        caching = "prompt caching is off"
    elif est.caching:
        caching = (
            "the static prompt is billed at the cached-input price for "
            f"{_and([display_name(name) for name in est.caching])}, "
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
