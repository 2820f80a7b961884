"""The cost model with the database: the seeded price sheet, what a recorded decision stores, the
wizard's model lists, and the price sheet in the admin."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User

from decisions import services
from decisions.domain import costs, engine
from decisions.domain.fields import DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL
from decisions.domain.panel import panel
from decisions.domain.price_sheet import ROWS
from decisions.models import Decision, FineTuning, ModelPrice
from tests.helpers import FINE_TUNING_ANSWERS, fine_tuning_decision

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)

# 2,000,000 completions a month, a strict schema, 800 examples, requirements rarely change.
ANSWERS = FINE_TUNING_ANSWERS
PRICES_URL = "/admin/decisions/modelprice/"
OPENAI = ("gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini")


def record(title: str = "Support triage", answers: dict | None = None, **details) -> Decision:
    decision, _ = services.record_decision(
        engine.Answers(**{**ANSWERS, **(answers or {})}), title=title, cost_details=details
    )
    return decision


def expected(answers: dict | None = None, **details) -> costs.CostEstimate:
    """The estimate record() should store, from the seeded sheet with today's date."""
    estimate = services.estimate_costs(
        engine.Answers(**{**ANSWERS, **(answers or {})}),
        {"prompt_model": DEFAULT_PROMPT_MODEL, "tune_model": DEFAULT_TUNE_MODEL, **details},
    )
    assert estimate is not None
    return estimate


def seeded(name: str) -> costs.Price:
    return ModelPrice.objects.get(name=name).price()


# --- The seeded sheet ---


def test_migration_seeds_every_row_of_the_sheet():
    assert set(ModelPrice.objects.values_list("name", flat=True)) == {row["name"] for row in ROWS}


def test_default_pair_is_on_the_sheet_and_open_to_a_new_customer_today():
    today = datetime.date.today()
    assert ModelPrice.objects.filter(name=DEFAULT_PROMPT_MODEL).exists()
    assert seeded(DEFAULT_TUNE_MODEL).open_on(today)
    assert seeded(DEFAULT_TUNE_MODEL).has_fine_tuning_prices
    assert seeded(DEFAULT_TUNE_MODEL).offered_for_fine_tuning


def test_default_tune_model_is_billed_by_the_hour_not_per_token():
    price = seeded(DEFAULT_TUNE_MODEL)
    assert (price.ft_input_per_m, price.ft_output_per_m) == (0, 0)
    assert price.hosting_per_hour == Decimal("8.00")
    assert (price.input_per_m, price.output_per_m) == (Decimal("0.20"), Decimal("0.20"))
    assert price.training_per_m == Decimal("0.50")
    assert price.provider == "Fireworks AI"
    assert price.serves_fine_tunes_by_the_hour


def test_default_prompt_model_is_priced_but_not_offered_for_fine_tuning():
    price = seeded(DEFAULT_PROMPT_MODEL)
    assert (price.input_per_m, price.output_per_m) == (Decimal("0.88"), Decimal("0.88"))
    assert price.provider == "Together AI"
    assert price.fine_tuning == ""


def test_together_8b_is_open_but_has_no_fine_tuning_prices():
    price = seeded("meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo")
    assert price.fine_tuning == "open"
    assert not price.has_fine_tuning_prices
    assert not price.serves_fine_tunes_by_the_hour


def test_gemini_flash_lite_has_half_price_batch_and_caches_from_4096_tokens():
    price = seeded("gemini-3.5-flash-lite")
    assert price.batch_discount == Decimal("0.5")
    assert price.min_cache_tokens == 4096


def test_mistral_large_is_closed_to_new_customers():
    assert seeded("mistral-large-latest").fine_tuning == "closed"


@pytest.mark.parametrize("name", OPENAI)
def test_openai_rows_are_closed_to_new_customers_with_dates_and_retirement(name):
    price = seeded(name)
    assert price.fine_tuning == "closed"
    assert price.fine_tuning_since == "2026-05-07"
    assert price.retires_on == "2027-01-14"
    assert price.fine_tuning_source.startswith("https://")
    assert price.availability(TODAY) == "Closed to new customers since 7 May 2026"
    assert not price.open_on(datetime.date.today())


