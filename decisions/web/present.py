"""A stored decision shaped for people: the result page and the Markdown export.

Both read the one JSON payload (serializers.decision_payload), so the page, the .json and the .md
exports always say the same thing. Pure functions: no database, no request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from decisions.domain import costs, engine, fields
from decisions.domain.panel import PANEL_VERSION
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
    """Everything the page and the Markdown show, computed once from the payload."""

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


def _created(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def present(payload: Mapping[str, object]) -> Presentation:
    """The payload in the shape people read. Tolerates snapshots from older engine versions that
    lack a key: a stored result is shown as it was stored, never recomputed."""
    recommendation = str(payload.get("recommendation", ""))
    label = engine.RECOMMENDATION_LABELS.get(recommendation, recommendation)
    title = " ".join(str(payload.get("title") or "").split())
    answers = payload.get("answers") or {}
    shown_costs, costs_message = present_costs(
        payload.get("costs"), payload.get("cost_details"), title
    )
    return Presentation(
        recommendation=recommendation,
        label=label,
        strength=str(payload.get("strength") or ""),
        strength_note=str(payload.get("strength_note") or ""),
        title=title,
        heading=heading(label, title),
        summary=str(payload.get("summary") or ""),
        created=_created(payload.get("created")),
        reasons=tuple(
            ShownReason(
                text=reason["text"],
                favours=reason["favours"],
                favours_label=FAVOURS_LABELS.get(reason["favours"], ""),
            )
            for reason in payload.get("reasons") or ()
        ),
        rows=tuple(
            ShownRow(
                key=row["key"],
                dimension=row["dimension"],
                prompting=row["prompting"],
                fine_tuning=row["fine_tuning"],
                favours=row["favours"],
            )
            for row in payload.get("rows") or ()
        ),
        changes=tuple(change["text"] for change in payload.get("what_would_change") or ()),
        answers=tuple(fields.answer_lines(answers)),
        url=str(payload.get("url") or ""),
        engine_version=str(payload.get("engine_version") or ""),
        costs=shown_costs,
        costs_message=costs_message,
        hybrid_explanation=_hybrid_explanation(answers) if recommendation == engine.HYBRID else "",
    )


def _hybrid_explanation(answers: Mapping[str, object]) -> str:
    """Which hybrid this is: the article's reasoning split, or a fine-tuned model with retrieval."""
    if answers.get("reasoning") == "complex" and answers.get("small_model") != "good_enough":
        return HYBRID_EXPLANATION
    return RETRIEVAL_HYBRID_EXPLANATION


# --- What it costs ---


def present_costs(
    stored: object, details: object, title: str = ""
) -> tuple[ShownCosts | None, str]:
    """The stored cost panel in the shape people read, or None and a plain message saying why
    there is none (no price for the chosen models, or an estimate from an older cost model,
    whose own summary is shown as it was stored). No query and no recomputation."""
    if not isinstance(stored, Mapping):
        return None, NO_PRICE.format(models=_chosen_models(details))
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
    ), ""


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


def _chosen_models(details: object) -> str:
    if not isinstance(details, Mapping):
        return "the chosen models"
    names = [
        str(details[name]) for name in ("prompt_model", "tune_model") if details.get(name)
    ]
    if not names:
        return "the chosen models"
    names = list(dict.fromkeys(names))
    return " and ".join(names) if len(names) > 1 else names[0]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


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
                found[url] = PriceSource(f"{provider} {kind}", url)
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


# --- Markdown ---

# Characters that could start Markdown or HTML inside a line; escaping any ASCII punctuation is
# always valid CommonMark, so a title like "*Ops* <b>" stays text in a design doc.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!])")


