"""The price sheet's rows as the cost model reads them: one model's prices, whether a new customer
can fine-tune it today, and dates in words.

Plain Python with no Django import.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_MIN_CACHE_TOKENS = 1_024

# Whether a new customer can fine-tune a model today.
OPEN, CLOSED, RETIRED = "open", "closed", "retired"
FINE_TUNING_STATUSES = (OPEN, CLOSED, RETIRED)

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


# Prices in US dollars, in the order the price sheet's admin asks them.
MONEY_FIELDS = (
    "input_per_m", "cached_input_per_m", "output_per_m", "ft_input_per_m", "ft_output_per_m",
    "training_per_m", "hosting_per_hour", "storage_per_month",
)
_OPTIONAL_PRICE_FIELDS = (
    "cached_input_per_m", "batch_discount", "ft_input_per_m", "ft_output_per_m", "training_per_m",
)
_PRICE_FIELDS = tuple(name for name in MONEY_FIELDS if name not in _OPTIONAL_PRICE_FIELDS)
# What __post_init__ makes a Decimal (or leaves None, where optional); every other field is text
# or a whole number.
_DECIMAL_FIELDS = (*_PRICE_FIELDS, *_OPTIONAL_PRICE_FIELDS)
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
        for name in _DECIMAL_FIELDS:
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

    @property
    def offered_for_fine_tuning(self) -> bool:
        """Whether a tune_model may name it: priced for fine-tuning, or with an availability
        status (a closed one gets no estimate, and the page says why). Decided here only, in
        Python: a name is never sent to the database to be checked."""
        return bool(self.fine_tuning) or self.has_fine_tuning_prices

    def open_on(self, today: datetime.date) -> bool:
        """Whether a new customer can fine-tune this model on `today`."""
        if self.fine_tuning != OPEN or not self.has_fine_tuning_prices:
            return False
        return not self.retires_on or today < datetime.date.fromisoformat(self.retires_on)

    def open_but_unpriced_on(self, today: datetime.date) -> bool:
        """Whether a new customer could fine-tune it on `today`, but the sheet has no
        fine-tuning price for it."""
        retired = bool(self.retires_on) and today >= datetime.date.fromisoformat(self.retires_on)
        return self.fine_tuning == OPEN and not retired and not self.has_fine_tuning_prices

    def availability(self, today: datetime.date) -> str:
        """Fine-tuning for a new customer on `today`, in words: "Open to new customers", "Closed
        to new customers since 7 May 2026", "Retired on 23 October 2026", "Not offered"; an open
        model past its retirement date is retired, and one with no fine-tuning price says so."""
        since = date_words(self.fine_tuning_since)
        if self.open_but_unpriced_on(today):
            return "No fine-tuning price"
        if self.fine_tuning == OPEN:
            if self.retires_on and today >= datetime.date.fromisoformat(self.retires_on):
                return f"Retired on {date_words(self.retires_on)}"
            return "Open to new customers"
        if self.fine_tuning == CLOSED:
            return f"Closed to new customers since {since}" if since else "Closed to new customers"
        if self.fine_tuning == RETIRED:
            return f"Retired on {since}" if since else "Retired"
        return "Not offered"

    def as_dict(self) -> dict[str, object]:
        """Every field, prices as floats; Price(**price.as_dict()) rebuilds an equal Price."""
        # A frozen Price's __dict__ is its fields, in order (dataclass __init__ sets them so), and
        # nothing else: copying it is the cheapest way to read them all, and the cost panel does
        # it twice. Anything else in it would break test_price_as_dict_rebuilds_an_equal_price.
        data = dict(self.__dict__)
        for name in _DECIMAL_FIELDS:
            value = data[name]
            if value is not None:
                data[name] = float(value)
        return data


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


def offered_for_fine_tuning(sheet: dict[str, Price]) -> list[str]:
    """The names a tune_model may take, in sheet order."""
    return [name for name, price in sheet.items() if price.offered_for_fine_tuning]
