"""One log line for each error response, with no share token, draft id, query or body in it.

RequestLogMiddleware writes `method=GET path=/d/<token>/ status=404 duration_ms=3.1` for every
response of 400 or more (gunicorn's access log covers the rest). Django's own request and
security loggers would name the raw path, token and all, so settings.LOGGING routes them to
HandOverToRequestLog: it passes the exception they carry to this middleware and prints nothing,
and the middleware logs it once, with the traceback for a 5xx.
"""

import functools
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from urllib.parse import quote

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("advisor.requests")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_SECRET_SEGMENTS = (
    # /d/<token>/, /d/<token>.json and /d/<token>.md, whatever the token looks like.
    (re.compile(r"^/d/[^/]+?(?=\.json$|\.md$|/|$)"), "/d/<token>"),
    (re.compile(r"^/assess/[^/]+(?=/|$)"), "/assess/<draft>"),
)
_ERROR_ATTRIBUTE = "_request_log_error"
MAX_PATH_LENGTH = 200


def redact_path(path: str) -> str:
    """The path with share tokens and draft ids replaced, quoted so it stays one short line."""
    for pattern, replacement in _SECRET_SEGMENTS:
        path = pattern.sub(replacement, path)
    # Spaces, quotes, control characters and newlines are percent-encoded: one field, one line.
    return quote(path[:MAX_PATH_LENGTH], safe="/<>-._~!$&'()*+,;=:@%")


class RequestLogMiddleware:
    """First in MIDDLEWARE, so it sees the final status and times the whole stack."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        status = response.status_code
        if status >= 400:
            duration_ms = (time.perf_counter() - started) * 1000
            line = (
                f"method={quote(request.method or '-', safe='')} "
                f"path={redact_path(request.path)} status={status} duration_ms={duration_ms:.1f}"
            )
            error: ExcInfo | None = getattr(request, _ERROR_ATTRIBUTE, None)
            if error is not None:
                line += f" error={error[0].__name__}"
            if status >= 500:
                logger.error(line, exc_info=error)
            else:
                logger.warning(line)
        return response


class HousekeepingMiddleware:
    """After a small fraction of POSTs, delete expired drafts, rate windows and idempotency
    keys (decisions.platform.housekeeping), so no cron job has to be remembered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "POST":
            from decisions.platform import (
                housekeeping,  # models: not importable before apps are ready
            )

            housekeeping.now_and_then()
        return response


class HandOverToRequestLog(logging.Handler):
    """The handler for the django.request and django.security loggers.

    Their records name the raw path; RequestLogMiddleware logs the same event redacted. A record
    about a request only leaves its exception on that request for the middleware; any other
    record (no request, so no path) goes on to the root logger's handlers unchanged.
    """

    def emit(self, record: logging.LogRecord) -> None:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            if record.exc_info and record.exc_info[0] and not hasattr(request, _ERROR_ATTRIBUTE):
                setattr(request, _ERROR_ATTRIBUTE, record.exc_info)
            return
        logging.getLogger().handle(record)


def cross_origin_resource_policy(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Cross-Origin-Resource-Policy on every response, static files included: Django's
    SecurityMiddleware sets the opener policy but has no setting for this one."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        response.headers.setdefault(
            "Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY
        )
        return response

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, building the header once per process.

    Advisor's policy uses no nonce and no view decorates its response, so the header is the same
    string on every response; django-csp would rebuild it each time. Anything that does vary it
    (a nonce, a csp_* decorator, debug mode) goes through django-csp unchanged.
    """

    _OVERRIDES = (
        "_csp_exempt", "_csp_config", "_csp_update", "_csp_replace",
        "_csp_exempt_ro", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
    )

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        varies = (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._OVERRIDES)
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES")
            or CSP_HEADER in response
        )
        if varies:
            return super().process_response(request, response)
        response[CSP_HEADER] = _fixed_policy()
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _fixed_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _forget_policy(setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _fixed_policy.cache_clear()
