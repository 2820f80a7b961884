"""Replicas: two app processes share one database and nothing else, and one person's assessment
can hop between them on every request and still finish right.

Two gunicorn processes (one worker each, different ports, the same DATABASE_URL and SECRET_KEY,
production settings) stand in for two machines behind a load balancer. On PostgreSQL they share
the test database; on SQLite, one file, which proves as well that no answer lives in a process's
memory: the wizard's state is in the database-backed session.
"""

import itertools
import json
import re
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests.helpers import CSRF_FIELD, WIZARD_STEPS, NoRedirect, fetch

pytestmark = pytest.mark.server


class HoppingVisitor:
    """One browser (one cookie jar) whose every request goes to the next replica in turn."""

    def __init__(self, bases: list[str]) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )
        self.replicas = itertools.cycle(bases)

    def request(self, path: str, form: dict[str, str] | None = None):
        data = urlencode(form).encode() if form is not None else None
        return fetch(self.opener, next(self.replicas) + path, data)


def test_an_assessment_alternating_between_two_replicas_completes(app_database, start_gunicorn):
    visitor = HoppingVisitor([start_gunicorn(app_database.url), start_gunicorn(app_database.url)])

    status, headers, _ = visitor.request("/assess/")  # replica A starts the draft
    assert status == 302
    path = headers["Location"]
    draft_hex = path.split("/")[-3].replace("-", "")
    status, _, page = visitor.request(path)  # B shows its first step
    assert status == 200, page[:500]
    csrf_token = CSRF_FIELD.search(page).group(1)
    # Then A, B, A, B take one step each: each replica reads what the other one saved.
    for step, answers in WIZARD_STEPS.items():
        assert path.endswith(f"/{step}/"), path
        form = {
            "csrfmiddlewaretoken": csrf_token,
            f"assessment_{draft_hex}-current_step": step,
            **{f"{step}-{name}": value for name, value in answers.items()},
        }
        status, headers, page = visitor.request(path, form)
        assert status == 302, page[:500]
        path = headers["Location"]

    assert path.endswith("/review/"), path
    status, _, page = visitor.request(path)  # A lists every answer given to A and B
    assert status == 200
    assert "2,000,000" in page and "Falls short" in page and "Strict" in page
    status, headers, page = visitor.request(path, {  # B records the decision
        "csrfmiddlewaretoken": csrf_token,
        f"assessment_{draft_hex}-current_step": "review",
        "review-title": "Hopping team",
    })
    assert status == 302, page[:500]
    result = headers["Location"]
    assert re.fullmatch(r"/d/[A-Za-z0-9_-]{16,64}/", result), result

    status, _, page = visitor.request(result)  # A shows it
    assert status == 200
    assert 'data-recommendation="fine_tuning"' in page
    status, _, body = visitor.request(result.rstrip("/") + ".json")  # and B exports it
    assert status == 200
    answers = json.loads(body)["answers"]
    assert (answers["labeled_examples"], answers["small_model"]) == (800, "falls_short")
    stored = app_database.query(
        "SELECT token, title, monthly_requests, labeled_examples, small_model, change_frequency,"
        " output_format, recommendation, strength, source FROM decisions_decision"
    )
    assert stored == [
        (result.split("/")[2], "Hopping team", 2_000_000, 800, "falls_short", "rarely", "strict",
         "fine_tuning", "clear", "form"),
    ]
