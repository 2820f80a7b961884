"""The decision engine, version 2.0: a team's Answers and Economics in, a Result out (DESIGN.md
section 3).

Plain Python with no Django import. Views, the API and the exports call decide() and show what
it returns; nothing else decides anything. The volume question is settled by the person's own
cost figures (Economics, made by costs.py), never by a fixed threshold.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Literal

from decisions.domain.money import about_volume, format_money, format_months
from decisions.domain.tradeoffs import TRADEOFFS

# Bump whenever a rule, threshold or procedure step changes: stored decisions keep their result.
ENGINE_VERSION = "2.0"

MIN_EXAMPLES = 100  # the article's "hundreds" of labeled examples
PAYBACK_MONTHS = 12  # the horizon a fine-tune must pay back in, unless its model retires sooner
LONG_PROMPT = 1_000  # tokens: below this a prompt adds too little input to matter for latency
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
SmallModel = Literal["good_enough", "falls_short", "not_tried"]
Strength = Literal["clear", "borderline"]

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
SMALL_MODEL_CHOICES: tuple[tuple[str, str], ...] = (
    ("good_enough", "Good enough"),
    ("falls_short", "Falls short"),
    ("not_tried", "Not tried yet"),
)
STRENGTH_CHOICES: tuple[tuple[str, str], ...] = (
    ("clear", "Clear"),
    ("borderline", "Borderline"),
)

# Rule kinds, in the order the procedure consults them.
BLOCKER = "blocker"
SIGNAL = "signal"
HYBRID_TRIGGER = "hybrid_trigger"
DEFAULT = "default"
NOTE = "note"  # a reason that never changes the recommendation

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
    "small_model": SMALL_MODEL_CHOICES,
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
    small_model: SmallModel = "not_tried"

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


# --- Economics: the person's cost figures, made by costs.py ---

BASELINE_LARGE = "prompted"  # A: prompting the model the person would prompt
BASELINE_SMALL = "small_prompted"  # B: prompting the fine-tunable model with the same prompt


@dataclass(frozen=True, kw_only=True)
class Economics:
    """What one request costs each way and what fine-tuning costs besides, in US dollars.

    Plain floats, none of them depending on volume (DESIGN section 3). The pay-back test is here,
    once, so the rule that decides and the cost panel that shows the figures can never disagree.
    """

    prompted_per_request: float  # A
    small_prompted_per_request: float  # B
    tuned_per_request: float  # C
    monthly_fixed: float  # hosting plus retraining, a month
    one_off: float  # training plus engineering, once
    horizon_months: float  # months the fine-tune can earn
    prompted_model: str
    tuned_model: str

    def __post_init__(self) -> None:
        for name in _ECONOMICS_NUMBERS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"Economics.{name} must be a number, not {value!r}")
            value = float(value)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Economics.{name} must be finite and not negative")
            object.__setattr__(self, name, value)
        if self.horizon_months <= 0:
            raise ValueError("Economics.horizon_months must be more than 0")

    def baseline(self, small_model: str) -> str:
        """A when the small model, prompted, falls short (training is what makes it good enough),
        else B: a saving that comes from a smaller model is not a saving from training."""
        return BASELINE_LARGE if small_model == "falls_short" else BASELINE_SMALL

    def per_request(self, baseline: str) -> float:
        if baseline == BASELINE_LARGE:
            return self.prompted_per_request
        return self.small_prompted_per_request

    def saving(self, volume: int, baseline: str) -> float:
        """S(V): what fine-tuning saves a month at `volume`, fixed costs included."""
        return volume * (self.per_request(baseline) - self.tuned_per_request) - self.monthly_fixed

    def pays_back(self, volume: int, baseline: str) -> bool:
        """Whether fine-tuning earns back its one-off cost within the horizon at `volume`."""
        saving = self.saving(volume, baseline)
        return saving > 0 and self.one_off <= self.horizon_months * saving

    def payback_months(self, volume: int, baseline: str) -> float | None:
        """Months until the one-off cost is earned back at `volume`; None when nothing is saved."""
        saving = self.saving(volume, baseline)
        return self.one_off / saving if saving > 0 else None

    def break_even_volume(self, baseline: str) -> int | None:
        """The least whole volume from 1 to 10^12 at which fine-tuning pays back, or None.

        pays_back is monotone in the volume (each float step is), so a binary search finds the
        same volume a scan from 1 would, evaluated exactly as pays_back evaluates it."""
        if self.per_request(baseline) <= self.tuned_per_request:
            return None
        low, high = 1, MAX_MONTHLY_REQUESTS
        if not self.pays_back(high, baseline):
            return None
        while low < high:
            middle = (low + high) // 2
            if self.pays_back(middle, baseline):
                high = middle
            else:
                low = middle + 1
        return low

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, data: object) -> Economics | None:
        """Economics from its as_dict(), or None for None; raises ValueError when unreadable."""
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise ValueError("Economics must be an object")
        try:
            return cls(**{f.name: data[f.name] for f in fields(cls)})
        except (KeyError, TypeError) as error:
            raise ValueError(f"Unreadable economics: {error!r}") from error


_ECONOMICS_NUMBERS = (
    "prompted_per_request",
    "small_prompted_per_request",
    "tuned_per_request",
    "monthly_fixed",
    "one_off",
    "horizon_months",
)


# --- What the rules look at ---


@dataclass(frozen=True)
class Facts:
    """Answers with the economics that price them, and the figures the rules' wording quotes."""

    answers: Answers
    economics: Economics | None

    @property
    def baseline(self) -> str:
        assert self.economics is not None
        return self.economics.baseline(self.answers.small_model)

    @property
    def small_good_enough(self) -> bool:
        return self.answers.small_model == "good_enough"

    def pays_back(self) -> bool:
        e, volume = self.economics, self.answers.monthly_requests
        return e is not None and volume >= 1 and e.pays_back(volume, self.baseline)