def test_gpt_41_nano_is_retired():
    price = seeded("gpt-4.1-nano")
    assert (price.fine_tuning, price.fine_tuning_since) == ("retired", "2026-10-23")
    assert price.availability(TODAY) == "Retired on 23 October 2026"


def test_every_row_has_a_source_url():
    for row in ModelPrice.objects.all():
        assert row.source_url.startswith("https://"), row.name


def test_every_row_that_offers_fine_tuning_cites_where_availability_comes_from():
    for row in ModelPrice.objects.exclude(fine_tuning=""):
        assert row.fine_tuning_source.startswith("https://"), row.name


def test_seeded_rows_make_valid_prices():
    for row in ModelPrice.objects.all():
        assert costs.Price(**row.price().as_dict()) == row.price()


def test_named_rows_read_the_same_prices_as_the_whole_sheet():
    names = {DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL, "gpt-4.1-nano", "not-on-the-sheet"}
    whole = services.price_sheet()
    named = services.price_sheet(names)
    # repr, not ==: Decimal("0.4") == Decimal("0.4000"), and the stored figures keep the places
    assert {name: repr(price) for name, price in named.items()} == {
        name: repr(price) for name, price in whole.items() if name in names
    }
    assert len(named) == 3
    assert services.price_sheet(set()) == {}


def test_suggested_tune_model_is_the_default_while_it_is_open():
    assert services.suggested_tune_model(services.price_sheet(), datetime.date.today()) == (
        DEFAULT_TUNE_MODEL
    )


def test_a_closed_default_tune_model_makes_the_suggestion_another_open_one():
    today = datetime.date.today()
    ModelPrice.objects.filter(name=DEFAULT_TUNE_MODEL).update(
        fine_tuning=FineTuning.CLOSED, fine_tuning_since=today
    )
    other = ModelPrice.objects.filter(
        ft_input_per_m__isnull=False, ft_output_per_m__isnull=False, training_per_m__isnull=False
    ).exclude(name=DEFAULT_TUNE_MODEL).last()
    ModelPrice.objects.filter(pk=other.pk).update(fine_tuning=FineTuning.OPEN, retires_on=None)
    expected = services.suggested_tune_model(services.price_sheet(), today)
    assert expected and expected != DEFAULT_TUNE_MODEL
    decision = fine_tuning_decision()
    assert f"such as {expected}." in json.dumps(decision.cost_estimate)


# --- What a recorded decision stores ---


def test_record_stores_strength_economics_and_a_version_2_panel():
    decision = record()
    estimate = expected()
    result = engine.decide(estimate.answers, estimate.economics)
    assert decision.engine_version == "2.0"
    assert decision.strength in ("clear", "borderline")
    assert decision.strength == result.strength
    assert decision.recommendation == result.recommendation
    assert decision.economics == estimate.economics.as_dict()
    assert decision.cost_estimate == panel(estimate, result.recommendation)
    assert decision.cost_estimate["version"] == 2
    assert [o["key"] for o in decision.cost_estimate["options"]] == ["A", "B", "C"]
    assert decision.cost_estimate["prompt_model"]["name"] == DEFAULT_PROMPT_MODEL
    assert decision.cost_estimate["tune_model"]["name"] == DEFAULT_TUNE_MODEL


def test_record_prices_the_default_pair_by_hand():
    # Llama 3.3 70B on Together, $0.88 in and out, no caching: (1,500 + 500 + 300) x $0.88/M =
    # $0.002024. Llama 3.1 8B on Fireworks, $0.20: 2,300 x $0.20/M = $0.00046. Fine-tuned 8B,
    # served only on an $8.00-an-hour deployment, is compared at the base $0.20/M on the
    # fine-tuned request: (100 + 500 + 300) x $0.20/M = $0.00018; its fixed cost is retraining
    # only, a twelfth of (training + $800). Training: 800 x 900 x 3 = 2,160,000 tokens x $0.50/M
    # = $1.08.
    decision = record()
    panel = decision.cost_estimate
    options = {o["key"]: o for o in panel["options"]}
    assert options["A"]["per_request"] == 0.002024
    assert options["B"]["per_request"] == 0.00046
    assert options["C"]["per_request"] == 0.00018
    # ($1.08 + $800) / 12 = $66.76; no hosting in it.
    assert options["C"]["monthly_fixed"] == 66.76
    assert panel["hosting_monthly"] == 0.0 and panel["retraining_monthly"] == 66.76
    # The deployment is shown apart: $8.00 x 730 hours = $5,840 a month.
    assert panel["dedicated_monthly"] == 5840.0
    assert panel["training_cost"] == 1.08
    assert panel["one_off"] == 8001.08


