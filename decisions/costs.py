"""What prompting and fine-tuning would cost a month at a team's volume, and when tuning pays back.

Plain Python with no Django import, like the engine: Price and CostInputs in, estimate() out. It
puts numbers beside the verdict; it never changes it. Money is Decimal throughout (volumes reach
10^12, so floats would lose cents); as_dict() rounds once, for storage and display.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

from decisions.engine import (
    MAX_LABELED_EXAMPLES,
    MAX_MONTHLY_REQUESTS,
    MAX_PROMPT_TOKENS,
    NON_FIELD_ERRORS,
    mapping_errors,
)

CURRENCY = "USD"
HOURS_PER_MONTH = 730  # 365 days x 24 hours / 12, the figure cloud providers bill hosting by
PAYBACK_MONTHS = 12  # break_even_volume is the volume that pays the one-off cost back in a year
TOKENS_PER_MILLION = Decimal(1_000_000)

MAX_TOKENS_PER_REQUEST = 2_000_000
MAX_EPOCHS = 100
MAX_ENGINEERING_DAYS = 1000
MAX_DAY_RATE = 1_000_000

# Enough digits for 10^12 requests x 4M tokens x any sane price, to the cent, with room to spare.
_CONTEXT = Context(prec=60)
_CENT = Decimal("0.01")


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


_PRICE_FIELDS = ("input_per_m", "output_per_m", "hosting_per_hour")
_OPTIONAL_PRICE_FIELDS = ("ft_input_per_m", "ft_output_per_m", "training_per_m")


@dataclass(frozen=True, kw_only=True)
class Price:
    """One model's prices in USD: tokens per million, hosting per hour.

    The ft_* and training prices are None when the provider offers no fine-tuning of the model.
    hosting_per_hour is what a fine-tuned deployment costs to keep running (0 for pay-per-token
    providers); it is charged to the fine-tuned model only. Prices may be given as Decimal, int,
    float or numeric string and are stored as Decimal; as_of may be a date or an ISO date string.
    Raises ValueError on a negative or non-numeric price or a bad date.
    """

    name: str
    provider: str = ""
    input_per_m: Decimal
    output_per_m: Decimal
    ft_input_per_m: Decimal | None = None
    ft_output_per_m: Decimal | None = None
    training_per_m: Decimal | None = None
    hosting_per_hour: Decimal = Decimal(0)
    as_of: str = ""
    source_url: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        for name in (*_PRICE_FIELDS, *_OPTIONAL_PRICE_FIELDS):
            value = getattr(self, name)
            if value is None and name in _OPTIONAL_PRICE_FIELDS:
                continue
            number = _decimal(value)
            if number is None:
                raise ValueError(
                    f"{self.name}: {name} must be a non-negative number, not {value!r}"
                )
            object.__setattr__(self, name, number)
        as_of = self.as_of
        if isinstance(as_of, datetime.date):
            as_of = as_of.isoformat()
        if as_of:
            datetime.date.fromisoformat(as_of)  # raises ValueError on anything but an ISO date
        object.__setattr__(self, "as_of", as_of)

    @property
    def offers_fine_tuning(self) -> bool:
        return self.ft_input_per_m is not None and self.ft_output_per_m is not None

    def as_dict(self) -> dict[str, object]:
        """Every field, prices as floats; Price(**price.as_dict()) rebuilds an equal Price."""
        return {
            f.name: (float(value) if isinstance(value, Decimal) else value)
            for f in fields(self)
            for value in (getattr(self, f.name),)
        }


# --- The person's numbers ---

# field: (smallest, largest, what is counted, an example for the error message)
_INT_FIELDS: dict[str, tuple[int, int, str, str]] = {
    "monthly_requests": (0, MAX_MONTHLY_REQUESTS, "completions a month", "250000"),
    "prompt_tokens": (0, MAX_PROMPT_TOKENS, "prompt tokens", "1500"),
    "labeled_examples": (0, MAX_LABELED_EXAMPLES, "labeled examples", "800"),
    "input_tokens": (0, MAX_TOKENS_PER_REQUEST, "input tokens per request", "500"),
    "output_tokens": (0, MAX_TOKENS_PER_REQUEST, "output tokens per request", "300"),
    "epochs": (1, MAX_EPOCHS, "training epochs", "3"),
    "engineering_days": (0, MAX_ENGINEERING_DAYS, "engineering days", "10"),
    "day_rate": (0, MAX_DAY_RATE, "US dollars a day", "800"),
}


def _field_errors(name: str, value: object) -> list[str]:
    smallest, largest, noun, example = _INT_FIELDS[name]
    # bool is a subclass of int and 1.0 == 1: neither is a count someone typed.
    if not isinstance(value, int) or isinstance(value, bool):
        return [f"Enter the number of {noun} as a whole number, for example {example}."]
    if not smallest <= value <= largest:
        return [f"Enter a number of {noun} from {smallest:,} to {largest:,}."]
    return []


@dataclass(frozen=True, kw_only=True)
class CostInputs:
    """The numbers the estimate needs; validated on construction (raises InvalidCostInputs).

    The first three are the decision's own answers; the rest are the optional cost details, with
    defaults. input_tokens is what each request sends besides the long prompt (the user's text,
    retrieved context); output_tokens is what the model writes back.
    """

    monthly_requests: int
    prompt_tokens: int
    labeled_examples: int
    input_tokens: int = 500
    output_tokens: int = 300
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
        """CostInputs from decoded JSON; reports every missing, unknown or invalid field at once."""
        if not isinstance(data, Mapping):
            raise InvalidCostInputs({NON_FIELD_ERRORS: ["Send the cost details as an object."]})
        errors = mapping_errors(cls, data, _field_errors)
        if errors:
            raise InvalidCostInputs(errors)
        return cls(**{name: data[name] for name in COST_FIELDS if name in data})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COST_FIELDS}


COST_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(CostInputs))
# The optional "Cost details" answers and their defaults, in the order the form asks them.
COST_DETAIL_DEFAULTS: dict[str, int] = {
    f.name: f.default for f in fields(CostInputs) if f.default is not MISSING
}


# --- The estimate ---


@dataclass(frozen=True)
class CostEstimate:
    """Monthly and one-off costs in USD, exact Decimals; None where a price is missing.

    Every None field has a plain-words explanation in `reasons`, under the field's name.
    break_even_volume is the smallest whole number of requests a month at which fine-tuning's
    saving over a year covers its one-off cost.
    """

    inputs: CostInputs
    prompt_model: Price
    tune_model: Price
    prompting_per_request: Decimal
    fine_tuned_per_request: Decimal | None
    per_request_saving: Decimal | None
    prompting_monthly: Decimal
    hosting_monthly: Decimal | None
    fine_tuned_monthly: Decimal | None
    monthly_saving: Decimal | None
    training_cost: Decimal | None
    engineering_cost: Decimal
    one_off: Decimal | None
    break_even_months: Decimal | None
    break_even_volume: int | None
    reasons: dict[str, str] = field(default_factory=dict)
    currency: str = CURRENCY

    @property
    def price_as_of(self) -> str:
        """The older of the two price dates (ISO), so the page never overstates freshness."""
        dates = [d for d in (self.prompt_model.as_of, self.tune_model.as_of) if d]
        return min(dates) if dates else ""

    def prompting_at(self, monthly_requests: int | Decimal) -> Decimal:
        """Prompting's monthly cost at another volume (for the chart)."""
        with localcontext(_CONTEXT):
            return self.prompting_per_request * monthly_requests

    def fine_tuned_at(self, monthly_requests: int | Decimal) -> Decimal | None:
        """Fine-tuned monthly cost at another volume; None without fine-tuning prices."""
        if self.fine_tuned_per_request is None or self.hosting_monthly is None:
            return None
        with localcontext(_CONTEXT):
            return self.fine_tuned_per_request * monthly_requests + self.hosting_monthly

    def summary(self) -> str:
        """Plain sentences to show beside the verdict: the costs, and when tuning pays back."""
        volume = f"{self.inputs.monthly_requests:,} requests a month"
        prompting = (
            f"At {volume}, prompting {self.prompt_model.name} costs about "
            f"{format_money(self.prompting_monthly)} a month"
        )
        if self.fine_tuned_monthly is None:
            return f"{prompting}. {self.reasons['fine_tuned_monthly']}"
        text = (
            f"{prompting} and fine-tuned {self.tune_model.name} about "
            f"{format_money(self.fine_tuned_monthly)}."
        )
        if self.one_off is None:
            return f"{text} {self.reasons['one_off']}"
        text += f" Fine-tuning costs {format_money(self.one_off)} up front"
        if self.break_even_months is None:
            text += f". {self.reasons['break_even_months']}"
        else:
            assert self.monthly_saving is not None
            text += (
                f", saves {format_money(self.monthly_saving)} a month and pays back in "
                f"{format_months(self.break_even_months)}."
            )
        if self.break_even_volume is None:
            text += f" {self.reasons['break_even_volume']}"
        else:
            text += f" It pays back within a year from {self.break_even_volume:,} requests a month."
        return text

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: money to the cent, per-request prices to 4 significant digits, volumes whole.

        The inputs and both prices are included, so a stored estimate explains itself after the
        price sheet changes.
        """
        return {
            "currency": self.currency,
            "price_as_of": self.price_as_of,
            "inputs": self.inputs.as_dict(),
            "prompt_model": self.prompt_model.as_dict(),
            "tune_model": self.tune_model.as_dict(),
            "prompting_per_request": _significant(self.prompting_per_request),
            "fine_tuned_per_request": _significant(self.fine_tuned_per_request),
            "per_request_saving": _significant(self.per_request_saving),
            "prompting_monthly": _cents(self.prompting_monthly),
            "hosting_monthly": _cents(self.hosting_monthly),
            "fine_tuned_monthly": _cents(self.fine_tuned_monthly),
            "monthly_saving": _cents(self.monthly_saving),
            "training_cost": _cents(self.training_cost),
            "engineering_cost": _cents(self.engineering_cost),
            "one_off": _cents(self.one_off),
            "break_even_months": _cents(self.break_even_months),
            "break_even_volume": self.break_even_volume,
            "reasons": dict(self.reasons),
            "summary": self.summary(),
        }


def _cents(value: Decimal | None) -> float | None:
    if value is None:
        return None
    with localcontext(_CONTEXT):
        return float(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _significant(value: Decimal | None, digits: int = 4) -> float | None:
    if value is None:
        return None
    if value == 0:
        return 0.0
    with localcontext(_CONTEXT):
        exponent = value.adjusted() - digits + 1
        return float(value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))


def _per_million(tokens: int, price_per_m: Decimal) -> Decimal:
    return tokens * price_per_m / TOKENS_PER_MILLION


def estimate(inputs: CostInputs, prompt_model: Price, tune_model: Price) -> CostEstimate:
    """What prompting `prompt_model` and fine-tuning `tune_model` would cost at the inputs' volume.

    - Prompting, per request: (prompt_tokens + input_tokens) in and output_tokens out, at the
      prompt model's base prices.
    - Fine-tuned, per request: input_tokens in (the long prompt is no longer sent: the model has
      learned it) and output_tokens out, at the tune model's fine-tuned prices; plus, a month,
      hosting_per_hour x 730 hours.
    - One-off: labeled_examples x tokens per example x epochs x the training price, plus
      engineering_days x day_rate. Assumption: a training example is one request's input and
      its output, so tokens per example = input_tokens + output_tokens.
    - Monthly saving = prompting - fine-tuned (negative when fine-tuning costs more); months to
      break even = one-off / monthly saving.
    - break_even_volume: saving(V) = V x per-request saving - hosting, so 12 x saving(V) = one-off
      solves exactly to V = (one-off + 12 x hosting) / (12 x per-request saving); rounded up to
      whole requests.
    """
    reasons: dict[str, str] = {}
    with localcontext(_CONTEXT):
        volume = inputs.monthly_requests
        prompting_per_request = _per_million(
            inputs.prompt_tokens + inputs.input_tokens, prompt_model.input_per_m
        ) + _per_million(inputs.output_tokens, prompt_model.output_per_m)
        prompting_monthly = volume * prompting_per_request
        engineering_cost = Decimal(inputs.engineering_days * inputs.day_rate)

        fine_tuned_per_request = hosting_monthly = fine_tuned_monthly = None
        per_request_saving = monthly_saving = None
        if tune_model.offers_fine_tuning:
            assert tune_model.ft_input_per_m is not None and tune_model.ft_output_per_m is not None
            fine_tuned_per_request = _per_million(
                inputs.input_tokens, tune_model.ft_input_per_m
            ) + _per_million(inputs.output_tokens, tune_model.ft_output_per_m)
            hosting_monthly = tune_model.hosting_per_hour * HOURS_PER_MONTH
            fine_tuned_monthly = volume * fine_tuned_per_request + hosting_monthly
            per_request_saving = prompting_per_request - fine_tuned_per_request
            monthly_saving = prompting_monthly - fine_tuned_monthly
        else:
            no_price = (
                f"{_provider_name(tune_model)} has no fine-tuning price for {tune_model.name}, "
                "so the fine-tuned cost cannot be estimated."
            )
            for name in (
                "fine_tuned_per_request",
                "hosting_monthly",
                "fine_tuned_monthly",
                "per_request_saving",
                "monthly_saving",
            ):
                reasons[name] = no_price

        training_cost = one_off = None
        if tune_model.training_per_m is not None:
            tokens_per_example = inputs.input_tokens + inputs.output_tokens
            training_tokens = inputs.labeled_examples * tokens_per_example * inputs.epochs
            training_cost = _per_million(training_tokens, tune_model.training_per_m)
            one_off = training_cost + engineering_cost
        else:
            no_training = (
                f"{_provider_name(tune_model)} has no training price for {tune_model.name}, "
                "so the one-off cost of fine-tuning cannot be estimated."
            )
            reasons["training_cost"] = reasons["one_off"] = no_training

        break_even_months = None
        if monthly_saving is None or one_off is None:
            reasons["break_even_months"] = reasons.get("monthly_saving") or reasons["one_off"]
        elif monthly_saving <= 0:
            reasons["break_even_months"] = (
                f"At {volume:,} requests a month fine-tuning costs "
                f"{format_money(-monthly_saving)} a month more than prompting, so it never "
                "pays back."
            )
        else:
            break_even_months = one_off / monthly_saving

        break_even_volume = None
        if per_request_saving is None or one_off is None:
            reasons["break_even_volume"] = reasons.get("per_request_saving") or reasons["one_off"]
        elif per_request_saving <= 0:
            reasons["break_even_volume"] = (
                f"Each request costs {format_money(-per_request_saving)} more on fine-tuned "
                f"{tune_model.name} than on prompted {prompt_model.name}, so no volume pays back."
            )
        else:
            assert hosting_monthly is not None
            # Fractions keep the division exact, so the rounding up is never off by one.
            needed = Fraction(one_off + PAYBACK_MONTHS * hosting_monthly) / Fraction(
                PAYBACK_MONTHS * per_request_saving
            )
            break_even_volume = math.ceil(needed)

    return CostEstimate(
        inputs=inputs,
        prompt_model=prompt_model,
        tune_model=tune_model,
        prompting_per_request=prompting_per_request,
        fine_tuned_per_request=fine_tuned_per_request,
        per_request_saving=per_request_saving,
        prompting_monthly=prompting_monthly,
        hosting_monthly=hosting_monthly,
        fine_tuned_monthly=fine_tuned_monthly,
        monthly_saving=monthly_saving,
        training_cost=training_cost,
        engineering_cost=engineering_cost,
        one_off=one_off,
        break_even_months=break_even_months,
        break_even_volume=break_even_volume,
        reasons=reasons,
    )


def _provider_name(price: Price) -> str:
    return price.provider or "The price sheet"


# --- Wording ---

_LARGE_UNITS = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def format_money(value: Decimal | float | int) -> str:
    """Dollars for people: "$0.42" under $10, "$1,234" under $1M, then "$1.2M", "$3.4B", "$5.6T".

    Amounts under a cent keep two significant digits ("$0.0031") rather than showing "$0.00";
    negative amounts get a leading minus ("-$1,234").
    """
    number = _signed_decimal(value)
    with localcontext(_CONTEXT):
        amount = abs(number)
        if 0 < amount < _CENT:
            exponent = amount.adjusted() - 1
            text = f"{amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP):f}"
        elif amount.quantize(_CENT, rounding=ROUND_HALF_UP) < 10:
            text = f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}"
        elif amount.quantize(Decimal(1), rounding=ROUND_HALF_UP) < 10**6:
            text = f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,f}"
        else:
            text = _with_unit(amount)
    return f"{'-' if number < 0 else ''}${text}"


def _signed_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"Not a number: {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return number


def _with_unit(amount: Decimal) -> str:
    """Amounts of a million and up: "1.2M", "34.5B", "1,234.5T", in the largest unit reached."""
    for size, unit in _LARGE_UNITS:
        scaled = (amount / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if scaled >= 1:
            return f"{_one_decimal(scaled)}{unit}"
    return f"{amount:,f}"


def format_months(value: Decimal | float | None) -> str:
    """How long to pay back, in words: "straight away", "under a month", "2.5 months", "14 months",
    "3.2 years", "over 100 years"; "never" for None (no break-even)."""
    if value is None:
        return "never"
    months = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if months <= 0:
        return "straight away"
    if months < 1:
        return "under a month"
    if months < 10:
        text = _one_decimal(months)
        return "1 month" if text == "1" else f"{text} months"
    if months < 24:
        whole = months.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{whole} months" if whole < 24 else "2 years"
    years = months / 12
    if years > 100:
        return "over 100 years"
    text = _one_decimal(years)
    return "1 year" if text == "1" else f"{text} years"


def _one_decimal(value: Decimal) -> str:
    """At most one decimal, none when it is 0: "2.5", "14", "1,234.5"."""
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,f}"
    return text.removesuffix(".0")


def format_count(value: int | Decimal) -> str:
    """A short volume for axis ticks and labels: "950", "1k", "250k", "2.5M", "10B", "1T"."""
    number = Decimal(value)
    units = ((Decimal(1000), "k"), *reversed(_LARGE_UNITS))
    chosen = None
    for index, (size, _) in enumerate(units):
        if number >= size:
            chosen = index
    if chosen is None:
        return f"{number.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"
    scaled = (number / units[chosen][0]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if scaled >= 1000 and chosen + 1 < len(units):
        chosen += 1  # 999.96k is 1M, not 1000k
        scaled = (number / units[chosen][0]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if scaled >= 100:  # "124k" for 123,456 would be rounding twice
        scaled = (number / units[chosen][0]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{_one_decimal(scaled)}{units[chosen][1]}"