def _with(facts: Facts, answers: Answers) -> Facts:
    return Facts(answers, facts.economics)


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


def _volume(volume: int) -> str:
    return _count(volume, "completion", "completions") + " a month"


def _money(value: float) -> str:
    return format_money(value)


def _baseline_words(f: Facts) -> str:
    """The baseline option in words: "prompting X with your prompt"."""
    e = f.economics
    assert e is not None
    if f.baseline == BASELINE_LARGE:
        return f"prompting {e.prompted_model} with your prompt"
    return f"prompting {e.tuned_model} with your prompt"


def _why_baseline(f: Facts) -> str:
    if f.baseline == BASELINE_LARGE:
        return " (the baseline is the large model: prompted, your small model falls short)"
    return ""


def _tuned_monthly(f: Facts, volume: int) -> float:
    e = f.economics
    assert e is not None
    return volume * e.tuned_per_request + e.monthly_fixed


def _pays_back_text(f: Facts, recommendation: str) -> str:
    e, a = f.economics, f.answers
    assert e is not None
    volume = a.monthly_requests
    tuned = _tuned_monthly(f, volume)
    baseline = volume * e.per_request(f.baseline)
    months = e.payback_months(volume, f.baseline)
    assert months is not None
    figures = (
        f"At {_volume(volume)}, fine-tuned {e.tuned_model} would cost {_money(tuned)} a month "
        f"against {_money(baseline)} for {_baseline_words(f)}{_why_baseline(f)}"
    )
    if recommendation == HYBRID and a.reasoning == "complex" and not f.small_good_enough:
        prompted = volume * e.prompted_per_request
        return (
            f"{figures}: it would pay back its {_money(e.one_off)} one-off cost in "
            f"{format_months(months)} if it replaced prompting. In this hybrid it does not: "
            f"{e.prompted_model} still does the reasoning, so the hybrid costs "
            f"{_money(prompted + tuned)} a month, {_money(tuned)} more than prompting "
            f"{e.prompted_model} alone, for the consistency of its output."
        )
    if recommendation == HYBRID:
        return (
            f"{figures}, both with the facts retrieved into every call: the fine-tuned model "
            f"earns back its {_money(e.one_off)} one-off cost in {format_months(months)}."
        )
    return (
        f"{figures}: it saves {_money(e.saving(volume, f.baseline))} a month and pays back its "
        f"{_money(e.one_off)} one-off cost in {format_months(months)}."
    )