def test_record_stores_the_new_cost_details():
    decision = record(tuned_prompt_tokens=40, retrieved_tokens=2500, prompt_caching=False)
    decision.refresh_from_db()
    assert (decision.tuned_prompt_tokens, decision.retrieved_tokens) == (40, 2500)
    assert decision.prompt_caching is False
    assert decision.cost_estimate["inputs"]["tuned_prompt_tokens"] == 40
    assert decision.cost_details()["prompt_caching"] is False


def test_record_with_small_model_falls_short_uses_baseline_a():
    decision = record(answers={"small_model": "falls_short"})
    assert decision.small_model == "falls_short"
    assert decision.cost_estimate["baseline"] == "A"
    assert record().cost_estimate["baseline"] == "B"


def test_engine_and_panel_agree_on_paying_back():
    for small_model in ("falls_short", "not_tried"):
        decision = record(answers={"small_model": small_model})
        fired = {reason["code"] for reason in decision.result["reasons"]}
        assert ("pays_back" in fired) == decision.cost_estimate["pays_back"], small_model


def test_choosing_a_closed_tune_model_stores_no_economics_and_says_why():
    decision = record(tune_model="gpt-4.1-mini")
    assert decision.economics is None
    panel = decision.cost_estimate
    assert panel["version"] == 2
    assert panel["summary"] == panel["unpriced"]
    assert panel["summary"] == (
        "OpenAI has closed fine-tuning of gpt-4.1-mini to new customers since 7 May 2026. "
        "There is no fine-tuning estimate. Choose a model a new customer can fine-tune today, "
        f"such as {DEFAULT_TUNE_MODEL}."
    )
    assert [o["key"] for o in panel["options"]] == ["A"]
    codes = {reason["code"] for reason in decision.result["reasons"]}
    assert not codes & {"pays_back", "costs_more", "try_small_first"}


def test_choosing_a_retired_tune_model_says_it_was_retired():
    decision = record(tune_model="gpt-4.1-nano")
    assert decision.economics is None
    assert decision.cost_estimate["summary"].startswith(
        "gpt-4.1-nano was retired on 23 October 2026. There is no fine-tuning estimate."
    )
    assert DEFAULT_TUNE_MODEL in decision.cost_estimate["summary"]


def test_choosing_an_open_model_without_a_fine_tuning_price_says_so():
    decision = record(tune_model="gemini-3.5-flash-lite")
    assert decision.economics is None
    assert decision.cost_estimate["summary"].startswith(
        "The price sheet has no fine-tuning price for gemini-3.5-flash-lite."
    )


def test_a_model_missing_from_the_sheet_gives_no_estimate():
    decision = record(prompt_model="retired-model")
    assert decision.cost_estimate is None
    assert decision.economics is None


def test_a_decision_keeps_the_prices_it_was_given():
    decision = record()
    ModelPrice.objects.filter(name=DEFAULT_PROMPT_MODEL).update(input_per_m=Decimal("20"))
    decision.refresh_from_db()
    assert decision.cost_estimate["prompt_model"]["input_per_m"] == 0.88


# --- The wizard's model lists ---


def _options(page: str, name: str) -> dict[str, str]:
    """The <option>s of a <select name=...>: value -> label."""
    select = re.search(rf'<select[^>]*\bname="{name}".*?</select>', page, re.S)
    assert select, f"no select {name}"
    return {
        html.unescape(value): html.unescape(label.strip())
        for value, label in re.findall(
            r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(0), re.S
        )
    }


def volume_page(client) -> str:
    start = client.get("/assess/")
    assert start.status_code == 302
    response = client.get(start.url)
    assert response.status_code == 200
    return response.content.decode()


