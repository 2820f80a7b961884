"""decisions.platform.headers.never_cache: Django's never_cache headers, written as they are."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache as djangos_never_cache

from decisions.platform.headers import NEVER_CACHE, never_cache


def _served(decorator, response_headers=None):
    def view(request):
        return HttpResponse("ok", headers=response_headers)

    return decorator(view)(RequestFactory().get("/"))


def test_it_gives_the_headers_djangos_never_cache_gives():
    ours, djangos = _served(never_cache), _served(djangos_never_cache)
    assert ours["Cache-Control"] == djangos["Cache-Control"] == NEVER_CACHE
    assert sorted(ours.headers) == sorted(djangos.headers)
    assert ours["Expires"][-4:] == " GMT"  # an HTTP date, now


def test_the_constant_is_what_django_writes_today():
    response = HttpResponse()
    add_never_cache_headers(response)
    assert response["Cache-Control"] == NEVER_CACHE


def test_a_response_with_caching_headers_of_its_own_gets_djangos_merge():
    own = {"Cache-Control": "no-transform", "Expires": "Thu, 01 Jan 1970 00:00:00 GMT"}
    ours, djangos = _served(never_cache, own), _served(djangos_never_cache, own)
    assert ours["Cache-Control"] == djangos["Cache-Control"]
    assert "no-transform" in ours["Cache-Control"] and "no-store" in ours["Cache-Control"]
    assert ours["Expires"] == djangos["Expires"] == own["Expires"]


def test_the_api_answers_with_them(client):
    response = client.post("/api/decisions", {}, content_type="application/json")
    assert response.status_code == 400
    assert response["Cache-Control"] == NEVER_CACHE and response["Expires"]


def test_it_refuses_what_it_cannot_serve():
    async def async_view(request):
        return HttpResponse()

    with pytest.raises(TypeError, match="async"):
        never_cache(async_view)

    class Views:
        @never_cache
        def method(self, request):
            return HttpResponse()

    with pytest.raises(TypeError, match="method_decorator"):
        Views().method(RequestFactory().get("/"))