def _costs_more_text(f: Facts, recommendation: str) -> str:
    e, a = f.economics, f.answers
    assert e is not None
    volume = a.monthly_requests
    baseline_per_request = e.per_request(f.baseline)
    break_even = e.break_even_volume(f.baseline)
    from_volume = (
        f" It would pay back from {about_volume(break_even)} completions a month."
        if break_even is not None
        else ""
    )
    if baseline_per_request <= e.tuned_per_request:
        return (
            f"A request to fine-tuned {e.tuned_model} would cost "
            f"{_money(e.tuned_per_request)} against {_money(baseline_per_request)} for "
            f"{_baseline_words(f)}{_why_baseline(f)}, so fine-tuning saves nothing at any volume "
            f"and its {_money(e.one_off)} one-off cost never pays back."
        )
    if volume == 0:
        return (
            f"With no volume yet, fine-tuning cannot earn back its {_money(e.one_off)} one-off "
            f"cost.{from_volume or ' No volume up to 10^12 a month would pay it back.'}"
        )
    tuned = _tuned_monthly(f, volume)
    baseline = volume * baseline_per_request
    figures = (
        f"At {_volume(volume)}, fine-tuned {e.tuned_model} would cost {_money(tuned)} a month "
        f"against {_money(baseline)} for {_baseline_words(f)}{_why_baseline(f)}"
    )
    saving = e.saving(volume, f.baseline)
    if saving <= 0:
        return (
            f"{figures}: {_money(-saving)} a month more, its monthly fixed costs included, so it "
            f"does not pay back its {_money(e.one_off)} one-off cost at this volume.{from_volume}"
        )
    months = e.one_off / saving
    return (
        f"{figures}: it saves {_money(saving)} a month, so its {_money(e.one_off)} one-off cost "
        f"takes {format_months(months)} to pay back, longer than the "
        f"{format_months(e.horizon_months)} it can earn.{from_volume}"
    )


def _try_small_first_text(f: Facts, recommendation: str) -> str:
    e, volume = f.economics, f.answers.monthly_requests
    assert e is not None
    if volume == 0:
        small, large, per = e.small_prompted_per_request, e.prompted_per_request, "request"
    else:
        small = volume * e.small_prompted_per_request
        large = volume * e.prompted_per_request
        per = "month"
    return (
        f"Prompting {e.tuned_model} instead of {e.prompted_model} would cost {_money(small)} "
        f"instead of {_money(large)} a {per}, with no training: try it on your evaluation set "
        "first."
    )


def _fresh_knowledge_text(f: Facts, recommendation: str) -> str:
    facts = (
        "Your answers depend on facts that change after a model is trained (prices, policies, "
        "case law, news)"
    )
    if recommendation == HYBRID and _reasoning_hybrid(f):
        return (
            f"{facts}: retrieve them at call time into the reasoning model's prompt; the "
            "fine-tuned output step only shapes what the reasoning found."
        )
    if recommendation == HYBRID:
        return (
            f"{facts}: pair the fine-tuned model, which carries the stable behaviour, with "
            "retrieval: current facts are fetched at call time and put into its prompt, since "
            "training freezes what a model knows."
        )
    return (
        f"{facts}: retrieve them at call time and put them into the prompt; a fine-tuned model "
        "is frozen to its training data."
    )


