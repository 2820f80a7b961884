"""Decisions as CSV for a spreadsheet: one row each, safe to open in Excel or Sheets."""

import csv
from collections.abc import Iterable
from typing import Protocol

from decisions import engine
from decisions.models import Decision

HEADER = (
    "token", "created", "title", "source",
    *engine.ANSWER_FIELDS,
    "verdict", "strength", "engine_version", "share_link",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def safe_cell(value: object) -> str:
    """The value as text, with a leading ' where a spreadsheet would run it as a formula."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(decision: Decision) -> list[str]:
    values = (
        decision.token,
        decision.created.isoformat(),
        decision.title,
        decision.source,
        *(getattr(decision, name) for name in engine.ANSWER_FIELDS),
        decision.get_recommendation_display(),
        decision.strength,
        decision.engine_version,
        "revoked" if decision.is_revoked else "active",
    )
    return [safe_cell(value) for value in values]


def write_csv(decisions: Iterable[Decision], out: Writable) -> None:
    """A header, then one row per decision (iterates `decisions` once)."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for decision in decisions:
        writer.writerow(row(decision))