def escape(text: str) -> str:
    """Inline Markdown text: specials escaped and line breaks folded, so nothing breaks out."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(rows: tuple[ShownRow, ...]) -> list[str]:
    lines = [
        "| Dimension | Prompting | Fine-tuning | Your answers favour |",
        "|---|---|---|---|",
    ]
    for row in rows:
        cells = (row.dimension, row.prompting, row.fine_tuning, row.favours_label)
        lines.append("| " + " | ".join(escape(cell) for cell in cells) + " |")
    return lines


def markdown(payload: Mapping[str, object]) -> str:
    """The decision as Markdown for a design doc: verdict, reasons, tradeoffs, what would change,
    the answers in words and the link back."""
    shown = present(payload)
    lines = [f"# {escape(shown.heading)}", ""]
    lines.append(f"**Recommendation: {escape(shown.label)}**")
    lines.append("")
    if shown.strength_note:
        lines += [escape(shown.strength_note), ""]
    elif shown.strength == "clear":
        lines += [escape(CLEAR), ""]
    if shown.summary:
        lines += [escape(shown.summary), ""]
    decided = long_date(shown.created)
    if decided:
        version = f" (rules version {escape(shown.engine_version)})" if shown.engine_version else ""
        lines += [f"Decided on {decided}{version}.", ""]

    lines += ["## Why", ""]
    lines += [f"- {escape(reason.text)}" for reason in shown.reasons] or ["- No reasons recorded."]
    lines.append("")

    lines += _costs_markdown(shown)

    lines += ["## The tradeoffs that bear on these answers", ""]
    if shown.rows:
        lines += _table(shown.rows)
    else:
        lines.append("No row of the tradeoff table bears directly on these answers.")
    lines.append("")

    lines += ["## What would change the answer", ""]
    if shown.changes:
        lines += [f"- {escape(text)}" for text in shown.changes]
        if shown.costs:
            lines += ["", escape(CHANGES_KEEP_FIGURES)]
    else:
        lines.append("No change to these answers would give another recommendation.")
    lines.append("")

    if shown.is_hybrid:
        lines += ["## How the hybrid split works", "", escape(shown.hybrid_explanation), ""]

    lines += ["## The answers", ""]
    lines += [f"- {escape(line.question.label)} **{escape(line.words)}**" for line in shown.answers]
    lines.append("")

    if shown.url:
        lines += ["## Link", "", f"<{shown.url}>", ""]
    return "\n".join(lines)


def _costs_markdown(shown: Presentation) -> list[str]:
    """What it costs: the summary, the figures, the chart's numbers as a table, the prices' date."""
    lines = ["## What it costs", ""]
    shown_costs = shown.costs
    if shown_costs is None:
        return [*lines, escape(shown.costs_message), ""]
    lines += [escape(shown_costs.summary), ""]
    for figure in shown_costs.figures:
        detail = f" {escape(figure.detail)}" if figure.detail else ""
        lines.append(f"- {escape(figure.label)}: **{escape(figure.value)}**.{detail}")
    lines += ["", escape(shown_costs.assumptions), ""]
    lines += ["Monthly cost by volume:", ""]
    headings = ("Requests a month", *shown_costs.chart_headings, "Marked in the chart")
    lines.append("| " + " | ".join(escape(text) for text in headings) + " |")
    lines.append("|" + "---:|" * (len(headings) - 1) + "---|")
    for row in shown_costs.chart_rows:
        cells = (row.volume_text, *(text for _, text in row.cells), row.note)
        lines.append("| " + " | ".join(escape(cell) for cell in cells) + " |")
    lines.append("")
    lines += [_prices_line(shown_costs), ""]
    lines += [line for note in shown_costs.notes for line in (escape(note), "")]
    return lines


def _prices_line(shown_costs: ShownCosts) -> str:
    text = (
        f"Prices: {escape('; '.join(date.text for date in shown_costs.price_dates))}. Check the "
        "provider's page before relying on these figures"
    )
    if shown_costs.sources:
        text += ": " + ", ".join(f"<{source.url}>" for source in shown_costs.sources)
    return text + "."


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