def _reasoning_hybrid(f: Facts) -> bool:
    return f.answers.reasoning == "complex" and not f.small_good_enough


def _complex_reasoning_text(f: Facts, recommendation: str) -> str:
    task = "Your task needs multi-step reasoning, planning or tool use"
    if f.small_good_enough:
        return (
            f"{task}; your evaluation set shows the model you would fine-tune handles it when "
            "prompted, so fine-tuning it keeps that quality."
        )
    if recommendation == HYBRID:
        return (
            f"{task}: keep a large model, prompted as it is, for the reasoning, and let a small "
            "fine-tuned model produce the exact output format from what it found (the article's "
            "structured output layer)."
        )
    return f"{task}, which a large model handles as it is with a detailed prompt."


def _reasoning_stays_large_text(f: Facts, recommendation: str) -> str:
    fixes = []
    if f.answers.domain_language:
        fixes.append("the specialised language in the reasoning")
    if _RULES_BY_CODE["pays_back"].fires(f):
        fixes.append("the cost of the reasoning model")
    if _RULES_BY_CODE["latency_critical"].fires(f):
        fixes.append("the long prompt the reasoning model reads")
    fixed = _join(fixes) or "the reasoning"
    return (
        "A fine-tuned output step would not fix "
        f"{fixed}, and the small model is not shown to carry multi-step reasoning: keep "
        "prompting the large model, with examples of your terms in the prompt, and judge a "
        "fine-tuned model on your evaluation set before it takes over any reasoning."
    )


def _prompting_default_text(f: Facts, recommendation: str) -> str:
    a, e = f.answers, f.economics
    parts = []
    if e is not None and a.monthly_requests >= 1:
        parts.append(f"fine-tuning would not pay back at {_volume(a.monthly_requests)}")
    elif e is not None:
        parts.append("there is no volume yet for fine-tuning to pay back")
    if f.small_good_enough:
        parts.append("the model you would fine-tune is already good enough when prompted")
    else:
        quality = []
        if a.output_format != "strict":
            quality.append("no exact schema")
        if not a.domain_language:
            quality.append("no specialised language")
        if a.latency != "critical":
            quality.append("no latency-critical path")
        elif a.prompt_tokens < LONG_PROMPT:
            quality.append(
                f"a prompt too short ({a.prompt_tokens:,} tokens) to slow a latency-critical path"
            )
        parts.append(f"your task needs {_join(quality)}")
    return (
        f"Nothing in your answers calls for fine-tuning: {_join(parts)}. A prompt is faster to "
        "set up and easier to change."
    )


# --- The rule table ---


@dataclass(frozen=True)
class Rule:
    """One row of DESIGN.md's rule table.

    `reads` names the answers `fires` looks at (the what-would-change search relies on it, and a
    test checks it). `explain` gets the verdict too, because trigger and note reasons are listed
    in every outcome and must make sense in each. `clause` is the rule's part of the summary.
    """

    code: str
    kind: str
    rows: tuple[str, ...]
    favours: Favours
    reads: tuple[str, ...]
    fires: Callable[[Facts], bool]
    explain: Callable[[Facts, str], str]
    clause: Callable[[Facts], str]


def _blocker_fired(f: Facts) -> bool:
    return any(rule.fires(f) for rule in _BLOCKERS)


def _signal_fired(f: Facts) -> bool:
    return any(rule.fires(f) for rule in _SIGNALS)


