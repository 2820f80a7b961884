"""The decision engine: a team's Answers in, a Result out (DESIGN.md section 3).

Plain Python with no Django import. Views, the API and the exports call decide() and show what
it returns; nothing else decides anything.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Literal

from decisions.tradeoffs import TRADEOFFS

# Bump whenever a rule, threshold or procedure step changes: stored decisions keep their result.
ENGINE_VERSION = "1.0"

MIN_EXAMPLES = 100  # the article's "hundreds" of labeled examples
HIGH_VOLUME = 1_000_000  # the article's "1M+ completions/month"
MAX_MONTHLY_REQUESTS = 10**12
MAX_PROMPT_TOKENS = 2_000_000
MAX_LABELED_EXAMPLES = 10**9

Recommendation = Literal["prompting", "fine_tuning", "hybrid"]
Favours = Literal["prompting", "fine_tuning", "hybrid"]
ChangeFrequency = Literal["weekly", "monthly", "quarterly", "rarely"]
Phase = Literal["exploring", "launching", "production"]
Latency = Literal["batch", "interactive", "critical"]
OutputFormat = Literal["free_text", "structured", "strict"]
Reasoning = Literal["simple", "complex"]

PROMPTING: Recommendation = "prompting"
FINE_TUNING: Recommendation = "fine_tuning"
HYBRID: Recommendation = "hybrid"

RECOMMENDATION_LABELS: dict[str, str] = {
    PROMPTING: "Prompting",
    FINE_TUNING: "Fine-tuning",
    HYBRID: "Hybrid",
}

CHANGE_FREQUENCY_CHOICES: tuple[tuple[str, str], ...] = (
    ("weekly", "Weekly"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("rarely", "Rarely"),
)
PHASE_CHOICES: tuple[tuple[str, str], ...] = (
    ("exploring", "Exploring"),
    ("launching", "Launching"),
    ("production", "In production"),
)
LATENCY_CHOICES: tuple[tuple[str, str], ...] = (
    ("batch", "Batch / offline"),
    ("interactive", "Interactive"),
    ("critical", "Latency-critical"),
)
OUTPUT_FORMAT_CHOICES: tuple[tuple[str, str], ...] = (
    ("free_text", "Free text"),
    ("structured", "Loosely structured"),
    ("strict", "Strict schema"),
)
REASONING_CHOICES: tuple[tuple[str, str], ...] = (
    ("simple", "Simple"),
    ("complex", "Complex, multi-step"),
)

# Rule kinds, in the order the procedure consults them.
BLOCKER = "blocker"
SIGNAL = "signal"
HYBRID_TRIGGER = "hybrid_trigger"
DEFAULT = "default"

# Key for errors that belong to no single field (Django's name, so forms and the API agree).
NON_FIELD_ERRORS = "__all__"


# --- Answers and their validation ---

# field: (largest allowed value, what is counted, an example for the error message)
_INT_FIELDS: dict[str, tuple[int, str, str]] = {
    "monthly_requests": (MAX_MONTHLY_REQUESTS, "completions a month", "250000"),
    "prompt_tokens": (MAX_PROMPT_TOKENS, "prompt tokens", "1500"),
    "labeled_examples": (MAX_LABELED_EXAMPLES, "labeled examples", "800"),
}
_BOOL_FIELDS = frozenset({"domain_language", "fresh_knowledge"})
_CHOICE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "change_frequency": CHANGE_FREQUENCY_CHOICES,
    "phase": PHASE_CHOICES,
    "latency": LATENCY_CHOICES,
    "output_format": OUTPUT_FORMAT_CHOICES,
    "reasoning": REASONING_CHOICES,
}


def mapping_errors(
    cls: type, data: Mapping[str, object], field_errors: Callable[[str, object], list[str]]
) -> dict[str, list[str]]:
    """Every missing, unknown or invalid field of dataclass `cls` in decoded JSON `data`."""
    errors: dict[str, list[str]] = {}
    names = [f.name for f in fields(cls)]
    for f in fields(cls):
        if f.name in data:
            messages = field_errors(f.name, data[f.name])
        elif f.default is MISSING:
            messages = ["This field is required."]
        else:
            messages = []
        if messages:
            errors[f.name] = messages
    for key in data:
        if key not in names:
            errors[str(key)] = ["Unknown field."]
    return errors


class InvalidAnswers(ValueError):
    """Raised for answers the engine cannot use; `errors` maps every offending field to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))


