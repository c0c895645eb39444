"""The client's address, as the trusted reverse proxy saw it.

Imports nothing of the apps, so the login lock (django-axes, ``AXES_CLIENT_IP_CALLABLE``), the
answer pages' rate limit and the audit log can all use this one function.

Behind ``TRUSTED_PROXY_COUNT`` proxies, each proxy appends the address of whoever connected to it
to ``X-Forwarded-For``. Everything to the left of what the trusted proxies appended was written
by the client and can be forged, so the client address is the entry the *outermost* trusted proxy
appended: the ``TRUSTED_PROXY_COUNT``-th entry counted from the right. With no trusted proxy the
header is ignored and the connection's own address (``REMOTE_ADDR``) is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: the entry the trusted proxy appended, or ``REMOTE_ADDR``."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if not entries:
        return remote  # not through the proxy (a health check from the host itself)
    # Fewer entries than proxies: every entry was appended by a trusted proxy; the leftmost is
    # the nearest to the client that is known.
    chosen = entries[-proxies] if len(entries) >= proxies else entries[0]
    return _valid(chosen) or remote
