"""The API as a served request runs it: no transaction around the view, so the decision's INSERT
commits by itself (decisions.services.record_decision)."""

import json

import pytest
from django.db import transaction

from decisions.models import Decision
from tests.helpers import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, body: dict, **headers):
    return client.post(
        "/api/decisions", json.dumps(body), content_type="application/json", headers=headers
    )


def test_a_decision_made_outside_a_transaction_is_stored(client):
    assert transaction.get_autocommit()
    response = post(client, {**FINE_TUNING_ANSWERS, "title": "Autocommit"})
    assert response.status_code == 201
    stored = Decision.objects.get(token=response.json()["token"])
    assert stored.title == "Autocommit"
    assert stored.cost_estimate == response.json()["costs"]


def test_a_retry_with_its_key_gets_the_same_decision_outside_a_transaction(client):
    key = {"Idempotency-Key": "autocommit-retry-0001"}
    first = post(client, FINE_TUNING_ANSWERS, **key)
    again = post(client, FINE_TUNING_ANSWERS, **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["token"] == again.json()["token"]
    assert Decision.objects.count() == 1
