"""A stored decision shaped for people: the result page and the Markdown export.

Both read the one JSON payload (serializers.decision_payload), so the page, the .json and the .md
exports always say the same thing. Pure functions: no database, no request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from decisions import engine, questions

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
    )


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


HYBRID_EXPLANATION = (
    "Most mature production deployments use both: a large reasoning model, used as-is with a "
    "detailed prompt, does the reasoning and task adaptation; a smaller fine-tuned model handles "
    "the final structured output step, consistently and at a fraction of the cost."
)
