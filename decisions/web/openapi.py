"""The OpenAPI 3.1 description of the JSON API: hand-written data, served at /api/openapi.json.

Ranges and enums come from the engine's own constants, so the description cannot drift from
what the API accepts; the tests validate real responses against it.
"""

import dataclasses

from django.conf import settings

from decisions.domain import costs, engine
from decisions.domain.fields import (
    COST_QUESTIONS,
    QUESTIONS,
    STRENGTH_CHOICES,
    TITLE,
)
from decisions.domain.panel import PANEL_VERSION
from decisions.domain.prices import FINE_TUNING_STATUSES, offered_for_fine_tuning
from decisions.domain.question import COUNT, MODEL, YES_NO, Question
from decisions.services import price_sheet
from decisions.web import idempotency


def _enum(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    return [value for value, _ in pairs]


_RECOMMENDATION = {"type": "string", "enum": list(engine.RECOMMENDATION_LABELS)}


def property_for(question: Question) -> dict:
    """One request property, from the catalogue: what the API accepts is what it describes."""
    if question.kind == COUNT:
        schema: dict = {
            "type": "integer", "minimum": question.minimum, "maximum": question.maximum,
        }
    elif question.kind == YES_NO:
        schema = {"type": "boolean"}
    elif question.kind == MODEL:
        schema = {"type": "string", "minLength": 1, "maxLength": question.maximum}
    else:
        schema = {"type": "string", "enum": question.values}
    if question.default is not None:
        schema["default"] = question.default
    elif question.kind == COUNT:
        schema["example"] = question.example
    return {**schema, "description": question.description}


def _answer_properties() -> dict:
    return {name: property_for(BY_ANSWER[name]) for name in engine.ANSWER_FIELDS}


def _cost_detail_properties() -> dict:
    """The optional cost details: they feed the cost estimate, never the verdict."""
    return {question.name: property_for(question) for question in COST_QUESTIONS}


BY_ANSWER = {question.name: question for question in QUESTIONS}


_NUMBER = {"type": "number"}
_NUMBER_OR_NULL = {"type": ["number", "null"]}

_PRICE = {
    "type": "object",
    "description": "A model's prices in US dollars as they were when the decision was made.",
    "required": [
        "name", "provider", "input_per_m", "cached_input_per_m", "output_per_m",
        "batch_discount", "min_cache_tokens", "ft_input_per_m", "ft_output_per_m",
        "training_per_m", "hosting_per_hour", "storage_per_month", "fine_tuning",
        "fine_tuning_since", "fine_tuning_source", "retires_on", "as_of", "source_url", "note",
    ],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "provider": {"type": "string"},
        "input_per_m": _NUMBER,
        "cached_input_per_m": _NUMBER_OR_NULL,
        "output_per_m": _NUMBER,
        "batch_discount": _NUMBER_OR_NULL,
        "min_cache_tokens": {"type": "integer"},
        "ft_input_per_m": _NUMBER_OR_NULL,
        "ft_output_per_m": _NUMBER_OR_NULL,
        "training_per_m": _NUMBER_OR_NULL,
        "hosting_per_hour": _NUMBER,
        "storage_per_month": _NUMBER,
        "fine_tuning": {"type": "string", "enum": ["", *FINE_TUNING_STATUSES]},
        "fine_tuning_since": {"type": "string"},
        "fine_tuning_source": {"type": "string"},
        "retires_on": {"type": "string"},
        "as_of": {"type": "string", "description": "ISO date the source states, or empty."},
        "source_url": {"type": "string"},
        "note": {"type": "string"},
    },
}

