"""The JSON API: POST a team's answers to /api/decisions, get the stored decision back.

Stateless and cookie-free, so exempt from CSRF. Every bad request gets a 4xx JSON answer naming
what to fix, and nothing is stored unless the whole request is good.
"""

import functools
import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from decisions import fastjson, services
from decisions.domain import costs, engine
from decisions.domain.fields import COST_DETAIL_NAMES, MODEL_FIELDS, TITLE
from decisions.domain.prices import offered_for_fine_tuning
from decisions.domain.question import model_errors, whole_number
from decisions.models import Decision, Source
from decisions.platform.headers import never_cache
from decisions.platform.ratelimit import limit_decision_creation, wait_words
from decisions.services import Prices, price_sheet
from decisions.web import idempotency, openapi

MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # what Django reads of a body
ALL = engine.NON_FIELD_ERRORS
EXAMPLE = (
    '{"monthly_requests": 2000000, "labeled_examples": 800, "domain_language": false, '
    '"change_frequency": "quarterly", "phase": "production", "fresh_knowledge": false, '
    '"latency": "interactive", "output_format": "strict", "reasoning": "simple"}'
)


class BadBody(Exception):
    """The body as a whole is unusable; carries the HTTP status and one message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _errors(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


def _parse_float(literal: str) -> int | float:
    """A number with a fraction or exponent; a whole one (1500.0, 1.5e3) is the integer it
    equals, as JSON Schema's "integer" says."""
    value = float(literal)
    return int(value) if value.is_integer() else value


def _reject_constant(name: str) -> float:
    raise BadBody(400, f"{name} is not a JSON number: send a number such as 1500.")


def _read_json(request: HttpRequest) -> object:
    """The decoded body, or BadBody saying why there is none."""
    too_big = BadBody(413, f"The body is over {MAX_BODY_BYTES // 1024} KB; send only the answers.")
    length = request.META.get("CONTENT_LENGTH") or "0"  # absent when the body is chunked
    if not (length.isascii() and length.isdigit()):
        raise BadBody(400, "The Content-Length header is not a number of bytes.")
    if int(length) > MAX_BODY_BYTES:
        raise too_big
    try:
        # Django reads at most MAX_BODY_BYTES + 1 bytes, then raises.
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    except UnreadablePostError:
        raise BadBody(400, "The body could not be read; send it again.") from None
    if len(body) > MAX_BODY_BYTES:
        raise too_big
    if not body and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Django reads a WSGI body only up to Content-Length, so a chunked one arrives empty.
        raise BadBody(400, "Send the body with a Content-Length header, not chunked.")
    if not body:
        raise BadBody(400, f"The body is empty. Send a JSON object of answers, such as {EXAMPLE}.")
    if request.content_type != "application/json":
        raise BadBody(415, "Send the answers with the header Content-Type: application/json.")
    charset = request.content_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise BadBody(415, "Send the body as UTF-8 (charset=utf-8).")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(400, "The body is not valid UTF-8; send JSON encoded as UTF-8.") from None
    try:
        return json.loads(
            text, parse_int=whole_number, parse_float=_parse_float, parse_constant=_reject_constant
        )
    except RecursionError:
        raise BadBody(400, "The JSON is nested too deeply; send one flat object.") from None
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        message = f"The body is not valid JSON ({error}). Send an object such as {EXAMPLE}."
        raise BadBody(400, message) from None


def _split_cost_details(
    data: dict,
) -> tuple[dict[str, object], dict[str, list[str]], Prices | None]:
    """Take the optional cost details out of `data`: (the details given, errors by field, the
    price sheet when it was read).

    Reads the price sheet (one query) only when a model is named, and the estimate then prices
    from it. Names are compared in Python, never sent to the database: a NUL byte in a query
    parameter is an error on PostgreSQL.
    """
    details = {name: data.pop(name) for name in COST_DETAIL_NAMES if name in data}
    errors: dict[str, list[str]] = {}
    sheet: Prices | None = None
    numbers = {name: value for name, value in details.items() if name not in MODEL_FIELDS}
    try:
        costs.CostInputs.from_mapping(numbers)
    except costs.InvalidCostInputs as invalid:
        errors.update(invalid.errors)
    if any(name in details for name in MODEL_FIELDS):
        sheet = price_sheet()
        offered = {"prompt_model": list(sheet), "tune_model": offered_for_fine_tuning(sheet)}
        for name in MODEL_FIELDS:
            if name in details:
                messages = model_errors(details[name], list(sheet), offered[name])
                if messages:
                    errors[name] = messages
    return details, errors, sheet


