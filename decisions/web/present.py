"""A stored decision shaped for people: the result page and the Markdown export.

Both read the stored Decision (its result snapshot and cost panel) through present(), so the page
and the .md export always say the same thing as the .json (Decision.to_dict). No query, no
request, nothing recomputed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from decisions.domain import costs, engine, fields
from decisions.domain.panel import PANEL_VERSION
from decisions.domain.price_sheet import GENAI_PRICES
from decisions.domain.prices import Price
from decisions.models import Decision
from decisions.web import chart

FAVOURS_LABELS: dict[str, str] = {
    engine.PROMPTING: "Points to prompting",
    engine.FINE_TUNING: "Points to fine-tuning",
    engine.HYBRID: "Points to hybrid",
}


@dataclass(frozen=True)
class ShownRow:
    """A tradeoff row with the side its answers favour already worked out for the template."""

    key: str
    dimension: str
    prompting: str
    fine_tuning: str
    favours: str

    @property
    def prompting_favoured(self) -> bool:
        return self.favours == engine.PROMPTING

    @property
    def fine_tuning_favoured(self) -> bool:
        return self.favours == engine.FINE_TUNING

    @property
    def favours_label(self) -> str:
        return engine.RECOMMENDATION_LABELS.get(self.favours, "")


@dataclass(frozen=True)
class ShownReason:
    text: str
    favours: str
    favours_label: str


@dataclass(frozen=True)
class CostFigure:
    """One line of "What it costs": a label, a formatted value and what it is made of."""

    key: str
    label: str
    value: str = ""
    detail: str = ""


@dataclass(frozen=True)
class PriceSource:
    label: str  # "Together AI pricing page"
    url: str


@dataclass(frozen=True)
class PriceDate:
    """A model and the date its prices' source states ("" when it states none)."""

    name: str
    iso: str
    words: str

    @property
    def text(self) -> str:
        if self.iso:
            return f"{self.name} as of {self.words}"
        return f"{self.name} (its source states no date)"


@dataclass(frozen=True)
class ShownCosts:
    """A stored cost panel shaped for people: figures, chart rows, where the prices came from."""

    panel: Mapping[str, object]
    summary: str
    figures: tuple[CostFigure, ...]
    assumptions: str
    price_dates: tuple[PriceDate, ...]  # each model once, with the date its source states
    sources: tuple[PriceSource, ...]
    notes: tuple[str, ...]
    chart_title: str
    chart_caption: str
    chart_headings: tuple[str, ...]
    chart_rows: tuple[TableRow, ...]
    unpriced: str = ""
    # Beside the verdict, when it needs a fine-tuned model that could not be priced.
    warning: ModelWarning | None = None


@dataclass(frozen=True)
class ModelWarning:
    lead: str  # "Check the model first."
    text: str


@dataclass(frozen=True)
class TableRow:
    """A row of the table beside the cost chart, each money cell with its column's heading
    (the table stacks into labelled lines on a phone)."""

    volume_text: str
    cells: tuple[tuple[str, str], ...]
    note: str


def _table_rows(panel: Mapping[str, object]) -> tuple[TableRow, ...]:
    names = chart.headings(panel)
    return tuple(
        TableRow(row.volume_text, tuple(zip(names, row.money_texts, strict=True)), row.note)
        for row in chart.table_for(panel)
    )


NO_PRICE = "No price was available for {models}, so this decision has no cost estimate."
OLD_ESTIMATE = (
    "This estimate was made by an earlier cost model, which compared prompting one model with "
    "fine-tuning another and left out prompt caching; start from these answers for today's "
    "figures."
)


@dataclass(frozen=True)
class Presentation:
    """Everything the page and the Markdown show, computed once from the stored decision."""

    recommendation: str
    label: str
    strength: str  # "clear", "borderline", or "" for decisions made before engine 2.0
    strength_note: str
    title: str
    heading: str  # "Advisor: Fine-tuning for Support triage"
    summary: str
    created: datetime | None
    reasons: tuple[ShownReason, ...]
    rows: tuple[ShownRow, ...]
    changes: tuple[str, ...]
    answers: tuple[fields.AnswerLine, ...]
    url: str
    engine_version: str
    costs: ShownCosts | None = None
    costs_message: str = ""  # why there is no estimate, when costs is None
    hybrid_explanation: str = ""

    @property
    def is_hybrid(self) -> bool:
        return self.recommendation == engine.HYBRID

    @property
    def decided(self) -> str:
        return long_date(self.created)


