"""Opening the form stores nothing; drafts are bounded per browser and per address; expired
drafts, rate windows and idempotency keys are deleted without a cron job."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from formtools.wizard.forms import ManagementForm

from decisions.models import Decision, IdempotencyKey, RateCount
from decisions.platform import housekeeping
from decisions.platform.sessions import SessionStore as AppSessionStore
from decisions.web.drafts import (
    DraftStorage,
    draft_choices,
    draft_prices,
    new_draft_id,
    price_choices,
    price_snapshot,
    storage_key,
    unpack_prices,
    wizard_prefix,
)
from tests.helpers import ANSWERS, Draft

pytestmark = pytest.mark.django_db


def test_opening_the_form_stores_nothing_and_sets_no_cookie(client):
    response = client.get("/assess/")
    assert response.status_code == 302
    assert not response.cookies
    step = client.get(response.url)
    assert step.status_code == 200
    assert "How many completions a month" in step.content.decode()
    assert "sessionid" not in step.cookies
    assert Session.objects.count() == 0


def test_many_visits_that_answer_nothing_store_nothing():
    for _ in range(20):
        client = Client()
        client.get(client.get("/assess/?latency=critical").url)
    assert Session.objects.count() == 0


def test_a_prefilled_first_step_stores_nothing_until_answered(client):
    source = Draft(client)
    source.fill()
    source.post("review", ANSWERS["review"])
    token = Decision.objects.get().token
    visitor = Client()
    copy = Draft(visitor, f"?from={token}")
    html = copy.get("volume").content.decode()
    assert 'value="2000000"' in html
    assert f'action="/assess/{copy.id}/volume/?from={token}"' in html
    assert Session.objects.count() == 1  # the first browser's only
    copy.fill(upto="data")
    assert Session.objects.count() == 2
    assert 'value="800"' in copy.get("data").content.decode()


def test_the_first_answer_saves_the_draft_in_one_new_session(client):
    draft = Draft(client)
    response = draft.post("volume", ANSWERS["volume"])
    assert response.status_code == 302 and response.url == draft.url("data")
    assert Session.objects.count() == 1
    assert "sessionid" in response.cookies
    draft.fill()
    assert Session.objects.count() == 1


def test_the_first_answer_needs_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    draft = Draft(client)
    response = draft.post("volume", ANSWERS["volume"])
    assert response.status_code == 403
    assert Session.objects.count() == 0


def test_a_client_dropping_its_cookies_starts_a_bounded_number_of_sessions(settings):
    settings.DRAFT_RATE_LIMIT = "3/h"
    statuses = []
    for _ in range(5):
        draft = Draft(Client())  # a new browser each time: no cookie kept
        statuses.append(draft.post("volume", ANSWERS["volume"]).status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert Session.objects.count() == 3


def test_too_many_new_sessions_get_a_page_saying_when_to_retry(settings):
    settings.DRAFT_RATE_LIMIT = "1/h"
    Draft(Client()).post("volume", ANSWERS["volume"])
    response = Draft(Client()).post("volume", ANSWERS["volume"])
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "Too many new assessments" in html and "Nothing you typed was saved yet." in html


def test_a_browser_keeping_its_cookie_is_not_counted_again(client, settings):
    settings.DRAFT_RATE_LIMIT = "1/h"
    for _ in range(3):
        assert Draft(client).post("volume", ANSWERS["volume"]).status_code == 302
    assert Session.objects.count() == 1


def test_a_made_up_draft_id_finds_nothing(client):
    response = client.get("/assess/0b5c2a4e-7d1f-4c3e-9a8b-2f6d1e0c9b7a/volume/")
    assert response.status_code == 404
    assert Session.objects.count() == 0


def test_showing_a_saved_step_again_writes_no_session(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    with CaptureQueriesContext(connection) as queries:
        response = draft.get("stability")  # the step the draft is on
    assert response.status_code == 200 and "Step 3 of 5" in response.content.decode()
    assert "sessionid" not in response.cookies  # a changed session would be sent again
    assert not [q for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_moving_between_steps_writes_the_session(client):
    draft = Draft(client)
    draft.fill(upto="stability")
    response = draft.post("stability", {}, wizard_goto_step="data")
    assert response.status_code == 302
    assert "sessionid" in response.cookies


# --- What DraftStorage relies on in django-formtools (an upgrade that changes it fails here) ---


def test_formtools_storage_keys_the_session_by_wizard_and_the_prefix(rf):
    request = rf.get("/")
    request.session = SessionStore()
    draft = new_draft_id()
    storage = DraftStorage(wizard_prefix(draft), request)
    assert storage.prefix == storage_key(draft)


def test_formtools_storage_reads_and_writes_only_through_data(rf):
    """BaseStorage's public methods keep the whole draft in `data`, the one property
    DraftStorage defines: an unsaved draft stays in the object, a saved one in the session."""
    request = rf.get("/")
    request.session = SessionStore()
    storage = DraftStorage(wizard_prefix(new_draft_id()), request)
    storage.current_step = "data"
    storage.set_step_data("volume", {"volume-monthly_requests": ["5000"]})
    storage.extra_data = {"prices": []}
    assert storage.get_step_data("volume")["volume-monthly_requests"] == "5000"
    assert storage.data[storage.step_key] == "data"
    assert storage.data[storage.extra_data_key] == {"prices": []}
    assert storage.prefix not in request.session and not request.session.modified
    storage.save()
    assert request.session[storage.prefix]["step_data"]["volume"] == {
        "volume-monthly_requests": ["5000"]
    }
    request.session.modified = False
    storage.get_step_data("volume")
    assert storage.current_step == "data" and not request.session.modified
    storage.set_step_data("data", {})
    assert request.session.modified


# --- Housekeeping ---


def _expired_session() -> None:
    Session.objects.create(
        session_key="expired" + "x" * 25, session_data="", expire_date=timezone.now()
    )


def test_tidy_deletes_what_has_expired_and_keeps_the_rest(client):
    draft = Draft(client)
    draft.fill(upto="data")
    _expired_session()
    now = int(time.time())
    RateCount.objects.create(key="old", window=now - 2 * 86400, count=3)
    RateCount.objects.create(key="current", window=now - 60, count=3)
    Draft(client).fill()
    decision = Decision.objects.create(
        monthly_requests=1, labeled_examples=1, domain_language=False,
        change_frequency="rarely", phase="production", fresh_knowledge=False,
        latency="interactive", output_format="strict", reasoning="simple",
        recommendation="prompting", result={}, engine_version="test",
    )
    IdempotencyKey.objects.create(
        key="old-key-0123456789", fingerprint="x", decision=decision,
        created=timezone.now() - timedelta(hours=25),
    )
    IdempotencyKey.objects.create(key="new-key-0123456789", fingerprint="x", decision=decision)

    assert housekeeping.tidy() == {"sessions": 1, "rate_counts": 1, "idempotency_keys": 1}
    assert Session.objects.count() == 1
    assert not RateCount.objects.filter(key="old").exists()
    assert RateCount.objects.filter(key="current").exists()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key-0123456789"]
    assert draft.get("data").status_code == 200  # the live draft is untouched
    assert Decision.objects.count() == 1


def test_a_post_now_and_then_tidies_up(client, settings):
    _expired_session()
    settings.HOUSEKEEPING_CHANCE = 1
    client.get("/")
    assert Session.objects.count() == 1  # never on a GET
    Draft(client).post("volume", ANSWERS["volume"])
    assert not Session.objects.filter(session_key__startswith="expired").exists()


def test_no_post_tidies_up_when_the_chance_is_nil(client, settings):
    _expired_session()
    settings.HOUSEKEEPING_CHANCE = 0
    Draft(client).post("volume", ANSWERS["volume"])
    assert Session.objects.filter(session_key__startswith="expired").exists()


def test_the_session_store_reads_what_djangos_db_backend_wrote_in_one_query():
    # decisions/platform/sessions.py reads Django's table with its own SELECT: this pins the table.
    stored = SessionStore()
    stored["answer"] = "kept"
    stored.create()
    with CaptureQueriesContext(connection) as queries:
        loaded = AppSessionStore(stored.session_key)
        assert loaded["answer"] == "kept"
    assert len(queries) == 1


def test_an_expired_or_unknown_session_reads_as_empty_and_is_saved_under_a_new_key():
    stored = SessionStore()
    stored["answer"] = "kept"
    stored.create()
    Session.objects.filter(session_key=stored.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for key in (stored.session_key, "n0such5e55ion" * 2):
        loaded = AppSessionStore(key)
        assert "answer" not in loaded
        loaded["answer"] = "new"
        loaded.save()
        assert loaded.session_key != key
        saved = Session.objects.get(session_key=loaded.session_key)
        assert saved.get_decoded() == {"answer": "new"}


def test_the_step_page_names_its_hidden_step_field_as_formtools_management_form_does(client):
    """The page writes the management form's one field itself (no ManagementForm is built for
    a GET): its name, id and value must be those the POST's ManagementForm reads."""
    draft = Draft(client)
    html = client.get(draft.url("volume")).content.decode()
    bound = ManagementForm(prefix=wizard_prefix(draft.id), initial={"current_step": "volume"})
    field = bound["current_step"]
    written = f'<input type="hidden" name="{field.html_name}" value="volume" id="{field.auto_id}">'
    assert written in html


def test_a_draft_keeps_its_price_sheet_packed_and_reads_it_back_whole(client):
    draft = Draft(client)
    draft.fill(upto="data")
    extra = client.session[storage_key(draft.id)]["extra_data"]
    assert isinstance(extra["prices"], str)
    assert extra["started"] == timezone.now().date().isoformat()
    assert unpack_prices(extra["prices"]) == price_snapshot()
    assert draft_choices(extra) == {
        name: tuple(options) for name, options in price_choices(price_snapshot()).items()
    }


def test_a_draft_saved_before_prices_were_packed_keeps_its_prices_and_model_lists():
    snapshot = price_snapshot()
    choices = {"model_choices": [["gpt-x", "gpt-x (Old)"]], "tunable_choices": []}
    old = {"prices": snapshot, "choices": choices, "record_id": "0" * 32}
    assert draft_prices(old) == snapshot and draft_choices(old) == choices
    older = {"prices": snapshot}
    assert draft_choices(older) == price_choices(snapshot)
