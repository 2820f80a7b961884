"""Deleting what has expired, with no cron job to remember: expired sessions (unfinished drafts
after two weeks), rate-limit windows past their day, and Idempotency-Keys past 24 hours.

HousekeepingMiddleware runs tidy() after about one POST in a hundred (settings
HOUSEKEEPING_CHANCE), in whichever process or replica serves it. Each run deletes at most
BATCH rows of each kind, so no request waits long, and 100 POSTs can create at most about 100
new rows of each kind, so the deleting keeps up.
"""

import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from decisions.models import IdempotencyKey, RateCount

BATCH = 1000
# A window is at most a day long ("30/d"); older ones can no longer limit anything.
RATE_WINDOW_KEPT = timedelta(days=1)
IDEMPOTENCY_KEPT = timedelta(hours=24)


def _delete_some(queryset: QuerySet) -> int:
    """Delete at most BATCH rows of `queryset` (two queries); returns how many."""
    model: type[Model] = queryset.model
    keys = list(queryset.values_list("pk", flat=True)[:BATCH])
    if not keys:
        return 0
    return model._default_manager.filter(pk__in=keys).delete()[0]


def tidy() -> dict[str, int]:
    """Delete a batch of each kind of expired row (up to six queries); how many of each."""
    now = timezone.now()
    oldest_window = int(time.time() - RATE_WINDOW_KEPT.total_seconds())
    return {
        "sessions": _delete_some(Session.objects.filter(expire_date__lt=now)),
        "rate_counts": _delete_some(RateCount.objects.filter(window__lt=oldest_window)),
        "idempotency_keys": _delete_some(
            IdempotencyKey.objects.filter(created__lt=now - IDEMPOTENCY_KEPT)
        ),
    }


def now_and_then() -> bool:
    """Run tidy() with the chance settings.HOUSEKEEPING_CHANCE; whether it ran."""
    if random.random() >= settings.HOUSEKEEPING_CHANCE:
        return False
    tidy()
    return True


class HousekeepingMiddleware:
    """After a small fraction of POSTs, delete expired drafts, rate windows and idempotency
    keys, so no cron job has to be remembered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method == "POST":
            now_and_then()
        return response