def heading(label: str, title: str) -> str:
    return f"Advisor: {label} for {title}" if title else f"Advisor: {label}"


def present(decision: Decision, url: str = "") -> Presentation:
    """The stored decision in the shape people read (no query). Tolerates snapshots from older
    engine versions that lack a key: a stored result is shown as it was stored, never
    recomputed. `url` is the absolute link to the result."""
    stored = decision.result
    recommendation = decision.recommendation
    label = engine.RECOMMENDATION_LABELS.get(recommendation, recommendation)
    title = " ".join(decision.title.split())
    shown_costs, costs_message = present_costs(decision, title)
    return Presentation(
        recommendation=recommendation,
        label=label,
        strength=decision.strength,
        strength_note=str(stored.get("strength_note") or ""),
        title=title,
        heading=heading(label, title),
        summary=str(stored.get("summary") or ""),
        created=decision.created,
        reasons=reasons(decision),
        rows=rows(decision),
        changes=changes(decision),
        answers=answers(decision),
        url=url,
        engine_version=decision.engine_version,
        costs=shown_costs,
        costs_message=costs_message,
        hybrid_explanation=(
            _hybrid_explanation(decision) if recommendation == engine.HYBRID else ""
        ),
    )


def answers(decision: Decision) -> tuple[fields.AnswerLine, ...]:
    """Every answer with its question, in words."""
    return tuple(
        fields.answer_lines({name: getattr(decision, name) for name in engine.ANSWER_FIELDS})
    )


def reasons(decision: Decision) -> tuple[ShownReason, ...]:
    return tuple(
        ShownReason(
            text=reason.get("text", ""),
            favours=reason.get("favours", ""),
            favours_label=FAVOURS_LABELS.get(reason.get("favours", ""), ""),
        )
        for reason in decision.result.get("reasons") or ()
    )


def rows(decision: Decision) -> tuple[ShownRow, ...]:
    return tuple(
        ShownRow(
            key=row.get("key", ""),
            dimension=row.get("dimension", ""),
            prompting=row.get("prompting", ""),
            fine_tuning=row.get("fine_tuning", ""),
            favours=row.get("favours", ""),
        )
        for row in decision.result.get("rows") or ()
    )


def changes(decision: Decision) -> tuple[str, ...]:
    """What would change the answer, as sentences."""
    stored = decision.result.get("what_would_change") or ()
    return tuple(_change_in_words(change) for change in stored)


def _change_in_words(change: Mapping[str, object]) -> str:
    """The stored sentence, or one built from the changed answers where a snapshot has none."""
    if change.get("text"):
        return str(change["text"])
    parts = [
        f"{fields.BY_NAME[name].short} {fields.BY_NAME[name].in_words(value)}"
        for name, value in (change.get("changes") or {}).items()
        if name in fields.BY_NAME
    ]
    verdict = str(change.get("recommendation", ""))
    label = engine.RECOMMENDATION_LABELS.get(verdict, verdict)
    return f"With {' and '.join(parts)}, this would be {label}."


def _hybrid_explanation(decision: Decision) -> str:
    """Which hybrid this is: the article's reasoning split, or a fine-tuned model with retrieval."""
    if decision.reasoning == "complex" and decision.small_model != "good_enough":
        return HYBRID_EXPLANATION
    return RETRIEVAL_HYBRID_EXPLANATION


# --- What it costs ---


def present_costs(decision: Decision, title: str = "") -> tuple[ShownCosts | None, str]:
    """The stored cost panel in the shape people read, or None and a plain message saying why
    there is none (no price for the chosen models, or an estimate from an older cost model,
    whose own summary is shown as it was stored). No query and no recomputation."""
    stored = decision.cost_estimate
    if not isinstance(stored, Mapping):
        return None, NO_PRICE.format(models=_chosen_models(decision))
    if stored.get("version") != PANEL_VERSION:
        summary = str(stored.get("summary") or "")
        return None, f"{summary} {OLD_ESTIMATE}".strip()
    prompt, tune = stored.get("prompt_model") or {}, stored.get("tune_model") or {}
    dates = {
        costs.display_name(str(price.get("name", ""))): str(price.get("as_of") or "")
        for price in (prompt, tune)
    }
    return ShownCosts(
        panel=stored,
        summary=str(stored.get("summary") or ""),
        figures=tuple(
            CostFigure(
                key=str(figure.get("key", "")),
                label=str(figure.get("label", "")),
                value=str(figure.get("value", "")),
                detail=str(figure.get("detail", "")),
            )
            for figure in stored.get("figures") or ()
        ),
        assumptions=str(stored.get("assumptions") or ""),
        price_dates=tuple(
            PriceDate(name, iso, costs.date_words(iso)) for name, iso in dates.items()
        ),
        sources=_sources(prompt, tune),
        notes=_price_notes(prompt, tune, str(stored.get("horizon_reason") or "")),
        chart_title=f"Monthly cost by volume: {title}" if title else "Monthly cost by volume",
        chart_caption=_chart_caption(stored),
        chart_headings=tuple(chart.headings(stored)),
        chart_rows=_table_rows(stored),
        unpriced=str(stored.get("unpriced") or ""),
        warning=_model_warning(decision.recommendation, stored),
    ), ""