def test_volume_step_lists_closed_tune_models_marked_as_closed(client):
    tunable = _options(volume_page(client), "volume-tune_model")
    assert tunable[DEFAULT_TUNE_MODEL] == f"{DEFAULT_TUNE_MODEL} (Fireworks AI)"
    for name in OPENAI:
        assert tunable[name].lower() == (
            f"{name} (openai; closed to new customers since 7 may 2026)"
        )
    assert tunable["gpt-4.1-nano"].lower() == "gpt-4.1-nano (openai; retired on 23 october 2026)"
    assert tunable["mistral-small-latest"] == (
        "mistral-small-latest (Mistral; closed to new customers)"
    )
    # Open, but no fine-tuning price to estimate with.
    assert tunable["gemini-3.5-flash-lite"] == (
        "gemini-3.5-flash-lite (Google; no fine-tuning price)"
    )
    assert tunable["meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"] == (
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo (Together AI; no fine-tuning price)"
    )
    assert tunable["mistral-large-latest"] == (
        "mistral-large-latest (Mistral; closed to new customers)"
    )
    assert DEFAULT_PROMPT_MODEL not in tunable  # never offered for fine-tuning


def test_volume_step_marks_closed_models_with_the_month_capitalised(client):
    tunable = _options(volume_page(client), "volume-tune_model")
    assert tunable["gpt-4.1-mini"] == (
        "gpt-4.1-mini (OpenAI; closed to new customers since 7 May 2026)"
    ), (
        "BUG (decisions/web/drafts.py price_choices): availability().lower() lowercases the month "
        f"name in the label: {tunable['gpt-4.1-mini']!r}"
    )


def test_volume_step_lists_every_model_to_prompt(client):
    prompt = _options(volume_page(client), "volume-prompt_model")
    assert set(prompt) >= {row["name"] for row in ROWS}
    assert prompt["mistral-large-latest"] == "mistral-large-latest (Mistral)"


# --- The price sheet in the admin ---