_MONEY_OR_NULL = {"type": ["number", "null"]}
_COSTS_V2 = {
    "type": "object",
    "description": (
        "The cost panel as made with the decision (version 2), in US dollars: money to the "
        "cent, per-request costs to 4 significant digits. Options: A prompts the model you "
        "would prompt, B prompts the fine-tunable model, C is the fine-tuned model, H what a "
        "reasoning hybrid runs. Monthly figures are null when there is no volume yet; the "
        "fine-tuning figures are null, and `unpriced` says why, when it cannot be priced."
    ),
    "required": [
        "version", "currency", "today", "price_as_of", "volume", "inputs", "prompt_model",
        "tune_model", "options", "caching", "batch", "unpriced", "hosting_monthly",
        "dedicated_monthly",
        "retraining_monthly", "training_cost", "engineering_cost", "one_off", "horizon_months",
        "horizon_reason", "baseline", "pays_back", "saving", "payback_months",
        "break_even_volume", "figures", "summary", "assumptions",
    ],
    "additionalProperties": False,
    "properties": {
        "version": {"const": PANEL_VERSION},
        "currency": {"type": "string", "enum": [costs.CURRENCY]},
        "today": {"type": "string", "description": "The day the estimate was made (ISO)."},
        "price_as_of": {"type": "string", "description": "The older of the prices' dates."},
        "volume": {"type": "integer", "minimum": 0},
        "inputs": {
            "type": "object",
            "required": list(costs.COST_FIELDS),
            "additionalProperties": False,
            "properties": {
                name: {"type": "boolean" if name == "prompt_caching" else "integer"}
                for name in costs.COST_FIELDS
            },
        },
        "prompt_model": _PRICE,
        "tune_model": _PRICE,
        "options": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "per_request", "monthly_fixed", "monthly"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "enum": ["A", "B", "C", "H"]},
                    "label": {"type": "string"},
                    "per_request": _NUMBER,
                    "monthly_fixed": _NUMBER,
                    "monthly": _MONEY_OR_NULL,
                },
            },
        },
        "caching": {"type": "array", "items": {"type": "string"}},
        "batch": {"type": "boolean"},
        "unpriced": {"type": "string"},
        "hosting_monthly": _MONEY_OR_NULL,
        "dedicated_monthly": {
            **_MONEY_OR_NULL,
            "description": (
                "A deployment billed by the hour that the fine-tuned model needs, shown beside "
                "the comparison, which prices every option per token; null when fine-tunes are "
                "billed per token."
            ),
        },
        "retraining_monthly": _MONEY_OR_NULL,
        "training_cost": _MONEY_OR_NULL,
        "engineering_cost": _NUMBER,
        "one_off": _MONEY_OR_NULL,
        "horizon_months": _MONEY_OR_NULL,
        "horizon_reason": {"type": "string"},
        "baseline": {"type": ["string", "null"], "enum": ["A", "B", None]},
        "pays_back": {"type": "boolean"},
        "saving": {
            **_MONEY_OR_NULL,
            "description": "A month against the baseline; negative when fine-tuning costs more.",
        },
        "payback_months": _MONEY_OR_NULL,
        "break_even_volume": {
            "type": ["integer", "null"], "minimum": 1,
            "description": "The least monthly volume at which fine-tuning pays back in time.",
        },
        "figures": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "label", "value", "detail"],
                "additionalProperties": False,
                "properties": {
                    name: {"type": "string"} for name in ("key", "label", "value", "detail")
                },
            },
        },
        "summary": {"type": "string"},
        "assumptions": {"type": "string"},
    },
}
_COSTS = {
    "anyOf": [
        _COSTS_V2,
        {
            "type": "object",
            "description": "An estimate made before engine 2.0, in its own older shape.",
            "not": {"required": ["version"]},
        },
        {"type": "null"},
    ],
}

_ECONOMICS = {
    "type": ["object", "null"],
    "description": (
        "The engine's cost input in US dollars (DESIGN section 3); null when fine-tuning could "
        "not be priced or the decision predates engine 2.0."
    ),
    "required": [f.name for f in dataclasses.fields(engine.Economics)],
    "additionalProperties": False,
    "properties": {
        **{
            name: {"type": "number", "minimum": 0}
            for name in (
                "prompted_per_request", "small_prompted_per_request", "tuned_per_request",
                "monthly_fixed", "one_off", "horizon_months",
            )
        },
        "prompted_model": {"type": "string"},
        "tuned_model": {"type": "string"},
    },
}

