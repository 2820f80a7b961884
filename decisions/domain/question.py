"""What one question is: its kind, range, default and wording, and the messages a person gets
when an answer is wrong. The catalogue of every question is decisions.domain.fields.

Plain Python with no Django import.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Self

# What a field holds.
COUNT = "count"  # a whole number in [minimum, maximum]
YES_NO = "yes_no"  # true or false; "yes"/"no" on a form
CHOICE = "choice"  # one of `options`
MODEL = "model"  # a model's name on the price sheet
TEXT = "text"  # one line of text

# No count needs more digits than this (the largest maximum is 10^12). Longer numbers are out of
# range without being converted: Python refuses int() past 4,300 digits, and it is slow anyway.
MAX_DIGITS = 20
NON_FIELD_ERRORS = "__all__"  # errors about a request as a whole (Django's name)
UNKNOWN_FIELD = "Unknown field."
TRUE_OR_FALSE = "Answer true or false."
CONTROL_CHARACTERS = "Remove control characters from the name."
# Bidirectional overrides and isolates can make a text display as something it is not.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

MODEL_AS_TEXT = "Enter the model's name as text."

class InvalidFields(ValueError):
    """Raised for fields that cannot be used; `errors` maps every offending field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    """One field: how it is asked, what it accepts, and what a person is told when it is wrong."""

    name: str  # the engine.Answers or costs.CostInputs field, or the API's key
    kind: str
    label: str  # the question, as the page asks it
    short: str  # names the answer in "Change <short>"
    hint: str
    description: str  # for API readers (OpenAPI)
    step: str = "volume"
    options: tuple[Option, ...] = field(default=())
    default: object = None  # None: required
    must_answer: bool = False  # the form asks for an answer even so
    minimum: int = 0
    maximum: int = 0  # COUNT: the largest value; MODEL, TEXT: the longest
    noun: str = ""  # COUNT: what is counted, for messages ("completions a month")
    example: int = 0  # COUNT: for messages ("for example 250,000")
    select: str = ""  # CHOICE, YES_NO, MODEL: what to do when none is chosen
    prefix: str = ""  # COUNT: in words, before the number ("$")
    suffix: str = ""  # COUNT: in words, after the number (" a month")

    @property
    def is_bool(self) -> bool:
        return self.kind == YES_NO

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def values(self) -> list[str]:
        return [option.value for option in self.options]

    @functools.cached_property
    def _accepted(self) -> tuple[str, ...]:
        """values, kept: every answer is checked against them, twice on the way in."""
        return tuple(self.values)

    # --- Messages: said once here, shown by the form and the API alike ---

    @property
    def missing(self) -> str:
        if self.kind == COUNT:
            return f"Enter the number of {self.noun}, for example {self.example:,}."
        return self.select or "Enter this field."

    @property
    def not_a_number(self) -> str:
        return f"Enter the number of {self.noun} as a whole number, for example {self.example:,}."

    @property
    def too_small(self) -> str:
        return f"Enter a number of {self.noun} of {self.minimum:,} or more."

    @property
    def too_big(self) -> str:
        return f"Enter a number of {self.noun} of {self.maximum:,} or fewer."

    @property
    def too_long(self) -> str:
        return f"Enter a name of {self.maximum} characters or fewer."

    def errors(self, value: object) -> list[str]:
        """Messages for one decoded JSON value; empty when it is valid."""
        if self.kind == COUNT:
            # bool is a subclass of int and 1.0 == 1: neither is a count someone typed.
            if not isinstance(value, int) or isinstance(value, bool):
                return [self.not_a_number]
            if self.minimum <= value <= self.maximum:  # in range, as most are: no call
                return []
            return self.range_errors(value)
        if self.kind == YES_NO:
            return [] if isinstance(value, bool) else [TRUE_OR_FALSE]
        if self.kind == CHOICE:
            if isinstance(value, str) and value in self._accepted:
                return []
            return [f"Choose one of: {', '.join(self.values)}."]
        if self.kind == TEXT:
            if not isinstance(value, str):
                return ["Enter the title as text, or leave it out."]
            # Spaces around it count here, as a JSON Schema maxLength counts them.
            problem = self.too_long if len(value) > self.maximum else self.text_problem(value)
            return [problem] if problem else []
        return [] if isinstance(value, str) else [MODEL_AS_TEXT]

    def range_errors(self, value: int) -> list[str]:
        if value < self.minimum:
            return [self.too_small]
        if value > self.maximum:
            return [self.too_big]
        return []

    def text_problem(self, text: str) -> str | None:
        """Why one line of text cannot be stored as typed, in words, or None when it can."""
        if len(text.strip()) > self.maximum:
            return self.too_long
        # NUL and lone surrogates cannot be stored (PostgreSQL refuses both); no control
        # character belongs in a one-line text.
        if any(unicodedata.category(c) in {"Cc", "Cs"} or c in _BIDI_CONTROLS for c in text):
            return CONTROL_CHARACTERS
        return None

    def in_words(self, value: object) -> str:
        """The answer as a person would say it back: "2,000,000 a month", "Weekly"."""
        if self.is_bool:
            value = "yes" if value else "no"
        for option in self.options:
            if option.value == value:
                return option.label
        if isinstance(value, int):
            return f"{self.prefix}{value:,}{self.suffix}"
        return str(value)


