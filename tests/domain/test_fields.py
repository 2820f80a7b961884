"""The field catalogue (decisions.domain.fields) as people meet it: the wizard's form, the JSON API
and the OpenAPI description accept the same ranges and refuse a bad answer with the same words;
the engine, the cost model, the CSV and the admin use the catalogue's names, defaults and labels.
"""

import dataclasses
import json
import re

import pytest

from decisions.domain import engine
from decisions.domain.costs import COST_FIELDS, CostInputs
from decisions.domain.fields import (
    BY_NAME,
    COST_BY_NAME,
    COST_INPUTS,
    COST_QUESTIONS,
    QUESTIONS,
    STEPS,
    TITLE,
)
from decisions.domain.question import COUNT, MAX_DIGITS, whole_number
from decisions.web import csv, openapi
from decisions.web.forms import STEP_FORMS
from tests.helpers import FINE_TUNING_ANSWERS, Draft, fine_tuning_decision, page

API = "/api/decisions"
COUNTS = [q for q in (*QUESTIONS, *COST_QUESTIONS) if q.kind == COUNT]


def form_errors(name: str, typed: str) -> list[str]:
    """What the wizard says beside `name` when a person types `typed` there."""
    question = BY_NAME.get(name) or COST_BY_NAME[name]
    form = STEP_FORMS[question.step](data={name: typed})
    form.is_valid()
    return form.errors.get(name, [])


def api_errors(client, name: str, value: object) -> list[str]:
    """What the API says about `name` when it is sent as `value` beside good answers."""
    body = json.dumps({**FINE_TUNING_ANSWERS, name: value})
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == 400
    return response.json()["errors"].get(name, [])


def api_schema() -> dict:
    return openapi.spec()["components"]["schemas"]["Answers"]["properties"]


# --- The catalogue and the domain agree ---


def test_every_answer_and_cost_detail_is_in_the_catalogue():
    assert set(engine.ANSWER_FIELDS) == set(BY_NAME)
    assert tuple(COST_INPUTS) == COST_FIELDS


def test_answers_and_cost_inputs_default_to_the_catalogue():
    for f in dataclasses.fields(engine.Answers):
        expected = BY_NAME[f.name].default
        assert (f.default if f.default is not dataclasses.MISSING else None) == expected
    assert CostInputs().as_dict() == {name: q.default for name, q in COST_INPUTS.items()}


def test_every_step_but_review_asks_its_catalogue_questions_in_order():
    for step in STEPS[:-1]:
        asked = [q.name for q in (*QUESTIONS, *COST_QUESTIONS) if q.step == step.name]
        assert list(STEP_FORMS[step.name].base_fields) == asked


# --- The form, the API and the OpenAPI description say the same ---


@pytest.mark.django_db
@pytest.mark.parametrize("question", COUNTS, ids=lambda q: q.name)
def test_form_api_and_schema_share_each_range(question):
    form_field = STEP_FORMS[question.step].base_fields[question.name]
    schema = api_schema()[question.name]
    assert (schema["minimum"], schema["maximum"]) == (question.minimum, question.maximum)
    assert (form_field.min_value, form_field.max_value) == (question.minimum, question.maximum)
    assert schema.get("default") == question.default


@pytest.mark.django_db
@pytest.mark.parametrize("question", COUNTS, ids=lambda q: q.name)
def test_over_the_maximum_is_refused_in_the_same_words(client, question):
    over = question.maximum + 1
    assert form_errors(question.name, f"{over:,}") == [question.too_big]
    assert api_errors(client, question.name, over) == [question.too_big]
    assert question.too_big.endswith(f" of {question.maximum:,} or fewer.")


@pytest.mark.django_db
@pytest.mark.parametrize("question", COUNTS, ids=lambda q: q.name)
def test_under_the_minimum_is_refused_in_the_same_words(client, question):
    under = question.minimum - 1
    assert form_errors(question.name, str(under)) == [question.too_small]
    assert api_errors(client, question.name, under) == [question.too_small]