def _validated(
    data: dict,
) -> tuple[engine.Answers | None, str, dict, Prices | None, dict[str, list[str]]]:
    """(answers, title, cost details, the price sheet when read, errors) from a request's JSON
    object; every offending field is named at once, with the catalogue's words for how to fix
    it."""
    errors: dict[str, list[str]] = {}
    title = data.pop(TITLE.name, TITLE.default)
    if messages := TITLE.errors(title):
        errors[TITLE.name] = messages
    cost_details, cost_errors, sheet = _split_cost_details(data)
    try:
        answers = engine.Answers.from_mapping(data)
    except engine.InvalidAnswers as invalid:
        return None, title, cost_details, sheet, {**invalid.errors, **cost_errors, **errors}
    return answers, title, cost_details, sheet, {**cost_errors, **errors}


def json_post(view: Callable[[HttpRequest, dict, str | None], HttpResponse]) -> Callable:
    """Lets `view` take a POSTed JSON object and its Idempotency-Key (None without one): any
    other request is a 4xx JSON naming the problem."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            if request.method in {"GET", "HEAD"}:
                message = "Decisions are not listed; POST answers to create one."
            elif request.method in {"PUT", "PATCH", "DELETE"}:
                message = (
                    "A decision, once made, is not changed or deleted here; POST answers to "
                    "create one (a lead can revoke its link in the admin)."
                )
            else:
                message = "Only POST is accepted here: POST answers to create a decision."
            response = _errors(405, {ALL: [message]})
            response["Allow"] = "POST"
            return response
        try:
            key = idempotency.key_from(request)
            data = _read_json(request)
        except idempotency.BadKey as bad:
            return _errors(400, {ALL: [str(bad)]})
        except BadBody as bad:
            return _errors(bad.status, {ALL: [bad.message]})
        if not isinstance(data, dict):
            return _errors(400, {ALL: [f"Send a JSON object of answers, such as {EXAMPLE}."]})
        return view(request, data, key)

    return wrapper


@csrf_exempt
@never_cache
@json_post
def decisions(request: HttpRequest, data: dict, key: str | None) -> HttpResponse:
    """POST answers: 201 with the stored decision; anything else: a 4xx JSON naming the problem."""
    body = idempotency.fingerprint(data) if key else ""  # only a key's retries compare it
    answers, title, cost_details, sheet, errors = _validated(data)
    if errors:
        return _errors(400, errors)
    try:
        decision = idempotency.earlier(key, body) if key else None
        if decision is None:
            retry_after = limit_decision_creation(request)
            if retry_after is not None:
                return _too_many(retry_after)
            decision = _record(key, body, answers, title, cost_details, sheet)
    except idempotency.KeyReused:
        return _errors(422, {ALL: [KEY_REUSED]})
    return _created(decision, request)


KEY_REUSED = (
    f"This {idempotency.HEADER} was sent within the last 24 hours with other answers. Send "
    "those answers again to get their decision, or use a new key for these."
)


def _too_many(retry_after: int) -> JsonResponse:
    message = f"Too many decisions from your address. Try again in {wait_words(retry_after)}."
    response = _errors(429, {ALL: [message]})
    response["Retry-After"] = str(retry_after)
    return response


def _record(
    key: str | None,
    body: str,
    answers: engine.Answers,
    title: str,
    cost_details: dict,
    sheet: Prices | None,
) -> Decision:
    """Store the decision, once per Idempotency-Key when there is one."""

    def record() -> Decision:
        decision, _ = services.record_decision(
            answers, title=title, source=Source.API, cost_details=cost_details, prices=sheet
        )
        return decision

    return idempotency.record_once(key, body, record) if key else record()


def _created(decision: Decision, request: HttpRequest) -> HttpResponse:
    """201 with the decision, the same for a first request and for its retries.

    Written by decisions.fastjson, as the row's JSON columns were."""
    url = request.build_absolute_uri(decision.get_absolute_url())
    response = HttpResponse(
        fastjson.dumps(decision.to_dict(url)), status=201, content_type="application/json"
    )
    response["Location"] = url
    return response


@csrf_exempt  # read-only: any other method gets require_GET's 405, not a CSRF 403
@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of this API."""
    return JsonResponse(openapi.spec())
