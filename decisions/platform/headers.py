"""The security headers Django's SecurityMiddleware does not set: Content-Security-Policy and
Cross-Origin-Resource-Policy, each the same on every response.

Advisor's policy has no nonce and no view changes it, so the header is one string, built from
settings.CSP_DIRECTIVES once per process (again only when a test changes the setting).
A response that already carries the header keeps its own.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

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