_REQUIRED_ANSWERS = [name for name in engine.ANSWER_FIELDS if BY_ANSWER[name].required]

_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "additionalProperties": False,
    "properties": {
        "errors": {
            "type": "object",
            "description": (
                'Messages by field name; "__all__" holds messages about the request as a whole.'
            ),
            "minProperties": 1,
            "additionalProperties": {
                "type": "array", "minItems": 1, "items": {"type": "string"},
            },
        },
    },
}


def _error_response(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }
    if headers:
        response["headers"] = headers
    return response


_DECISION = {
    "type": "object",
    "required": [
        "token", "url", "title", "created", "answers", "recommendation", "strength",
        "summary", "reasons", "rows", "what_would_change", "engine_version", "cost_details",
        "economics", "costs",
    ],
    "additionalProperties": False,
    "properties": {
        "token": {
            "type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
            "description": "The share token; the decision's only public identifier.",
        },
        "url": {
            "type": "string", "format": "uri",
            "description": "The result page, public to whoever has the link.",
        },
        "title": {"type": "string", "maxLength": TITLE.maximum},
        "created": {"type": "string", "format": "date-time"},
        "answers": {
            "type": "object",
            "required": list(engine.ANSWER_FIELDS),
            "additionalProperties": False,
            "properties": _answer_properties(),
        },
        "recommendation": _RECOMMENDATION,
        "strength": {
            "type": ["string", "null"], "enum": [*_enum(STRENGTH_CHOICES), None],
            "description": (
                "borderline when an estimate a little off would change the verdict, or one "
                "obstacle alone stands between the team and a saving; null before engine 2.0."
            ),
        },
        "strength_note": {"type": "string", "description": "Which answer to firm up."},
        "summary": {"type": "string"},
        "reasons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "favours", "text"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": [rule.code for rule in engine.RULES]},
                    "favours": _RECOMMENDATION,
                    "text": {"type": "string"},
                },
            },
        },
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "dimension", "prompting", "fine_tuning", "favours"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string"},
                    "dimension": {"type": "string"},
                    "prompting": {"type": "string"},
                    "fine_tuning": {"type": "string"},
                    "favours": _RECOMMENDATION,
                },
            },
        },
        "what_would_change": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["changes", "recommendation", "text"],
                "additionalProperties": False,
                "properties": {
                    "changes": {
                        "type": "object",
                        "description": "Answers to change, by field name, with their new values.",
                        "minProperties": 1,
                    },
                    "recommendation": _RECOMMENDATION,
                    "text": {"type": "string"},
                },
            },
        },
        "engine_version": {"type": "string"},
        "cost_details": {
            "type": "object",
            "description": "The cost details the estimate used, defaults filled in.",
            "required": list(_cost_detail_properties()),
            "additionalProperties": False,
            "properties": _cost_detail_properties(),
        },
        "economics": _ECONOMICS,
        "costs": _COSTS,
    },
}


_IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: send a new random value (a UUID) with each decision you mean to "
        "create, and the same value when you send that request again. Within 24 hours, the "
        "same key with the same JSON body answers 201 with the decision the first request "
        "made (the same token) and creates nothing; the same key with another body is a 422. "
        "Keys are global, not per client, so use an unguessable one. Requests racing with one "
        "key make one decision. A malformed key is a 400."
    ),
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "example": "8e03978e-40d5-43e8-bc93-6894a57f9324",
}


# Control characters (Unicode category Cc) and bidirectional overrides and isolates, which
# Question.text_problem (decisions.domain.question) refuses; lone surrogates cannot be written
# in a pattern, and no JSON encoder produces them.
TITLE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$"


