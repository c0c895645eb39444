"""The round lifecycle: the question catalogue, creating, opening, closing, reopening and
publishing a round."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from amg_portal.organisation.models import Unit, User
from kortlaegning.models import (
    LEVEL_ORDER,
    Invitation,
    Question,
    QuestionVersion,
    ResultSnapshot,
    Round,
    RoundEvent,
    RoundQuestion,
)
from kortlaegning.snapshot import people_by_group, snapshot_build


def levels_string(levels: Iterable[str]) -> str:
    """Levels as letters in IGLO order ("GI" → "IG"), unknown letters dropped."""
    chosen = set(levels)
    return "".join(level for level in LEVEL_ORDER if level in chosen)


# --- the catalogue ----------------------------------------------------------------------------


@transaction.atomic
def question_revise(*, question: Question, text_da: str, text_en: str) -> QuestionVersion:
    """Give a question new wording as a new version; rounds keep the version they asked."""
    text_da, text_en = text_da.strip(), text_en.strip()
    if not text_da:
        raise ValidationError(_("The Danish text cannot be empty."))
    current = (
        QuestionVersion.objects.select_for_update().filter(question=question).order_by("-number")
    ).first()
    if current and (current.text_da, current.text_en) == (text_da, text_en):
        return current
    return QuestionVersion.objects.create(
        question=question,
        number=(current.number + 1) if current else 1,
        text_da=text_da,
        text_en=text_en,
    )


# --- the round lifecycle ----------------------------------------------------------------------


def _check_round_fields(
    *, mode: str, employee_levels: str, leader_levels: str, opens_on, closes_on, threshold: int
) -> None:
    errors: dict[str, str] = {}
    if not (employee_levels or leader_levels):
        errors["employee_levels"] = _("Choose at least one level for one of the groups.")
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = _("The closing date must be on or after the opening date.")
    minimum = 1 if mode == Round.Mode.DIALOGUE else 5
    if threshold is None or threshold < minimum:
        errors["threshold"] = _("The anonymity threshold must be at least %(minimum)d.") % {
            "minimum": minimum
        }
    if errors:
        raise ValidationError(errors)


def _log(round: Round, kind: str, by: User, reason: str = "") -> None:
    RoundEvent.objects.create(round=round, kind=kind, by=by, reason=reason)


@transaction.atomic
def round_create(
    *,
    unit: Unit,
    created_by: User,
    title: str,
    mode: str = Round.Mode.WRITTEN,
    collection: str = Round.Collection.CODES,
    employee_levels: Iterable[str] = "IG",
    leader_levels: Iterable[str] = "LO",
    opens_on: datetime.date,
    closes_on: datetime.date,
    threshold: int = 5,
) -> Round:
    """Create a draft round for ``unit`` (the caller has checked MANAGE_ROUND on it)."""
    fields = {
        "title": title.strip(),
        "mode": mode,
        "collection": collection,
        "employee_levels": levels_string(employee_levels),
        "leader_levels": levels_string(leader_levels),
        "opens_on": opens_on,
        "closes_on": closes_on,
        "threshold": threshold,
    }
    _check_round_fields(**{k: v for k, v in fields.items() if k not in ("title", "collection")})
    _check_not_archived(unit)
    round = Round.objects.create(unit=unit, created_by=created_by, **fields)
    _log(round, RoundEvent.Kind.CREATED, created_by)
    return round


@transaction.atomic
def round_update(*, round: Round, **fields) -> Round:
    """Change a draft round's settings; an open or closed round keeps what it was asked with."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_draft:
        raise ValidationError(_("Only a draft round can be changed."))
    for name in ("employee_levels", "leader_levels"):
        if name in fields:
            fields[name] = levels_string(fields[name])
    for name, value in fields.items():
        setattr(round, name, value.strip() if name == "title" else value)
    _check_round_fields(
        mode=round.mode,
        employee_levels=round.employee_levels,
        leader_levels=round.leader_levels,
        opens_on=round.opens_on,
        closes_on=round.closes_on,
        threshold=round.threshold,
    )
    round.save()
    return round


def round_freeze_questions(*, round: Round) -> None:
    """Pin the current version of every question the round asks (once, at first opening)."""
    if round.round_questions.exists():
        return
    levels = set(round.employee_levels) | set(round.leader_levels)
    latest: dict[int, QuestionVersion] = {}
    versions = QuestionVersion.objects.filter(
        question__is_active=True, question__level__in=levels
    ).order_by("question_id", "number")
    for version in versions:
        latest[version.question_id] = version
    RoundQuestion.objects.bulk_create(
        RoundQuestion(round=round, question_id=qid, version=v) for qid, v in latest.items()
    )


