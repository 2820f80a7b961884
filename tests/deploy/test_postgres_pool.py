"""PostgreSQL under gunicorn's gevent workers: each worker keeps a few connections that its
requests share (a psycopg pool, advisor/settings.py), instead of opening one per request."""

import json
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.helpers import FINE_TUNING_ANSWERS, ROOT, fetch, server_environment

pytestmark = [pytest.mark.server, pytest.mark.postgres]

BODY = json.dumps(FINE_TUNING_ANSWERS).encode()


OPENER = urllib.request.build_opener()


def post_decision(base: str) -> int:
    status, _, _ = fetch(
        OPENER, f"{base}/api/decisions", BODY, {"Content-Type": "application/json"}
    )
    return status


def app_connections(url: str) -> set[int]:
    """The server processes of the client connections open to the database now, other than
    this one's."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return {pid for (pid,) in rows}


@pytest.fixture
def database(throwaway_postgres) -> str:
    """The URL of a migrated PostgreSQL of the test's own."""
    url = throwaway_postgres.url
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
        env=server_environment(DATABASE_URL=url), capture_output=True, text=True, timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    return url


@pytest.fixture
def served(database, start_gunicorn) -> tuple[str, str]:
    """(base URL, database URL): gunicorn with 2 workers, each pooling at most 2 connections."""
    return start_gunicorn(database, workers=2, DATABASE_POOL_SIZE="2"), database


def test_requests_reuse_pooled_connections_instead_of_opening_their_own(served):
    base, url = served
    for _ in range(25):
        assert post_decision(base) == 201
    kept = app_connections(url)
    # A connection per request would be closed when its request ended: none would be left.
    assert 1 <= len(kept) <= 4  # 2 workers x DATABASE_POOL_SIZE 2
    for _ in range(25):
        assert post_decision(base) == 201
    # The connections the first requests opened outlived them and are still the pool's.
    assert kept <= app_connections(url)
    assert len(app_connections(url)) <= 4


def test_a_burst_of_requests_waits_for_a_pooled_connection_and_all_succeed(served):
    base, url = served
    most, done = 0, threading.Event()

    def count_connections() -> None:
        nonlocal most
        while not done.is_set():
            most = max(most, len(app_connections(url)))
            time.sleep(0.01)

    with ThreadPoolExecutor(max_workers=25) as pool:
        counting = pool.submit(count_connections)
        statuses = list(pool.map(lambda _: post_decision(base), range(120)))
        done.set()
        counting.result()
    assert statuses == [201] * 120
    # 24 requests at a time queued for 2 workers x DATABASE_POOL_SIZE 2 connections (with a
    # connection each, there were 10 or more at once).
    assert 1 <= most <= 4
    with psycopg.connect(url) as connection:
        stored = connection.execute("SELECT count(*) FROM decisions_decision").fetchone()[0]
    assert stored == 120


def test_healthz_answers_ok_while_every_pooled_connection_is_busy(database, start_gunicorn):
    base = start_gunicorn(database, workers=1, DATABASE_POOL_SIZE="1")
    with psycopg.connect(database) as locker, ThreadPoolExecutor(max_workers=1) as pool:
        # A POST reads the price sheet: locked, it holds the pool's one connection, waiting.
        locker.execute("LOCK TABLE decisions_modelprice IN ACCESS EXCLUSIVE MODE")
        posting = pool.submit(post_decision, base)
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock(database):
            assert time.monotonic() < deadline, "the POST never reached the locked table"
            time.sleep(0.02)
        status, _, text = fetch(OPENER, f"{base}/healthz")
        assert (status, text) == (200, "ok")
        locker.commit()  # the lock goes, and the POST goes through
        assert posting.result() == 201


def waiting_on_a_lock(url: str) -> bool:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        ).fetchone()[0] > 0
