"""Many people creating decisions at once: every one succeeds and every one is stored.

Real gunicorn with three worker processes (gunicorn.conf.py, production settings, RATE_LIMIT
off) against a database this test reads too: on SQLite, one file shared by the processes (WAL,
IMMEDIATE transactions); on PostgreSQL, the test database.
"""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests.helpers import CSRF_FIELD, FINE_TUNING_ANSWERS, WIZARD_STEPS, NoRedirect, fetch

pytestmark = pytest.mark.server

CREATIONS = 60
# Each one first fills a draft over HTTP (six requests), so fewer: still 50 at once.
WIZARD_CREATIONS = 50
WORKERS = 3
API_ANSWERS = FINE_TUNING_ANSWERS
def all_at_once(count: int, task):
    """Run task(0..count-1) in `count` threads released together; their results in order."""
    barrier = threading.Barrier(count)

    def released(n: int):
        barrier.wait(timeout=60)
        return task(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(released, range(count)))


def test_concurrent_api_creations_all_succeed_and_are_all_stored(app_database, start_gunicorn):
    base = start_gunicorn(app_database.url, workers=WORKERS)
    opener = urllib.request.build_opener()

    def create(n: int):
        body = json.dumps({**API_ANSWERS, "title": f"Concurrent {n}"}).encode()
        return fetch(
            opener, f"{base}/api/decisions", body, {"Content-Type": "application/json"}
        )

    replies = all_at_once(CREATIONS, create)

    assert Counter(status for status, _, _ in replies) == {201: CREATIONS}
    created = {json.loads(body)["token"]: json.loads(body)["title"] for _, _, body in replies}
    stored = dict(app_database.query("SELECT token, title FROM decisions_decision"))
    assert stored == created
    assert len(stored) == CREATIONS


def fill_a_draft(base: str, title: str):
    """One browser (its own cookies) with a draft filled up to the review step: returns what
    fetch() needs to send its final submit."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
    )
    status, headers, _ = fetch(opener, f"{base}/assess/")
    assert status == 302
    step_url = base + headers["Location"]
    draft_hex = step_url.split("/")[-3].replace("-", "")
    status, _, page = fetch(opener, step_url)
    assert status == 200, page[:500]
    # One CSRF secret per browser: the token on the first page is good for every step.
    csrf_token = CSRF_FIELD.search(page).group(1)
    for step, answers in [*WIZARD_STEPS.items(), ("review", {"title": title})]:
        form = urlencode({
            "csrfmiddlewaretoken": csrf_token,
            f"assessment_{draft_hex}-current_step": step,
            **{f"{step}-{name}": value for name, value in answers.items()},
        }).encode()
        if step == "review":
            return opener, step_url, form
        status, headers, page = fetch(opener, step_url, form)
        assert status == 302, page[:500]
        step_url = base + headers["Location"]
    raise AssertionError("the wizard has no review step")


def test_concurrent_final_wizard_submits_all_succeed_and_are_all_stored(
    app_database, start_gunicorn
):
    base = start_gunicorn(app_database.url, workers=WORKERS)
    titles = [f"Team {n}" for n in range(WIZARD_CREATIONS)]
    with ThreadPoolExecutor(WORKERS * 2) as pool:
        finals = list(pool.map(lambda title: fill_a_draft(base, title), titles))

    replies = all_at_once(WIZARD_CREATIONS, lambda n: fetch(*finals[n]))

    assert Counter(status for status, _, _ in replies) == {302: WIZARD_CREATIONS}
    result_paths = {headers["Location"] for _, headers, _ in replies}
    stored = app_database.query("SELECT token, title, source FROM decisions_decision")
    assert {f"/d/{token}/" for token, _, _ in stored} == result_paths
    assert sorted(title for _, title, _ in stored) == sorted(titles)
    assert {source for _, _, source in stored} == {"form"}


BURST = 20
BURST_LIMIT = 5
BURST_WORKERS = 4


def test_a_burst_over_the_rate_limit_creates_exactly_the_budget(app_database, start_gunicorn):
    """Twenty POSTs at once from one client, on several worker processes: exactly the budget
    is created, every other one is a 429. A per-day window, so the burst never straddles two
    windows (a fixed window starts afresh at its boundary, by design)."""
    base = start_gunicorn(
        app_database.url, workers=BURST_WORKERS, RATE_LIMIT=f"{BURST_LIMIT}/d"
    )
    opener = urllib.request.build_opener()
    body = json.dumps(API_ANSWERS).encode()
    headers = {"Content-Type": "application/json"}

    replies = all_at_once(BURST, lambda n: fetch(opener, f"{base}/api/decisions", body, headers))

    statuses = Counter(status for status, _, _ in replies)
    assert statuses == {201: BURST_LIMIT, 429: BURST - BURST_LIMIT}
    assert all(int(headers["Retry-After"]) >= 1 for status, headers, _ in replies if status == 429)
    assert app_database.query("SELECT COUNT(*) FROM decisions_decision") == [(BURST_LIMIT,)]


def test_racing_retries_with_one_idempotency_key_make_one_decision(app_database, start_gunicorn):
    base = start_gunicorn(app_database.url, workers=BURST_WORKERS)
    opener = urllib.request.build_opener()
    body = json.dumps(API_ANSWERS).encode()
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": "0b5c2a4e-racing-retries-of-one-request",
    }

    replies = all_at_once(BURST, lambda n: fetch(opener, f"{base}/api/decisions", body, headers))

    assert Counter(status for status, _, _ in replies) == {201: BURST}
    tokens = {json.loads(text)["token"] for _, _, text in replies}
    assert len(tokens) == 1
    assert app_database.query("SELECT token FROM decisions_decision") == [(tokens.pop(),)]
