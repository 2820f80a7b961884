"""decisions.platform.browser_only: the session, user and message middleware pass the JSON API's
requests by, and still serve every page."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from decisions import urls as decisions_urls
from decisions.platform import browser_only
from tests.helpers import FINE_TUNING_ANSWERS

pytestmark = pytest.mark.django_db

# In their order in settings.MIDDLEWARE.
MIDDLEWARE = [
    browser_only.SessionMiddleware,
    browser_only.AuthenticationMiddleware,
    browser_only.MessageMiddleware,
]


def test_the_api_prefix_is_where_the_api_is_and_nothing_else():
    """Every URL of the API, and no page's, is under API_PREFIX."""
    for pattern in decisions_urls.urlpatterns:
        path = "/" + str(pattern.pattern)
        assert path.startswith(browser_only.API_PREFIX) == pattern.name.startswith("api_"), path
    assert not reverse("admin:index").startswith(browser_only.API_PREFIX)


@pytest.mark.parametrize(
    ("path", "sees"), [("/api/decisions", False), ("/api/openapi.json", False), ("/assess/", True)]
)
def test_the_apis_requests_pass_them_by_and_pages_do_not(rf, path, sees):
    seen = {}

    def view(request):
        seen.update(
            session=hasattr(request, "session"),
            user=hasattr(request, "user"),
            messages=hasattr(request, "_messages"),
        )
        return HttpResponse()

    handler = view
    for middleware in reversed(MIDDLEWARE):
        handler = middleware(handler)
    handler(rf.post(path))
    assert seen == {"session": sees, "user": sees, "messages": sees}


def test_settings_use_them_in_place_of_djangos():
    for ours, djangos in [
        (browser_only.SessionMiddleware, sessions.SessionMiddleware),
        (browser_only.AuthenticationMiddleware, auth.AuthenticationMiddleware),
        (browser_only.MessageMiddleware, messages.MessageMiddleware),
    ]:
        assert issubclass(ours, djangos)
        path = f"{ours.__module__}.{ours.__name__}"
        assert path in settings.MIDDLEWARE
        assert f"{djangos.__module__}.{djangos.__name__}" not in settings.MIDDLEWARE


def test_an_api_request_gets_no_cookie_and_no_vary_cookie_back():
    """The API never reads the session or the messages, even when the client sends their
    cookies: it sets no cookie and its responses do not vary on them."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session-" * 2
    client.cookies["messages"] = "not-a-signed-value"
    body = json.dumps(FINE_TUNING_ANSWERS)
    response = client.post("/api/decisions", body, content_type="application/json")
    assert response.status_code == 201
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_pages_still_have_the_session_and_the_signed_in_user(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200  # signed in
    client = Client()
    step = client.get(client.get(reverse("decisions:assess"))["Location"])
    assert step.status_code == 200
    assert "Cookie" in step["Vary"]  # the session was read
