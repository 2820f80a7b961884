"""What would change the engine's verdict (DESIGN.md section 3): the single answers, or else the
smallest combination of answers, that would turn it, each in words.

Plain Python with no Django import; engine.decide() calls what_would_change().
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from decisions.domain.fields import BY_NAME, RECOMMENDATION_CHOICES
from decisions.domain.money import about_volume
from decisions.domain.reasons import join
from decisions.domain.rules import (
    BLOCKER,
    LONG_PROMPT,
    MIN_EXAMPLES,
    SIGNAL,
    Facts,
    Recommendation,
    Rule,
    recommend,
    recommend_with_one_change,
)


@dataclass(frozen=True)
class Change:
    changes: dict[str, object]
    recommendation: Recommendation
    text: str

    def __init__(self, changes: dict[str, object], recommendation: Recommendation, text: str):
        # Set in __dict__, in field order: the generated __init__ of a frozen dataclass calls
        # object.__setattr__ once per field, and a search makes a dozen of these. Result.as_dict()
        # copies this __dict__.
        self.__dict__.update(changes=changes, recommendation=recommendation, text=text)


_FIXED_THRESHOLDS = {"prompt_tokens": LONG_PROMPT, "labeled_examples": MIN_EXAMPLES}


def _thresholds(f: Facts) -> dict[str, int]:
    """The numbers each number answer is tried just across; volume only where it can pay back."""
    thresholds = dict(_FIXED_THRESHOLDS)
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
    for name in BY_NAME
    if name not in _THRESHOLD_PHRASES and not BY_NAME[name].is_bool
}


def _candidate_values(name: str, current: object, thresholds: dict[str, int]) -> tuple[object, ...]:
    if name in _THRESHOLD_PHRASES:
        if name not in thresholds:
            return ()
        threshold = thresholds[name]
        return (threshold - 1,) if current >= threshold else (threshold,)  # type: ignore[operator]
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


_LOWER_LABELS = {value: label.lower() for value, label in RECOMMENDATION_CHOICES}

# The values a single change can take whose words never vary: each choice, and a number either
# side of a fixed threshold.
_FIXED_VALUES: dict[str, tuple[object, ...]] = {
    **{name: tuple(phrases) for name, phrases in _PHRASES.items()},
    **{name: (threshold - 1, threshold) for name, threshold in _FIXED_THRESHOLDS.items()},
}
# Each such change in words, by (answer, value, verdict): what _change would write, written
# once. The volume's words depend on its break-even, so _change writes those.
_SINGLE_TEXTS: dict[tuple[str, object, str], str] = {
    (name, value, recommendation): _change({name: value}, recommendation, _FIXED_THRESHOLDS).text
    for name, values in _FIXED_VALUES.items()
    for value in values
    for recommendation in _LOWER_LABELS
}


def _single_change(
    name: str, value: object, recommendation: Recommendation, thresholds: dict[str, int]
) -> Change:
    text = _SINGLE_TEXTS.get((name, value, recommendation))
    if text is None:
        return _change({name: value}, recommendation, thresholds)
    return Change({name: value}, recommendation, text)


def _changed(answers: object, changes: dict[str, object]) -> object:
    """A copy of frozen Answers with some answers changed, without validation: candidate values
    are valid by construction, and validating each candidate was most of decide()'s cost."""
    copy = object.__new__(type(answers))
    copy.__dict__.update(answers.__dict__)
    copy.__dict__.update(changes)
    return copy


def _read_by_all(rules: list[Rule]) -> set[str] | None:
    """The answers every one of `rules` reads; None for no rules."""
    return set.intersection(*(set(rule.reads) for rule in rules)) if rules else None


def what_would_change(f: Facts, current: Recommendation, fired: list[Rule]) -> tuple[Change, ...]:
    """Every single change of an answer that turns `current`, the verdict on `f` with the rules
    in `fired`; else the first combination that does, fewest answers first; else nothing."""
    thresholds = _thresholds(f)
    options = [
        (name, values)
        for name, value in f.answers.as_dict().items()  # in field order
        if (values := _candidate_values(name, value, thresholds))
    ]
    # One scratch copy of the answers, each candidate value set in it in turn and the answer put
    # back after: a copy for each candidate was much of the search's cost.
    scratch = _changed(f.answers, {})
    probe, answer = Facts(scratch, f.economics), scratch.__dict__  # type: ignore[arg-type]
    fired_blockers = [rule for rule in fired if rule.kind == BLOCKER]
    # A blocker still fires when an answer it does not read changes, and keeps the verdict at
    # prompting: with blockers firing, only an answer every one of them reads can flip it alone.
    liftable = _read_by_all(fired_blockers)
    # Likewise a signal that fired and does not read the changed answer still fires.
    read_by_every_signal = _read_by_all([rule for rule in fired if rule.kind == SIGNAL])
    singles = []
    for name, values in options:
        if liftable is not None and name not in liftable:
            continue
        other_signal = read_by_every_signal is not None and name not in read_by_every_signal
        for value in values:
            answer[name] = value
            flipped = recommend_with_one_change(probe, name, other_signal)
            if flipped != current:
                singles.append(_single_change(name, value, flipped, thresholds))
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
                flipped = recommend(Facts(_changed(f.answers, changes), f.economics))  # type: ignore[arg-type]
                if flipped != current:
                    return (_change(changes, flipped, thresholds),)
    return ()
