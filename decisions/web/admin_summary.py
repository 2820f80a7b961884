"""What a lead reviewing past decisions sees at a glance: answers in ranges a person thinks in,
each decision's "why" in a few words, its stored monthly costs, and the counts behind the
overview page. Reads only what was stored with each decision; recomputes nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from decisions.domain import engine
from decisions.domain.money import format_months
from decisions.domain.panel import PANEL_VERSION


@dataclass(frozen=True)
class Band:
    """A range of one numeric answer: lowest <= value < below (no upper end when None)."""

    slug: str
    label: str
    lowest: int
    below: int | None = None

    def q(self, field: str) -> Q:
        q = Q(**{f"{field}__gte": self.lowest})
        return q if self.below is None else q & Q(**{f"{field}__lt": self.below})

    def holds(self, value: int) -> bool:
        return value >= self.lowest and (self.below is None or value < self.below)


VOLUME_BANDS = (
    Band("under-100k", "Under 100k a month", 0, 100_000),
    Band("100k-1m", "100k to 1M a month", 100_000, 1_000_000),
    Band("1m-10m", "1M to 10M a month", 1_000_000, 10_000_000),
    Band("over-10m", "10M or more a month", 10_000_000),
)
# The engine's own threshold is the first edge: fewer than MIN_EXAMPLES is too few to train on.
EXAMPLE_BANDS = (
    Band("under-100", f"Under {engine.MIN_EXAMPLES:,}", 0, engine.MIN_EXAMPLES),
    Band("100-1000", f"{engine.MIN_EXAMPLES:,} to 1,000", engine.MIN_EXAMPLES, 1_000),
    Band("over-1000", "1,000 or more", 1_000),
)
# From LONG_PROMPT tokens a prompt is long enough to slow a latency-critical path.
PROMPT_BANDS = (
    Band("short", f"Under {engine.LONG_PROMPT:,} tokens", 0, engine.LONG_PROMPT),
    Band("long", f"{engine.LONG_PROMPT:,} to 10,000 tokens", engine.LONG_PROMPT, 10_000),
    Band("very-long", "10,000 tokens or more", 10_000),
)

# Each rule of the engine in a few words, for the list's "why" column and the overview's table.
# Version 1 decisions may carry a code no rule has any more (high_volume).
REASON_WORDS: dict[str, str] = {
    **{rule.code: rule.short for rule in engine.RULES},
    "high_volume": "High volume (rules 1.x)",  # a rule of engine 1.x, in decisions made then
}


def reason_words(code: str) -> str:
    return REASON_WORDS.get(code) or code.replace("_", " ").capitalize()


def with_reason(decisions: QuerySet, code: str) -> QuerySet:
    """The decisions that gave this reason (one query to find them, read from each stored
    result: portable to SQLite, which cannot look inside a JSON list)."""
    reasons = decisions.order_by().values_list("pk", "result__reasons")
    found = [pk for pk, stored in reasons.iterator()
             if code in reason_codes({"reasons": stored or []})]
    return decisions.filter(pk__in=found)


def reason_codes(result: Mapping) -> list[str]:
    """The codes of a stored result's reasons, in the engine's order."""
    return [r.get("code", "") for r in result.get("reasons", []) if r.get("code")]


def is_v2_panel(panel: Mapping | None) -> bool:
    return bool(panel) and panel.get("version") == PANEL_VERSION


def payback_months(panel: Mapping | None) -> float | None:
    """Months for fine-tuning to pay back, from a stored cost panel, when it pays back."""
    if not is_v2_panel(panel) or not panel.get("pays_back"):
        return None
    return panel.get("payback_months")


def why(result: Mapping, panel: Mapping | None) -> str:
    """A decision's reasons in a few words: "Pays back in 5.6 months; Strict schema"."""
    parts = []
    # A hybrid claims no saving: its fine-tuned model would pay back only if it replaced
    # prompting, which in the hybrid it does not.
    hybrid = result.get("recommendation") == engine.HYBRID
    for code in reason_codes(result):
        words = reason_words(code)
        months = payback_months(panel) if code == "pays_back" else None
        if code == "pays_back" and hybrid:
            parts.append("Would pay back alone, not in the hybrid")
        elif months is not None:
            parts.append(f"{words} in {format_months(months)}")
        else:
            parts.append(words)
    if not parts:
        reasons = result.get("reasons") or [{}]
        return reasons[0].get("text", "") or "No reason stored"
    return "; ".join(parts)


COST_KEYS = ("A", "B", "C")


def monthly_costs(panel: Mapping | None) -> dict[str, float | None]:
    """Each option's monthly cost at the decision's volume (None where not priced or no volume)."""
    costs: dict[str, float | None] = dict.fromkeys(COST_KEYS)
    if is_v2_panel(panel):
        for option in panel.get("options", []):
            if option.get("key") in costs:
                costs[option["key"]] = option.get("monthly")
    return costs


def break_even_volume(panel: Mapping | None) -> int | None:
    return panel.get("break_even_volume") if is_v2_panel(panel) else None


# --- The overview page ---


@dataclass(frozen=True)
class Month:
    """Decisions made in one calendar month, by verdict (in Recommendation order)."""

    start: datetime.date
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"


VERDICTS = tuple(engine.RECOMMENDATION_LABELS)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def per_month(decisions: QuerySet) -> list[Month]:
    """Decisions per calendar month (UTC) by verdict, every month from the first to the last
    shown, empty ones included (one query)."""
    rows = (
        decisions.order_by()
        .annotate(month=TruncMonth("created"))
        .values("month", "recommendation")
        .annotate(count=Count("id"))
    )
    counts: dict[datetime.date, Counter] = {}
    for row in rows:
        counts.setdefault(row["month"].date(), Counter())[row["recommendation"]] += row["count"]
    if not counts:
        return []
    months, month, last = [], min(counts), max(counts)
    while month <= last:
        found = counts.get(month, Counter())
        months.append(Month(month, tuple(found[verdict] for verdict in VERDICTS)))
        month = _next_month(month)
    return months


@dataclass(frozen=True)
class ReasonCount:
    code: str
    count: int

    @property
    def words(self) -> str:
        return reason_words(self.code)


def top_reasons(decisions: QuerySet, limit: int = 10) -> list[ReasonCount]:
    """The reasons given most often, most common first (one query; reads each stored result)."""
    counter: Counter = Counter()
    reasons = decisions.order_by().values_list("result__reasons", flat=True)
    for stored in reasons.iterator():
        counter.update(set(reason_codes({"reasons": stored or []})))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [ReasonCount(code, count) for code, count in ranked[:limit]]
