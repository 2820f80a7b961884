"""The decision engine, version 2.0: a team's Answers and Economics in, a Result out (DESIGN.md
section 3).

Plain Python with no Django import. Views, the API and the exports call decide() and show what
it returns; nothing else decides anything. The volume question is settled by the person's own
cost figures (Economics, made by costs.py), never by a fixed threshold.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal

from decisions.domain.economics import Economics
from decisions.domain.fields import BY_NAME, RECOMMENDATION_CHOICES
from decisions.domain.fields import FINE_TUNING as FINE_TUNING  # re-exported: engine.FINE_TUNING
from decisions.domain.fields import HYBRID as HYBRID
from decisions.domain.fields import PROMPTING as PROMPTING
from decisions.domain.money import about_volume
from decisions.domain.question import COUNT, CheckedFields, InvalidFields, Question
from decisions.domain.question import NON_FIELD_ERRORS as NON_FIELD_ERRORS  # re-exported
from decisions.domain.reasons import join
from decisions.domain.rules import (
    BLOCKER,
    LONG_PROMPT,
    MIN_EXAMPLES,
    RULES,
    SUMMARY_CODES,
    Facts,
    Favours,
    Recommendation,
    Rule,
    recommend,
)
from decisions.domain.tradeoffs import TRADEOFFS

# Bump whenever a rule, threshold or procedure step changes: stored decisions keep their result.
ENGINE_VERSION = "2.0"

ChangeFrequency = Literal["weekly", "monthly", "quarterly", "rarely"]
Phase = Literal["exploring", "launching", "production"]
Latency = Literal["batch", "interactive", "critical"]
OutputFormat = Literal["free_text", "structured", "strict"]
Reasoning = Literal["simple", "complex"]
SmallModel = Literal["good_enough", "falls_short", "not_tried"]
Strength = Literal["clear", "borderline"]

RECOMMENDATION_LABELS: dict[str, str] = dict(RECOMMENDATION_CHOICES)


class InvalidAnswers(InvalidFields):
    """Raised for answers the engine cannot use; `errors` maps every offending field to messages."""


@dataclass(frozen=True, kw_only=True)
class Answers(CheckedFields):
    """A team's answers to the questions (fields.QUESTIONS); validated on construction (raises
    InvalidAnswers) with the catalogue's ranges and wording."""

    monthly_requests: int
    prompt_tokens: int = BY_NAME["prompt_tokens"].default  # type: ignore[assignment]
    labeled_examples: int
    domain_language: bool
    change_frequency: ChangeFrequency
    phase: Phase
    fresh_knowledge: bool
    latency: Latency
    output_format: OutputFormat
    reasoning: Reasoning
    small_model: SmallModel = BY_NAME["small_model"].default  # type: ignore[assignment]

    catalogue: ClassVar[Mapping[str, Question]] = BY_NAME
    invalid: ClassVar[type[InvalidFields]] = InvalidAnswers
    not_an_object: ClassVar[str] = "Send the answers as an object of fields."


ANSWER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Answers))


# --- What would change the answer ---


def _thresholds(f: Facts) -> dict[str, int]:
    """The numbers each number answer is tried just across; volume only where it can pay back."""
    thresholds = {"prompt_tokens": LONG_PROMPT, "labeled_examples": MIN_EXAMPLES}
    if f.economics is not None:
        break_even = f.economics.break_even_volume(f.baseline)
        if break_even is not None:
            thresholds["monthly_requests"] = break_even
    return thresholds


_THRESHOLD_PHRASES: dict[str, tuple[str, str]] = {
    # field: (at or over the threshold, under it), with {n} for the threshold
    "monthly_requests": (
        "{about} or more completions a month", "fewer than {about} completions a month"
    ),
    "prompt_tokens": ("a prompt of {n} tokens or more", "a prompt under {n} tokens"),
    "labeled_examples": ("{n} or more labeled examples", "fewer than {n} labeled examples"),
}

_PHRASES: dict[str, dict[object, str]] = {
    "domain_language": {
        True: "specialised language the model mishandles",
        False: "language the model already handles well",
    },
    "change_frequency": {
        "weekly": "requirements that change weekly",
        "monthly": "requirements that change monthly",
        "quarterly": "requirements that change only quarterly",
        "rarely": "requirements that rarely change",
    },
    "phase": {
        "exploring": "the task still being explored",
        "launching": "the task settled and ready to launch",
        "production": "the task running in production",
    },
    "fresh_knowledge": {
        True: "answers that depend on facts that change after training",
        False: "answers that do not depend on facts that change after training",
    },
    "latency": {
        "batch": "offline batch processing",
        "interactive": "a person waiting on each answer",
        "critical": "a latency-critical path",
    },
    "output_format": {
        "free_text": "free-text output",
        "structured": "loosely structured output",
        "strict": "output that must match an exact schema every time",
    },
    "reasoning": {
        "simple": "a simple task such as classification or extraction",
        "complex": "multi-step reasoning or tool use",
    },
    "small_model": {
        "good_enough": "the small model good enough when prompted",
        "falls_short": "the small model falling short when prompted",
        "not_tried": "the small model not yet tried",
    },
}


