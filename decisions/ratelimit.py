"""The one per-client budget for creating decisions, shared by the wizard and the JSON API.

Counts live in the default cache (the database), so every gunicorn process and every replica
draws on the same budget. settings.RATE_LIMIT is e.g. "30/m", or None when limiting is off.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from decisions.client_ip import client_ip

GROUP = "decisions.create"


def client_key(group: str, request: HttpRequest) -> str:
    """Whose budget a request draws on: the client address, as django-axes sees it too.

    decisions.client_ip decides REMOTE_ADDR or, behind a trusted proxy, X-Forwarded-For. An
    IPv6 client is keyed by its /64, since one host is usually handed a whole /64. A value that
    is no address (REMOTE_ADDR empty behind a Unix socket) shares one budget, never a 500.
    """
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def limit_decision_creation(request: HttpRequest) -> int | None:
    """Count one decision against this client's budget.

    Returns None when it is allowed (and counted), or the seconds until the client's window
    resets when it is over the limit. Three or four small cache queries; none when RATE_LIMIT
    is off. Call it once per attempt to create a decision, after validating the input.
    """
    usage = get_usage(
        request, group=GROUP, key=client_key, rate=settings.RATE_LIMIT, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return None
    if usage["time_left"] > 0:
        return usage["time_left"]
    # The cache could not count (time_left -1) or the window ends this very second.
    return 1 if usage["time_left"] == 0 else period_seconds(settings.RATE_LIMIT)


def period_seconds(rate: str) -> int:
    """The length of a rate's window: "30/m" -> 60."""
    return {"s": 1, "m": 60, "h": 3600, "d": 86400}[rate.partition("/")[2][-1]]


def wait_words(seconds: int) -> str:
    """Plain words for a wait: "1 second", "45 seconds", "2 minutes", "3 hours"."""
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size:
            # Round up: telling someone to come back too early only earns another refusal.
            count = -(-seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "1 second"


def too_many_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The HTML page for a client over its budget: status 429 with Retry-After."""
    response = render(
        request, "429.html", {"retry_after": retry_after, "wait": wait_words(retry_after)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
