"""The result page kept in memory (decisions.web.result_cache) and conditional GET for the page
and its exports."""

import gzip
from importlib import import_module

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse

from decisions.models import Decision
from decisions.web import result_cache
from tests.helpers import fine_tuning_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision() -> Decision:
    return fine_tuning_decision("Triage")


@pytest.fixture
def recheck_every_time(settings):
    settings.RESULT_RECHECK_SECONDS = 0


def test_a_second_view_takes_no_query(client, decision, django_assert_num_queries):
    first = client.get(f"/d/{decision.token}/")
    with django_assert_num_queries(0):
        second = client.get(f"/d/{decision.token}/")
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.parametrize("encoding", ["gzip, br", ""])
def test_a_kept_page_is_answered_as_the_view_answered_it(client, decision, encoding):
    """The second view is answered before the session, CSRF and auth middleware run
    (decisions.web.kept_pages): the same body and the same headers, security headers included."""
    path = f"/d/{decision.token}/"
    first = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
    second = client.get(path, HTTP_ACCEPT_ENCODING=encoding)
    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    assert dict(second.headers) == dict(first.headers)
    assert second.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in second.headers["Content-Security-Policy"]
    assert int(second.headers["Content-Length"]) == len(second.content)
    assert not second.cookies
    # Answered before SessionMiddleware: the request never got a session.
    assert hasattr(first.wsgi_request, "session")
    assert not hasattr(second.wsgi_request, "session")


def test_a_kept_page_answers_a_head_request_and_a_held_etag(client, decision):
    path = f"/d/{decision.token}/"
    etag = client.get(path).headers["ETag"]
    for response, status in (
        (client.head(path), 200),
        (client.get(path, HTTP_IF_NONE_MATCH=etag), 304),
    ):
        assert response.status_code == status
        assert not hasattr(response.wsgi_request, "session")  # answered early


def test_a_kept_page_due_a_recheck_goes_to_the_view(
    client, decision, recheck_every_time, django_assert_num_queries
):
    client.get(f"/d/{decision.token}/")
    with django_assert_num_queries(1):
        response = client.get(f"/d/{decision.token}/")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "session")


def test_a_revoked_link_is_gone_at_the_next_recheck(client, decision, recheck_every_time):
    assert client.get(f"/d/{decision.token}/").status_code == 200
    Decision.objects.filter(pk=decision.pk).revoke()
    response = client.get(f"/d/{decision.token}/")
    assert response.status_code == 410
    assert "This link was withdrawn" in response.content.decode()


def test_a_restored_link_works_again(client, decision, recheck_every_time):
    client.get(f"/d/{decision.token}/")
    Decision.objects.filter(pk=decision.pk).revoke()
    assert client.get(f"/d/{decision.token}/").status_code == 410
    Decision.objects.filter(pk=decision.pk).restore()
    assert client.get(f"/d/{decision.token}/").status_code == 200


def test_a_recheck_takes_one_query(client, decision, recheck_every_time, django_assert_num_queries):
    client.get(f"/d/{decision.token}/")
    with django_assert_num_queries(1):
        assert client.get(f"/d/{decision.token}/").status_code == 200


def test_the_page_kept_longest_unread_is_dropped_beyond_the_limit(
    client, decision, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 1)
    other = fine_tuning_decision("Other")
    client.get(f"/d/{decision.token}/")
    client.get(f"/d/{other.token}/")
    with django_assert_num_queries(1):
        assert client.get(f"/d/{decision.token}/").status_code == 200


def test_the_kept_page_shows_the_address_it_was_asked_at(client, decision):
    client.get(f"/d/{decision.token}/", HTTP_HOST="localhost")
    page = client.get(f"/d/{decision.token}/", HTTP_HOST="testserver").content.decode()
    assert f'value="http://testserver/d/{decision.token}/"' in page
    assert "http://localhost/" not in page


def test_headers_the_link_is_not_made_of_do_not_make_another_copy(
    client, decision, django_assert_num_queries
):
    """X-Forwarded-Host and -Port are ignored here (USE_X_FORWARDED_* off): junk in them must
    not push other pages out of memory."""
    client.get(f"/d/{decision.token}/")
    with django_assert_num_queries(0):
        for n in range(3):
            junk = {
                "HTTP_X_FORWARDED_HOST": f"evil{n}.example", "HTTP_X_FORWARDED_PORT": "9" * 4000,
            }
            assert client.get(f"/d/{decision.token}/", **junk).status_code == 200


