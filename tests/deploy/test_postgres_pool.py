"""PostgreSQL under gunicorn's gevent workers: each worker keeps a few connections that its
requests share (a psycopg pool, advisor/settings.py), instead of opening one per request."""

import json
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.helpers import FINE_TUNING_ANSWERS, ROOT, server_environment

pytestmark = [pytest.mark.server, pytest.mark.postgres]

BODY = json.dumps(FINE_TUNING_ANSWERS).encode()


def post_decision(base: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/decisions", data=BODY, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


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
def served(throwaway_postgres, start_gunicorn):
    """(base URL, database URL): gunicorn with 2 workers, each pooling at most 2 connections,
    on a migrated throwaway PostgreSQL."""
    url = throwaway_postgres.url
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
        env=server_environment(DATABASE_URL=url), capture_output=True, text=True, timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    return start_gunicorn(url, workers=2, DATABASE_POOL_SIZE="2"), url


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
    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(lambda _: post_decision(base), range(120)))
    assert statuses == [201] * 120
    # 2 workers x DATABASE_POOL_SIZE 2: the burst queued for the pooled connections rather than
    # opening more.
    assert 1 <= len(app_connections(url)) <= 4
    with psycopg.connect(url) as connection:
        stored = connection.execute("SELECT count(*) FROM decisions_decision").fetchone()[0]
    assert stored == 120