RULES: tuple[Rule, ...] = (
    Rule(
        code="few_examples",
        kind=BLOCKER,
        rows=("data_required",),
        favours=PROMPTING,
        reads=("labeled_examples",),
        fires=lambda f: f.answers.labeled_examples < MIN_EXAMPLES,
        explain=lambda f, _: (
            "You have no labeled examples yet, so there is nothing to train on; a prompt works "
            "with none."
            if f.answers.labeled_examples == 0
            else f"You have {_examples(f.answers)}: too few to beat a prompt that carries them. "
            "Providers accept as few as 10, but gains from fine-tuning usually show from 50 to "
            "100 good examples, and grow with hundreds."
        ),
        clause=lambda f: (
            "you have no labeled examples yet"
            if f.answers.labeled_examples == 0
            else f"you have {_examples(f.answers)}, too few to train on"
        ),
    ),
    Rule(
        code="changes_often",
        kind=BLOCKER,
        rows=("updateability",),
        favours=PROMPTING,
        reads=("change_frequency",),
        fires=lambda f: f.answers.change_frequency in ("weekly", "monthly"),
        explain=lambda f, _: (
            f"Your requirements change {f.answers.change_frequency}; a fine-tuned model would "
            "go stale and need retraining after each change, while a prompt is edited in minutes."
        ),
        clause=lambda f: f"your requirements change {f.answers.change_frequency}",
    ),
    Rule(
        code="exploring",
        kind=BLOCKER,
        rows=("setup_cost",),
        favours=PROMPTING,
        reads=("phase",),
        fires=lambda f: f.answers.phase == "exploring",
        explain=lambda f, _: (
            "You are still exploring and may need to pivot; a prompt takes hours to write and "
            "change, while fine-tuning takes days to weeks of curating data, training and "
            "evaluating."
        ),
        clause=lambda f: "you are still exploring and may need to pivot",
    ),
    Rule(
        code="pays_back",
        kind=SIGNAL,
        rows=("inference_cost",),
        favours=FINE_TUNING,
        reads=("monthly_requests", "small_model"),
        fires=Facts.pays_back,
        explain=_pays_back_text,
        clause=lambda f: (
            f"it pays back within {format_months(f.economics.horizon_months)} at "
            f"{_volume(f.answers.monthly_requests)}"
        ),
    ),
    Rule(
        code="strict_format",
        kind=SIGNAL,
        rows=("consistency",),
        favours=FINE_TUNING,
        reads=("output_format", "small_model"),
        fires=lambda f: f.answers.output_format == "strict" and not f.small_good_enough,
        explain=lambda f, _: (
            "Your output must match an exact schema every time. Structured outputs "
            "(schema-constrained decoding) already guarantee valid syntax from a prompted model; "
            "fine-tuning makes the values inside the schema more consistent."
        ),
        clause=lambda f: "your output must match an exact schema every time",
    ),
    Rule(
        code="domain_language",
        kind=SIGNAL,
        rows=(),
        favours=FINE_TUNING,
        reads=("domain_language", "small_model"),
        fires=lambda f: f.answers.domain_language and not f.small_good_enough,
        explain=lambda f, _: (
            "Your task uses specialised language (medical, legal or proprietary jargon) that the "
            "model mishandles even with a good prompt; fine-tuning on your examples can help it "
            "use that language more reliably."
        ),
        clause=lambda f: "your task uses specialised language the model mishandles",
    ),
    Rule(
        code="latency_critical",
        kind=SIGNAL,
        rows=("latency",),
        favours=FINE_TUNING,
        reads=("latency", "prompt_tokens", "small_model"),
        fires=lambda f: (
            f.answers.latency == "critical"
            and f.answers.prompt_tokens >= LONG_PROMPT
            and not f.small_good_enough
        ),
        explain=lambda f, _: (
            f"Your feature is on a latency-critical path and sends a "
            f"{f.answers.prompt_tokens:,}-token prompt with every call; a fine-tuned model needs "
            "only a short instruction, so each call sends fewer input tokens and answers sooner."
        ),
        clause=lambda f: "a long prompt slows your latency-critical path",
    ),
    Rule(
        code="fresh_knowledge",
        kind=HYBRID_TRIGGER,
        rows=("knowledge_cutoff",),
        favours=PROMPTING,
        reads=("fresh_knowledge",),
        fires=lambda f: f.answers.fresh_knowledge,
        explain=_fresh_knowledge_text,
        clause=lambda f: "your answers need facts fetched at call time",
    ),
    Rule(
        code="complex_reasoning",
        kind=HYBRID_TRIGGER,
        rows=(),
        favours=HYBRID,
        reads=("reasoning",),
        fires=lambda f: f.answers.reasoning == "complex",
        explain=_complex_reasoning_text,
        clause=lambda f: "a large prompted model does the multi-step reasoning",
    ),
    Rule(
        code="prompting_default",
        kind=DEFAULT,
        rows=("setup_cost", "updateability"),
        favours=PROMPTING,
        reads=tuple(n for n in ANSWER_FIELDS if n not in ("fresh_knowledge", "reasoning")),
        fires=lambda f: not _blocker_fired(f) and not _signal_fired(f),
        explain=_prompting_default_text,
        clause=lambda f: "nothing in your answers calls for fine-tuning",
    ),
    Rule(
        code="costs_more",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=("monthly_requests", "small_model"),
        fires=lambda f: f.economics is not None and not f.pays_back(),
        explain=_costs_more_text,
        # Quoted in a fine-tuning summary only: the verdict then rests on quality, and says so.
        clause=lambda f: (
            "it is chosen for quality, not savings: it does not pay back at your volume"
        ),
    ),
    Rule(
        code="try_small_first",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=("small_model",),
        fires=lambda f: (
            f.economics is not None
            and f.answers.small_model == "not_tried"
            and f.economics.small_prompted_per_request < f.economics.prompted_per_request
        ),
        explain=_try_small_first_text,
        clause=lambda f: "try prompting the smaller model first",
    ),
    Rule(
        code="reasoning_stays_large",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=tuple(n for n in ANSWER_FIELDS if n != "fresh_knowledge"),
        fires=lambda f: (
            not _blocker_fired(f)
            and _signal_fired(f)
            and f.answers.reasoning == "complex"
            and not f.small_good_enough
            and not _RULES_BY_CODE["strict_format"].fires(f)
        ),
        explain=_reasoning_stays_large_text,
        clause=lambda f: (
            "the multi-step reasoning stays with the large model, since the small model "
            + ("falls short" if f.answers.small_model == "falls_short" else "is not yet shown")
            + " and a fine-tuned output step would not help"
        ),
    ),
)

_RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_BLOCKERS = tuple(rule for rule in RULES if rule.kind == BLOCKER)
_SIGNALS = tuple(rule for rule in RULES if rule.kind == SIGNAL)

# Which fired rules the one-sentence summary quotes, for each verdict.
_SUMMARY_CODES: dict[str, tuple[str, ...]] = {
    PROMPTING: (
        *(rule.code for rule in _BLOCKERS), "prompting_default", "reasoning_stays_large"
    ),
    FINE_TUNING: (*(rule.code for rule in _SIGNALS), "costs_more"),
    # A hybrid claims no saving, so its summary quotes the quality signals, never pays_back.
    HYBRID: (
        *(rule.code for rule in _SIGNALS if rule.code != "pays_back"),
        "fresh_knowledge",
        "complex_reasoning",
    ),
}


def _recommend(f: Facts) -> Recommendation:
    """The procedure of DESIGN section 3, and nothing else: cheap enough for every candidate."""
    if _blocker_fired(f) or not _signal_fired(f):
        return PROMPTING
    if f.answers.reasoning == "complex" and not f.small_good_enough:
        return HYBRID if _RULES_BY_CODE["strict_format"].fires(f) else PROMPTING
    if f.answers.fresh_knowledge:
        return HYBRID
    return FINE_TUNING


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