@pytest.mark.django_db
def test_a_number_too_long_to_convert_is_out_of_range_on_the_form_and_the_api(client):
    question = BY_NAME["monthly_requests"]
    digits = "9" * 5000
    assert form_errors(question.name, digits) == [question.too_big]
    assert form_errors(question.name, "-" + digits) == [question.too_small]
    body = json.dumps(FINE_TUNING_ANSWERS).replace("2000000", digits)
    response = client.post(API, body, content_type="application/json")
    assert response.json()["errors"] == {question.name: [question.too_big]}


def test_the_digit_guard_leaves_every_maximum_convertible():
    assert all(len(str(q.maximum)) < MAX_DIGITS for q in COUNTS)
    assert whole_number("9" * (MAX_DIGITS + 1)) > max(q.maximum for q in COUNTS)


@pytest.mark.django_db
def test_not_a_number_and_missing_read_the_same_on_the_form_and_the_api(client):
    question = BY_NAME["labeled_examples"]
    assert form_errors(question.name, "lots") == [question.not_a_number]
    assert api_errors(client, question.name, "lots") == [question.not_a_number]
    assert form_errors(question.name, "") == [question.missing]
    body = {k: v for k, v in FINE_TUNING_ANSWERS.items() if k != question.name}
    response = client.post(API, json.dumps(body), content_type="application/json")
    assert response.json()["errors"] == {question.name: [question.missing]}


@pytest.mark.django_db
def test_choices_and_required_answers_are_the_catalogues_in_the_schema():
    spec = openapi.spec()["components"]["schemas"]["Answers"]
    for question in QUESTIONS:
        if question.options and not question.is_bool:
            assert spec["properties"][question.name]["enum"] == question.values
        assert spec["properties"][question.name]["description"] == question.description
    assert spec["required"] == [name for name in engine.ANSWER_FIELDS if BY_NAME[name].required]
    assert spec["properties"]["title"]["maxLength"] == TITLE.maximum


@pytest.mark.django_db
def test_a_long_title_is_refused_in_the_same_words_by_the_form_and_the_api(client):
    long = "x" * (TITLE.maximum + 1)
    form = STEP_FORMS["review"](data={"title": long})
    assert not form.is_valid() and form.errors["title"] == [TITLE.too_long]
    assert api_errors(client, "title", long) == [TITLE.too_long]


# --- Exports and the admin name answers as the catalogue does ---


def test_csv_header_names_every_answer_by_its_catalogue_name():
    start = csv.HEADER.index(engine.ANSWER_FIELDS[0])
    assert csv.HEADER[start:start + len(BY_NAME)] == engine.ANSWER_FIELDS


@pytest.mark.django_db
def test_admin_shows_answers_with_the_catalogues_labels(admin_client):
    decision = fine_tuning_decision()
    detail = admin_client.get(f"/admin/decisions/decision/{decision.pk}/change/").content.decode()
    listing = admin_client.get("/admin/decisions/decision/").content.decode()
    for question in QUESTIONS:
        assert question.label.replace("'", "&#x27;") in detail
        if question.options:
            assert f"By {question.short}" in listing


@pytest.mark.django_db
def test_the_wizard_the_api_and_the_schema_offer_the_same_models_to_fine_tune(client):
    offered = set(api_schema()["tune_model"]["enum"])
    html = page(Draft(client).get("volume"))
    tune_list = html[html.index('name="volume-tune_model"'):]
    tune_list = tune_list[: tune_list.index("</select>")]
    assert set(re.findall(r'<option value="([^"]+)"', tune_list)) == offered
    refused = {
        name for name in api_schema()["prompt_model"]["enum"]
        if "tune_model" in api_errors_or_none(client, name)
    }
    assert refused == set(api_schema()["prompt_model"]["enum"]) - offered
    assert refused  # the sheet has models that cannot be fine-tuned at all


def api_errors_or_none(client, tune_model: str) -> dict:
    """The API's errors for good answers with this tune_model; {} when it makes a decision."""
    body = json.dumps({**FINE_TUNING_ANSWERS, "tune_model": tune_model})
    response = client.post(API, body, content_type="application/json")
    return response.json().get("errors", {})