def staff(*permissions: str) -> User:
    user = User.objects.create_user("lead", password="unused-in-tests", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def price_form(price: ModelPrice, **changes) -> dict[str, str]:
    data = {"_save": "Save"}
    for name in (
        "name", "provider", "input_per_m", "cached_input_per_m", "min_cache_tokens",
        "output_per_m", "batch_discount", "ft_input_per_m", "ft_output_per_m", "training_per_m",
        "hosting_per_hour", "storage_per_month", "fine_tuning", "fine_tuning_since",
        "fine_tuning_source", "retires_on", "as_of", "source_url", "note",
    ):
        value = getattr(price, name)
        if value is None:
            data[name] = ""
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return {**data, **changes}


def change_url(name: str) -> str:
    return f"{PRICES_URL}{ModelPrice.objects.get(name=name).pk}/change/"


def test_admin_lists_the_seeded_models_with_their_prices(client):
    client.force_login(staff("view_modelprice"))
    response = client.get(PRICES_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for name in (*OPENAI, "gpt-4.1-nano", DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL):
        assert f">{name}</a>" in page
    for column in (
        "Provider", "Input, per million tokens", "Cached input, per million tokens",
        "Training, per million tokens", "Fine-tuning for a new customer", "As of",
    ):
        assert column.lower() in page.lower(), column


def test_admin_searches_the_price_sheet(client):
    client.force_login(staff("view_modelprice"))
    searched = client.get(PRICES_URL, {"q": "nano"}).content.decode()
    assert ">gpt-4.1-nano</a>" in searched and ">gpt-4.1-mini</a>" not in searched
    by_provider = client.get(PRICES_URL, {"q": "Together"}).content.decode()
    assert f">{DEFAULT_PROMPT_MODEL}</a>" in by_provider and ">gpt-4.1</a>" not in by_provider
    assert f">{DEFAULT_TUNE_MODEL}</a>" not in by_provider  # Fireworks AI


def test_admin_filters_by_provider_and_availability(client):
    client.force_login(staff("view_modelprice"))
    by_provider = client.get(PRICES_URL, {"provider": "Fireworks AI"}).content.decode()
    assert "llama-v3p1-8b-instruct</a>" in by_provider and ">gpt-4.1</a>" not in by_provider
    closed = client.get(PRICES_URL, {"fine_tuning__exact": "closed"}).content.decode()
    assert ">gpt-4.1</a>" in closed and f">{DEFAULT_TUNE_MODEL}</a>" not in closed
    assert ">gpt-4.1-nano</a>" not in closed  # retired, not closed


def test_admin_change_form_groups_the_new_fields(client):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    page = client.get(change_url("gpt-4.1")).content.decode()
    headings = (
        "Base prices", "Fine-tuning (", "Can a new customer fine-tune it today?", "Source",
    )
    positions = [page.index(heading) for heading in headings]
    assert positions == sorted(positions)
    for field in (
        "cached_input_per_m", "min_cache_tokens", "batch_discount", "storage_per_month",
        "fine_tuning", "fine_tuning_since", "fine_tuning_source", "retires_on",
    ):
        assert f'name="{field}"' in page, field


def test_lead_edits_a_price_and_only_later_decisions_use_it(client):
    older = record("Before the change")
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name=DEFAULT_PROMPT_MODEL)
    response = client.post(change_url(DEFAULT_PROMPT_MODEL), price_form(price, input_per_m="4"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    price.refresh_from_db()
    assert price.input_per_m == Decimal("4")

    later = record("After the change")
    assert later.cost_estimate["prompt_model"]["input_per_m"] == 4.0
    a_later, a_older = later.cost_estimate["options"][0], older.cost_estimate["options"][0]
    assert a_later["monthly"] > a_older["monthly"]
    before = older.cost_estimate
    older.refresh_from_db()
    assert older.cost_estimate == before
    assert older.cost_estimate["prompt_model"]["input_per_m"] == 0.88


def test_lead_closes_a_model_to_new_customers(client):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name=DEFAULT_TUNE_MODEL)
    response = client.post(
        change_url(DEFAULT_TUNE_MODEL),
        price_form(price, fine_tuning="closed", fine_tuning_since="2026-11-01"),
    )
    assert response.status_code == 302
    price.refresh_from_db()
    assert price.fine_tuning == "closed"
    assert price.fine_tuning_since == datetime.date(2026, 11, 1)
    assert record().economics is None  # no open default to price with


def test_staff_without_change_permission_cannot_edit_prices(client):
    client.force_login(staff("view_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(change_url("gpt-4.1"), price_form(price, input_per_m="0.01"))
    assert response.status_code == 403
    price.refresh_from_db()
    assert price.input_per_m == Decimal("2.0000")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"training_per_m": "-1"}, "training_per_m"),
        ({"cached_input_per_m": "-0.5"}, "cached_input_per_m"),
        ({"storage_per_month": "-1"}, "storage_per_month"),
        ({"ft_output_per_m": ""}, "ft_output_per_m"),
        ({"input_per_m": "cheap"}, "input_per_m"),
        ({"fine_tuning": "maybe"}, "fine_tuning"),
        ({"fine_tuning": "retired", "fine_tuning_since": ""}, "fine_tuning_since"),
        ({"retires_on": "next year"}, "retires_on"),
        ({"source_url": ""}, "source_url"),
    ],
)
def test_admin_refuses_prices_the_estimate_cannot_use(client, changes, field):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(change_url("gpt-4.1"), price_form(price, **changes))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    price.refresh_from_db()
    assert price.training_per_m == Decimal("25.0000")
    assert price.ft_output_per_m == Decimal("12.0000")
    assert price.fine_tuning == "closed"


@pytest.mark.parametrize("share", ["1", "1.5", "-0.1"])
def test_admin_refuses_a_batch_discount_outside_zero_to_one(client, share):
    client.force_login(staff("view_modelprice", "change_modelprice"))
    price = ModelPrice.objects.get(name="gpt-4.1")
    response = client.post(change_url("gpt-4.1"), price_form(price, batch_discount=share))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    price.refresh_from_db()
    assert price.batch_discount == Decimal("0.5")


def test_decision_detail_in_the_admin_shows_the_stored_costs(client):
    decision = record()
    client.force_login(staff("view_decision"))
    page = client.get(f"/admin/decisions/decision/{decision.pk}/change/").content.decode()
    assert "Cost estimate" in page
    assert html.escape(decision.cost_estimate["summary"]) in page
