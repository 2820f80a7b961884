"""The rule table of DESIGN.md section 3, the facts the rules look at, and the procedure that
turns the fired rules into a verdict.

Plain Python with no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from decisions.domain import reasons
from decisions.domain.economics import Economics
from decisions.domain.fields import BY_NAME, FINE_TUNING, HYBRID, PROMPTING
from decisions.domain.money import format_months

if TYPE_CHECKING:
    from decisions.domain.engine import Answers

MIN_EXAMPLES = 100  # the article's "hundreds" of labeled examples
LONG_PROMPT = 1_000  # tokens: below this a prompt adds too little input to matter for latency

Recommendation = Literal["prompting", "fine_tuning", "hybrid"]
Favours = Literal["prompting", "fine_tuning", "hybrid"]

# Rule kinds, in the order the procedure consults them.
BLOCKER = "blocker"
SIGNAL = "signal"
HYBRID_TRIGGER = "hybrid_trigger"
DEFAULT = "default"
NOTE = "note"  # a reason that never changes the recommendation


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

    @property
    def long_prompt(self) -> bool:
        return self.answers.prompt_tokens >= LONG_PROMPT

    def pays_back(self) -> bool:
        e, a = self.economics, self.answers
        return (
            e is not None
            and a.monthly_requests >= 1
            and e.pays_back(a.monthly_requests, e.baseline(a.small_model))
        )

    def strict_format(self) -> bool:
        return self.answers.output_format == "strict" and not self.small_good_enough

    def latency_critical(self) -> bool:
        critical = self.answers.latency == "critical"
        return critical and self.long_prompt and not self.small_good_enough


# --- The rule table ---


@dataclass(frozen=True)
class Rule:
    """One row of DESIGN.md's rule table.

    `reads` names the answers `fires` looks at (the what-would-change search relies on it, and a
    test checks it). `explain` gets the verdict too, because trigger and note reasons are listed
    in every outcome and must make sense in each. `clause` is the rule's part of the summary.
    """

    code: str
    short: str  # the reason in a few words, for the admin's "why" column
    kind: str
    rows: tuple[str, ...]
    favours: Favours
    reads: tuple[str, ...]
    fires: Callable[[Facts], bool]
    explain: Callable[[Facts, str], str]
    clause: Callable[[Facts], str]


# Plain loops rather than any() over a generator: recommend() runs them for every candidate the
# what-would-change search tries, and a generator costs more than the tests it runs.
def _blocker_fired(f: Facts) -> bool:
    for rule in BLOCKERS:  # noqa: SIM110
        if rule.fires(f):
            return True
    return False


def _signal_fired(f: Facts) -> bool:
    for rule in _SIGNALS_CHEAPEST_FIRST:  # noqa: SIM110
        if rule.fires(f):
            return True
    return False


RULES: tuple[Rule, ...] = (
    Rule(
        code="few_examples",
        short="Too few examples",
        kind=BLOCKER,
        rows=("data_required",),
        favours=PROMPTING,
        reads=("labeled_examples",),
        fires=lambda f: f.answers.labeled_examples < MIN_EXAMPLES,
        explain=lambda f, _: (
            "You have no labeled examples yet, so there is nothing to train on; a prompt works "
            "with none."
            if f.answers.labeled_examples == 0
            else f"You have {reasons.examples(f.answers)}: too few to beat a prompt that carries "
            f"{'it' if f.answers.labeled_examples == 1 else 'them'}. Providers accept as few as "
            "10, but gains from fine-tuning usually show from 50 "
            "to 100 good examples, and grow with hundreds."
        ),
        clause=lambda f: (
            "you have no labeled examples yet"
            if f.answers.labeled_examples == 0
            else f"you have {reasons.examples(f.answers)}, too few to beat a prompt that "
            f"carries {'it' if f.answers.labeled_examples == 1 else 'them'}"
        ),
    ),
    Rule(
        code="changes_often",
        short="Changes often",
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
        short="Still exploring",
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
        short="Pays back",
        kind=SIGNAL,
        rows=("inference_cost",),
        favours=FINE_TUNING,
        reads=("monthly_requests", "small_model"),
        fires=Facts.pays_back,
        explain=reasons.pays_back,
        clause=lambda f: (
            f"it pays back within {format_months(f.economics.horizon_months)} at "
            f"{reasons.volume_words(f.answers.monthly_requests)}"
        ),
    ),
    Rule(
        code="strict_format",
        short="Strict schema",
        kind=SIGNAL,
        rows=("consistency",),
        favours=FINE_TUNING,
        reads=("output_format", "small_model"),
        fires=Facts.strict_format,
        explain=lambda f, _: (
            "Your output must match an exact schema every time. Structured outputs "
            "(schema-constrained decoding) already guarantee valid syntax from a prompted model; "
            "fine-tuning makes the values inside the schema more consistent."
        ),
        clause=lambda f: "your output must match an exact schema every time",
    ),
    Rule(
        code="domain_language",
        short="Domain language",
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
        short="Latency-critical",
        kind=SIGNAL,
        rows=("latency",),
        favours=FINE_TUNING,
        reads=("latency", "prompt_tokens", "small_model"),
        fires=Facts.latency_critical,
        explain=lambda f, _: (
            f"Your feature is on a latency-critical path and sends a "
            f"{f.answers.prompt_tokens:,}-token prompt with every call; a fine-tuned model needs "
            "only a short instruction, so each call sends fewer input tokens and answers sooner."
        ),
        clause=lambda f: "a long prompt slows your latency-critical path",
    ),
    Rule(
        code="fresh_knowledge",
        short="Needs fresh facts",
        kind=HYBRID_TRIGGER,
        rows=("knowledge_cutoff",),
        favours=PROMPTING,
        reads=("fresh_knowledge",),
        fires=lambda f: f.answers.fresh_knowledge,
        explain=reasons.fresh_knowledge,
        clause=lambda f: "your answers need facts fetched at call time",
    ),
    Rule(
        code="complex_reasoning",
        short="Complex reasoning",
        kind=HYBRID_TRIGGER,
        rows=(),
        favours=HYBRID,
        reads=("reasoning",),
        fires=lambda f: f.answers.reasoning == "complex",
        explain=reasons.complex_reasoning,
        clause=lambda f: "a large prompted model does the multi-step reasoning",
    ),
    Rule(
        code="prompting_default",
        short="Nothing calls for fine-tuning",
        kind=DEFAULT,
        rows=("setup_cost", "updateability"),
        favours=PROMPTING,
        reads=tuple(n for n in BY_NAME if n not in ("fresh_knowledge", "reasoning")),
        fires=lambda f: not _blocker_fired(f) and not _signal_fired(f),
        explain=reasons.prompting_default,
        clause=lambda f: "nothing in your answers calls for fine-tuning",
    ),
    Rule(
        code="costs_more",
        short="Would not pay back",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=("monthly_requests", "small_model"),
        fires=lambda f: f.economics is not None and not f.pays_back(),
        explain=reasons.costs_more,
        # Quoted in a fine-tuning summary only: the verdict then rests on quality, and says so.
        clause=lambda f: (
            "it is chosen for quality, not savings: it does not pay back at your volume"
            if f.answers.monthly_requests
            else "it is chosen for quality, not savings: with no volume yet, it cannot pay back"
        ),
    ),
    Rule(
        code="try_small_first",
        short="Try the small model first",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=("small_model",),
        fires=lambda f: (
            f.economics is not None
            and f.answers.small_model == "not_tried"
            and f.economics.small_prompted_per_request < f.economics.prompted_per_request
        ),
        explain=reasons.try_small_first,
        clause=lambda f: "try prompting the smaller model first",
    ),
    Rule(
        code="reasoning_stays_large",
        short="Reasoning stays large",
        kind=NOTE,
        rows=(),
        favours=PROMPTING,
        reads=tuple(n for n in BY_NAME if n != "fresh_knowledge"),
        fires=lambda f: (
            not _blocker_fired(f)
            and _signal_fired(f)
            and f.answers.reasoning == "complex"
            and not f.small_good_enough
            and not f.strict_format()
        ),
        explain=reasons.reasoning_stays_large,
        clause=lambda f: (
            "the multi-step reasoning stays with the large model, since the small model "
            + ("falls short" if f.answers.small_model == "falls_short" else "is not yet shown")
            + " and a fine-tuned output step would not help"
        ),
    ),
)

BLOCKERS = tuple(rule for rule in RULES if rule.kind == BLOCKER)
SIGNALS = tuple(rule for rule in RULES if rule.kind == SIGNAL)
# The tests have no side effects, so their order only changes how soon _signal_fired can stop:
# the pay-back test, the one with arithmetic, goes last.
_SIGNALS_CHEAPEST_FIRST = tuple(sorted(SIGNALS, key=lambda rule: rule.code == "pays_back"))

# Which fired rules the one-sentence summary quotes, for each verdict.
SUMMARY_CODES: dict[str, tuple[str, ...]] = {
    PROMPTING: (
        *(rule.code for rule in BLOCKERS), "prompting_default", "reasoning_stays_large"
    ),
    FINE_TUNING: (*(rule.code for rule in SIGNALS), "costs_more"),
    # A hybrid claims no saving, so its summary quotes the quality signals, never pays_back.
    HYBRID: (
        *(rule.code for rule in SIGNALS if rule.code != "pays_back"),
        "fresh_knowledge",
        "complex_reasoning",
    ),
}


def recommend(f: Facts) -> Recommendation:
    """The procedure of DESIGN section 3, and nothing else: cheap enough for every candidate."""
    if _blocker_fired(f) or not _signal_fired(f):
        return PROMPTING
    return _signalled(f)


# The blockers and the signals that read each answer, signals cheapest first.
_BLOCKERS_READING = {name: tuple(r for r in BLOCKERS if name in r.reads) for name in BY_NAME}
_SIGNALS_READING = {
    name: tuple(r for r in _SIGNALS_CHEAPEST_FIRST if name in r.reads) for name in BY_NAME
}


def recommend_with_one_change(f: Facts, name: str, other_signal: bool) -> Recommendation:
    """recommend(f) for facts that differ from ones already judged in the answer `name` alone,
    where every blocker that fired reads `name`, and `other_signal` says whether a signal that
    does not read `name` fired. A rule that does not read `name` fires as it did, so only the
    rules that read it are tested: the what-would-change search tries dozens of such facts."""
    for rule in _BLOCKERS_READING[name]:
        if rule.fires(f):
            return PROMPTING
    if not other_signal:
        for rule in _SIGNALS_READING[name]:
            if rule.fires(f):
                break
        else:
            return PROMPTING
    return _signalled(f)


def _signalled(f: Facts) -> Recommendation:
    """The procedure's verdict once no blocker fired and a signal did."""
    if f.answers.reasoning == "complex" and not f.small_good_enough:
        return HYBRID if f.strict_format() else PROMPTING
    if f.answers.fresh_knowledge:
        return HYBRID
    return FINE_TUNING