def whole_number(digits: str) -> int:
    """The integer a string of digits (with an optional minus) stands for; one with more than
    MAX_DIGITS digits becomes a number just as far out of range, without converting it."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        return -(10**MAX_DIGITS) if digits.startswith("-") else 10**MAX_DIGITS
    return int(digits)


def model_errors(value: object, known: list[str], offered: list[str]) -> list[str]:
    """Messages for a model name sent to the API: `known` is the price sheet, `offered` the
    names this field may take."""
    choose = f"Choose one of: {', '.join(offered)}." if offered else "Leave it out."
    if not isinstance(value, str):
        return [f"{MODEL_AS_TEXT} {choose}"]
    if value not in known:
        return [f"Unknown model. {choose}"]
    if value not in offered:
        return [f"{value} is not offered for fine-tuning. {choose}"]
    return []


def mapping_errors(
    questions: Mapping[str, Question], data: Mapping[str, object]
) -> dict[str, list[str]]:
    """Every missing, unknown or invalid field of decoded JSON `data`, by name."""
    errors: dict[str, list[str]] = {}
    for name, question in questions.items():
        if name in data:
            messages = question.errors(data[name])
        else:
            messages = [question.missing] if question.required else []
        if messages:
            errors[name] = messages
    for key in data:
        if key not in questions:
            errors[str(key)] = [UNKNOWN_FIELD]
    return errors


class CheckedFields:
    """A frozen dataclass of catalogue fields (engine.Answers, costs.CostInputs), checked on
    construction with the catalogue's ranges and words; raises `invalid`."""

    catalogue: ClassVar[Mapping[str, Question]]
    invalid: ClassVar[type[InvalidFields]]
    not_an_object: ClassVar[str]

    @classmethod
    @functools.cache
    def questions(cls) -> dict[str, Question]:
        """The class's fields' catalogue entries, in field order."""
        return {f.name: cls.catalogue[f.name] for f in dataclasses.fields(cls)}  # type: ignore

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for name, question in self.questions().items():
            messages = question.errors(getattr(self, name))
            if messages:
                errors[name] = messages
        if errors:
            raise self.invalid(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Self:
        """An instance from decoded JSON; reports every missing, unknown or invalid field at
        once."""
        if not isinstance(data, Mapping):
            raise cls.invalid({NON_FIELD_ERRORS: [cls.not_an_object]})
        questions = cls.questions()
        errors = mapping_errors(questions, data)
        if errors:
            raise cls.invalid(errors)
        # mapping_errors checked every value as __post_init__ would, and a field left out has a
        # default: the fields are set as __init__ sets them, in order, without a second check.
        defaults = cls._defaults()
        instance = object.__new__(cls)
        instance.__dict__.update(
            {name: data[name] if name in data else defaults[name] for name in questions}
        )
        return instance

    @classmethod
    @functools.cache
    def _defaults(cls) -> dict[str, object]:
        return {
            f.name: f.default
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING
        }

    def as_dict(self) -> dict[str, object]:
        """Every field by name, in field order; JSON-ready."""
        # A frozen dataclass's __dict__ is its fields, in field order (its __init__ sets them so),
        # and nothing else: copied whole, at a quarter of the cost of reading each field.
        return dict(self.__dict__)