def _field_errors(name: str, value: object) -> list[str]:
    """Messages for one answer; empty when it is valid. Says how to fix it, in plain words."""
    if name in _INT_FIELDS:
        maximum, noun, example = _INT_FIELDS[name]
        # bool is a subclass of int and 1.0 == 1: neither is a count someone typed.
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"Enter the number of {noun} as a whole number, for example {example}."]
        if not 0 <= value <= maximum:
            return [f"Enter a number of {noun} from 0 to {maximum:,}."]
        return []
    if name in _BOOL_FIELDS:
        return [] if isinstance(value, bool) else ["Answer true or false."]
    choices = [choice for choice, _ in _CHOICE_FIELDS[name]]
    if isinstance(value, str) and value in choices:
        return []
    return [f"Choose one of: {', '.join(choices)}."]


@dataclass(frozen=True, kw_only=True)
class Answers:
    """A team's answers to the questions; validated on construction (raises InvalidAnswers)."""

    monthly_requests: int
    prompt_tokens: int = 1500
    labeled_examples: int
    domain_language: bool
    change_frequency: ChangeFrequency
    phase: Phase
    fresh_knowledge: bool
    latency: Latency
    output_format: OutputFormat
    reasoning: Reasoning

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for name in ANSWER_FIELDS:
            messages = _field_errors(name, getattr(self, name))
            if messages:
                errors[name] = messages
        if errors:
            raise InvalidAnswers(errors)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Answers:
        """Answers from decoded JSON; reports every missing, unknown or invalid field at once."""
        if not isinstance(data, Mapping):
            raise InvalidAnswers({NON_FIELD_ERRORS: ["Send the answers as an object of fields."]})
        errors = mapping_errors(cls, data, _field_errors)
        if errors:
            raise InvalidAnswers(errors)
        return cls(**{name: data[name] for name in ANSWER_FIELDS if name in data})

    def as_dict(self) -> dict[str, object]:
        """Every answer by field name, in the table's order; JSON-ready."""
        return {name: getattr(self, name) for name in ANSWER_FIELDS}


ANSWER_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Answers))


# --- Wording helpers ---


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n:,} {singular if n == 1 else plural}"


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'; semicolons when a part has its own comma, to stay clear."""
    if len(parts) <= 1:
        return "".join(parts)
    if any(", " in part for part in parts):
        return f"{'; '.join(parts[:-1])}; and {parts[-1]}"
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _examples(a: Answers) -> str:
    return _count(a.labeled_examples, "labeled example", "labeled examples")


def _volume(a: Answers) -> str:
    return _count(a.monthly_requests, "completion", "completions") + " a month"


def _fresh_knowledge_text(a: Answers, recommendation: str) -> str:
    if recommendation == HYBRID:
        return (
            "Your answers depend on facts that change after a model is trained (prices, policies, "
            "news); keep them in the prompt of the reasoning model, and fine-tune only the model "
            "that formats the output."
        )
    return (
        "Your answers depend on facts that change after a model is trained (prices, policies, "
        "news); a prompt can supply them at call time, while a fine-tuned model is frozen to its "
        "training data."
    )


def _complex_reasoning_text(a: Answers, recommendation: str) -> str:
    if recommendation == HYBRID:
        return (
            "Your task needs multi-step reasoning, planning or tool use: use a large reasoning "
            "model as-is with a detailed prompt, and a smaller fine-tuned model for the structured "
            "output step."
        )
    return (
        "Your task needs multi-step reasoning, planning or tool use, which a large reasoning model "
        "handles as-is with a detailed prompt."
    )


