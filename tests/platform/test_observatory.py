"""MDN HTTP Observatory's rules, those that need no real TLS, on the headers of the main pages.

Rules as the Observatory scores them (its "Tests and scoring" page on developer.mozilla.org):
a Content-Security-Policy header with default-src 'none', no unsafe sources, and frame-ancestors,
base-uri and form-action set; Cross-Origin-Resource-Policy; no CORS for every origin; a private
Referrer-Policy; X-Content-Type-Options: nosniff; framing refused; cookies HttpOnly where scripts
need not read them, and SameSite; every script from this host (nothing for Subresource Integrity
to guard). HSTS, HTTPS redirection and Secure cookies need TLS:
tests/platform/test_security.py checks what HTTPS=on sets.
"""

import re

import pytest
from django.test import Client

from tests.helpers import Draft, fine_tuning_decision

UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"}
PRIVATE_REFERRER_POLICIES = {
    "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
}


@pytest.fixture
def pages(client: Client, db) -> dict[str, str]:
    """Each kind of page a visitor, a script or a lead can open: name to path."""
    decision = fine_tuning_decision("Triage")
    draft = Draft(client)
    return {
        "landing": "/",
        "form step": draft.url("volume"),
        "result": f"/d/{decision.token}/",
        "JSON export": f"/d/{decision.token}.json",
        "Markdown export": f"/d/{decision.token}.md",
        "OpenAPI": "/api/openapi.json",
        "admin sign-in": "/admin/login/",
        "not found": "/no-such-page/",
        "stylesheet": "/static/css/site.css",
        "health": "/healthz",
    }


def policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def observatory_failures(response) -> list[str]:
    """The Observatory rules (those needing no TLS) that this response fails."""
    failures = []
    header = response.get("Content-Security-Policy", "")
    csp = policy(header)
    if csp.get("default-src") != ["'none'"]:
        failures.append("csp: default-src is not 'none'")
    for directive in ("script-src", "style-src", "object-src", "default-src"):
        unsafe = UNSAFE_SOURCES & set(csp.get(directive, []))
        if unsafe:
            failures.append(f"csp: {directive} allows {sorted(unsafe)}")
    for directive in ("frame-ancestors", "base-uri", "form-action"):
        if directive not in csp:
            failures.append(f"csp: no {directive}")
    if response.get("Cross-Origin-Resource-Policy") not in {"same-origin", "same-site"}:
        failures.append("corp: missing or cross-origin")
    if response.get("Access-Control-Allow-Origin") == "*":
        failures.append("cors: every origin allowed")
    if response.get("Referrer-Policy") not in PRIVATE_REFERRER_POLICIES:
        failures.append("referrer-policy: missing or leaky")
    if response.get("X-Content-Type-Options") != "nosniff":
        failures.append("x-content-type-options: not nosniff")
    if response.get("X-Frame-Options") not in {"DENY", "SAMEORIGIN"} and csp.get(
        "frame-ancestors"
    ) != ["'none'"]:
        failures.append("x-frame-options: framing allowed")
    for cookie in response.cookies.values():
        if not cookie["samesite"]:
            failures.append(f"cookies: {cookie.key} has no SameSite")
        if cookie.key in {"sessionid", "csrftoken"} and not cookie["httponly"]:
            failures.append(f"cookies: {cookie.key} is readable by scripts")
    if response["Content-Type"].startswith("text/html"):
        for source in re.findall(r'<script[^>]*\bsrc="([^"]+)"', response.content.decode()):
            if not source.startswith("/") or source.startswith("//"):
                failures.append(f"sri: script from another host {source}")
    return failures


def test_every_main_page_passes_the_observatory_rules(client, pages):
    failures = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code in {200, 302, 404}, (name, response.status_code)
        if observatory_failures(response):
            failures[name] = observatory_failures(response)
    assert failures == {}


def test_the_rules_catch_a_weak_policy(client, pages, settings):
    """The checker above fails what the Observatory fails: the policy this site had before."""
    settings.CSP_DIRECTIVES = {
        "default-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    }
    settings.CROSS_ORIGIN_RESOURCE_POLICY = "cross-origin"
    assert observatory_failures(client.get(pages["landing"])) == [
        "csp: default-src is not 'none'",
        "csp: style-src allows [\"'unsafe-inline'\"]",
        "csp: no frame-ancestors",
        "csp: no base-uri",
        "csp: no form-action",
        "corp: missing or cross-origin",
    ]
