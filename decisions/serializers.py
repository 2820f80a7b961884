"""The one JSON shape of a stored decision, shared by the API and the .json export."""

from django.http import HttpRequest

from decisions import engine
from decisions.models import Decision


def decision_payload(decision: Decision, request: HttpRequest) -> dict:
    """The stored Result.as_dict() plus token, absolute url, answers and created (no query)."""
    return {
        **decision.result,
        "token": decision.token,
        "url": request.build_absolute_uri(decision.get_absolute_url()),
        "title": decision.title,
        "answers": {name: getattr(decision, name) for name in engine.ANSWER_FIELDS},
        "created": decision.created.isoformat(),
    }
