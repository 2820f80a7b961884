import importlib
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.helpers import PG_BIN, ROOT, ThrowawayPostgres, server_environment

_DB_FIXTURES = {"db", "transactional_db", "live_server", "_django_db_helper"}


@pytest.fixture(autouse=True)
def rate_windows_hold_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limit counts in fixed windows of the clock (a minute for "1/m"): a test that
    crossed a window's end would see its count start again and fail now and then. Its clock is
    pinned half a minute into the current hour, so every test runs inside one window."""
    from decisions.platform import ratelimit

    now = time.time()
    pinned = now - now % 3600 + 30.5
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)


@pytest.fixture(autouse=True)
def price_sheet(request: pytest.FixtureRequest, django_db_blocker) -> None:
    """The price sheet a data migration seeds, for every test that uses the database.

    Tests on a live server or a shared database empty every table when they end, the seeded
    prices included; seed them again (idempotent) so test order never matters.
    """
    if not _DB_FIXTURES & set(request.fixturenames):
        return
    from django.apps import apps

    with django_db_blocker.unblock():
        if not apps.get_model("decisions", "ModelPrice").objects.exists():
            seeding = importlib.import_module("decisions.migrations.0005_price_sheet_november_2026")
            seeding.seed(apps, None)


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Pages link hashed static files, so the manifest must exist as in production."""
    call_command("collectstatic", "--noinput", verbosity=0)
    yield
    shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


# --- Real servers: gunicorn processes with gunicorn.conf.py, against a database this test can
# read too. For tests/deploy/ and tests/platform/.

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "server: starts real gunicorn processes on the loopback (a few seconds)"
    )


@dataclass
class AppDatabase:
    """A database that server processes share with the test: its URL, and a way to read it."""

    url: str
    query: Callable[[str], list[tuple]]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session, copied for each test that needs a fresh one."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    script = (
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('migrate', verbosity=0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=server_environment(DATABASE_URL=f"sqlite:///{path}"),
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def app_database(request: pytest.FixtureRequest, tmp_path: Path, transactional_db) -> AppDatabase:
    """On PostgreSQL, the test database itself, committed for real and emptied after the test
    (transactional_db); on SQLite, a fresh copy of a migrated file, since the test database
    lives in this process's memory."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        url = (
            f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
            f"/{quote(db['NAME'], safe='')}"
        )

        def query(sql: str) -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()

        return AppDatabase(url, query)

    path = tmp_path / "db.sqlite3"
    template = request.getfixturevalue("migrated_sqlite")
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)

    def query(sql: str) -> list[tuple]:
        with closing(sqlite3.connect(path, timeout=20)) as reader:
            return reader.execute(sql).fetchall()

    return AppDatabase(f"sqlite:///{path}", query)


@pytest.fixture
def start_gunicorn(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start gunicorn (gunicorn.conf.py, production settings) and return its base URL.

    The listening socket is opened here and handed over (bind fd://N), so requests queue in its
    backlog until a worker is up: no port race and no polling. Every process is stopped, and
    its database connections closed, before the test's database is torn down.
    """
    processes: list[tuple[subprocess.Popen, Path]] = []

    def start(database_url: str, *, workers: int = 1, **variables: str) -> str:
        listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        port = listener.getsockname()[1]
        log = tmp_path / f"gunicorn-{port}.log"
        with listener, log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "advisor.wsgi", "-c", "gunicorn.conf.py"],
                cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=(listener.fileno(),),
                env=server_environment(**{
                    "DATABASE_URL": database_url, "BIND": f"fd://{listener.fileno()}",
                    "WEB_CONCURRENCY": str(workers), "ACCESS_LOG": "", **variables,
                }),
            )
        processes.append((process, log))
        base = f"http://127.0.0.1:{port}"
        try:
            # A URL built here, on the loopback.
            with urllib.request.urlopen(f"{base}/healthz", timeout=60) as response:  # noqa: S310
                assert response.status == 200
        except (OSError, AssertionError) as error:
            pytest.fail(f"gunicorn on port {port} did not answer ({error}):\n{log.read_text()}")
        return base

    yield start
    for process, _ in processes:
        process.terminate()
    for process, log in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"gunicorn did not stop on SIGTERM:\n{log.read_text()}")


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server of the test's own, which it may stop and start; removed after."""
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail("CI is set but there are no PostgreSQL binaries: install postgresql")
        pytest.skip("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("as root, PostgreSQL needs a postgres user to run as (see .ci/run)")
    server = ThrowawayPostgres(PG_BIN)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()