def _model_names_on_the_sheet(properties: dict) -> dict:
    """prompt_model and tune_model as enums of the price sheet's names as it is now (one
    query): any model on the sheet, and those offered for fine-tuning. A list that would be
    empty leaves the field out, as the API then refuses it."""
    sheet = price_sheet()
    names = {"prompt_model": sorted(sheet), "tune_model": sorted(offered_for_fine_tuning(sheet))}
    properties = dict(properties)
    for field, enum in names.items():
        if not enum:
            del properties[field]
            continue
        schema = {**properties[field], "enum": enum}
        if schema.get("default") not in enum:
            schema.pop("default", None)
        properties[field] = schema
    return properties


def _export_path(operation_id: str, summary: str, ok: dict, gone: dict) -> dict:
    token = {
        "name": "token", "in": "path", "required": True,
        "description": "The share token, from `token` in a decision.",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
    }
    html = {"text/html": {"schema": {"type": "string"}}}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [token],
            "responses": {
                "200": ok,
                "404": {
                    "description": "No decision has this token.",
                    "content": {**gone["content"], **html},
                },
                "410": gone,
            },
        },
    }


def spec() -> dict:
    """The whole OpenAPI document as a JSON-ready dict (one query: the price sheet's names)."""
    request_properties = {
        **_answer_properties(),
        **_model_names_on_the_sheet(_cost_detail_properties()),
        TITLE.name: {
            "type": "string", "maxLength": TITLE.maximum, "pattern": TITLE_PATTERN,
            "description": TITLE.description,
        },
    }
    markdown = {"text/markdown": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Advisor API",
            "version": "1.0.0",
            "description": (
                "Send a team's answers and get Advisor's recommendation (prompting, fine-tuning "
                "or hybrid) with its reasons, the tradeoff rows that bear on it, what would "
                "change it, a cost estimate for both approaches, and a link to share. The cost "
                "details are optional and feed the estimate only, never the verdict. Decisions "
                "one client may create are limited per address, web form and API together."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/decisions": {
                "post": {
                    "operationId": "createDecision",
                    "summary": "Decide on a team's answers and store the decision",
                    "parameters": [_IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Answers"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Decided and stored.",
                            "headers": {
                                "Location": {
                                    "description": "The share link, as in `url`.",
                                    "schema": {"type": "string"},
                                },
                            },
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Decision"}
                                }
                            },
                        },
                        "400": _error_response(
                            "Bad input: every offending field is named, with how to fix it."
                        ),
                        "413": _error_response(
                            f"The body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KB."
                        ),
                        "415": _error_response("The body is not sent as application/json."),
                        "422": _error_response(
                            "The Idempotency-Key was used within 24 hours with another body."
                        ),
                        "429": _error_response(
                            "Too many decisions from this client; try again after Retry-After.",
                            headers={
                                "Retry-After": {
                                    "description": "Seconds until the client may try again.",
                                    "required": True,
                                    "schema": {"type": "integer", "minimum": 1},
                                },
                            },
                        ),
                    },
                },
            },
            "/d/{token}.json": _export_path(
                "getDecisionJSON", "A stored decision as JSON, as the API returned it",
                {
                    "description": "The decision.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}
                    },
                },
                _error_response("The team that made it withdrew its link."),
            ),
            "/d/{token}.md": _export_path(
                "getDecisionMarkdown", "A stored decision as Markdown, to paste into a document",
                {"description": "The decision in Markdown.", "content": markdown},
                {"description": "The team that made it withdrew its link.", "content": markdown},
            ),
            "/api/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This description",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                    },
                },
            },
        },
        "components": {
            "schemas": {
                "Answers": {
                    "type": "object",
                    "required": _REQUIRED_ANSWERS,
                    "additionalProperties": False,
                    "properties": request_properties,
                },
                "Decision": _DECISION,
                "Errors": _ERRORS,
            },
        },
    }