# --- The rule table ---


@dataclass(frozen=True)
class Rule:
    """One row of DESIGN.md's rule table.

    `reads` names the answers `fires` looks at; the what-would-change search relies on it, and a
    test checks it. `explain` gets the verdict too, because hybrid-trigger reasons are listed in
    every outcome and must make sense in each. `clause` is the rule's part of the summary.
    """

    code: str
    kind: str
    rows: tuple[str, ...]
    favours: Favours
    reads: tuple[str, ...]
    fires: Callable[[Answers], bool]
    explain: Callable[[Answers, str], str]
    clause: Callable[[Answers], str]


RULES: tuple[Rule, ...] = (
    Rule(
        code="few_examples",
        kind=BLOCKER,
        rows=("data_required",),
        favours=PROMPTING,
        reads=("labeled_examples",),
        fires=lambda a: a.labeled_examples < MIN_EXAMPLES,
        explain=lambda a, _: (
            f"You have {_examples(a)}, fewer than the {MIN_EXAMPLES:,} that fine-tuning needs to "
            "learn the task; a prompt works with none or a few."
        ),
        clause=lambda a: (
            f"you have {_examples(a)}, fewer than the {MIN_EXAMPLES:,} fine-tuning needs"
        ),
    ),
    Rule(
        code="changes_often",
        kind=BLOCKER,
        rows=("updateability",),
        favours=PROMPTING,
        reads=("change_frequency",),
        fires=lambda a: a.change_frequency in ("weekly", "monthly"),
        explain=lambda a, _: (
            f"Your requirements change {a.change_frequency}; a fine-tuned model would go stale and "
            "need retraining after each change, while a prompt is edited in minutes."
        ),
        clause=lambda a: f"your requirements change {a.change_frequency}",
    ),
    Rule(
        code="exploring",
        kind=BLOCKER,
        rows=("setup_cost",),
        favours=PROMPTING,
        reads=("phase",),
        fires=lambda a: a.phase == "exploring",
        explain=lambda a, _: (
            "You are still exploring and may need to pivot; a prompt takes hours to write and "
            "change, while fine-tuning takes days to weeks of curating data, training and "
            "evaluating."
        ),
        clause=lambda a: "you are still exploring and may need to pivot",
    ),
    Rule(
        code="high_volume",
        kind=SIGNAL,
        rows=("inference_cost",),
        favours=FINE_TUNING,
        reads=("monthly_requests",),
        fires=lambda a: a.monthly_requests >= HIGH_VOLUME,
        explain=lambda a, _: (
            f"You expect {_volume(a)}, at or over the {HIGH_VOLUME:,} where the cost of a long "
            "prompt on every call adds up."
        ),
        clause=lambda a: f"you expect {_volume(a)}",
    ),
    Rule(
        code="strict_format",
        kind=SIGNAL,
        rows=("consistency",),
        favours=FINE_TUNING,
        reads=("output_format",),
        fires=lambda a: a.output_format == "strict",
        explain=lambda a, _: (
            "Your output must match an exact schema every time; fine-tuning gives more consistent "
            "structured output than prompting."
        ),
        clause=lambda a: "your output must match an exact schema every time",
    ),
    Rule(
        code="domain_language",
        kind=SIGNAL,
        rows=(),
        favours=FINE_TUNING,
        reads=("domain_language",),
        fires=lambda a: a.domain_language,
        explain=lambda a, _: (
            "Your task uses specialised language (medical, legal or proprietary jargon) that the "
            "base model mishandles even with a good prompt; fine-tuning can teach it that language."
        ),
        clause=lambda a: "your task uses specialised language the base model mishandles",
    ),
    Rule(
        code="latency_critical",
        kind=SIGNAL,
        rows=("latency",),
        favours=FINE_TUNING,
        reads=("latency",),
        fires=lambda a: a.latency == "critical",
        explain=lambda a, _: (
            "Your feature is on a latency-critical path; a fine-tuned model needs a much shorter "
            "prompt, so each call sends fewer input tokens and answers sooner."
        ),
        clause=lambda a: "your feature is on a latency-critical path",
    ),
    Rule(
        code="fresh_knowledge",
        kind=HYBRID_TRIGGER,
        rows=("knowledge_cutoff",),
        favours=PROMPTING,
        reads=("fresh_knowledge",),
        fires=lambda a: a.fresh_knowledge,
        explain=_fresh_knowledge_text,
        clause=lambda a: "your answers depend on facts that change after training",
    ),
    Rule(
        code="complex_reasoning",
        kind=HYBRID_TRIGGER,
        rows=(),
        favours=HYBRID,
        reads=("reasoning",),
        fires=lambda a: a.reasoning == "complex",
        explain=_complex_reasoning_text,
        clause=lambda a: "your task needs multi-step reasoning or tool use",
    ),
    Rule(
        code="prompting_default",
        kind=DEFAULT,
        rows=("setup_cost", "updateability"),
        favours=PROMPTING,
        reads=(
            "monthly_requests",
            "labeled_examples",
            "domain_language",
            "change_frequency",
            "phase",
            "latency",
            "output_format",
        ),
        fires=lambda a: not any(rule.fires(a) for rule in (*_BLOCKERS, *_SIGNALS)),
        explain=lambda a, _: (
            f"Nothing in your answers calls for fine-tuning: {_volume(a)} is under the "
            f"{HIGH_VOLUME:,} where a long prompt's cost adds up, and you need no strict schema, "
            "no specialised language and no latency-critical path. A prompt is faster to set up "
            "and easier to change."
        ),
        clause=lambda a: "nothing in your answers calls for fine-tuning",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_BLOCKERS = tuple(rule for rule in RULES if rule.kind == BLOCKER)
_SIGNALS = tuple(rule for rule in RULES if rule.kind == SIGNAL)
_HYBRID_TRIGGERS = tuple(rule for rule in RULES if rule.kind == HYBRID_TRIGGER)

# Which fired rules the one-sentence summary quotes, for each verdict.
_SUMMARY_KINDS: dict[str, tuple[str, ...]] = {
    PROMPTING: (BLOCKER, DEFAULT),  # never both: the default fires only when no blocker did
    FINE_TUNING: (SIGNAL,),
    HYBRID: (SIGNAL, HYBRID_TRIGGER),
}


def _recommend(answers: Answers) -> Recommendation:
    """The four-step procedure, and nothing else: cheap enough to run on every candidate change."""
    if any(rule.fires(answers) for rule in _BLOCKERS):
        return PROMPTING
    if not any(rule.fires(answers) for rule in _SIGNALS):
        return PROMPTING
    if any(rule.fires(answers) for rule in _HYBRID_TRIGGERS):
        return HYBRID
    return FINE_TUNING


# --- What would change the answer ---

# Numbers are only tried just across the threshold a rule compares them with.
_THRESHOLDS: dict[str, int] = {
    "monthly_requests": HIGH_VOLUME,
    "labeled_examples": MIN_EXAMPLES,
}

# prompt_tokens is read by no rule, so it is never a candidate.
_CANDIDATE_FIELDS: tuple[str, ...] = tuple(
    name for name in ANSWER_FIELDS if any(name in rule.reads for rule in RULES)
)

_THRESHOLD_PHRASES: dict[str, str] = {
    "monthly_requests": "completions a month",
    "labeled_examples": "labeled examples",
}

_PHRASES: dict[str, dict[object, str]] = {
    "domain_language": {
        True: "specialised language the base model mishandles",
        False: "language the base model already handles well",
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
}


def _candidate_values(answers: Answers, name: str) -> tuple[object, ...]:
    current = getattr(answers, name)
    if name in _THRESHOLDS:
        threshold = _THRESHOLDS[name]
        return (threshold - 1,) if current >= threshold else (threshold,)
    if name in _BOOL_FIELDS:
        return (not current,)
    return tuple(choice for choice, _ in _CHOICE_FIELDS[name] if choice != current)


def _phrase(name: str, value: object) -> str:
    if name in _THRESHOLDS:
        threshold = _THRESHOLDS[name]
        noun = _THRESHOLD_PHRASES[name]
        assert isinstance(value, int)
        if value >= threshold:
            return f"{threshold:,} or more {noun}"
        return f"fewer than {threshold:,} {noun}"
    return _PHRASES[name][value]


def _change(changes: dict[str, object], recommendation: Recommendation) -> Change:
    phrases = [_phrase(name, value) for name, value in changes.items()]
    label = RECOMMENDATION_LABELS[recommendation].lower()
    return Change(changes, recommendation, f"With {_join(phrases)}, this would be {label}.")


def _changed(answers: Answers, changes: dict[str, object]) -> Answers:
    """A copy with some answers changed, without validation: candidate values are valid by
    construction, and validating each candidate was most of decide()'s cost."""
    copy = object.__new__(Answers)
    copy.__dict__.update(answers.__dict__, **changes)
    return copy


def _what_would_change(answers: Answers, current: Recommendation) -> tuple[Change, ...]:
    options = [(name, _candidate_values(answers, name)) for name in _CANDIDATE_FIELDS]
    singles = []
    for name, values in options:
        for value in values:
            flipped = _recommend(_changed(answers, {name: value}))
            if flipped != current:
                singles.append(_change({name: value}, flipped))
    if singles:
        return tuple(singles)

    # Combinations, fewest answers first, each in table order, tried in lexicographic order of
    # field position. A blocker that fires keeps the verdict at prompting until the one answer it
    # reads changes, so that answer is in every combination that can flip it: only the other
    # answers are chosen. Merging the required answers into combinations of the others keeps the
    # order a search over all combinations would have, while trying a handful instead of hundreds.
    required = [
        option
        for option in options
        if any(option[0] in rule.reads for rule in _BLOCKERS if rule.fires(answers))
    ]
    others = [option for option in options if option not in required]
    position = {name: index for index, (name, _) in enumerate(options)}
    for extra in range(max(0, 2 - len(required)), len(others) + 1):
        for chosen in itertools.combinations(others, extra):
            combo = sorted((*required, *chosen), key=lambda option: position[option[0]])
            names = [name for name, _ in combo]
            for values in itertools.product(*(values for _, values in combo)):
                changes = dict(zip(names, values, strict=True))
                flipped = _recommend(_changed(answers, changes))
                if flipped != current:
                    return (_change(changes, flipped),)
    return ()


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
    summary: str
    reasons: tuple[Reason, ...]
    rows: tuple[Row, ...]
    what_would_change: tuple[Change, ...]
    engine_version: str

    def as_dict(self) -> dict[str, object]:
        """The one JSON-ready shape the API and the exports return."""
        return {
            "recommendation": self.recommendation,
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


def decide(answers: Answers) -> Result:
    """The recommendation for these answers: reasons, tradeoff rows and what would change it."""
    recommendation = _recommend(answers)
    fired = [rule for rule in RULES if rule.fires(answers)]

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

    clauses = [r.clause(answers) for r in fired if r.kind in _SUMMARY_KINDS[recommendation]]
    return Result(
        recommendation=recommendation,
        summary=f"{RECOMMENDATION_LABELS[recommendation]}: {_join(clauses)}.",
        reasons=tuple(Reason(r.code, r.favours, r.explain(answers, recommendation)) for r in fired),
        rows=rows,
        what_would_change=_what_would_change(answers, recommendation),
        engine_version=ENGINE_VERSION,
    )
