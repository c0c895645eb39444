"""Retention: a closed round keeps its figures, not its respondents' answer sets.

A round's results live in its snapshot, decided when it closed (``kortlaegning.snapshot``). So
``RESPONSE_RETENTION_DAYS`` after a round closed, ``round_purge_raw`` simply deletes its raw
responses (each respondent's answer set with its comments and dialogue summary), the record of
which leaders answered, and the free text kept in the snapshot. Every figure stays exactly as it
was; afterwards the round can no longer be reopened (there is nothing to rebuild from).

The purge is idempotent: a purged round is left alone.

The same daily job bounds the drawn results sections kept in ``ResultPage``: a drawing older
than ``DRAWN_PAGE_DAYS``, or drawn by code a deploy has since replaced (its key no longer
reachable), is deleted; the next visit draws it again from the snapshot.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from amg_portal.organisation import audit
from amg_portal.organisation.models import AuditEntry
from kortlaegning.models import (
    LeaderParticipation,
    Response,
    ResultPage,
    ResultSnapshot,
    ResultText,
    Round,
)
from kortlaegning.results import FIGURES_KEY, drawn_by

DRAWN_PAGE_DAYS = 30


def rounds_due(*, today: datetime.date, days: int) -> QuerySet[Round]:
    """Closed rounds that closed more than ``days`` days before ``today`` and still have raw
    answers (their snapshot is not marked purged)."""
    cutoff = today - datetime.timedelta(days=days)
    closed_before = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    return Round.objects.filter(
        status=Round.Status.CLOSED, snapshot__raw_purged_at__isnull=True
    ).filter(Q(closed_at__lt=closed_before) | Q(closed_at__isnull=True, closes_on__lt=cutoff))


@transaction.atomic
def round_purge_raw(*, round: Round) -> bool:
    """Delete a closed round's raw responses and free text; its snapshot stays.

    Returns False (and changes nothing) when the round is not closed, has no snapshot, or was
    purged already.
    """
    round = Round.objects.select_for_update().get(pk=round.pk)
    snapshot = ResultSnapshot.objects.filter(round=round).first()
    if not round.is_closed or snapshot is None or snapshot.raw_purged_at is not None:
        return False
    # The answers go with their responses, the comments too (on_delete=CASCADE). Only the ids
    # are loaded for that, not tens of thousands of answer sets.
    responses, _ = Response.objects.filter(round=round).only("pk").delete()
    LeaderParticipation.objects.filter(round=round).delete()
    ResultText.objects.filter(group__snapshot=snapshot).delete()
    snapshot.raw_purged_at = timezone.now()
    snapshot.save(update_fields=["raw_purged_at"])
    audit.record(
        kind=AuditEntry.Kind.ADMIN,
        unit=round.unit,
        target=f"round {round.pk}",
        detail=f"retention: {responses} raw rows and the free text deleted; figures kept",
    )
    return True


def purge_due(*, today: datetime.date, days: int) -> int:
    """Purge every round that closed more than ``days`` days ago; returns how many changed."""
    return sum(round_purge_raw(round=round) for round in rounds_due(today=today, days=days))


def purge_drawn_pages(*, now: datetime.datetime, days: int = DRAWN_PAGE_DAYS) -> int:
    """Delete kept results drawings older than ``days`` or drawn by other code than this
    process's (a deploy since); returns how many. Nothing is lost: each is drawn again from its
    snapshot at the next visit."""
    current = f"{FIGURES_KEY}:{drawn_by()}:"
    stale = Q(created_at__lt=now - datetime.timedelta(days=days)) | ~Q(key__startswith=current)
    deleted, _ = ResultPage.objects.filter(stale).delete()
    return deleted
