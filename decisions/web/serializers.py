"""The one JSON shape of a stored decision, shared by the API and the .json export."""

from django.http import HttpRequest

from decisions.domain import engine
from decisions.models import Decision


def decision_payload(decision: Decision, request: HttpRequest) -> dict:
    """The stored Result.as_dict() plus token, absolute url, answers, the economics the engine
    decided with, the cost panel and created (no query). A decision made before engine 2.0
    has no strength stored: it reads null."""
    return {
        "strength": decision.strength or None,
        **decision.result,
        "token": decision.token,
        "url": request.build_absolute_uri(decision.get_absolute_url()),
        "title": decision.title,
        "answers": {name: getattr(decision, name) for name in engine.ANSWER_FIELDS},
        "cost_details": decision.cost_details(),
        "economics": decision.economics,
        "costs": decision.cost_estimate,
        "created": decision.created.isoformat(),
    }
