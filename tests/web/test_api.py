"""The JSON API: POST /api/decisions, its errors, its rate limit and its OpenAPI description."""

import json
from datetime import timedelta
from functools import cache as memoize

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.testing import MockRequest
from openapi_spec_validator import validate as validate_spec

from decisions.domain import costs, engine, fields, price_sheet
from decisions.domain.fields import DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL
from decisions.models import Decision, IdempotencyKey, ModelPrice
from decisions.web import openapi
from tests.helpers import FINE_TUNING_ANSWERS

URL = "/api/decisions"

OPTIONAL_ANSWERS = ("prompt_tokens", "small_model")
# Only the required answers: the optional ones take their defaults.
FINE_TUNING = {k: v for k, v in FINE_TUNING_ANSWERS.items() if k not in OPTIONAL_ANSWERS}
PROMPTING = {**FINE_TUNING, "labeled_examples": 40, "phase": "exploring"}
HYBRID = {**FINE_TUNING, "fresh_knowledge": True, "reasoning": "complex"}
FIREWORKS = "accounts/fireworks/models/llama-v3p1-8b-instruct"  # open, served by the hour
COST_DETAILS = {
    "input_tokens": 800,
    "output_tokens": 100,
    "tuned_prompt_tokens": 60,
    "retrieved_tokens": 2500,
    "prompt_caching": False,
    "prompt_model": "gpt-4o-mini",
    "tune_model": FIREWORKS,
    "epochs": 4,
    "engineering_days": 5,
    "day_rate": 1000,
}
SEEDED_MODELS = [row["name"] for row in price_sheet.ROWS]

pytestmark = pytest.mark.django_db


def post(client: Client, body, content_type: str = "application/json", **extra):
    """POST `body`: dicts and lists as JSON, str and bytes as they are."""
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.post(URL, body, content_type=content_type, **extra)


@memoize
def openapi_app() -> OpenAPI:
    return OpenAPI.from_dict(openapi.spec())


def assert_matches_openapi(response) -> None:
    """The response is one the OpenAPI description allows: status, headers and body."""
    request = response.wsgi_request
    # The generic request wrapper: Django's reads request.body, which raises again after a 413.
    described = MockRequest(
        f"{request.scheme}://{request.get_host()}", request.method, request.path
    )
    openapi_app().validate_response(described, DjangoOpenAPIResponse(response))


# --- Decisions that work ---


@pytest.mark.parametrize(
    ("answers", "verdict"),
    [(PROMPTING, "prompting"), (FINE_TUNING, "fine_tuning"), (HYBRID, "hybrid")],
)
def test_answers_get_the_verdict_the_rules_give(client, answers, verdict):
    response = post(client, answers)
    assert response.status_code == 201
    assert response.json()["recommendation"] == verdict


def test_created_decision_carries_result_link_and_answers(client):
    response = post(client, {**FINE_TUNING, "title": "Invoice extraction"})
    body = response.json()
    assert set(body) >= {
        "token", "url", "title", "answers", "created", "recommendation", "strength",
        "strength_note", "summary", "reasons", "rows", "what_would_change", "engine_version",
        "cost_details", "economics", "costs",
    }
    assert body["title"] == "Invoice extraction"
    assert body["answers"] == {**FINE_TUNING, "prompt_tokens": 1500, "small_model": "not_tried"}
    assert body["engine_version"] == "2.0"
    assert (body["strength"], body["strength_note"]) == ("clear", "")
    assert body["url"] == f"http://testserver/d/{body['token']}/"
    assert response["Location"] == body["url"]
    # Fine-tuning does not pay back against prompting the small model: the schema carries it.
    assert [row["key"] for row in body["rows"]] == ["consistency"]


def test_created_decision_is_stored_as_made_through_the_api(client):
    token = post(client, {**HYBRID, "prompt_tokens": 4000}).json()["token"]
    decision = Decision.objects.get(token=token)
    assert decision.source == "api"
    assert decision.recommendation == "hybrid"
    assert decision.prompt_tokens == 4000


def test_created_decisions_share_link_opens(client):
    url = post(client, PROMPTING).json()["url"]
    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert 'data-recommendation="prompting"' in page.content.decode()


def test_title_is_optional(client):
    assert post(client, FINE_TUNING).json()["title"] == ""


