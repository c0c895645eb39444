"""The audit log: who did what, when — never what an employee answered.

``record`` is the one way to write an entry. Entries also go to the ``amg_portal.audit`` logger
with user-supplied text escaped, so a username like "x\\r\\nfake" cannot forge a log line.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from amg_portal.organisation.models import AuditEntry, Unit, User

logger = logging.getLogger("amg_portal.audit")


def escape(text: object, limit: int = 500) -> str:
    """Make text safe for a one-line log: control characters become visible escapes."""
    value = str(text)
    value = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in value
    )
    return value[:limit]


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, honouring TRUSTED_PROXY_COUNT (the same rule django-axes uses)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def record(
    *,
    kind: str,
    actor: User | None = None,
    actor_name: str = "",
    unit: Unit | None = None,
    target: object = "",
    detail: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one audit entry (and a matching escaped log line)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    name = escape(actor_name or (actor.get_username() if actor else ""), 150)
    entry = AuditEntry.objects.create(
        kind=kind,
        actor=actor,
        actor_name=name,
        unit=unit,
        target=escape(target, 200),
        detail=escape(detail),
        ip_address=client_ip(request),
    )
    logger.info(
        "audit kind=%s actor=%s unit=%s target=%s detail=%s",
        kind,
        name,
        unit.pk if unit else "-",
        entry.target,
        entry.detail,
    )
    return entry