def test_a_page_from_older_rules_is_not_kept(client, decision, django_assert_num_queries):
    """Its notice of what today's rules would say depends on today's prices, so it is worked
    out on every view (the decision, then the price sheet) rather than kept."""
    Decision.objects.filter(pk=decision.pk).update(engine_version="1.0")
    client.get(f"/d/{decision.token}/")
    with django_assert_num_queries(2):
        assert client.get(f"/d/{decision.token}/").status_code == 200


def test_a_message_that_overflows_its_cookie_still_leaves_the_cookie(rf, settings):
    """Pins what the kept pages rely on in django.contrib.messages: the default fallback storage
    leaves a `messages` cookie even when the messages themselves went to the session."""
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.fallback.FallbackStorage"
    request = rf.get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    storage = FallbackStorage(request)
    storage.add(constants.INFO, "x" * (CookieStorage.max_cookie_size * 2))
    response = HttpResponse()
    storage.update(response)
    assert CookieStorage.cookie_name in response.cookies
    assert response.cookies[CookieStorage.cookie_name].value


def test_one_visitors_messages_are_not_kept_for_the_next(client, decision):
    """The page is kept without anything from the request that rendered it."""
    session = client.session
    session["_messages"] = '[["__json_message",0,20,"Only for the first visitor"]]'
    session.save()
    client.get(f"/d/{decision.token}/")
    client.cookies.clear()
    assert "Only for the first visitor" not in client.get(f"/d/{decision.token}/").content.decode()


def test_the_release_is_the_RELEASE_setting_when_set(settings):
    settings.RELEASE = "2026-11-30.1"
    result_cache.release.cache_clear()
    try:
        assert result_cache.release() == "2026-11-30.1"
    finally:
        result_cache.release.cache_clear()


def test_the_release_is_a_hash_of_the_code_without_RELEASE(settings):
    settings.RELEASE = ""
    result_cache.release.cache_clear()
    try:
        assert len(result_cache.release()) == 16
    finally:
        result_cache.release.cache_clear()


# --- Conditional GET ---


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_an_unchanged_result_is_not_sent_again(client, decision, suffix):
    etag = client.get(f"/d/{decision.token}{suffix}").headers["ETag"]
    response = client.get(f"/d/{decision.token}{suffix}", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_another_etag_gets_the_whole_result(client, decision, suffix):
    response = client.get(f"/d/{decision.token}{suffix}", HTTP_IF_NONE_MATCH='"something-else"')
    assert response.status_code == 200
    assert "Triage" in response.content.decode()


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_a_not_modified_answer_still_tells_browsers_to_ask_again(client, decision, suffix):
    etag = client.get(f"/d/{decision.token}{suffix}").headers["ETag"]
    response = client.get(f"/d/{decision.token}{suffix}", HTTP_IF_NONE_MATCH=etag)
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("suffix", ["/", ".json", ".md"])
def test_a_revoked_link_is_gone_even_to_a_browser_holding_its_etag(
    client, decision, suffix, recheck_every_time
):
    etag = client.get(f"/d/{decision.token}{suffix}").headers["ETag"]
    Decision.objects.filter(pk=decision.pk).revoke()
    assert client.get(f"/d/{decision.token}{suffix}", HTTP_IF_NONE_MATCH=etag).status_code == 410


def test_the_compressed_page_is_the_same_page_under_the_same_etag(client, decision):
    plain = client.get(f"/d/{decision.token}/")
    packed = client.get(f"/d/{decision.token}/", HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(packed.content) == plain.content
    assert packed.headers["ETag"] == f"W/{plain.headers['ETag']}"
    again = client.get(
        f"/d/{decision.token}/", HTTP_ACCEPT_ENCODING="gzip",
        HTTP_IF_NONE_MATCH=plain.headers["ETag"],
    )
    assert again.status_code == 304


def leave_a_message(client, text: str) -> None:
    """A flash message waiting in the visitor's cookie, as the messages framework stores it."""
    storage = CookieStorage(HttpRequest())
    storage.add(constants.INFO, text)
    response = HttpResponse()
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value


def test_a_flash_message_waiting_for_a_visitor_is_shown_on_the_result(client, decision):
    client.get(f"/d/{decision.token}/")  # kept in memory, without messages
    leave_a_message(client, "Your answers were kept.")
    assert "Your answers were kept." in client.get(f"/d/{decision.token}/").content.decode()


def test_a_flash_message_waiting_for_a_visitor_is_shown_on_the_landing_page(client):
    client.get("/")
    leave_a_message(client, "Your answers were kept.")
    assert "Your answers were kept." in client.get("/").content.decode()


def test_the_landing_page_is_the_same_for_everyone(client):
    first = client.get("/")
    client.cookies.clear()
    assert client.get("/").content == first.content
