"""Idempotency-Key on POST /api/decisions: a client that retries gets the decision it made.

Keys are global, not per client address (a retry may come from another address, behind a
phone network or a second proxy), so the header asks for at least 16 characters: a random UUID
is the intended value, and nobody can guess another client's. A key holds for 24 hours: within
them, the same key with the same JSON body answers with the first decision, and the same key
with another body is refused. Rows past 24 hours are deleted by decisions.platform.housekeeping.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from decisions.models import Decision, IdempotencyKey

HEADER = "Idempotency-Key"
# The header as WSGI hands it over: read from request.META, since request.headers builds a
# mapping of every header on first use, here for one lookup (about 0.1 M instructions).
_META_KEY = "HTTP_IDEMPOTENCY_KEY"
KEY_PATTERN = r"^[A-Za-z0-9._~:+/=-]{16,100}$"
_KEY_RE = re.compile(KEY_PATTERN)
LIFETIME = timedelta(hours=24)


class BadKey(ValueError):
    """The header is there but no usable key; the message says how to fix it."""


class KeyReused(Exception):
    """The key was used within 24 hours for another body."""


def key_from(request: HttpRequest) -> str | None:
    """The request's Idempotency-Key, or None when it has none; BadKey when malformed.

    A Structured Field string ("...", as the IETF draft writes it) is taken without its quotes.
    """
    raw = request.META.get(_META_KEY)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not _KEY_RE.fullmatch(key):
        raise BadKey(
            f"The {HEADER} header must be 16 to 100 letters, digits or the characters . _ ~ : "
            "+ / = -, such as a random UUID; leave the header out to send no key."
        )
    return key


def fingerprint(data: object) -> str:
    """SHA-256 of the decoded JSON body, so the same answers in another spacing or key order
    count as the same body."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def earlier(key: str, body: str) -> Decision | None:
    """The decision this key made within 24 hours (one query), None when it made none;
    KeyReused when it was used for another body."""
    row = (
        IdempotencyKey.objects.select_related("decision")
        .filter(key=key, created__gte=timezone.now() - LIFETIME)
        .first()
    )
    if row is None:
        return None
    if row.fingerprint != body:
        raise KeyReused
    return row.decision


def record_once(key: str, body: str, record: Callable[[], Decision]) -> Decision:
    """Call record() and keep its decision under `key`, in one transaction.

    Requests racing with one key make one decision: the unique key makes every other
    transaction fail (on PostgreSQL once the first commits; SQLite runs writers one at a time),
    and those answer with the first one's decision, or KeyReused for another body.
    """
    IdempotencyKey.objects.filter(key=key, created__lt=timezone.now() - LIFETIME).delete()
    try:
        with transaction.atomic():
            decision = record()
            IdempotencyKey.objects.create(key=key, fingerprint=body, decision=decision)
    except IntegrityError:
        decision = earlier(key, body)
        if decision is None:
            raise
    return decision
