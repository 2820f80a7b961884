"""Money, months and volumes in words, for the engine's reasons and the cost panel alike.

Plain Python with no Django import.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

# Passed to each operation rather than entered with localcontext(), which copies it every time:
# the same precision and rounding, for a fraction of the cost (the cost panel formats dozens).
# Rounding and context go by position to quantize() and scaleb(): the C decimal module parses
# keyword arguments at more than the cost of the rounding itself.
_CONTEXT = Context(prec=60)
_CENT = Decimal("0.01")
_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_ZERO = Decimal(0)
_TEN = Decimal(10)
_MILLION = Decimal(10**6)
_TWELVE = Decimal(12)
_TWO_YEARS = Decimal(24)
_HUNDRED = Decimal(100)
# From here on, rounding to the cent needs more digits than _CONTEXT has (InvalidOperation).
_CENTS_OVERFLOW = Decimal(10) ** (_CONTEXT.prec - 2)

_LARGE_UNITS = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def format_money(value: Decimal | float | int) -> str:
    """Dollars for people: "$0.42" under $10, "$1,234" under $1M, then "$1.2M", "$3.4B", "$5.6T".

    Amounts under a cent keep two significant digits ("$0.0031") rather than showing "$0.00";
    negative amounts get a leading minus ("-$1,234").
    """
    # A finite Decimal, the usual case, is taken as it is without a call.
    number = value if type(value) is Decimal and value.is_finite() else _signed_decimal(value)
    amount = _CONTEXT.abs(number)
    # Each rounding is tried only where its test can pass (an amount of $10 or more never rounds
    # to under $10 of cents), except that amounts too large to round to the cent in _CONTEXT's
    # 60 digits still try, and raise InvalidOperation as they always did. Whole dollars, the
    # usual case, are tested first: the tests below would all fail for them.
    if _TEN <= amount < _MILLION:
        whole = amount.quantize(_ONE, ROUND_HALF_UP, _CONTEXT)
        text = f"{whole:,f}" if whole < _MILLION else _with_unit(amount)
    elif _ZERO < amount < _CENT:
        step = _ONE.scaleb(amount.adjusted() - 1, _CONTEXT)
        text = f"{amount.quantize(step, ROUND_HALF_UP, _CONTEXT):f}"
    elif (amount < _TEN or amount >= _CENTS_OVERFLOW) and (
        cents := amount.quantize(_CENT, ROUND_HALF_UP, _CONTEXT)
    ) < _TEN:
        text = str(cents)  # as f"{cents:f}" writes a number of 2 decimals under 10, for less
    elif amount < _MILLION and (
        whole := amount.quantize(_ONE, ROUND_HALF_UP, _CONTEXT)
    ) < _MILLION:
        text = f"{whole:,f}"
    else:
        text = _with_unit(amount)
    return f"{'-' if number < _ZERO else ''}${text}"


def _signed_decimal(value: object) -> Decimal:
    if type(value) is float:  # the usual case after a Decimal, by the quickest test
        value = str(value)
        number = Decimal(value)
    else:
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
        scaled = _CONTEXT.divide(amount, size)
        scaled = scaled.quantize(_TENTH, ROUND_HALF_UP, _CONTEXT)
        if scaled >= 1:
            return f"{_one_decimal(scaled, _CONTEXT)}{unit}"
    return f"{amount:,f}"


def format_months(value: Decimal | float | None) -> str:
    """How long to pay back, in words: "straight away", "under a month", "2.5 months", "14 months",
    "3.2 years", "over 100 years"; "never" for None (no break-even)."""
    if value is None:
        return "never"
    months = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    # Compared with Decimal constants: an int on the other side is converted at every comparison.
    if months <= _ZERO:
        return "straight away"
    if months < _ONE:
        return "under a month"
    if months < _TEN:
        text = _one_decimal(months)
        return "1 month" if text == "1" else f"{text} months"
    if months < _TWO_YEARS:
        whole = months.quantize(_ONE, ROUND_HALF_UP)
        return f"{whole} months" if whole < _TWO_YEARS else "2 years"
    years = months / _TWELVE
    if years > _HUNDRED:
        return "over 100 years"
    text = _one_decimal(years)
    return "1 year" if text == "1" else f"{text} years"


def _one_decimal(value: Decimal, context: Context | None = None) -> str:
    """At most one decimal, none when it is 0: "2.5", "14", "1,234.5" (in `context`, else the
    current one)."""
    text = f"{value.quantize(_TENTH, ROUND_HALF_UP, context):,f}"
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
        return f"{number.quantize(Decimal(1), ROUND_HALF_UP):f}"
    scaled = (number / units[chosen][0]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if scaled >= 1000 and chosen + 1 < len(units):
        chosen += 1  # 999.96k is 1M, not 1000k
        scaled = (number / units[chosen][0]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if scaled >= 100:  # "124k" for 123,456 would be rounding twice
        scaled = (number / units[chosen][0]).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{_one_decimal(scaled)}{units[chosen][1]}"


def about_volume(value: int) -> str:
    """A computed volume in words, to two significant figures, without false precision:
    "about 17 million", "about 830,000", "about 8.3 million"; small volumes stay exact."""
    if value < 1000:
        return f"{value:,}"
    number = Decimal(value)
    exponent = number.adjusted() - 1
    rounded = int(number.scaleb(-exponent).quantize(_ONE, ROUND_HALF_UP))
    rounded *= 10**exponent
    if rounded == value:
        return f"{value:,}"
    for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if rounded >= size:
            return f"about {_one_decimal(Decimal(rounded) / size)} {word}"
    return f"about {rounded:,}"


def volume_words(volume: int) -> str:
    """'1 completion a month', '2,000,000 completions a month'."""
    return f"{volume:,} completion{'' if volume == 1 else 's'} a month"
