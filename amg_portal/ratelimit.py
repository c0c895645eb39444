"""Rate limiting that holds across worker processes: the counters live in the database.

A fixed-window counter per (scope, key): the key is what is being limited, e.g. a client address,
an answer code or a link. Counting is one statement, ``INSERT … ON CONFLICT DO UPDATE SET count =
count + 1 RETURNING …`` (PostgreSQL and SQLite alike), run outside any transaction of ours. A caller
that stores something in one statement anyway may count inside it instead (``Count``,
``counting_sql``, ``counted``: the answer submit does), its row then locked until that statement
commits.

On PostgreSQL each database connection counts in a row of its own (``shard``, from the server
process's id): requests on one key — a room of people behind one NAT address, all submitting at
once — never wait for each other's row lock, whatever statement they count in. The count a request
gets is its own row's (exact) plus the other rows' as of the statement's start: a request running
at the same instant on another connection may not be in it yet, so under concurrency a key can go
over its limit by at most the number of connections (a few per app server); every request is
counted all the same. ``rate_limit_count`` sums the rows. SQLite (one writer at a time anyway)
counts in one row. Keys are stored only as a keyed hash: no raw address or secret is ever written.

A bottom helper: it imports no app of the project (its table is ``amg_portal.models``, the client
address comes from ``amg_portal.clientip``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amg_portal.clientip import client_ip
from amg_portal.models import RateLimitCounter

# Windows older than this are deleted now and then (no scope uses a longer window).
KEEP_SECONDS = 3600
# One new window in this many triggers the clean-up, so it costs almost nothing per request.
CLEANUP_ONE_IN = 50


def _bucket_key(scope: str, key: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"ratelimit:{scope}:{key}".encode(), hashlib.sha256).hexdigest()


def _window_start(window: int) -> int:
    now = int(time.time())
    return now - now % window


# PostgreSQL: the connection's row among this many per key and window.
SHARDS = 16


@functools.cache
def counting_sql() -> str:
    """The upsert that counts one request: parameters (bucket, window start), returns the count
    of the key's window (this connection's row, plus the others' as of the statement's start)."""
    q = connection.ops.quote_name
    table, key, start_, shard, count = (
        q(RateLimitCounter._meta.db_table),
        q("key"),
        q("window_start"),
        q("shard"),
        q("count"),
    )
    if connection.vendor == "postgresql":
        this_shard = f"pg_backend_pid() %% {SHARDS}"  # %% : the SQL modulo, not a parameter
        others = (
            f" + (SELECT coalesce(sum(o.{count}), 0) FROM {table} o"  # noqa: S608
            f" WHERE o.{key} = {table}.{key} AND o.{start_} = {table}.{start_}"
            f" AND o.{shard} <> {table}.{shard})"
        )
    else:
        this_shard, others = "0", ""
    # Only constant identifiers are formatted in; the values are parameters.
    return (
        f"INSERT INTO {table} ({key}, {start_}, {shard}, {count})"  # noqa: S608
        f" VALUES (%s, %s, {this_shard}, 1)"
        f" ON CONFLICT ({key}, {start_}, {shard}) DO UPDATE SET {count} = {table}.{count} + 1"
        f" RETURNING {count}{others} AS {count}"
    )


@dataclass(frozen=True)
class Count:
    """One request to be counted by the caller's own statement: ``counting_sql`` with
    ``params``, then ``counted`` with the count it returned."""

    bucket: str
    start: int
    limit: int
    window: int

    @property
    def params(self) -> list:
        return [self.bucket, self.start]


def rate_limit_count_later(*, scope: str, key: str, limit: int, window: int) -> Count:
    """A request on ``key`` that the caller counts inside a statement of its own."""
    return Count(_bucket_key(scope, key), _window_start(window), limit, window)


def counted(count: Count, value: int) -> bool:
    """After ``count``'s upsert returned ``value``: True while it stays within the limit."""
    if value == 1 and secrets.randbelow(CLEANUP_ONE_IN) == 0:
        RateLimitCounter.objects.filter(window_start__lt=count.start - KEEP_SECONDS).delete()
    return value <= count.limit


def count_now(count: Count) -> bool:
    """Count ``count`` with a statement of its own (one upsert); True while within the limit."""
    with connection.cursor() as cursor:
        cursor.execute(counting_sql(), count.params)
        value = cursor.fetchone()[0]
    return counted(count, value)


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request on ``key``; True while it stays within ``limit`` per ``window`` seconds."""
    return count_now(rate_limit_count_later(scope=scope, key=key, limit=limit, window=window))


def rate_limit_count(*, scope: str, key: str, window: int) -> int:
    """How many times ``key`` was counted in the current window (counts nothing itself)."""
    bucket = _bucket_key(scope, key)
    found = RateLimitCounter.objects.filter(key=bucket, window_start=_window_start(window))
    return found.aggregate(total=Sum("count"))["total"] or 0


def too_many_requests(request: HttpRequest, window: int) -> HttpResponse:
    """The clear 429 page, in the user's language, with ``Retry-After``."""
    response = render(request, "429.html", {"window": window}, status=429)
    response["Retry-After"] = str(window)
    return response


def rate_limited(
    scope: str, *, limit: Callable[[], int] | int, window: int = 60
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: over the limit per client address, answer 429 instead of running it."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            allowed = limit() if callable(limit) else limit
            address = client_ip(request) or "unknown"
            if not rate_limit_hit(scope=scope, key=address, limit=allowed, window=window):
                return too_many_requests(request, window)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
