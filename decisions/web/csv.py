"""Decisions as CSV for a spreadsheet: one row each, safe to open in Excel or Sheets."""

import csv
from collections.abc import Iterable
from typing import Protocol

from decisions.domain import engine
from decisions.models import Decision
from decisions.web import admin_summary, present

HEADER = (
    "token", "created", "title", "source",
    *engine.ANSWER_FIELDS,
    "verdict", "strength", "engine_version", "share_link",
    # Why, and what it costs a month at the decision's volume, as stored with it.
    "reason_codes", "reasons",
    *(f"monthly_cost_{key.lower()}" for key in admin_summary.COST_KEYS),
    "payback_months", "break_even_volume",
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


def _number(value: float | int | None) -> str:
    """Money and months as plain numbers a spreadsheet reads (2 decimals); empty when none."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def row(decision: Decision) -> list[str]:
    panel = decision.cost_estimate
    costs = admin_summary.monthly_costs(panel)
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
        " ".join(admin_summary.reason_codes(decision.result)),
        "\n".join(reason.text for reason in present.reasons(decision)),
        *(_number(costs[key]) for key in admin_summary.COST_KEYS),
        _number(admin_summary.payback_months(panel)),
        _number(admin_summary.break_even_volume(panel)),
    )
    return [safe_cell(value) for value in values]


def write_csv(decisions: Iterable[Decision], out: Writable) -> None:
    """A header, then one row per decision (iterates `decisions` once)."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for decision in decisions:
        writer.writerow(row(decision))
