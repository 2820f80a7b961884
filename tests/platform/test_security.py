"""Production hardening: security headers, HTTPS behind a proxy, limits with clear 4xx pages,
friendly error pages, and one redacted log line per error.

This module is also the URLconf of the error-page tests (settings.ROOT_URLCONF = __name__): the
site's URLs plus two that fail on purpose, so production urls.py never holds a test-only route.
"""

import json
import logging
import re
import subprocess
import sys
import urllib.request

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from advisor import urls as site_urls
from decisions import services
from decisions.domain import engine
from decisions.models import Decision
from decisions.platform.headers import security_headers
from tests.helpers import ANSWERS, ROOT, Draft, NoRedirect, fetch, server_environment

TOKEN = "Zq3xT9mK2pL8vB4nR7sW1yDc"  # the shape of a share token that belongs to no result
EXPECTED_POLICY = {
    "default-src": {"'none'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke while handling 2,000,000 completions")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test-only/crash/", crash),
    path("test-only/forbidden/", forbidden),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def decision(db) -> Decision:
    answers = {
        "monthly_requests": 2_000_000, "labeled_examples": 800, "domain_language": False,
        "change_frequency": "rarely", "phase": "production", "fresh_knowledge": False,
        "latency": "interactive", "output_format": "strict", "reasoning": "simple",
        "small_model": "falls_short",
    }
    return services.record_decision(engine.Answers(**answers), title="Support triage")[0]


def policy(response) -> dict[str, set[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: set(values) for name, *values in directives}


def open_page(client: Client, decision: Decision, kind: str):
    if kind == "landing":
        return client.get("/")
    if kind == "wizard step":
        return Draft(client).get("volume")
    if kind == "result":
        return client.get(decision.get_absolute_url())
    return client.get("/admin/login/")


def html(response) -> str:
    return response.content.decode()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged():
    """What the site's log handlers receive at WARNING and above: records that reach the root
    logger, as the console handler does. (caplog would also show the records of Django's
    non-propagating request and security loggers, which settings.LOGGING keeps from any output.)
    """
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


def log_text(records: list[logging.LogRecord]) -> str:
    return "\n".join(logging.Formatter().format(record) for record in records)


# --- Headers ---


@pytest.mark.parametrize("kind", ["landing", "wizard step", "result", "admin login"])
def test_every_page_sends_the_security_headers(client, decision, kind):
    response = open_page(client, decision, kind)
    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_error_pages_send_the_security_headers_too(client, db):
    response = client.get(f"/d/{TOKEN}/")
    assert response.status_code == 404
    assert policy(response) == EXPECTED_POLICY
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("kind", ["landing", "wizard step", "result", "admin login"])
def test_pages_need_no_inline_script_or_style_so_the_policy_breaks_nothing(
    client, decision, kind
):
    assert_no_inline_code(html(open_page(client, decision, kind)))


def test_the_review_step_needs_no_inline_script_or_style(client, db):
    draft = Draft(client)
    draft.fill()
    assert_no_inline_code(html(draft.get("review")))


def test_admin_pages_need_no_inline_script_or_style(admin_client, decision):
    change = f"/admin/decisions/decision/{decision.pk}/change/"
    for url in ("/admin/", "/admin/decisions/decision/", change):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_inline_code(html(response))


def assert_no_inline_code(page: str) -> None:
    scripts = re.findall(r"<script\b[^>]*>", page)
    # A <script type="application/json"> holds data, which no policy blocks; others need a src.
    assert all("src=" in tag or "application/json" in tag for tag in scripts), scripts
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "javascript:" not in page


# --- HTTPS (settings are read at start-up: a fresh process for each configuration) ---

HTTPS_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/")
forwarded = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "forwarded": [forwarded.status_code, forwarded.get("Strict-Transport-Security", "")],
    "csrf_cookie_secure": bool(forwarded.cookies["csrftoken"]["secure"])
        if "csrftoken" in forwarded.cookies else None,
}))
"""


def probe_https(tmp_path, **variables: str) -> dict:
    env = server_environment(
        HTTPS="on", ALLOWED_HOSTS="testserver", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        **variables,
    )
    result = subprocess.run(
        [sys.executable, "-c", HTTPS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_https_plain_http_is_redirected_and_a_forged_forwarded_proto_is_not_trusted(
    tmp_path,
):
    seen = probe_https(tmp_path)
    assert seen["plain"] == [301, "https://testserver/"]
    assert seen["forwarded"] == [301, ""]


def test_with_https_behind_a_trusted_proxy_pages_carry_hsts_and_secure_cookies(tmp_path):
    seen = probe_https(tmp_path, TRUST_PROXY="on")
    assert seen["plain"] == [301, "https://testserver/"]
    status, hsts = seen["forwarded"]
    assert status == 200
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert seen["csrf_cookie_secure"] is True


@pytest.mark.server
def test_gunicorn_leaves_x_forwarded_proto_to_django(app_database, start_gunicorn):
    """gunicorn trusts X-Forwarded-Proto from the loopback by default, which would let a client
    in front of a local proxy pass for HTTPS even with TRUST_PROXY off."""
    base = start_gunicorn(app_database.url, HTTPS="on")
    opener = urllib.request.build_opener(NoRedirect())
    status, headers, _ = fetch(opener, f"{base}/", headers={"X-Forwarded-Proto": "https"})
    assert status == 301
    assert headers["Location"].startswith("https://")


@pytest.mark.server
def test_the_access_log_names_no_share_token_and_no_query(app_database, start_gunicorn, tmp_path):
    access_log = tmp_path / "access.log"
    base = start_gunicorn(app_database.url, ACCESS_LOG=str(access_log))
    opener = urllib.request.build_opener()
    fetch(opener, f"{base}/d/{TOKEN}.json?from=someone")
    # One worker answers in turn: once this reply is here, the line before it is written.
    fetch(opener, f"{base}/healthz")
    lines = access_log.read_text().splitlines()
    assert any('"GET /d/<token>.json" 404' in line for line in lines), lines
    assert TOKEN not in access_log.read_text() and "someone" not in access_log.read_text()


def test_gunicorn_refuses_a_bad_worker_count_by_name():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "gunicorn.conf.py",
         "advisor.wsgi"],
        cwd=ROOT, env=server_environment(WEB_CONCURRENCY="0"), capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "WEB_CONCURRENCY must be a whole number" in result.stdout + result.stderr


# --- Limits, each with a page that says what happened ---


def test_an_oversized_form_gets_a_page_saying_it_was_too_large(client, db):
    draft = Draft(client)
    response = draft.post("volume", {"monthly_requests": "1" * 70_000})
    assert response.status_code == 400
    assert "That form was too large to accept" in html(response)
    assert "64 KB" in html(response)
    assert draft.get("volume").status_code == 200
    assert Decision.objects.count() == 0


def test_a_form_with_too_many_fields_gets_a_page_saying_so(client, db):
    draft = Draft(client)
    response = draft.post("volume", {f"junk{n}": "x" for n in range(300)})
    assert response.status_code == 400
    assert "That form had too many fields to accept" in html(response)
    assert Decision.objects.count() == 0


def test_too_many_decisions_from_one_client_get_a_page_saying_when_to_retry(
    client, db, settings
):
    settings.RATE_LIMIT = "1/m"
    first = Draft(client)
    first.fill()
    assert first.post("review", ANSWERS["review"]).status_code == 302
    second = Draft(client)
    second.fill()
    response = second.post("review", ANSWERS["review"])
    assert response.status_code == 429
    assert "Too many decisions" in html(response)
    assert re.search(r"Try again in \d+ seconds?\.", html(response))
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Decision.objects.count() == 1  # the refused one stored nothing


# --- Error pages ---


def test_an_expired_form_gets_a_403_page_with_a_way_on(db):
    client = Client(enforce_csrf_checks=True)
    draft = Draft(client)
    client.cookies.clear()  # the CSRF cookie is gone, as after a long pause or a blocked cookie
    response = draft.post("volume", ANSWERS["volume"])
    assert response.status_code == 403
    assert "Your form expired" in html(response)
    assert 'href="/assess/"' in html(response)


def test_a_forbidden_page_gets_the_friendly_403(client, failing_urls):
    response = client.get("/test-only/forbidden/")
    assert response.status_code == 403
    assert "You cannot open this page" in html(response)


def test_an_unknown_address_gets_the_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert 'href="/assess/"' in html(response)


def test_a_crash_gets_the_friendly_500_without_a_traceback(db, failing_urls):
    response = Client(raise_request_exception=False).get("/test-only/crash/")
    assert response.status_code == 500
    page = html(response)
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page and "RuntimeError" not in page and "2,000,000" not in page
    assert policy(response) == EXPECTED_POLICY
    assert_no_inline_code(page)


# --- Logs: one line per error, no token, draft id, query string or answer in it ---


def test_a_404_is_logged_as_one_line_with_the_token_redacted(client, db, logged):
    client.get(f"/d/{TOKEN}/?from=somewhere")
    [record] = logged
    assert record.name == "advisor.requests"
    assert record.levelno == logging.WARNING
    assert re.fullmatch(
        r"method=GET path=/d/<token>/ status=404 duration_ms=\d+\.\d", record.getMessage()
    )
    assert TOKEN not in log_text(logged) and "somewhere" not in log_text(logged)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"/d/{TOKEN}.json", "/d/<token>.json"),
        (f"/d/{TOKEN}.md", "/d/<token>.md"),
        ("/d/not-even-a-token/", "/d/<token>/"),
        ("/assess/0b7c1d5e-8a8f-4b8e-9a51-6f8c3f0e2d11/volume/", "/assess/<draft>/volume/"),
    ],
)
def test_exports_junk_tokens_and_draft_ids_are_redacted(client, db, logged, url, shown):
    client.get(url)
    [record] = logged
    assert f" path={shown} status=404 " in record.getMessage()


def test_a_path_cannot_break_the_log_line(client, db, logged):
    client.get("/nothing%0Astatus=200 forged/")
    [record] = logged
    fields = [field.partition("=") for field in record.getMessage().split(" ")]
    assert [name for name, _, _ in fields] == ["method", "path", "status", "duration_ms"]
    assert fields[2][2] == "404"
    assert "\n" not in record.getMessage()


def test_a_crash_is_logged_once_with_its_exception_and_traceback(db, failing_urls, logged):
    Client(raise_request_exception=False).get("/test-only/crash/")
    [record] = logged
    assert record.levelno == logging.ERROR
    assert re.fullmatch(
        r"method=GET path=/test-only/crash/ status=500 duration_ms=\d+\.\d error=RuntimeError",
        record.getMessage(),
    )
    assert record.exc_info[0] is RuntimeError


def test_a_refused_form_is_logged_without_the_answers(client, db, logged):
    draft = Draft(client)
    client.post(draft.url("volume"), {"volume-monthly_requests": "31337313"})
    [record] = logged
    assert " status=400 " in record.getMessage()
    assert "31337313" not in log_text(logged) and draft.id.hex not in log_text(logged)


def test_an_oversized_form_is_logged_with_the_limit_it_broke(client, db, logged):
    draft = Draft(client)
    draft.post("volume", {"monthly_requests": "1" * 70_000})
    [record] = logged
    assert record.getMessage().endswith(" error=RequestDataTooBig")
    assert record.exc_info is None  # a refusal, not a crash: no traceback


def test_successful_requests_are_left_to_the_access_log(client, db, logged):
    client.get("/")
    Draft(client).get("volume")
    assert logged == []


def test_a_changed_policy_is_sent_at_once(client, settings):
    """The header is built once per process, but never outlives the setting it came from."""
    assert "img-src 'self' data:" in client.get("/").headers["Content-Security-Policy"]
    settings.CSP_DIRECTIVES = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    header = client.get("/").headers["Content-Security-Policy"]
    assert sorted(header.split("; ")) == ["default-src 'none'", "frame-ancestors 'none'"]


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    """A response that already carries Content-Security-Policy is left as the view made it."""
    def view(request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'self'"
        return response

    assert security_headers(view)(rf.get("/"))["Content-Security-Policy"] == "default-src 'self'"
