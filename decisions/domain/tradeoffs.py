"""The article's prompting-versus-fine-tuning tradeoff table, as data (DESIGN.md section 3).

Plain Python with no Django import, so the engine and its tests can use it anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TradeoffRow:
    """One row of the tradeoff table: a dimension and what each approach costs on it."""

    key: str
    dimension: str
    prompting: str
    fine_tuning: str


# In the article's order; the engine shows rows in this order.
TRADEOFFS: tuple[TradeoffRow, ...] = (
    TradeoffRow(
        "setup_cost",
        "Setup cost",
        "Hours (write the prompt)",
        "Days to weeks (curate data, train, eval)",
    ),
    TradeoffRow(
        "data_required",
        "Data required",
        "Zero (zero-shot) or few examples",
        "Hundreds to thousands of examples",
    ),
    TradeoffRow(
        "inference_cost",
        "Inference cost",
        "Higher (longer prompts = more tokens)",
        "Lower (shorter prompts, smaller model)",
    ),
    TradeoffRow(
        "latency",
        "Latency",
        "Higher (more input tokens)",
        'Lower (model already "knows" behavior)',
    ),
    TradeoffRow(
        "consistency",
        "Consistency",
        "Variable (prompt-sensitive)",
        "High (baked into weights)",
    ),
    TradeoffRow(
        "updateability",
        "Updateability",
        "Instant (edit the prompt)",
        "Slow (retrain on new data)",
    ),
    TradeoffRow(
        "knowledge_cutoff",
        "Knowledge cutoff",
        "Works with any base model",
        "Frozen to training data",
    ),
)

TRADEOFFS_BY_KEY: dict[str, TradeoffRow] = {row.key: row for row in TRADEOFFS}
