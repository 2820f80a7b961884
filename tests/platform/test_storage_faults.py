"""Storage faults: with the database unavailable, read-only, full or missing a table, people get a
503 page with Retry-After saying their answers are kept, API clients get JSON errors with 503,
/healthz fails, and everything works again once the database is back, with no restart.

In-process tests break the test database itself (SQLite's query_only and max_page_count, a
read-only transaction on PostgreSQL, a renamed table); the outage test runs real gunicorn against
a throwaway PostgreSQL server that it stops and starts.
"""

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from email.message import Message
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from decisions import services
from decisions.models import Decision
from decisions.platform import storage
from tests import helpers
from tests.helpers import (
    ANSWERS,
    FINE_TUNING_ANSWERS,
    ROOT,
    Draft,
    fine_tuning_decision,
    server_environment,
)

KEPT = "the answers you typed so far are kept"


@pytest.fixture
def client() -> Client:
    # A storage fault reaches the 503 handler as an exception: let it, as in production.
    return Client(raise_request_exception=False)


@pytest.fixture
def decision(db) -> Decision:
    return fine_tuning_decision("Triage")


@pytest.fixture
def draft(client, db) -> Draft:
    return Draft(client)


@pytest.fixture
def read_only(db) -> Iterator[None]:
    """From here on the test database refuses every write, as a read-only database does."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:  # PostgreSQL: the rest of the test's transaction, as on a read-only server
            cursor.execute("SET LOCAL transaction_read_only = on")
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")


@pytest.fixture
def decisions_table_missing(db) -> None:
    """The decisions table is gone (renamed within the test's transaction, rolled back after)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE decisions_decision RENAME TO decisions_decision_away")


def assert_unavailable_page(response, *, sent_form: bool) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Advisor is unavailable for a moment" in page
    assert KEPT in page
    assert ("reload this page and your browser sends the answers" in page) == sent_form


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"errors": {"__all__": [
        "Advisor cannot use its database right now. "
        f"Try again in {storage.RETRY_AFTER_SECONDS} seconds."
    ]}}


# --- Read-only ---


def test_read_only_database_fails_health(client, read_only):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database refuses writes"


def test_read_only_database_answers_a_form_step_with_the_unavailable_page(
    client, draft, read_only
):
    assert_unavailable_page(draft.post("volume", ANSWERS["volume"]), sent_form=True)


def test_read_only_database_answers_the_api_with_json(client, read_only):
    response = client.post("/api/decisions", FINE_TUNING_ANSWERS, content_type="application/json")
    assert_unavailable_json(response)


def test_health_recovers_when_the_database_takes_writes_again(client, db):
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            pytest.skip("on PostgreSQL a read-only transaction cannot be made writable again")
        cursor.execute("PRAGMA query_only = ON")
        assert client.get("/healthz").status_code == 503
        cursor.execute("PRAGMA query_only = OFF")
    assert client.get("/healthz").status_code == 200


# --- A missing table ---


def test_health_fails_when_a_table_the_app_needs_is_missing(client, decisions_table_missing):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database is missing tables: decisions_decision"


def test_missing_table_answers_the_result_page_with_the_unavailable_page(
    client, decision, decisions_table_missing
):
    response = client.get(f"/d/{decision.token}/")
    assert_unavailable_page(response, sent_form=False)


def test_missing_table_answers_the_json_export_with_json(
    client, decision, decisions_table_missing
):
    assert_unavailable_json(client.get(f"/d/{decision.token}.json"))


# --- A full disk (SQLite's max_page_count caps the file's size, as a full disk would) ---


def test_full_database_answers_503_and_stores_again_once_there_is_room(client, db):
    if connection.vendor != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA max_page_count = {pages + 2}")
        try:
            statuses = []
            for _ in range(100):  # the file fills up within a few decisions
                response = client.post(
                    "/api/decisions", FINE_TUNING_ANSWERS, content_type="application/json"
                )
                statuses.append(response.status_code)
                if response.status_code != 201:
                    break
            assert_unavailable_json(response)
            assert set(statuses[:-1]) <= {201}
            assert Decision.objects.count() == len(statuses) - 1
        finally:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    response = client.post("/api/decisions", FINE_TUNING_ANSWERS, content_type="application/json")
    assert response.status_code == 201


def test_other_database_errors_stay_500s(client, db, monkeypatch):
    from django.db import IntegrityError

    def broken(*args, **kwargs):
        raise IntegrityError("a bug, not an outage")

    monkeypatch.setattr(services, "record_decision", broken)
    response = client.post("/api/decisions", FINE_TUNING_ANSWERS, content_type="application/json")
    assert response.status_code == 500
    assert "Retry-After" not in response


# --- PostgreSQL stopped and started again, under real gunicorn ---

OPENER = urllib.request.build_opener()
JSON = {"Content-Type": "application/json"}


def fetch(url: str, data: bytes | None = None) -> tuple[int, Message, str]:
    """tests.helpers.fetch, with a JSON body when there is `data`."""
    return helpers.fetch(OPENER, url, data, JSON if data is not None else None)


@pytest.mark.server
@pytest.mark.postgres
def test_postgres_outage_is_503_and_recovers_without_a_restart(throwaway_postgres, start_gunicorn):
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
        env=server_environment(DATABASE_URL=throwaway_postgres.url),
        capture_output=True, text=True, timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    base = start_gunicorn(throwaway_postgres.url, workers=2)
    body = json.dumps(FINE_TUNING_ANSWERS).encode()
    status, headers, _ = fetch(f"{base}/api/decisions", body)
    assert status == 201
    result = urlsplit(headers["Location"]).path  # /d/<token>/

    throwaway_postgres.stop()
    status, _, text = fetch(f"{base}/healthz")
    assert (status, text) == (503, "database unavailable")
    status, headers, page = fetch(base + result)
    assert status == 503 and headers["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
    assert KEPT in page
    for status, headers, text in (
        fetch(base + result.rstrip("/") + ".json"), fetch(f"{base}/api/decisions", body)
    ):
        assert status == 503 and headers["Retry-After"] == str(storage.RETRY_AFTER_SECONDS)
        assert headers["Content-Type"] == "application/json"
        assert list(json.loads(text)["errors"]) == ["__all__"]

    throwaway_postgres.start()  # returns once it accepts connections
    # The same gunicorn, never restarted, serves again at once.
    assert fetch(f"{base}/healthz")[:3:2] == (200, "ok")
    assert fetch(base + result)[0] == 200
    assert fetch(f"{base}/api/decisions", body)[0] == 201
