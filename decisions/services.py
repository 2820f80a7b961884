"""Writes that span models: price a team's answers on the price sheet, decide, and store the
decision with its verdict and cost panel (HackSoftware's services; the models keep fields,
constraints and queries)."""

import datetime
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from decisions.domain import costs, engine, prices
from decisions.domain.fields import (
    COST_BY_NAME,
    COST_DETAIL_NAMES,
    DEFAULT_TUNE_MODEL,
    MODEL_FIELDS,
)
from decisions.domain.panel import panel
from decisions.models import Decision, ModelPrice, Source

Prices = dict[str, prices.Price]


def price_sheet(names: "set[str] | None" = None) -> Prices:
    """The price sheet by model name (one query): the rows of `names` only, in no set order, or
    the whole sheet in its order (a few dozen rows at most)."""
    return ModelPrice.objects.prices(names)


def suggested_tune_model(
    prices: Prices, today: datetime.date, whole_sheet: Callable[[], Prices] | None = None
) -> str:
    """A model a new customer can fine-tune today: the default when it is open, else the first
    open one of `prices`, or of `whole_sheet()` when `prices` is only part of the sheet."""
    default = prices.get(DEFAULT_TUNE_MODEL)
    if default is not None and default.open_on(today):
        return default.name
    if whole_sheet is not None:
        prices = whole_sheet()
    return next((price.name for price in prices.values() if price.open_on(today)), "")


def estimate_costs(
    answers: engine.Answers,
    details: dict[str, object],
    prices: Prices | None = None,
    today: datetime.date | None = None,
) -> costs.CostEstimate | None:
    """The cost estimate for these answers and cost details, or None when a chosen model is not
    on the price sheet. `prices` by model name; when None, the rows of the two chosen models and
    the default tune model are read (one query; one more, for the whole sheet, only when the
    default tune model is closed and another must be suggested).
    Raises costs.InvalidCostInputs on bad details."""
    inputs = costs.CostInputs(
        **{name: details[name] for name in costs.COST_FIELDS if name in details}
    )
    names = [details.get(name) for name in MODEL_FIELDS]
    if not all(names):
        return None
    whole_sheet = None
    if prices is None:
        prices, whole_sheet = price_sheet({*names, DEFAULT_TUNE_MODEL}), price_sheet
    if not all(name in prices for name in names):
        return None
    today = today or timezone.now().date()
    return costs.estimate(
        answers, inputs, prices[names[0]], prices[names[1]], today=today,
        suggestion=suggested_tune_model(prices, today, whole_sheet),
    )


def decide_and_price(
    answers: engine.Answers, details: dict[str, object], prices: Prices | None = None
) -> tuple[engine.Result, costs.CostEstimate | None]:
    """The engine's verdict with the person's own cost figures, and the estimate they came from."""
    estimate = estimate_costs(answers, details, prices)
    result = engine.decide(answers, estimate.economics if estimate else None)
    return result, estimate


def record_decision(
    answers: engine.Answers,
    *,
    title: str = "",
    draft_id: uuid.UUID | None = None,
    source: str = Source.FORM,
    cost_details: dict[str, object] | None = None,
    prices: Prices | None = None,
) -> tuple[Decision, bool]:
    """Decide on `answers` and store the decision: one INSERT.

    With a `draft_id`, recording the same draft again returns the decision already made for it
    (one more query) instead of a second one: refresh and double-click are harmless.
    `cost_details` (costs.COST_FIELDS and the two model names; defaults for what is missing)
    price the answers, from `prices` by model name or else from the price sheet (one more
    query); the engine decides with those figures and the cost panel is stored beside the
    verdict. Returns (decision, created).
    """
    details = {
        **{name: question.default for name, question in COST_BY_NAME.items()},
        **(cost_details or {}),
    }
    result, estimate = decide_and_price(answers, details, prices)
    economics = estimate.economics if estimate else None
    decision = Decision(
        title=title.strip(),
        draft_id=draft_id,
        source=source,
        recommendation=result.recommendation,
        strength=result.strength,
        result=result.as_dict(),
        engine_version=result.engine_version,
        economics=economics.as_dict() if economics else None,
        cost_estimate=panel(estimate, result.recommendation) if estimate else None,
        **{name: details[name] for name in COST_DETAIL_NAMES},
        **answers.as_dict(),
    )
    if draft_id is None and transaction.get_autocommit():
        # Nothing to look up on a clash, and no transaction around: the INSERT commits by
        # itself, and SQLite holds its write lock for that statement only, not while Django
        # builds it (writers queue for that lock, each retry after a sleep). Inside a
        # transaction (an Idempotency-Key's) the savepoint below keeps a failed INSERT from
        # spoiling it.
        Decision.objects.insert(decision)
        return decision, True
    try:
        with transaction.atomic():
            Decision.objects.insert(decision)
    except IntegrityError:
        if draft_id is None:
            raise
        return Decision.objects.get(draft_id=draft_id), False
    return decision, True


def current_result(decision: Decision, prices: Prices | None = None) -> engine.Result | None:
    """What today's engine says with today's prices, when `decision` was made by an older engine
    and today's verdict differs (no query with `prices`, else one; none for a decision made by
    today's engine)."""
    if decision.engine_version == engine.ENGINE_VERSION:
        return None
    result, _ = decide_and_price(decision.answers(), decision.cost_details(), prices)
    return None if result.recommendation == decision.recommendation else result