def _check_not_archived(unit: Unit) -> None:
    # The organisation import archives units that left the HR system: no new rounds there. The
    # row lock makes an import that is moving or archiving the unit wait for us (and vice versa).
    unit = Unit.objects.select_for_update().only("archived_at").get(pk=unit.pk)
    if unit.archived_at is not None:
        raise ValidationError(_("The unit is archived (it is no longer in the HR system)."))


def _locked(round: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round.pk)


def _save_status(round: Round, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            round.save(update_fields=fields)
    except IntegrityError:
        raise ValidationError(
            _("The unit already has an open mapping round. Close that round first.")
        ) from None


# One key for every opening, so two openings of nested units cannot pass the overlap check at once.
ROUND_OPENING_LOCK = 0x616D675F726F  # "amg_ro"


def _lock_openings() -> None:
    """Serialise round openings for the overlap check (PostgreSQL: a transaction-level advisory
    lock; SQLite already runs one writing transaction at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROUND_OPENING_LOCK])


def _check_no_overlap(round: Round) -> None:
    """No round may be open for a unit above or below this one (or the unit itself): the same
    people answering twice at once would let anyone subtract one round's figures from the
    other's."""
    path = round.unit.path
    above = round.unit.ancestor_paths()
    other = (
        Round.objects.filter(status=Round.Status.OPEN)
        .exclude(pk=round.pk)
        .filter(Q(unit__path__startswith=path) | Q(unit__path__in=above))
        .select_related("unit")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _(
                "The round “%(title)s” for %(unit)s is open and covers some of the same people. "
                "Close it before opening this round."
            )
            % {"title": other.title, "unit": other.unit.name}
        )


def _subtree_headcount(unit: Unit) -> int:
    return Unit.objects.filter(path__startswith=unit.path).aggregate(n=Sum("headcount"))["n"] or 0


@transaction.atomic
def round_open(*, round: Round, opened_by: User) -> Round:
    """Open a draft round for answers; no other round covering its people may be open."""
    _lock_openings()
    round = _locked(round)
    if not round.is_draft:
        raise ValidationError(_("Only a draft round can be opened."))
    _check_not_archived(round.unit)
    if round.closes_on < timezone.localdate():
        raise ValidationError(_("The closing date has passed. Change it before opening."))
    _check_no_overlap(round)
    round_freeze_questions(round=round)
    round.status, round.opened_at = Round.Status.OPEN, timezone.now()
    round.headcount = _subtree_headcount(round.unit)
    _save_status(round, ["status", "opened_at", "headcount"])
    _log(round, RoundEvent.Kind.OPENED, opened_by)
    return round


@transaction.atomic
def round_close(*, round: Round, closed_by: User) -> Round:
    """Close an open round: its results are decided and frozen (the snapshot), it becomes
    read-only and the invitation addresses are deleted. All in one transaction: if building the
    snapshot fails, the round stays open and nothing is written."""
    round = _locked(round)
    if not round.is_open:
        raise ValidationError(_("Only an open round can be closed."))
    round.status, round.closed_at = Round.Status.CLOSED, timezone.now()
    round.save(update_fields=["status", "closed_at"])
    Invitation.objects.filter(round=round).delete()
    RoundEvent.objects.create(
        round=round, kind=RoundEvent.Kind.CLOSED, by=closed_by, counts=people_by_group(round)
    )
    snapshot_build(round=round)
    return round


@transaction.atomic
def round_reopen(*, round: Round, reopened_by: User, reason: str) -> Round:
    """Reopen a closed round, logging who did it and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the round is reopened.")})
    _lock_openings()
    round = _locked(round)
    if not round.is_closed:
        raise ValidationError(_("Only a closed round can be reopened."))
    if ResultSnapshot.objects.filter(round=round, raw_purged_at__isnull=False).exists():
        raise ValidationError(
            _(
                "The answers of this round were deleted after the retention period, so it can no "
                "longer be reopened."
            )
        )
    _check_no_overlap(round)
    round.status = Round.Status.OPEN
    _save_status(round, ["status"])
    _log(round, RoundEvent.Kind.REOPENED, reopened_by, reason)
    return round


@transaction.atomic
def round_publish_results(*, round: Round, published_by: User) -> Round:
    """Let the unit's employees see the (thresholded) results of a closed round."""
    round = _locked(round)
    if not round.is_closed:
        raise ValidationError(_("Results can be published when the round is closed."))
    if not round.results_published:
        round.results_published = True
        round.save(update_fields=["results_published"])
        _log(round, RoundEvent.Kind.PUBLISHED, published_by)
    return round


def round_close_due(*, today: datetime.date, closed_by: User) -> int:
    """Close every open round whose closing date has passed; returns how many."""
    due = Round.objects.filter(status=Round.Status.OPEN, closes_on__lt=today)
    closed = 0
    for round in due:
        round_close(round=round, closed_by=closed_by)
        closed += 1
    return closed