# Each choice answer's other choices, in the catalogue's order, by the current one.
_OTHER_CHOICES: dict[str, dict[object, tuple[object, ...]]] = {
    name: {
        value: tuple(choice for choice in BY_NAME[name].values if choice != value)
        for value in BY_NAME[name].values
    }
    for name in ANSWER_FIELDS
    if name not in _THRESHOLD_PHRASES and not BY_NAME[name].is_bool
}


def _candidate_values(f: Facts, name: str, thresholds: dict[str, int]) -> tuple[object, ...]:
    current = getattr(f.answers, name)
    if name in _THRESHOLD_PHRASES:
        if name not in thresholds:
            return ()
        threshold = thresholds[name]
        return (threshold - 1,) if current >= threshold else (threshold,)
    if name in _OTHER_CHOICES:
        return _OTHER_CHOICES[name][current]
    return (not current,)


def _phrase(name: str, value: object, thresholds: dict[str, int]) -> str:
    if name in _THRESHOLD_PHRASES:
        threshold = thresholds[name]
        over, under = _THRESHOLD_PHRASES[name]
        assert isinstance(value, int)
        return (over if value >= threshold else under).format(
            n=f"{threshold:,}", about=about_volume(threshold)
        )
    return _PHRASES[name][value]


def _change(
    changes: dict[str, object], recommendation: Recommendation, thresholds: dict[str, int]
) -> Change:
    phrases = [_phrase(name, value, thresholds) for name, value in changes.items()]
    label = _LOWER_LABELS[recommendation]
    return Change(changes, recommendation, f"With {join(phrases)}, this would be {label}.")


_LOWER_LABELS = {value: label.lower() for value, label in RECOMMENDATION_LABELS.items()}


def _changed(answers: Answers, changes: dict[str, object]) -> Answers:
    """A copy with some answers changed, without validation: candidate values are valid by
    construction, and validating each candidate was most of decide()'s cost."""
    copy = object.__new__(Answers)
    copy.__dict__.update(answers.__dict__)
    copy.__dict__.update(changes)
    return copy


def _what_would_change(
    f: Facts, current: Recommendation, fired_blockers: list[Rule]
) -> tuple[Change, ...]:
    thresholds = _thresholds(f)
    options = [
        (name, values)
        for name in ANSWER_FIELDS
        if (values := _candidate_values(f, name, thresholds))
    ]
    # One scratch copy of the answers, each candidate value set in it in turn and the answer put
    # back after: a copy for each candidate was much of the search's cost.
    scratch = _changed(f.answers, {})
    probe, answer = Facts(scratch, f.economics), scratch.__dict__
    # A blocker still fires when an answer it does not read changes, and keeps the verdict at
    # prompting: with blockers firing, only an answer every one of them reads can flip it alone.
    liftable = (
        set.intersection(*(set(rule.reads) for rule in fired_blockers)) if fired_blockers else None
    )
    singles = []
    for name, values in options:
        if liftable is not None and name not in liftable:
            continue
        for value in values:
            answer[name] = value
            flipped = recommend(probe)
            if flipped != current:
                singles.append(_change({name: value}, flipped, thresholds))
        answer[name] = getattr(f.answers, name)
    if singles:
        return tuple(singles)

    # Combinations, fewest answers first, each in table order, tried in lexicographic order of
    # field position. A blocker that fires keeps the verdict at prompting until the one answer it
    # reads changes, so that answer is in every combination that can flip it: only the other
    # answers are chosen. Merging the required answers into combinations of the others keeps the
    # order a search over all combinations would have, while trying a handful instead of hundreds.
    required = [
        option for option in options if any(option[0] in rule.reads for rule in fired_blockers)
    ]
    others = [option for option in options if option not in required]
    position = {name: index for index, (name, _) in enumerate(options)}
    for extra in range(max(0, 2 - len(required)), len(others) + 1):
        for chosen in itertools.combinations(others, extra):
            combo = sorted((*required, *chosen), key=lambda option: position[option[0]])
            names = [name for name, _ in combo]
            for values in itertools.product(*(values for _, values in combo)):
                changes = dict(zip(names, values, strict=True))
                flipped = recommend(Facts(_changed(f.answers, changes), f.economics))
                if flipped != current:
                    return (_change(changes, flipped, thresholds),)
    return ()