def _candidate_values(f: Facts, name: str, thresholds: dict[str, int]) -> tuple[object, ...]:
    current = getattr(f.answers, name)
    if name in _THRESHOLD_PHRASES:
        if name not in thresholds:
            return ()
        threshold = thresholds[name]
        return (threshold - 1,) if current >= threshold else (threshold,)
    if name in _BOOL_FIELDS:
        return (not current,)
    return tuple(choice for choice, _ in _CHOICE_FIELDS[name] if choice != current)


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
    label = RECOMMENDATION_LABELS[recommendation].lower()
    return Change(changes, recommendation, f"With {_join(phrases)}, this would be {label}.")


def _changed(answers: Answers, changes: dict[str, object]) -> Answers:
    """A copy with some answers changed, without validation: candidate values are valid by
    construction, and validating each candidate was most of decide()'s cost."""
    copy = object.__new__(Answers)
    copy.__dict__.update(answers.__dict__, **changes)
    return copy


def _what_would_change(f: Facts, current: Recommendation) -> tuple[Change, ...]:
    thresholds = _thresholds(f)
    options = [
        (name, values)
        for name in ANSWER_FIELDS
        if (values := _candidate_values(f, name, thresholds))
    ]
    singles = []
    for name, values in options:
        for value in values:
            flipped = _recommend(_with(f, _changed(f.answers, {name: value})))
            if flipped != current:
                singles.append(_change({name: value}, flipped, thresholds))
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
        if any(option[0] in rule.reads for rule in _BLOCKERS if rule.fires(f))
    ]
    others = [option for option in options if option not in required]
    position = {name: index for index, (name, _) in enumerate(options)}
    for extra in range(max(0, 2 - len(required)), len(others) + 1):
        for chosen in itertools.combinations(others, extra):
            combo = sorted((*required, *chosen), key=lambda option: position[option[0]])
            names = [name for name, _ in combo]
            for values in itertools.product(*(values for _, values in combo)):
                changes = dict(zip(names, values, strict=True))
                flipped = _recommend(_with(f, _changed(f.answers, changes)))
                if flipped != current:
                    return (_change(changes, flipped, thresholds),)
    return ()


# --- How firm the verdict is ---

_NUMBER_FIELDS = ("monthly_requests", "prompt_tokens", "labeled_examples")
_FIRM_UP = {
    "monthly_requests": "your monthly volume",
    "prompt_tokens": "your prompt length",
    "labeled_examples": "your count of labeled examples",
}


def _near(value: int, current: int) -> bool:
    """Within 0.8 to 1.25 times the person's value, both ends included; from 0, nothing is."""
    return current > 0 and 0.8 * current <= value <= 1.25 * current


def _strength(f: Facts, changes: tuple[Change, ...]) -> tuple[Strength, str]:
    """borderline or clear, and, when borderline, which answer to firm up, in words."""
    near = [
        name
        for change in changes
        if len(change.changes) == 1
        for name, value in change.changes.items()
        if name in _NUMBER_FIELDS and _near(value, getattr(f.answers, name))
    ]
    if near:
        names = _join([_FIRM_UP[name] for name in dict.fromkeys(near)])
        return "borderline", (
            f"Borderline: an estimate a little off would change the verdict. Firm up {names} "
            "before you commit."
        )
    fired_blockers = [rule for rule in _BLOCKERS if rule.fires(f)]
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
    recommendation = _recommend(facts)
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

    clauses = [r.clause(facts) for r in fired if r.code in _SUMMARY_CODES[recommendation]]
    changes = _what_would_change(facts, recommendation)
    strength, strength_note = _strength(facts, changes)
    return Result(
        recommendation=recommendation,
        strength=strength,
        strength_note=strength_note,
        summary=f"{RECOMMENDATION_LABELS[recommendation]}: {_join(clauses)}.",
        reasons=tuple(Reason(r.code, r.favours, r.explain(facts, recommendation)) for r in fired),
        rows=rows,
        what_would_change=changes,
        engine_version=ENGINE_VERSION,
    )