def test_title_is_trimmed(client):
    response = post(client, {**FINE_TUNING, "title": "  Support bot  "})
    assert response.json()["title"] == "Support bot"


def test_json_with_charset_is_accepted(client):
    response = post(client, FINE_TUNING, content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_api_needs_no_csrf_token(db):
    response = post(Client(enforce_csrf_checks=True), FINE_TUNING)
    assert response.status_code == 201


# --- Cost details ---


def test_created_decision_carries_default_cost_details_and_the_estimate(client):
    body = post(client, FINE_TUNING).json()
    assert body["cost_details"] == {
        "input_tokens": 500, "output_tokens": 300, "tuned_prompt_tokens": 100,
        "retrieved_tokens": 1000, "prompt_caching": True, "epochs": 3, "engineering_days": 10,
        "day_rate": 800, "prompt_model": DEFAULT_PROMPT_MODEL, "tune_model": DEFAULT_TUNE_MODEL,
    }
    panel = body["costs"]
    assert panel["version"] == 2 and panel["volume"] == 2_000_000
    assert panel["prompt_model"]["name"] == DEFAULT_PROMPT_MODEL
    assert panel["tune_model"]["name"] == DEFAULT_TUNE_MODEL
    # 2,300 tokens a request: A at $0.88/M, B at $0.20/M; C, served by the hour, at the base
    # $0.20/M on its 900 tokens (100 + 500 + 300) plus retraining ($1.08 + $800) / 12 = $66.76.
    assert {option["key"]: option["monthly"] for option in panel["options"]} == {
        "A": 4048.0, "B": 920.0, "C": 426.76
    }
    # Not tried: the saving is counted against prompting the small model (B), not the large one:
    # $920 - $426.76 = $493.24 a month, which takes 16.2 months to pay back $8,001.08.
    assert panel["baseline"] == "B"
    assert panel["saving"] == pytest.approx(493.24)
    assert panel["pays_back"] is False and panel["payback_months"] == pytest.approx(16.22)
    assert panel["dedicated_monthly"] == 5840.0 and panel["hosting_monthly"] == 0.0
    assert panel["unpriced"] == ""
    assert [figure["key"] for figure in panel["figures"]][:3] == ["A", "B", "C"]
    economics = body["economics"]
    assert economics["prompted_per_request"] == pytest.approx(0.002024)
    assert economics["small_prompted_per_request"] == pytest.approx(0.00046)
    assert economics["tuned_per_request"] == pytest.approx(0.00018)
    assert economics["horizon_months"] == 12.0


def test_small_model_is_optional_and_reads_not_tried_when_left_out(client):
    body = post(client, FINE_TUNING).json()
    assert body["answers"]["small_model"] == "not_tried"
    assert Decision.objects.get(token=body["token"]).small_model == "not_tried"


@pytest.mark.parametrize("value", ["good_enough", "falls_short", "not_tried"])
def test_small_model_is_accepted_and_stored(client, value):
    response = post(client, {**FINE_TUNING, "small_model": value})
    assert response.status_code == 201
    assert response.json()["answers"]["small_model"] == value
    assert Decision.objects.get().small_model == value


def test_a_small_model_good_enough_when_prompted_is_not_worth_fine_tuning(client):
    body = post(client, {**FINE_TUNING, "small_model": "good_enough"}).json()
    assert body["recommendation"] == "prompting"
    assert "already good enough when prompted" in " ".join(r["text"] for r in body["reasons"])


def test_a_small_model_that_falls_short_is_priced_against_the_large_one(client):
    body = post(client, {**FINE_TUNING, "small_model": "falls_short"}).json()
    assert body["recommendation"] == "fine_tuning"
    assert body["costs"]["baseline"] == "A"
    assert body["costs"]["pays_back"] is True
    assert "pays_back" in [reason["code"] for reason in body["reasons"]]


def test_custom_cost_details_are_stored_and_used(client):
    response = post(client, {**FINE_TUNING, **COST_DETAILS})
    assert response.status_code == 201
    body = response.json()
    assert body["cost_details"] == COST_DETAILS
    panel = body["costs"]
    assert panel["inputs"] == {
        name: value for name, value in COST_DETAILS.items() if name in costs.COST_FIELDS
    }
    assert panel["prompt_model"]["name"] == "gpt-4o-mini"
    assert panel["tune_model"]["name"] == FIREWORKS
    assert panel["caching"] == []  # caching off: no prompt billed at the cached price
    assert panel["engineering_cost"] == 5000.0  # 5 days at $1,000
    decision = Decision.objects.get(token=body["token"])
    assert (decision.tune_model, decision.epochs, decision.day_rate) == (FIREWORKS, 4, 1000)
    assert (decision.tuned_prompt_tokens, decision.retrieved_tokens) == (60, 2500)
    assert decision.prompt_caching is False


def test_retrieved_tokens_are_billed_only_when_answers_need_fresh_facts(client):
    def per_request(body: dict) -> float:
        return next(o["per_request"] for o in post(client, body).json()["costs"]["options"]
                    if o["key"] == "A")

    stale = {**FINE_TUNING, "retrieved_tokens": 0}
    fresh = {**FINE_TUNING, "fresh_knowledge": True}
    assert per_request(stale) == per_request({**stale, "retrieved_tokens": 50_000})
    assert per_request(fresh) < per_request({**fresh, "retrieved_tokens": 50_000})


def test_costly_engineering_turns_a_saving_into_prompting(client):
    """The verdict follows the team's own figures: volume alone decides nothing."""
    saving = {**FINE_TUNING, "output_format": "free_text", "small_model": "falls_short"}
    cheap = post(client, saving).json()
    dear = post(client, {**saving, "engineering_days": 1000, "day_rate": 1_000_000}).json()
    assert cheap["recommendation"] == "fine_tuning" and cheap["costs"]["pays_back"] is True
    assert dear["recommendation"] == "prompting" and dear["costs"]["pays_back"] is False
    assert "costs_more" in [reason["code"] for reason in dear["reasons"]]


def with_cost(field: str, value: object, case: str):
    return pytest.param({**FINE_TUNING, field: value}, field, id=case)


COST_ERRORS = [
    with_cost("input_tokens", -1, "input-tokens-negative"),
    with_cost("input_tokens", fields.MAX_TOKENS_PER_REQUEST + 1, "input-tokens-over"),
    with_cost("output_tokens", "300", "output-tokens-string"),
    with_cost("output_tokens", 300.5, "output-tokens-fraction"),
    with_cost("epochs", 0, "epochs-zero"),
    with_cost("epochs", fields.MAX_EPOCHS + 1, "epochs-over"),
    with_cost("epochs", True, "epochs-bool"),
    with_cost("engineering_days", -3, "days-negative"),
    with_cost("engineering_days", None, "days-null"),
    with_cost("day_rate", fields.MAX_DAY_RATE + 1, "day-rate-over"),
    with_cost("prompt_model", "gpt-5-turbo", "prompt-model-unknown"),
    with_cost("prompt_model", 4, "prompt-model-not-text"),
    with_cost("prompt_model", "gpt-4.1\u0000", "prompt-model-nul"),
    with_cost("tune_model", "GPT-4.1-MINI", "tune-model-unknown"),
    with_cost("tune_model", ["gpt-4.1-mini"], "tune-model-list"),
    with_cost("tune_model", DEFAULT_PROMPT_MODEL, "tune-model-never-offered"),
    with_cost("tuned_prompt_tokens", -1, "tuned-prompt-tokens-negative"),
    with_cost("tuned_prompt_tokens", "100", "tuned-prompt-tokens-string"),
    with_cost("retrieved_tokens", fields.MAX_TOKENS_PER_REQUEST + 1, "retrieved-tokens-over"),
    with_cost("retrieved_tokens", 1.5, "retrieved-tokens-fraction"),
    with_cost("prompt_caching", "yes", "prompt-caching-string"),
    with_cost("prompt_caching", 1, "prompt-caching-int"),
    with_cost("prompt_caching", None, "prompt-caching-null"),
]


def test_cost_detail_of_thousands_of_digits_is_out_of_range(client):
    body = json.dumps({**FINE_TUNING, "day_rate": 800}).replace("800}", "9" * 5000 + "}")
    response = post(client, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["day_rate"]


def test_unknown_model_lists_the_models_to_choose_from(client):
    response = post(client, {**FINE_TUNING, "prompt_model": "gpt-5-turbo"})
    assert response.status_code == 400
    [message] = response.json()["errors"]["prompt_model"]
    assert message.startswith("Unknown model. Choose one of: ")
    offered = message.removeprefix("Unknown model. Choose one of: ").removesuffix(".").split(", ")
    assert sorted(offered) == sorted(SEEDED_MODELS)


def test_tune_model_never_offered_for_fine_tuning_is_refused(client):
    ModelPrice.objects.create(
        name="claude-sonnet-4", provider="Anthropic", input_per_m=3, output_per_m=15,
        as_of="2025-06-01", source_url="https://www.anthropic.com/pricing",
    )
    response = post(client, {**FINE_TUNING, "tune_model": "claude-sonnet-4"})
    assert response.status_code == 400
    [message] = response.json()["errors"]["tune_model"]
    assert message.startswith("claude-sonnet-4 is not offered for fine-tuning. Choose one of: ")
    offered = message.split("Choose one of: ", 1)[1].removesuffix(".").split(", ")
    assert {DEFAULT_TUNE_MODEL, "gpt-4.1-mini"} <= set(offered)
    assert "mistral-large-latest" in offered  # closed to new customers, but once offered
    assert DEFAULT_PROMPT_MODEL not in offered and "claude-sonnet-4" not in offered
    assert not Decision.objects.exists()


def test_a_tune_model_closed_to_new_customers_is_decided_without_an_estimate(client):
    response = post(client, {**FINE_TUNING, "tune_model": "gpt-4.1-mini"})
    assert response.status_code == 201
    body = response.json()
    assert body["economics"] is None
    panel = body["costs"]
    assert [option["key"] for option in panel["options"]] == ["A"]
    assert panel["one_off"] is None and panel["saving"] is None and panel["pays_back"] is False
    assert "closed fine-tuning of gpt-4.1-mini to new customers since 7 May 2026" in panel[
        "unpriced"
    ]
    assert f"such as {DEFAULT_TUNE_MODEL}" in panel["unpriced"]
    # The cost rules stay silent rather than guess: the verdict rests on the other answers.
    codes = [reason["code"] for reason in body["reasons"]]
    assert "pays_back" not in codes and "costs_more" not in codes
    assert_matches_openapi(response)


def test_a_retired_tune_model_is_decided_without_an_estimate(client):
    body = post(client, {**FINE_TUNING, "tune_model": "gpt-4.1-nano"}).json()
    assert body["economics"] is None
    assert "gpt-4.1-nano was retired on 23 October 2026" in body["costs"]["unpriced"]


def test_model_without_fine_tuning_prices_can_be_prompted(client):
    ModelPrice.objects.create(
        name="claude-sonnet-4", provider="Anthropic", input_per_m=3, output_per_m=15,
        as_of="2025-06-01", source_url="https://www.anthropic.com/pricing",
    )
    response = post(client, {**FINE_TUNING, "prompt_model": "claude-sonnet-4"})
    assert response.status_code == 201
    assert response.json()["costs"]["prompt_model"]["provider"] == "Anthropic"


def test_bad_cost_details_and_bad_answers_are_named_at_once(client):
    body = {
        **FINE_TUNING, "phase": "later", "epochs": 0, "day_rate": -1, "prompt_model": "x",
        "tune_model": "y", "title": 5,
    }
    response = post(client, body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "phase", "epochs", "day_rate", "prompt_model", "tune_model", "title"
    }


def test_decision_with_custom_cost_details_matches_the_openapi_description(client):
    response = post(client, {**FINE_TUNING, **COST_DETAILS, "title": "Costed"})
    assert_matches_openapi(response)
    openapi_app().validate_request(DjangoOpenAPIRequest(response.wsgi_request))


def test_decision_without_a_price_matches_the_openapi_description(client):
    ModelPrice.objects.all().delete()
    response = post(client, FINE_TUNING)
    assert response.status_code == 201
    assert response.json()["costs"] is None
    assert_matches_openapi(response)


def test_decision_with_missing_cost_parts_matches_the_openapi_description(client):
    # An open model whose sheet row lacks a training price: accepted, but not priced.
    ModelPrice.objects.filter(name=DEFAULT_TUNE_MODEL).update(training_per_m=None)
    response = post(client, FINE_TUNING)
    assert response.status_code == 201
    body = response.json()
    assert body["economics"] is None
    estimate = body["costs"]
    assert estimate["one_off"] is None and estimate["break_even_volume"] is None
    assert "no fine-tuning price" in estimate["unpriced"]
    assert_matches_openapi(response)


def test_decision_with_every_answer_and_cost_detail_matches_the_openapi_description(client):
    response = post(client, {
        **FINE_TUNING_ANSWERS, **COST_DETAILS, "small_model": "falls_short", "reasoning": "complex",
        "title": "Everything",
    })
    assert response.status_code == 201
    assert_matches_openapi(response)
    openapi_app().validate_request(DjangoOpenAPIRequest(response.wsgi_request))


# --- Bad input: 4xx naming the problem, nothing stored ---

def with_answer(field: str, value: object, case: str):
    return pytest.param({**FINE_TUNING, field: value}, field, id=case)


FIELD_ERRORS = [
    *[
        pytest.param({k: v for k, v in FINE_TUNING.items() if k != name}, name, id=f"no-{name}")
        for name in FINE_TUNING
    ],
    with_answer("small_model", "maybe", "unknown-small-model"),
    with_answer("small_model", True, "bool-for-small-model"),
    with_answer("small_model", None, "null-for-small-model"),
    with_answer("monthly_requests", "2000000", "string-for-number"),
    with_answer("labeled_examples", 800.5, "fraction-for-examples"),
    with_answer("prompt_tokens", 1.5, "fraction-for-int"),
    with_answer("labeled_examples", True, "bool-for-int"),
    with_answer("domain_language", 1, "int-for-bool"),
    with_answer("phase", ["production"], "list-for-choice"),
    with_answer("latency", None, "null-for-choice"),
    with_answer("monthly_requests", 10**12 + 1, "over-range"),
    with_answer("labeled_examples", -1, "negative"),
    with_answer("prompt_tokens", 2_000_001, "too-many-tokens"),
    with_answer("phase", "Production", "unknown-choice"),
    with_answer("colour", "blue", "unknown-field"),
    with_answer("title", "x" * 121, "title-too-long"),
    with_answer("title", 42, "title-not-text"),
    with_answer("title", "a\u0000b", "title-with-nul"),
    with_answer("title", "\ud800", "title-lone-surrogate"),
]


@pytest.mark.parametrize(("body", "field"), FIELD_ERRORS + COST_ERRORS)
def test_a_bad_answer_or_cost_detail_is_named_with_a_message(client, body, field):
    response = post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) and message for message in errors[field])
    assert not Decision.objects.exists()


