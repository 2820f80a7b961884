"""Set-up the tests share: example answers, a wizard draft driven through the test client, real
app processes (their environment, and fetching from them over HTTP), and a PostgreSQL server of
a test's own.

Test modules import from here, never from one another; the benchmark imports nothing from tests.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from decisions import services
from decisions.domain import engine
from decisions.models import Decision
from decisions.web.forms import STEP_FORMS

# --- Answers

# A strict schema, no blocker, no hybrid trigger: fine-tuning. The small model is not yet tried
# (the default), so the volume is priced against prompting it, and does not pay back alone.
FINE_TUNING_ANSWERS = {
    "monthly_requests": 2_000_000,
    "prompt_tokens": 1500,
    "labeled_examples": 800,
    "domain_language": False,
    "change_frequency": "rarely",
    "phase": "production",
    "fresh_knowledge": False,
    "latency": "interactive",
    "output_format": "strict",
    "reasoning": "simple",
    "small_model": "not_tried",
}


def fine_tuning_decision(title: str = "") -> Decision:
    """A decision recorded from FINE_TUNING_ANSWERS, with the default cost details."""
    return services.record_decision(engine.Answers(**FINE_TUNING_ANSWERS), title=title)[0]


# Fine-tuning that pays back at 2M a month (break-even near 1.8M with the default models): strict
# schema, domain language, a long prompt on a latency-critical path. The admin review's example.
TUNED = {
    "monthly_requests": 2_000_000, "prompt_tokens": 1500, "labeled_examples": 1_500,
    "domain_language": True, "change_frequency": "rarely", "phase": "production",
    "fresh_knowledge": False, "latency": "critical", "output_format": "strict",
    "reasoning": "simple", "small_model": "falls_short",
}

# The wizard's answers, step by step, as a browser posts them.
ANSWERS = {
    "volume": {"monthly_requests": "2,000,000", "prompt_tokens": "1500"},
    "data": {"labeled_examples": "800", "domain_language": "no", "small_model": "falls_short"},
    "stability": {"change_frequency": "rarely", "phase": "production", "fresh_knowledge": "no"},
    "delivery": {"latency": "interactive", "output_format": "strict", "reasoning": "simple"},
    "review": {"title": "Support triage"},
}
STEPS = list(ANSWERS)


class Draft:
    """One assessment in one browser: its URLs and how to post its steps."""

    def __init__(self, client, query: str = "") -> None:
        self.client = client
        response = client.get("/assess/" + query)
        assert response.status_code == 302
        match = re.fullmatch(r"/assess/([0-9a-f-]{36})/volume/(\?.+)?", response.url)
        assert match, response.url
        self.id = uuid.UUID(match.group(1))
        # The prefill rides on the first step's URL, as in its form's action, until the first
        # answer saves the draft.
        self.start_query = match.group(2) or ""

    def url(self, step: str) -> str:
        return f"/assess/{self.id}/{step}/"

    def _with_query(self, step: str, query: str = "") -> str:
        start = self.start_query if step == STEPS[0] else ""
        return self.url(step) + (f"{start}&{query[1:]}" if start and query else start or query)

    def get(self, step: str, **kwargs):
        return self.client.get(self._with_query(step), **kwargs)

    def post(self, step: str, data: dict | None = None, *, query: str = "", management=True,
             **extra):
        payload = {f"{step}-{name}": value for name, value in (data or {}).items()}
        if management:
            payload[f"assessment_{self.id.hex}-current_step"] = step
        payload.update(extra)
        return self.client.post(self._with_query(step, query), payload)

    def fill(self, upto: str = "review", **changes) -> None:
        """Answer every step before `upto` (with `changes`, by field name, applied), checking
        each redirect."""
        unknown = set(changes) - {name for form in STEP_FORMS.values() for name in form.base_fields}
        assert not unknown, f"no step asks {unknown}"
        for step in STEPS[: STEPS.index(upto)]:
            own = STEP_FORMS[step].base_fields
            data = {**ANSWERS[step], **{k: v for k, v in changes.items() if k in own}}
            response = self.post(step, data)
            assert response.status_code == 302, response.content.decode()[:2000]


def page(response) -> str:
    return response.content.decode()


# --- Real app processes (gunicorn with gunicorn.conf.py)

ROOT = Path(__file__).resolve().parent.parent
SERVER_SECRET_KEY = "server-test-key-" + "s" * 50
# Variables the settings read: the servers get exactly the ones a test gives them.
_SETTINGS_VARIABLES = {
    "DJANGO_DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "DATABASE_URL", "HTTPS",
    "TRUST_PROXY", "RATE_LIMIT", "DRAFT_RATE_LIMIT", "DJANGO_SETTINGS_MODULE", "BIND",
    "WEB_CONCURRENCY",
    "ACCESS_LOG", "RELEASE", "RESULT_RECHECK_SECONDS", "DATABASE_POOL_SIZE",
}


def server_environment(**variables: str) -> dict[str, str]:
    """The environment of an app process (DEBUG off, RATE_LIMIT off), with `variables` on top."""
    base = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES}
    return {
        **base,
        # The real settings, plus the test run's own folder of collected static files.
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "SECRET_KEY": SERVER_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "RATE_LIMIT": "off",
        **variables,
    }


# The wizard's steps before the review, as a browser posts them.
WIZARD_STEPS = {step: answers for step, answers in ANSWERS.items() if step != "review"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(opener, url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body text) of one request; redirects are answers, not followed."""
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


# --- A PostgreSQL server of a test's own (the throwaway_postgres fixture)

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class ThrowawayPostgres:
    """A PostgreSQL server of its own on a free loopback port, in a temporary folder."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="advisor-test-pg-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        # PostgreSQL refuses to run as root: run it as the postgres user (.ci/run makes one).
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"),
            "-w", "-t", "30", "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                  "-t", "30", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
             str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
