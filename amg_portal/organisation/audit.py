"""The audit log: who did what, when — never what an employee answered.

``record`` is the one way to write an entry: a row of ``AuditEntry``, the one audit trail (the
coordinator's looks into confidential cases and reads of results included), so nothing depends
on the log level. Entries also go to the ``amg_portal.audit`` logger with user-supplied text
escaped, so a username like "x\\r\\nfake" cannot forge a log line.

``record_results_read`` and ``record_case_read`` are the two reads that are audited as data.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest

from amg_portal import clientip
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
    """The client's address as the trusted proxy saw it (see ``amg_portal.clientip``)."""
    return clientip.client_ip(request)


def _entry(
    *,
    kind: str,
    actor: User | None = None,
    actor_name: str = "",
    unit: Unit | None = None,
    target: object = "",
    detail: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    name = escape(actor_name or (actor.get_username() if actor else ""), 150)
    return AuditEntry(
        kind=kind,
        actor=actor,
        actor_name=name,
        unit=unit,
        target=escape(target, 200),
        detail=escape(detail),
        ip_address=client_ip(request),
    )


def _log(entry: AuditEntry) -> None:
    logger.info(
        "audit kind=%s actor=%s unit=%s target=%s detail=%s",
        entry.kind,
        entry.actor_name,
        entry.unit_id or "-",
        entry.target,
        entry.detail,
    )


def record(**fields) -> AuditEntry:
    """Write one audit entry (and a matching escaped log line); ``fields`` as for ``_entry``:
    kind, actor, actor_name, unit, target, detail, request."""
    entry = _entry(**fields)
    entry.save()
    _log(entry)
    return entry


def _reader(request_or_user) -> tuple[User | None, HttpRequest | None]:
    if isinstance(request_or_user, HttpRequest):
        return getattr(request_or_user, "user", None), request_or_user
    return request_or_user, None


# Reads of results that leave the page (a file); these are recorded whoever reads them.
RESULT_EXPORTS = frozenset({"export", "csv", "xlsx", "pdf"})


def record_results_read(request_or_user, round, what: str) -> AuditEntry | None:
    """Audit a read of a round's results: every read by the coordinator, every export by anyone.

    ``round`` is a kortlaegning ``Round`` (its unit and pk are used); ``what`` says where the
    results were read: "view", "dashboard", "question 12", "export", "export csv", "pdf", ….
    An export is a ``what`` whose first word is in ``RESULT_EXPORTS``. Returns the new row, or
    None when the read is not one that is audited.
    """
    entries = record_results_reads(request_or_user, [round], what)
    return entries[0] if entries else None


def record_results_reads(request_or_user, rounds, what: str) -> list[AuditEntry]:
    """``record_results_read`` for several rounds read on one page (one INSERT: a row each)."""
    user, request = _reader(request_or_user)
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    exported = what.split(" ", 1)[0] in RESULT_EXPORTS
    if not (user.coordinates or exported) or not rounds:
        return []
    entries = []
    for round in rounds:
        entry = _entry(
            kind=AuditEntry.Kind.RESULTS_READ,
            actor=user,
            target=f"round {round.pk}",
            detail=what,
            request=request,
        )
        entry.unit_id = round.unit_id  # the id is enough: no read of the unit to write it
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries)
    for entry in entries:
        _log(entry)
    return entries


def record_case_read(request_or_user, case, what: str) -> AuditEntry:
    """Audit the coordinator's look into a confidential case they do not take part in."""
    user, request = _reader(request_or_user)
    return record(
        kind=AuditEntry.Kind.CONFIDENTIAL_VIEW,
        actor=user,
        unit=case.unit,
        target=f"case {case.pk}",
        detail=what,
        request=request,
    )
