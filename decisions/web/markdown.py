"""A stored decision as Markdown for a design doc, from the same presentation as the page."""

import re

from decisions.web import present
from decisions.web.present import Presentation, ShownCosts, ShownRow

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


def markdown(shown: Presentation) -> str:
    """The decision as Markdown for a design doc: verdict, reasons, tradeoffs, what would change,
    the answers in words and the link back."""
    lines = [f"# {escape(shown.heading)}", ""]
    lines.append(f"**Recommendation: {escape(shown.label)}**")
    lines.append("")
    if shown.strength_note:
        lines += [escape(shown.strength_note), ""]
    elif shown.strength == "clear":
        lines += [escape(present.CLEAR), ""]
    if shown.summary:
        lines += [escape(shown.summary), ""]
    if shown.costs and shown.costs.warning:
        warning = shown.costs.warning
        lines += [f"**{escape(warning.lead)}** {escape(warning.text)}", ""]
    decided = shown.decided
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
            lines += ["", escape(present.CHANGES_KEEP_FIGURES)]
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
