"""The shared per-client budget for creating decisions (decisions/ratelimit.py)."""

import pytest
from django.test import RequestFactory

from decisions.platform.ratelimit import limit_decision_creation, too_many_response, wait_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_a_minute(settings):
    settings.RATE_LIMIT = "1/m"
    settings.TRUST_PROXY = False


def request_from(address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/decisions", **extra)


def test_second_decision_over_the_budget_waits_for_the_window(one_a_minute):
    assert limit_decision_creation(request_from("203.0.113.5")) is None
    assert 1 <= limit_decision_creation(request_from("203.0.113.5")) <= 60


def test_each_client_address_has_its_own_budget(one_a_minute):
    assert limit_decision_creation(request_from("203.0.113.5")) is None
    assert limit_decision_creation(request_from("203.0.113.6")) is None
    assert limit_decision_creation(request_from("203.0.113.5")) is not None


def test_addresses_in_one_ipv6_64_share_a_budget(one_a_minute):
    assert limit_decision_creation(request_from("2001:db8::1")) is None
    assert limit_decision_creation(request_from("2001:db8::ffff")) is not None


def test_off_means_unlimited(settings):
    settings.RATE_LIMIT = None
    assert all(limit_decision_creation(request_from("203.0.113.5")) is None for _ in range(50))


def test_forwarded_for_is_ignored_without_a_trusted_proxy(one_a_minute):
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="198.51.100.1")) is None
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="198.51.100.2")) is not None


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(one_a_minute, settings):
    settings.TRUST_PROXY = True
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="198.51.100.1")) is None
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="198.51.100.2")) is None
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="198.51.100.1")) is not None


def test_junk_forwarded_for_is_counted_not_a_crash(one_a_minute, settings):
    settings.TRUST_PROXY = True
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="not an address")) is None
    assert limit_decision_creation(request_from("10.0.0.1", forwarded="not an address")) is not None


def test_too_many_page_says_when_to_try_again():
    response = too_many_response(request_from("203.0.113.5"), 42)
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    page = response.content.decode()
    assert "Too many decisions" in page
    assert "Try again in 42 seconds" in page


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes"), (7200, "2 hours")],
)
def test_wait_is_put_in_plain_words_rounded_up(seconds, words):
    assert wait_words(seconds) == words