# --- How firm the verdict is ---

_NUMBER_FIELDS = tuple(name for name in ANSWER_FIELDS if BY_NAME[name].kind == COUNT)
_FIRM_UP = {
    "monthly_requests": "your monthly volume",
    "prompt_tokens": "your prompt length",
    "labeled_examples": "your count of labeled examples",
}


def _near(value: int, current: int) -> bool:
    """Within 0.8 to 1.25 times the person's value, both ends included; from 0, nothing is."""
    return current > 0 and 0.8 * current <= value <= 1.25 * current


def _strength(
    f: Facts, changes: tuple[Change, ...], fired_blockers: list[Rule]
) -> tuple[Strength, str]:
    """borderline or clear, and, when borderline, which answer to firm up, in words."""
    near = [
        name
        for change in changes
        if len(change.changes) == 1
        for name, value in change.changes.items()
        if name in _NUMBER_FIELDS and _near(value, getattr(f.answers, name))
    ]
    if near:
        names = join([_FIRM_UP[name] for name in dict.fromkeys(near)])
        return "borderline", (
            f"Borderline: an estimate a little off would change the verdict. Firm up {names} "
            "before you commit."
        )
    if len(fired_blockers) == 1 and f.pays_back():
        blocker = fired_blockers[0].code
        advice = {
            "few_examples": (
                "label more examples, or distil labels from the large model where its terms "
                "allow it"
            ),
            "changes_often": "settle the requirements first",
            "exploring": "settle the task first",
        }[blocker]
        return "borderline", (
            "Borderline: fine-tuning would pay back, and one answer alone stands in its way: "
            f"{advice}."
        )
    return "clear", ""


# --- The result ---


@dataclass(frozen=True)
class Reason:
    code: str
    favours: Favours
    text: str


@dataclass(frozen=True)
class Row:
    key: str
    dimension: str
    prompting: str
    fine_tuning: str
    favours: Favours


@dataclass(frozen=True)
class Change:
    changes: dict[str, object]
    recommendation: Recommendation
    text: str


@dataclass(frozen=True)
class Result:
    recommendation: Recommendation
    strength: Strength
    strength_note: str  # when borderline, which answer to firm up; else empty
    summary: str
    reasons: tuple[Reason, ...]
    rows: tuple[Row, ...]
    what_would_change: tuple[Change, ...]
    engine_version: str

    def as_dict(self) -> dict[str, object]:
        """The one JSON-ready shape the API and the exports return."""
        return {
            "recommendation": self.recommendation,
            "strength": self.strength,
            "strength_note": self.strength_note,
            "summary": self.summary,
            "reasons": [
                {"code": r.code, "favours": r.favours, "text": r.text} for r in self.reasons
            ],
            "rows": [
                {
                    "key": r.key,
                    "dimension": r.dimension,
                    "prompting": r.prompting,
                    "fine_tuning": r.fine_tuning,
                    "favours": r.favours,
                }
                for r in self.rows
            ],
            "what_would_change": [
                {"changes": dict(c.changes), "recommendation": c.recommendation, "text": c.text}
                for c in self.what_would_change
            ],
            "engine_version": self.engine_version,
        }


def decide(answers: Answers, economics: Economics | None = None) -> Result:
    """The recommendation for these answers, priced by `economics` (None: nothing could be
    priced, so the cost rules stay silent): reasons, tradeoff rows, what would change it, and
    how firm it is."""
    facts = Facts(answers, economics)
    recommendation = recommend(facts)
    fired = [rule for rule in RULES if rule.fires(facts)]

    # Each row once, in the tradeoff table's order, favouring what the first rule naming it favours.
    row_favours: dict[str, Favours] = {}
    for rule in fired:
        for key in rule.rows:
            row_favours.setdefault(key, rule.favours)
    rows = tuple(
        Row(t.key, t.dimension, t.prompting, t.fine_tuning, row_favours[t.key])
        for t in TRADEOFFS
        if t.key in row_favours
    )

    clauses = [r.clause(facts) for r in fired if r.code in SUMMARY_CODES[recommendation]]
    fired_blockers = [rule for rule in fired if rule.kind == BLOCKER]
    changes = _what_would_change(facts, recommendation, fired_blockers)
    strength, strength_note = _strength(facts, changes, fired_blockers)
    return Result(
        recommendation=recommendation,
        strength=strength,
        strength_note=strength_note,
        summary=f"{RECOMMENDATION_LABELS[recommendation]}: {join(clauses)}.",
        reasons=tuple(Reason(r.code, r.favours, r.explain(facts, recommendation)) for r in fired),
        rows=rows,
        what_would_change=changes,
        engine_version=ENGINE_VERSION,
    )