def _model_warning(recommendation: str, panel: Mapping[str, object]) -> ModelWarning | None:
    """Why a verdict needing a fine-tuned model has no fine-tuning figures: no new customer can
    fine-tune the model (the panel's words), or the sheet has no fine-tuning price for it."""
    unpriced = str(panel.get("unpriced") or "")
    if recommendation == "prompting" or not unpriced:
        return None
    try:
        tune = Price(**panel["tune_model"])  # type: ignore[arg-type]
        today = datetime.fromisoformat(str(panel["today"])).date()
    except (KeyError, TypeError, ValueError):
        return ModelWarning("Check the model first.", unpriced)
    if not tune.open_but_unpriced_on(today):
        return ModelWarning("Check the model first.", unpriced)
    return ModelWarning(
        "Fine-tuning is not priced.",
        f"The price sheet has no fine-tuning price for {costs.display_name(tune.name)}, so this "
        f"verdict rests on quality alone, not on cost: check {tune.provider or 'the provider'}'s "
        "fine-tuning prices before you commit.",
    )


def _chart_caption(panel: Mapping[str, object]) -> str:
    if panel.get("unpriced"):
        lines = "Only prompting is drawn: fine-tuning could not be priced"
    else:
        months = costs.format_months(panel.get("horizon_months") or 12)
        lines = (
            "The fine-tuned line includes hosting, retraining and its one-off cost spread over "
            f"{months}, so it crosses the line it must beat where fine-tuning starts to pay back"
        )
    return f"Both scales are logarithmic. {lines}; the table below gives the same numbers."


def _chosen_models(decision: Decision) -> str:
    chosen = (decision.prompt_model, decision.tune_model)
    names = list(dict.fromkeys(name for name in chosen if name))
    return " and ".join(names) if names else "the chosen models"


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`\\]+")


def _sources(*prices: Mapping[str, object]) -> tuple[PriceSource, ...]:
    """Where each price and each fine-tuning status came from, once per address; only plain web
    addresses are linked."""
    found: dict[str, PriceSource] = {}
    for price in prices:
        provider = str(price.get("provider") or price.get("name") or "Provider")
        for key, kind in (("source_url", "prices"), ("fine_tuning_source", "fine-tuning")):
            url = str(price.get(key) or "").strip()
            if url and url not in found and _WEB_ADDRESS.fullmatch(url):
                # The package's page serves every provider it lists: named for itself, not
                # for the first provider that cites it.
                label = "the genai-prices package" if url == GENAI_PRICES else f"{provider} {kind}"
                found[url] = PriceSource(label, url)
    return tuple(found.values())


def _price_notes(
    prompt: Mapping[str, object], tune: Mapping[str, object], horizon_reason: str
) -> tuple[str, ...]:
    notes = [str(price.get("note") or "").strip() for price in (prompt, tune)]
    return tuple(dict.fromkeys(note for note in (*notes, horizon_reason) if note))


def long_date(moment: datetime | None) -> str:
    """'14 March 2025 at 09:30 UTC'."""
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y at %H:%M} {moment.tzname() or 'UTC'}"


HYBRID_EXPLANATION = (
    "Most mature production deployments use both: a large reasoning model, used as-is with a "
    "detailed prompt, does the reasoning and task adaptation; a smaller fine-tuned model handles "
    "the final structured output step, consistently and at a fraction of the cost."
)

RETRIEVAL_HYBRID_EXPLANATION = (
    "A fine-tuned model carries the stable behaviour the task needs, and retrieval supplies the "
    "facts that change: current facts are fetched at call time and put into the fine-tuned "
    "model's prompt, since training freezes what a model knows."
)

CLEAR = "Clear: none of your numbers sits near a point where the verdict would change."
CHANGES_KEEP_FIGURES = (
    "These changes keep today's cost figures; a real change would move the figures too."
)
