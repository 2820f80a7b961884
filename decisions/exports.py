"""A stored decision shaped for people: the result page and the Markdown export.

Both read the one JSON payload (serializers.decision_payload), so the page, the .json and the .md
exports always say the same thing. Pure functions: no database, no request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from decisions import cost_chart, costs, engine, questions

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
    """One line of "What it costs": a formatted value, or the reason there is none."""

    key: str
    label: str
    value: str = ""
    detail: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PriceSource:
    label: str  # "OpenAI pricing page"
    url: str


@dataclass(frozen=True)
class ShownCosts:
    """A stored cost estimate shaped for people: figures, chart rows, where the prices came from."""

    estimate: costs.CostEstimate
    summary: str
    figures: tuple[CostFigure, ...]
    assumptions: str
    price_as_of: str  # ISO date, for <time datetime>
    price_as_of_words: str  # "1 June 2025"
    model_names: str  # "gpt-4.1 and gpt-4.1-mini"
    sources: tuple[PriceSource, ...]
    notes: tuple[str, ...]
    chart_title: str
    chart_caption: str
    chart_rows: tuple[cost_chart.ChartRow, ...]
    prompting_heading: str
    fine_tuned_heading: str


NO_PRICE = "No price was available for {models}, so this decision has no cost estimate."
UNREADABLE = "The cost estimate stored with this decision could not be read."


@dataclass(frozen=True)
class Presentation:
    """Everything the page and the Markdown show, computed once from the payload."""

    recommendation: str
    label: str
    title: str
    heading: str  # "Advisor: Fine-tuning for Support triage"
    summary: str
    created: datetime | None
    reasons: tuple[ShownReason, ...]
    rows: tuple[ShownRow, ...]
    changes: tuple[str, ...]
    answers: tuple[questions.AnswerLine, ...]
    url: str
    engine_version: str
    costs: ShownCosts | None = None
    costs_message: str = ""  # why there is no estimate, when costs is None

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
        answers=tuple(questions.answer_lines(answers)),
        url=str(payload.get("url") or ""),
        engine_version=str(payload.get("engine_version") or ""),
        costs=shown_costs,
        costs_message=costs_message,
    )


# --- What it costs ---


def rebuild_estimate(stored: Mapping[str, object]) -> costs.CostEstimate:
    """The CostEstimate behind a stored CostEstimate.as_dict(), from its own inputs and prices
    (no query: the snapshot, not today's price sheet, is what the decision was given).
    Raises ValueError when the snapshot cannot be read."""
    try:
        return costs.estimate(
            costs.CostInputs(**stored["inputs"]),
            costs.Price(**stored["prompt_model"]),
            costs.Price(**stored["tune_model"]),
        )
    except (KeyError, TypeError, ArithmeticError) as error:
        raise ValueError(f"Unreadable cost estimate: {error!r}") from error


def present_costs(
    stored: object, details: object, title: str = ""
) -> tuple[ShownCosts | None, str]:
    """The stored estimate in the shape people read, or None and a plain message saying why
    there is none (no price for the chosen models, or a snapshot that cannot be read)."""
    if not isinstance(stored, Mapping):
        return None, NO_PRICE.format(models=_chosen_models(details))
    try:
        est = rebuild_estimate(stored)
    except ValueError:  # InvalidCostInputs is a ValueError too
        return None, UNREADABLE
    prompt, tune = est.prompt_model, est.tune_model
    return ShownCosts(
        estimate=est,
        summary=est.summary(),
        figures=_figures(est),
        assumptions=_assumptions(est.inputs),
        price_as_of=est.price_as_of,
        price_as_of_words=_date_words(est.price_as_of),
        model_names=prompt.name if prompt.name == tune.name else f"{prompt.name} and {tune.name}",
        sources=_sources(prompt, tune),
        notes=tuple(dict.fromkeys(note for note in (prompt.note, tune.note) if note.strip())),
        chart_title=f"Monthly cost by volume: {title}" if title else "Monthly cost by volume",
        chart_caption=_chart_caption(est),
        chart_rows=tuple(cost_chart.table_for(est)),
        prompting_heading=f"Prompting {prompt.name}, a month",
        fine_tuned_heading=f"Fine-tuned {tune.name}, a month",
    ), ""


def _chart_caption(est: costs.CostEstimate) -> str:
    lines = "The solid line is prompting, the dashed line fine-tuning"
    if est.fine_tuned_per_request is None:
        lines = "Only prompting is drawn: there is no fine-tuning price"
    return (
        f"Both scales are logarithmic. {lines}; the table below gives the same numbers."
    )


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


def _money_a_month(value: Decimal) -> str:
    return f"{costs.format_money(value)} a month"


def _figures(est: costs.CostEstimate) -> tuple[CostFigure, ...]:
    reasons = est.reasons
    inputs = est.inputs
    figures = [
        CostFigure(
            "prompting_monthly",
            f"Prompting {est.prompt_model.name}",
            _money_a_month(est.prompting_monthly),
            f"{costs.format_money(est.prompting_per_request)} a request",
        )
    ]
    if est.fine_tuned_monthly is None or est.fine_tuned_per_request is None:
        figures.append(
            CostFigure(
                "fine_tuned_monthly", f"Fine-tuned {est.tune_model.name}",
                reason=reasons.get("fine_tuned_monthly", ""),
            )
        )
    else:
        detail = f"{costs.format_money(est.fine_tuned_per_request)} a request"
        if est.hosting_monthly:
            detail += f", plus {costs.format_money(est.hosting_monthly)} a month for hosting"
        figures.append(
            CostFigure(
                "fine_tuned_monthly", f"Fine-tuned {est.tune_model.name}",
                _money_a_month(est.fine_tuned_monthly), detail,
            )
        )
    if est.monthly_saving is None:
        figures.append(
            CostFigure(
                "monthly_saving", "Saving with fine-tuning",
                reason=reasons.get("monthly_saving", ""),
            )
        )
    elif est.monthly_saving < 0:
        figures.append(
            CostFigure(
                "monthly_saving", "Saving with fine-tuning",
                f"None: fine-tuning costs {costs.format_money(-est.monthly_saving)} a month more",
            )
        )
    else:
        figures.append(
            CostFigure(
                "monthly_saving", "Saving with fine-tuning", _money_a_month(est.monthly_saving)
            )
        )
    engineering = (
        f"engineering {costs.format_money(est.engineering_cost)} "
        f"({_plural(inputs.engineering_days, 'day')} at {costs.format_money(inputs.day_rate)})"
    )
    if est.one_off is None or est.training_cost is None:
        figures.append(
            CostFigure(
                "one_off", "One-off cost of fine-tuning", reason=reasons.get("one_off", "")
            )
        )
    else:
        training = (
            f"Training {costs.format_money(est.training_cost)} "
            f"({_plural(inputs.labeled_examples, 'example')}, "
            f"{_plural(inputs.epochs, 'epoch')})"
        )
        figures.append(
            CostFigure(
                "one_off", "One-off cost of fine-tuning", costs.format_money(est.one_off),
                f"{training} plus {engineering}",
            )
        )
    if est.break_even_months is None:
        figures.append(
            CostFigure(
                "break_even_months", "Pays back in", reason=reasons.get("break_even_months", "")
            )
        )
    else:
        figures.append(
            CostFigure(
                "break_even_months", "Pays back in", costs.format_months(est.break_even_months)
            )
        )
    label = "Pays back within a year from"
    if est.break_even_volume is None:
        figures.append(
            CostFigure("break_even_volume", label, reason=reasons.get("break_even_volume", ""))
        )
    else:
        figures.append(
            CostFigure(
                "break_even_volume", label, f"{est.break_even_volume:,} requests a month"
            )
        )
    # A missing price leaves several figures missing for one reason: say it once.
    said: set[str] = set()
    shown = []
    for figure in figures:
        if not figure.value:
            if figure.reason in said:
                continue
            said.add(figure.reason)
        shown.append(figure)
    return tuple(shown)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _assumptions(inputs: costs.CostInputs) -> str:
    return (
        f"Based on {inputs.monthly_requests:,} requests a month, each sending "
        f"{inputs.prompt_tokens:,} prompt tokens (not needed once fine-tuned) and "
        f"{inputs.input_tokens:,} other input tokens and getting {inputs.output_tokens:,} output "
        f"tokens back; training on {_plural(inputs.labeled_examples, 'example')} for "
        f"{_plural(inputs.epochs, 'epoch')}; and "
        f"{_plural(inputs.engineering_days, 'engineering day')} at "
        f"{costs.format_money(inputs.day_rate)} a day."
    )


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`\\]+")


def _sources(*prices: costs.Price) -> tuple[PriceSource, ...]:
    """Where each price came from, once per address; only plain web addresses are linked."""
    found: dict[str, PriceSource] = {}
    for price in prices:
        url = price.source_url.strip()
        if url in found or not _WEB_ADDRESS.fullmatch(url):
            continue
        found[url] = PriceSource(f"{price.provider or price.name} pricing page", url)
    return tuple(found.values())


def _date_words(iso: str) -> str:
    """'2025-06-01' -> '1 June 2025'; the text as it is when it is not a date."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


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
    else:
        lines.append("No change to these answers would give another recommendation.")
    lines.append("")

    if shown.is_hybrid:
        lines += ["## How the hybrid split works", "", escape(HYBRID_EXPLANATION), ""]

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
        if figure.value:
            detail = f". {escape(figure.detail)}." if figure.detail else ""
            lines.append(f"- {escape(figure.label)}: **{escape(figure.value)}**{detail}")
        else:
            lines.append(f"- {escape(figure.label)}: {escape(figure.reason)}")
    lines += ["", escape(shown_costs.assumptions), ""]
    lines += ["Monthly cost by volume:", ""]
    headings = (
        "Requests a month", shown_costs.prompting_heading, shown_costs.fine_tuned_heading,
        "Marked in the chart",
    )
    lines.append("| " + " | ".join(escape(text) for text in headings) + " |")
    lines.append("|---:|---:|---:|---|")
    for row in shown_costs.chart_rows:
        cells = (row.volume_text, row.prompting_text, row.fine_tuned_text, row.note)
        lines.append("| " + " | ".join(escape(cell) for cell in cells) + " |")
    lines.append("")
    lines += [_prices_line(shown_costs), ""]
    lines += [line for note in shown_costs.notes for line in (escape(note), "")]
    return lines


def _prices_line(shown_costs: ShownCosts) -> str:
    text = (
        f"Prices as of {escape(shown_costs.price_as_of_words or 'an unknown date')} for "
        f"{escape(shown_costs.model_names)}; check the provider's pricing page before relying "
        "on these figures"
    )
    if shown_costs.sources:
        text += ": " + ", ".join(f"<{source.url}>" for source in shown_costs.sources)
    return text + "."


HYBRID_EXPLANATION = (
    "Most mature production deployments use both: a large reasoning model, used as-is with a "
    "detailed prompt, does the reasoning and task adaptation; a smaller fine-tuned model handles "
    "the final structured output step, consistently and at a fraction of the cost."
)
