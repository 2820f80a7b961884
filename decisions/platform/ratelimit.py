"""The one per-client budget for creating decisions, shared by the wizard and the JSON API.

Counts live in the database (decisions.models.RateCount, made by `migrate`), one row per client
and fixed window, added to by one atomic UPSERT: every gunicorn process and every replica draws
on the same exact budget, on SQLite and on PostgreSQL. settings.RATE_LIMIT is e.g. "30/m", or
None when limiting is off.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from decisions.models import RateCount
from decisions.platform.client_address import client_ip

GROUP = "decisions.create"
DRAFT_GROUP = "drafts.start"

clock = time.time  # seconds since 1970; the tests hold it still


def client_key(request: HttpRequest) -> str:
    """Whose budget a request draws on: the client address, as django-axes sees it too.

    decisions.platform.client_address decides REMOTE_ADDR or, behind a trusted proxy,
    X-Forwarded-For. An IPv6 client is keyed by its /64, since one host is usually handed a
    whole /64. A value that is no address (REMOTE_ADDR empty behind a Unix socket) shares one
    budget, never a 500.
    """
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def count(key: str, window: int) -> int:
    """Add one to the count of `key` in `window` and return the new count: one statement.

    INSERT ... ON CONFLICT DO UPDATE ... RETURNING is atomic on PostgreSQL and on SQLite 3.35+:
    two requests racing both count, whichever process or replica serves them.
    """
    # Every name quoted: WINDOW is a reserved word in SQL.
    table, key_, window_, count_ = map(
        connection.ops.quote_name, (RateCount._meta.db_table, "key", "window", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {window_}, {count_}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({key_}, {window_}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
            f"RETURNING {count_}",
            [key, window],
        )
        return cursor.fetchone()[0]


def over_budget(group: str, request: HttpRequest, rate: str | None) -> int | None:
    """Count one attempt of `group` against this client's `rate` (such as "30/m").

    Returns None when it is allowed (and counted), or the seconds until the client's window
    ends when it is over the rate (the attempt is counted all the same). One query; none when
    `rate` is None.
    """
    if rate is None:
        return None
    limit, period = int(rate.partition("/")[0]), period_seconds(rate)
    now = clock()
    window = int(now // period) * period
    if count(f"{group}:{client_key(request)}", window) <= limit:
        return None
    return max(1, math.ceil(window + period - now))


def limit_decision_creation(request: HttpRequest) -> int | None:
    """Count one decision against this client's budget (settings.RATE_LIMIT).

    Returns None when it is allowed (and counted), or the seconds until the client's window
    resets when it is over the limit. One query; none when RATE_LIMIT is off. Call it once per
    attempt to create a decision, after validating the input.
    """
    return over_budget(GROUP, request, settings.RATE_LIMIT)


def limit_new_sessions(request: HttpRequest) -> int | None:
    """Count one new session (a browser's first saved answer) against this client's budget
    (settings.DRAFT_RATE_LIMIT), as limit_decision_creation does for decisions."""
    return over_budget(DRAFT_GROUP, request, settings.DRAFT_RATE_LIMIT)


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


def too_many_response(
    request: HttpRequest, retry_after: int, what: str = "decisions"
) -> HttpResponse:
    """The HTML page for a client over its budget: status 429 with Retry-After. `what` names
    the thing there were too many of: "decisions" or "new assessments"."""
    kept = (
        "Your answers are kept: nothing was lost." if what == "decisions"
        else "Nothing you typed was saved yet."
    )
    context = {
        "retry_after": retry_after, "wait": wait_words(retry_after), "what": what, "kept": kept,
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
