"""The two hand-built statements of the models: storing a Decision (DecisionQuerySet.insert) and
reading the price sheet (ModelPriceManager.prices). Each must do what the ORM would."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.signals import post_save, pre_save
from django.urls import reverse, set_script_prefix

from decisions import fastjson, managers, services
from decisions.domain import engine
from decisions.domain.fields import DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL
from decisions.models import Decision, ModelPrice, Source
from tests.helpers import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db


def _unsaved(title: str, **details) -> Decision:
    """A decision as record_decision builds it, not yet stored."""
    stored, _ = services.record_decision(
        engine.Answers(**FINE_TUNING_ANSWERS), title=title, cost_details=details
    )
    values = {
        field.attname: getattr(stored, field.attname)
        for field in Decision._meta.concrete_fields
        if field.attname not in {"id", "token"}
    }
    return Decision(**values)


def _row(decision_id: int) -> dict:
    row = Decision.objects.values().get(pk=decision_id)
    del row["id"], row["token"]
    return row


@pytest.mark.parametrize("details", [{}, {"prompt_model": "not-on-the-sheet"}])
def test_insert_stores_the_row_save_would(details):
    """With cost figures, and without (a model not on the sheet: no economics, no panel)."""
    by_save, by_insert = _unsaved("Same", **details), _unsaved("Same", **details)
    by_save.created = by_insert.created = datetime.datetime(2026, 11, 30, 9, tzinfo=datetime.UTC)
    assert (by_insert.economics is None) == bool(details)
    by_save.save(force_insert=True)
    Decision.objects.insert(by_insert)
    assert by_insert.pk is not None and by_insert.pk != by_save.pk
    assert not by_insert._state.adding
    assert _row(by_insert.pk) == _row(by_save.pk)
    assert Decision.objects.get(pk=by_insert.pk).token == by_insert.token


def test_values_insert_passes_on_as_they_are_are_what_django_stores():
    """insert() skips get_db_prep_save for a value of a plain field's own type (managers.AS_IS):
    this fails the day Django converts one of them on the database in use."""
    decision = _unsaved("Plain")
    _, columns, _ = managers._insert_statement(Decision, connection.vendor, "default")
    passed_on = [
        (field, getattr(decision, attname), kind)
        for field, attname, kind in columns
        if kind is not None and type(getattr(decision, attname)) is kind
    ]
    # the answers' words, the verdict, the model names (and on SQLite the numbers too)
    assert len(passed_on) > (20 if connection.vendor == "sqlite" else 10)
    for field, value, kind in passed_on:
        prepared = field.get_db_prep_save(value, connection)
        assert prepared == value and type(prepared) is kind, field.name


def test_a_field_of_its_own_class_always_goes_through_django():
    class Shouting(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    shouting = Shouting(max_length=10)
    shouting.set_attributes_from_name("shouting")
    assert managers._column(shouting, connection).as_is is None
    created = Decision._meta.get_field("created")  # DateTimeField: a pre_save of its own
    assert managers._column(created, connection).attname is None
    plain = managers._column(Decision._meta.get_field("title"), connection)
    assert plain.attname == "title" and plain.as_is is str


def test_insert_refuses_a_token_already_taken_and_stores_nothing():
    first = _unsaved("First")
    Decision.objects.insert(first)
    second = _unsaved("Second")
    second.token = first.token
    before = Decision.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.insert(second)
    assert Decision.objects.count() == before


def test_nothing_insert_skips_is_in_use():
    """insert() skips Model.save() and its signals, and writes JSON with its own encoder: this
    fails the day any of them comes into use."""
    assert Decision.save is models.Model.save
    assert not pre_save.has_listeners(Decision)
    assert not post_save.has_listeners(Decision)
    json_fields = [f for f in Decision._meta.concrete_fields if isinstance(f, models.JSONField)]
    assert json_fields and all(field.encoder is None for field in json_fields)


def test_an_api_decision_is_stored_by_insert_and_reads_back_whole(client):
    response = client.post(
        "/api/decisions", {**FINE_TUNING_ANSWERS, "title": "API"}, content_type="application/json"
    )
    assert response.status_code == 201
    stored = Decision.objects.get(token=response.json()["token"])
    assert stored.source == Source.API
    assert stored.to_dict(response.json()["url"]) == response.json()


def test_prices_read_as_the_orm_reads_them():
    orm = {row.name: row.price() for row in ModelPrice.objects.all()}
    sheet = ModelPrice.objects.prices()
    # repr, not ==: Decimal("0.4") == Decimal("0.4000"), and the stored figures keep the places
    assert {name: repr(price) for name, price in sheet.items()} == {
        name: repr(price) for name, price in orm.items()
    }
    assert list(sheet) == list(orm)  # the sheet's own order
    named = ModelPrice.objects.prices({DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL, "not-there"})
    assert set(named) == {DEFAULT_PROMPT_MODEL, DEFAULT_TUNE_MODEL}
    assert ModelPrice.objects.prices(set()) == {}


def test_an_edited_price_is_read_at_once_and_an_edit_undone_too():
    price = ModelPrice.objects.prices({DEFAULT_PROMPT_MODEL})[DEFAULT_PROMPT_MODEL]
    ModelPrice.objects.filter(name=DEFAULT_PROMPT_MODEL).update(input_per_m=Decimal("123.45"))
    assert ModelPrice.objects.prices({DEFAULT_PROMPT_MODEL})[DEFAULT_PROMPT_MODEL].input_per_m == (
        Decimal("123.45")
    )
    ModelPrice.objects.filter(name=DEFAULT_PROMPT_MODEL).update(input_per_m=price.input_per_m)
    assert ModelPrice.objects.prices({DEFAULT_PROMPT_MODEL})[DEFAULT_PROMPT_MODEL] == price


def test_insert_on_a_database_that_returns_no_columns_reads_the_new_id(monkeypatch):
    """The branch for a database that cannot return the id from its INSERT (SQLite before 3.35,
    say): the id comes from the cursor, and the row is the one save() stores."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL returns the id from its INSERT: Django reads it no other way")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    managers._insert_statement.cache_clear()
    try:
        by_save, by_insert = _unsaved("Same"), _unsaved("Same")
        by_save.created = by_insert.created
        by_save.save(force_insert=True)
        Decision.objects.insert(by_insert)
        assert by_insert.pk == by_save.pk + 1
        assert _row(by_insert.pk) == _row(by_save.pk)
    finally:
        managers._insert_statement.cache_clear()


