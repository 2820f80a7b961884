"""The security headers Django's SecurityMiddleware does not set: Content-Security-Policy and
Cross-Origin-Resource-Policy, each the same on every response; and Django's never_cache
headers, written for less.

Advisor's policy has no nonce and no view changes it, so the header is one string, built from
settings.CSP_DIRECTIVES once per process (again only when a test changes the setting).
A response that already carries the header keeps its own.
"""

import functools
import inspect
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

CSP_HEADER = "Content-Security-Policy"
Middleware = Callable[[HttpRequest], HttpResponseBase]


@functools.cache
def content_security_policy() -> str:
    """`default-src 'none'; script-src 'self'; ...` from the directives in settings."""
    return "; ".join(
        " ".join((directive, *sources))
        for directive, sources in settings.CSP_DIRECTIVES.items()
    )


@receiver(setting_changed)
def _forget_policy(setting: str, **kwargs) -> None:
    if setting == "CSP_DIRECTIVES":
        content_security_policy.cache_clear()


def security_headers(get_response: Middleware) -> Middleware:
    """Content-Security-Policy and Cross-Origin-Resource-Policy on every response, static files
    and error pages included."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response.headers.setdefault(CSP_HEADER, content_security_policy())
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response

    return middleware


# What Django's add_never_cache_headers() gives a response with no caching headers of its own
# (tests/platform/test_headers.py compares the two).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def never_cache(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Django's never_cache for a plain (not async) function view, used by every view that must
    not be kept: its headers, written as they are instead of parsed and rebuilt for every
    response (about 2% of an API POST). A response with caching headers of its own gets
    Django's merge."""
    if inspect.iscoroutinefunction(view):
        raise TypeError(f"{view.__name__} is async: use Django's never_cache for it.")

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not hasattr(request, "META"):  # as Django's decorator says it
            raise TypeError(
                "never_cache didn't receive an HttpRequest. If you are decorating a "
                "classmethod, be sure to use @method_decorator."
            )
        response = view(request, *args, **kwargs)
        if "Cache-Control" in response.headers or "Expires" in response.headers:
            add_never_cache_headers(response)
        else:
            response.headers["Expires"] = http_date()
            response.headers["Cache-Control"] = NEVER_CACHE
        return response

    return wrapper
