"""One log line for each error response, with no share token, draft id, query or body in it.

RequestLogMiddleware writes `method=GET path=/d/<token>/ status=404 duration_ms=3.1` for every
response of 400 or more (gunicorn's access log covers the rest). Django's own request and
security loggers would name the raw path, token and all, so settings.LOGGING routes them to
HandOverToRequestLog: it passes the exception they carry to this middleware and prints nothing,
and the middleware logs it once, with the traceback for a 5xx.
"""

import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from urllib.parse import quote

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