def test_the_whole_price_sheet_follows_a_descending_ordering(monkeypatch):
    monkeypatch.setattr(ModelPrice._meta, "ordering", ["-provider", "name"])
    managers._price_select.cache_clear()
    try:
        names = ModelPrice.objects.order_by("-provider", "name").values_list("name", flat=True)
        ascending = ModelPrice.objects.order_by("provider", "name").values_list("name", flat=True)
        assert list(names) != list(ascending)  # more than one provider: the test can fail
        assert list(ModelPrice.objects.prices()) == list(names)
    finally:
        managers._price_select.cache_clear()


@pytest.mark.parametrize(
    "value",
    [
        {"reasons": ["Fine-tuning pays back — in 2.5 months", "€ and ×"], "n": 1.25},
        {"volume": 10**20, "nested": [{"a": None, "b": True}]},  # past 64 bits: json writes it
        {2026: "a key that is not a string", "x": [1, 2.5e-07]},
    ],
)
def test_fastjson_writes_what_json_reads_back_as_json_would(value):
    assert json.loads(fastjson.dumps(value)) == json.loads(json.dumps(value))
    assert json.loads(json.dumps(value, cls=fastjson.Encoder)) == json.loads(json.dumps(value))


@pytest.mark.parametrize("script_prefix", ["/", "/advisor/"])
def test_a_results_address_is_the_one_reverse_gives(script_prefix):
    decision = _unsaved("Linked")
    try:
        set_script_prefix(script_prefix)
        for token in (decision.token, "A" * 16, "a-b_c" * 8, "T" * 64):
            decision.token = token
            assert decision.get_absolute_url() == reverse("decisions:result", args=[token])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("value", [{"on": datetime.date(2026, 11, 30)}, [Decimal("1.5")]])
def test_fastjson_refuses_what_json_refuses(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        fastjson.dumps(value)
