"""Rate limiting that holds across worker processes: the counters live in the database.

A fixed-window counter per (scope, client address). The increment is a single
``UPDATE … SET count = count + 1`` (atomic in PostgreSQL and SQLite), so concurrent requests in any
number of processes are all counted. Raw addresses are never stored, only a keyed hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amg_portal.organisation.audit import client_ip
from amg_portal.organisation.models import RateLimitCounter


def _bucket_key(scope: str, address: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"ratelimit:{scope}:{address}".encode(), hashlib.sha256).hexdigest()


def rate_limit_hit(*, scope: str, address: str, limit: int, window: int) -> bool:
    """Count one request; True while the address stays within ``limit`` per ``window`` seconds."""
    now = int(time.time())
    start = now - now % window
    key = _bucket_key(scope, address)
    bucket = RateLimitCounter.objects.filter(key=key, window_start=start)
    with transaction.atomic():
        if not bucket.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another process created the window first
                bucket.update(count=F("count") + 1)
            else:
                # A new window: forget the old ones (indexed, so cheap).
                RateLimitCounter.objects.filter(window_start__lt=start - window).delete()
        count = bucket.values_list("count", flat=True).get()
    return count <= limit


def rate_limited(
    scope: str, *, limit: Callable[[], int] | int, window: int = 60
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: over the limit, answer 429 with a clear page instead of running it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            allowed = limit() if callable(limit) else limit
            address = client_ip(request) or "unknown"
            if not rate_limit_hit(scope=scope, address=address, limit=allowed, window=window):
                response = render(request, "429.html", {"window": window}, status=429)
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
