"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server.

One browser per session, a fresh context per test. Without Chromium the tests skip with one
clear reason, except in CI (the CI variable is set), where a missing browser fails them.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, so Django refuses ORM calls from the
# test body unless told that this is safe here (it is: the loop never runs our code).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
# The machine's network is closed: without these flags Chromium keeps trying to phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests on a machine without Chromium; in CI, let them fail instead."""
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not CHROMIUM.exists():
        pytest.fail(f"CI is set but there is no Chromium at {CHROMIUM}: install chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


def _through(app):
    return app


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest):
    """pytest-django's live server, with static files served as in production.

    Its default static handler looks files up with the finders, which know nothing of the
    hashed names the manifest storage puts in pages, so every stylesheet would be a 404 (and
    the audit would check unstyled pages). Passing requests straight through lets WhiteNoise
    serve the collected files, as it does behind gunicorn.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _through
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def results_rechecked_at_once(settings):
    """A kept result page is rechecked on every request here, so a link revoked a moment ago
    reads as gone at once (other replicas take up to 5 s: tests/deploy/test_revocation.py)."""
    settings.RESULT_RECHECK_SECONDS = 0
