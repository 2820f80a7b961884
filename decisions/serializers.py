"""The one JSON shape of a stored decision, shared by the API and the .json export."""

from django.http import HttpRequest

from decisions import engine
from decisions.models import Decision

COST_DETAIL_FIELDS = (
    "input_tokens", "output_tokens", "prompt_model", "tune_model", "epochs", "engineering_days",
    "day_rate",
)


def decision_payload(decision: Decision, request: HttpRequest) -> dict:
    """The stored Result.as_dict() plus token, absolute url, answers and created (no query)."""
    return {
        **decision.result,
        "token": decision.token,
        "url": request.build_absolute_uri(decision.get_absolute_url()),
        "title": decision.title,
        "answers": {name: getattr(decision, name) for name in engine.ANSWER_FIELDS},
        "cost_details": {name: getattr(decision, name) for name in COST_DETAIL_FIELDS},
        "costs": decision.cost_estimate,
        "created": decision.created.isoformat(),
    }
