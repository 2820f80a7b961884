"""The decision engine, version 2.0: a team's Answers and Economics in, a Result out (DESIGN.md
section 3).

Plain Python with no Django import. Views, the API and the exports call decide() and show what
it returns; nothing else decides anything. The volume question is settled by the person's own
cost figures (Economics, made by costs.py), never by a fixed threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal

from decisions.domain.changes import Change as Change  # re-exported: engine.Change
from decisions.domain.changes import what_would_change
from decisions.domain.economics import Economics
from decisions.domain.fields import BY_NAME, RECOMMENDATION_CHOICES
from decisions.domain.fields import FINE_TUNING as FINE_TUNING  # re-exported: engine.FINE_TUNING
from decisions.domain.fields import HYBRID as HYBRID
from decisions.domain.fields import PROMPTING as PROMPTING
from decisions.domain.question import COUNT, CheckedFields, InvalidFields, Question
from decisions.domain.question import NON_FIELD_ERRORS as NON_FIELD_ERRORS  # re-exported
from decisions.domain.reasons import join
from decisions.domain.rules import BLOCKER, RULES, SUMMARY_CODES, Facts, Favours, Rule, recommend
from decisions.domain.rules import LONG_PROMPT as LONG_PROMPT  # re-exported: engine.LONG_PROMPT
from decisions.domain.rules import MIN_EXAMPLES as MIN_EXAMPLES
from decisions.domain.rules import Recommendation as Recommendation
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


# Reason, Row and Result set their fields in __dict__, in field order: a frozen dataclass's
# generated __init__ calls object.__setattr__ once per field, and decide() makes a dozen of
# these. as_dict() copies those __dict__s.


@dataclass(frozen=True)
class Reason:
    code: str
    favours: Favours
    text: str

    def __init__(self, code: str, favours: Favours, text: str) -> None:
        self.__dict__.update(code=code, favours=favours, text=text)


@dataclass(frozen=True)
class Row:
    key: str
    dimension: str
    prompting: str
    fine_tuning: str
    favours: Favours

    def __init__(
        self, key: str, dimension: str, prompting: str, fine_tuning: str, favours: Favours
    ) -> None:
        self.__dict__.update(
            key=key, dimension=dimension, prompting=prompting, fine_tuning=fine_tuning,
            favours=favours,
        )


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

    def __init__(
        self,
        recommendation: Recommendation,
        strength: Strength,
        strength_note: str,
        summary: str,
        reasons: tuple[Reason, ...],
        rows: tuple[Row, ...],
        what_would_change: tuple[Change, ...],
        engine_version: str,
    ) -> None:
        self.__dict__.update(
            recommendation=recommendation, strength=strength, strength_note=strength_note,
            summary=summary, reasons=reasons, rows=rows, what_would_change=what_would_change,
            engine_version=engine_version,
        )

    def as_dict(self) -> dict[str, object]:
        """The one JSON-ready shape the API and the exports return."""
        return {
            **self.__dict__,
            "reasons": [dict(reason.__dict__) for reason in self.reasons],
            "rows": [dict(row.__dict__) for row in self.rows],
            "what_would_change": [
                {**change.__dict__, "changes": dict(change.changes)}
                for change in self.what_would_change
            ],
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
    changes = what_would_change(facts, recommendation, fired)
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