def test_every_offending_field_is_named_at_once(client):
    body = {**FINE_TUNING, "monthly_requests": "many", "phase": "later", "extra": 1, "title": 7}
    del body["latency"]
    response = post(client, body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "monthly_requests", "phase", "extra", "title", "latency"
    }


def test_integer_of_thousands_of_digits_is_out_of_range(client):
    body = json.dumps(FINE_TUNING).replace("2000000", "9" * 5000)
    response = post(client, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["monthly_requests"]
    assert response.json()["errors"]["monthly_requests"] == [
        fields.BY_NAME["monthly_requests"].too_big
    ]


def test_huge_negative_integer_is_out_of_range(client):
    body = json.dumps(FINE_TUNING).replace("800", "-" + "9" * 5000)
    response = post(client, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["labeled_examples"]


def all_message(response) -> str:
    return " ".join(response.json()["errors"]["__all__"])


BODY_ERRORS = [
    pytest.param("not json", 400, "not valid JSON", id="not-json"),
    pytest.param("", 400, "The body is empty", id="empty-body"),
    pytest.param(" ", 400, "not valid JSON", id="blank-body"),
    pytest.param(json.dumps([FINE_TUNING]), 400, "JSON object", id="array-body"),
    pytest.param('"answers"', 400, "JSON object", id="string-body"),
    pytest.param("null", 400, "JSON object", id="null-body"),
    pytest.param("[" * 30000 + "]" * 30000, 400, "nested too deeply", id="deeply-nested"),
    pytest.param(
        json.dumps(FINE_TUNING).replace("2000000", "NaN"), 400, "NaN", id="nan"
    ),
    pytest.param(
        json.dumps(FINE_TUNING).replace("800", "-Infinity"), 400, "Infinity", id="infinity"
    ),
    pytest.param(b'{"title": "\xff\xfe"}', 400, "UTF-8", id="not-utf-8"),
    pytest.param("[" * 100_000, 413, "64 KB", id="100000-deep-array"),
    pytest.param(json.dumps({**FINE_TUNING, "title": "x" * 70_000}), 413, "64 KB", id="over-64-kb"),
]


@pytest.mark.parametrize(("body", "status", "words"), BODY_ERRORS)
def test_unusable_body_is_refused_with_a_clear_message(client, body, status, words):
    response = post(client, body)
    assert response.status_code == status
    assert words in all_message(response)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_wrong_content_type_is_415(client, content_type):
    response = post(client, json.dumps(FINE_TUNING), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in all_message(response) or "UTF-8" in all_message(response)
    assert not Decision.objects.exists()


def test_oversized_content_length_is_413_before_reading(client):
    response = post(client, "{}", CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413


def test_chunked_body_is_asked_for_with_a_content_length(client):
    # Django reads a WSGI body only up to Content-Length: a chunked one arrives empty.
    response = post(client, "", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 400
    assert "Content-Length" in all_message(response)


@pytest.mark.parametrize("length", ["lots", "\u00b2", "-1"])
def test_malformed_content_length_is_400(client, length):
    response = post(client, "{}", CONTENT_LENGTH=length)
    assert response.status_code == 400


def test_listing_decisions_is_not_allowed(client):
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "POST" in all_message(response)
    assert "not listed" in all_message(response)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_or_deleting_through_the_api_is_405_saying_what_to_do(client, method):
    response = getattr(client, method)(URL, "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    message = all_message(response)
    assert "not listed" not in message
    assert "not changed or deleted" in message and "revoke" in message
    assert Decision.objects.count() == 0


def test_options_is_405_saying_only_post_is_accepted(client):
    response = client.options(URL)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Only POST is accepted here" in all_message(response)


# --- Rate limit ---


def test_fourth_decision_in_a_minute_is_refused_with_retry_after(client, settings):
    settings.RATE_LIMIT = "3/m"
    for _ in range(3):
        assert post(client, FINE_TUNING).status_code == 201
    response = post(client, FINE_TUNING)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Try again in" in all_message(response)
    assert Decision.objects.count() == 3


def test_rate_limit_off_allows_any_number(client, settings):
    settings.RATE_LIMIT = None
    statuses = {post(client, PROMPTING).status_code for _ in range(5)}
    assert statuses == {201}


# --- Idempotency-Key ---

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def test_a_retry_with_the_same_key_returns_the_first_decision(client):
    first = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    again = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == again.status_code == 201
    assert again.json()["token"] == first.json()["token"]
    assert again["Location"] == first["Location"]
    assert Decision.objects.count() == 1


def test_the_same_body_in_another_spacing_and_order_is_the_same_request(client):
    first = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    reordered = json.dumps(dict(reversed(list(FINE_TUNING.items()))), indent=4)
    again = post(client, reordered, HTTP_IDEMPOTENCY_KEY=f'"{KEY}"')
    assert again.json()["token"] == first.json()["token"]


def test_the_same_key_with_another_body_is_a_422_and_stores_nothing(client):
    post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    response = post(client, PROMPTING, HTTP_IDEMPOTENCY_KEY=KEY)
    assert response.status_code == 422
    assert "with other answers" in all_message(response)
    assert Decision.objects.count() == 1
    assert_matches_openapi(response)


def test_different_keys_and_no_key_each_make_a_decision(client):
    post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY.replace("8", "9"))
    post(client, FINE_TUNING)
    post(client, FINE_TUNING)
    assert Decision.objects.count() == 4


def test_a_key_is_forgotten_after_24_hours(client):
    first = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    IdempotencyKey.objects.update(created=first_created(first) - timedelta(hours=25))
    later = post(client, PROMPTING, HTTP_IDEMPOTENCY_KEY=KEY)
    assert later.status_code == 201
    assert later.json()["token"] != first.json()["token"]
    assert IdempotencyKey.objects.get().decision.token == later.json()["token"]


def first_created(response):
    return Decision.objects.get(token=response.json()["token"]).created


def test_a_retry_is_not_counted_against_the_rate_limit(client, settings):
    settings.RATE_LIMIT = "1/m"
    first = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    again = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=KEY)
    assert again.status_code == 201
    assert again.json()["token"] == first.json()["token"]


@pytest.mark.parametrize(
    "key",
    ["short", "x" * 101, "has spaces in the key ok", "tab\there-and-long-enough", "ключ" * 5, '""'],
)
def test_a_malformed_key_is_a_400_and_stores_nothing(client, key):
    response = post(client, FINE_TUNING, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key header must be 16 to 100" in all_message(response)
    assert Decision.objects.count() == 0


def test_openapi_documents_the_idempotency_key(client):
    operation = client.get("/api/openapi.json").json()["paths"]["/api/decisions"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"]
    assert "422" in operation["responses"]


# --- The OpenAPI description ---


def test_openapi_description_is_served_and_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    validate_spec(document)
    assert "/api/decisions" in document["paths"]


def test_openapi_request_schema_names_every_answer(client):
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Answers"]
    assert set(schema["properties"]) == {
        *engine.ANSWER_FIELDS, *costs.COST_FIELDS, "prompt_model", "tune_model", "title"
    }
    assert set(COST_DETAILS) == {*costs.COST_FIELDS, "prompt_model", "tune_model"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["phase"]["enum"] == ["exploring", "launching", "production"]
    assert schema["properties"]["small_model"]["enum"] == [
        "good_enough", "falls_short", "not_tried"
    ]
    assert schema["properties"]["prompt_caching"]["type"] == "boolean"
    assert set(schema["required"]) == set(engine.ANSWER_FIELDS) - set(OPTIONAL_ANSWERS)


def test_openapi_model_names_are_the_price_sheet_as_it_is_now(client):
    ModelPrice.objects.create(
        name="claude-sonnet-4", provider="Anthropic", input_per_m=3, output_per_m=15,
        as_of="2025-06-01", source_url="https://www.anthropic.com/pricing",
    )
    ModelPrice.objects.filter(name="gpt-4o-mini").delete()
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Answers"]
    prompt, tune = schema["properties"]["prompt_model"], schema["properties"]["tune_model"]
    names = sorted(ModelPrice.objects.values_list("name", flat=True))
    assert prompt["enum"] == names and "claude-sonnet-4" in names
    assert "gpt-4o-mini" not in prompt["enum"]
    # Only models offered for fine-tuning (open or closed to new customers, or retired).
    assert "claude-sonnet-4" not in tune["enum"] and DEFAULT_PROMPT_MODEL not in tune["enum"]
    assert {"gpt-4.1-mini", "gpt-4.1-nano", "mistral-large-latest", DEFAULT_TUNE_MODEL} <= set(
        tune["enum"]
    )
    assert prompt["default"] in prompt["enum"] and tune["default"] in tune["enum"]


def test_openapi_leaves_out_a_model_field_with_no_model_to_choose(client):
    ModelPrice.objects.all().delete()
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["Answers"]
    assert "prompt_model" not in schema["properties"]
    assert "tune_model" not in schema["properties"]
    validate_spec(client.get("/api/openapi.json").json())


def test_openapi_title_pattern_refuses_what_the_api_refuses(client):
    import re as regex

    title = client.get("/api/openapi.json").json()["components"]["schemas"]["Answers"][
        "properties"]["title"]
    pattern = regex.compile(title["pattern"])
    for refused in ("a\nb", "tab\there", "nul\x00", "bell\x07", "\x85", "rtl\u202eoverride"):
        assert not pattern.search(refused), refused
        assert post(client, {**FINE_TUNING, "title": refused}).status_code == 400
    for accepted in ("Support triage", "Café – Ünïcode ✓", ""):
        assert pattern.search(accepted), accepted
        assert post(client, {**FINE_TUNING, "title": accepted}).status_code == 201


def test_openapi_describes_the_result_exports(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) >= {"/d/{token}.json", "/d/{token}.md"}
    assert "text/markdown" in paths["/d/{token}.md"]["get"]["responses"]["200"]["content"]


def test_a_title_over_the_limit_counts_its_spaces_as_the_description_says(client):
    response = post(client, {**FINE_TUNING, "title": " " * 10 + "x" * 115})
    assert response.status_code == 400


def test_a_whole_number_written_with_a_fraction_is_that_number(client):
    response = post(client, {**FINE_TUNING, "labeled_examples": 800.0, "prompt_tokens": 1.5e3})
    assert response.status_code == 201
    assert response.json()["answers"]["prompt_tokens"] == 1500
    assert post(client, {**FINE_TUNING, "labeled_examples": 800.5}).status_code == 400


def test_an_unknown_export_answers_in_its_own_format(client):
    missing = "A" * 24
    json_404 = client.get(f"/d/{missing}.json")
    assert json_404.status_code == 404 and json_404.json()["errors"]["__all__"]
    md_404 = client.get(f"/d/{missing}.md")
    assert md_404.status_code == 404 and md_404["Content-Type"].startswith("text/markdown")


@pytest.mark.parametrize("path", ["/d/AAAAAAAAAAAAAAAAAAAAAAAA.json", "/api/openapi.json"])
def test_read_only_endpoints_answer_other_methods_with_405(client, path):
    response = client.generic("QUERY", path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(FINE_TUNING, "application/json", id="201"),
        pytest.param({**HYBRID, "title": "T", "prompt_tokens": 0}, "application/json", id="201-t"),
        pytest.param({"phase": 3, "x": []}, "application/json", id="400-fields"),
        pytest.param("[1]", "application/json", id="400-body"),
        pytest.param("x" * 70_000, "application/json", id="413"),
        pytest.param("{}", "text/plain", id="415"),
    ],
)
def test_responses_match_the_openapi_description(client, body, content_type):
    assert_matches_openapi(post(client, body, content_type=content_type))


def test_good_requests_match_the_openapi_description(client):
    response = post(client, {**PROMPTING, "title": "Triage", "prompt_tokens": 900})
    openapi_app().validate_request(DjangoOpenAPIRequest(response.wsgi_request))


def test_rate_limited_response_matches_the_openapi_description(client, settings):
    settings.RATE_LIMIT = "1/m"
    post(client, FINE_TUNING)
    assert_matches_openapi(post(client, FINE_TUNING))


# --- Whatever arrives, never a 500 ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
valid_values = {
    "monthly_requests": st.integers(0, fields.MAX_MONTHLY_REQUESTS),
    "prompt_tokens": st.integers(0, fields.MAX_PROMPT_TOKENS),
    "labeled_examples": st.integers(0, fields.MAX_LABELED_EXAMPLES),
    "domain_language": st.booleans(),
    "fresh_knowledge": st.booleans(),
    "change_frequency": st.sampled_from(fields.BY_NAME["change_frequency"].values),
    "phase": st.sampled_from(fields.BY_NAME["phase"].values),
    "latency": st.sampled_from(fields.BY_NAME["latency"].values),
    "output_format": st.sampled_from(fields.BY_NAME["output_format"].values),
    "reasoning": st.sampled_from(fields.BY_NAME["reasoning"].values),
    "small_model": st.sampled_from(fields.BY_NAME["small_model"].values),
    "title": st.text(max_size=130),
    "input_tokens": st.integers(0, fields.MAX_TOKENS_PER_REQUEST),
    "output_tokens": st.integers(0, fields.MAX_TOKENS_PER_REQUEST),
    "tuned_prompt_tokens": st.integers(0, fields.MAX_TOKENS_PER_REQUEST),
    "retrieved_tokens": st.integers(0, fields.MAX_TOKENS_PER_REQUEST),
    "prompt_caching": st.booleans(),
    "epochs": st.integers(1, fields.MAX_EPOCHS),
    "engineering_days": st.integers(0, fields.MAX_ENGINEERING_DAYS),
    "day_rate": st.integers(0, fields.MAX_DAY_RATE),
    "prompt_model": st.sampled_from(SEEDED_MODELS),
    # Every model offered for fine-tuning, open, closed or retired, and one never offered.
    "tune_model": st.sampled_from(
        [row["name"] for row in price_sheet.ROWS if row.get("fine_tuning")]
        + ["mistral-large-latest"]
    ),
}
answer_objects = st.fixed_dictionaries(
    {}, optional={name: values | json_values for name, values in valid_values.items()}
)
valid_objects = st.fixed_dictionaries(
    {name: valid_values[name] for name in FINE_TUNING},
    optional={
        name: valid_values[name]
        for name in (*OPTIONAL_ANSWERS, "title", *COST_DETAILS)
    },
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values | answer_objects | valid_objects)
def test_any_json_gets_a_decision_or_a_4xx(client, db, body):
    before = Decision.objects.count()
    response = post(client, json.dumps(body))
    assert response.status_code == 201 or 400 <= response.status_code < 500
    assert Decision.objects.count() == before + (response.status_code == 201)
    if response.status_code == 201:
        assert_matches_openapi(response)
    else:
        assert response.json()["errors"]
