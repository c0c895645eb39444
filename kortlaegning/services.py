"""Write operations of the mapping: the round lifecycle, collection and anonymous responses."""

from __future__ import annotations

import contextlib
import datetime
import hmac
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amg_portal.organisation.models import Membership, Role, Unit, User
from kortlaegning import tokens
from kortlaegning.models import (
    COMMENT_MAX_LENGTH,
    LEVEL_ORDER,
    Answer,
    AnswerCode,
    Invitation,
    InvitationMail,
    LeaderParticipation,
    LevelComment,
    Question,
    QuestionVersion,
    Response,
    ResultSnapshot,
    Round,
    RoundEvent,
    RoundQuestion,
)
from kortlaegning.snapshot import people_by_group, snapshot_build

logger = logging.getLogger(__name__)

MAX_CODES_PER_SHEET = 300
MAX_INVITATIONS_PER_SEND = 500


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


# --- collection ------------------------------------------------------------------------------


def _check_collecting(round: Round, collection: str) -> None:
    if round.is_closed:
        raise ValidationError(_("The round is closed."))
    if round.is_dialogue:
        raise ValidationError(_("A dialogue round is recorded at the meeting, not collected."))
    # ``collection`` is the round's main way, shown on the collection page; the others stay
    # allowed (e.g. an open link for the few who lost their code slip).


def _check_in_round(round: Round, unit: Unit) -> None:
    if not unit.path.startswith(round.unit.path):
        raise ValidationError({"unit": _("Choose the round's unit or one of its sub-units.")})


@transaction.atomic
def codes_generate(*, round: Round, unit: Unit, count: int) -> list[str]:
    """Create ``count`` single-use answer codes for ``unit``; the codes are returned only here."""
    round = _locked(round)
    _check_collecting(round, Round.Collection.CODES)
    _check_in_round(round, unit)
    if not 1 <= count <= MAX_CODES_PER_SHEET:
        raise ValidationError(
            {
                "count": _("Print between 1 and %(max)d codes at a time.")
                % {"max": MAX_CODES_PER_SHEET}
            }
        )
    codes = [tokens.new_code() for _ in range(count)]
    AnswerCode.objects.bulk_create(
        AnswerCode(
            round=round,
            unit=unit,
            token_hash=tokens.token_hash(purpose=tokens.Purpose.CODE, round_id=round.pk, token=c),
        )
        for c in codes
    )
    return codes


@transaction.atomic
def open_link_create(*, round: Round, token: str | None = None) -> str:
    """Give the round a new open link (an earlier one stops working); returns its secret."""
    round = _locked(round)
    if round.is_closed:
        raise ValidationError(_("The round is closed."))
    token = token or tokens.new_url_token()
    round.open_link_hash = tokens.token_hash(
        purpose=tokens.Purpose.OPEN_LINK, round_id=round.pk, token=token
    )
    round.save(update_fields=["open_link_hash"])
    return token


def _queue_invitation(invitation: Invitation, link: str, *, reminder: bool) -> None:
    with translation.override("da"):
        subject = (
            _("Reminder: mapping of preventive efforts")
            if reminder
            else _("Invitation: mapping of preventive efforts")
        )
        body = _(
            "You are invited to answer the mapping “%(title)s” for %(unit)s.\n\n"
            "Your personal link (it works once):\n%(link)s\n\n"
            "Your answers are anonymous: they are stored without your name, your e-mail address "
            "or this link, and results are only shown for groups of at least %(threshold)d.\n"
            "Answers can be given until %(closes_on)s."
        ) % {
            "title": invitation.round.title,
            "unit": invitation.unit.name,
            "link": link,
            "threshold": invitation.round.threshold,
            "closes_on": invitation.round.closes_on.strftime("%d.%m.%Y"),
        }
    # A reminder carries a new link: a queued mail with the old one would only mislead.
    InvitationMail.objects.filter(invitation=invitation).delete()
    InvitationMail.objects.create(
        invitation=invitation, subject=subject, body=body, next_attempt_at=timezone.now()
    )


def invitations_send(
    *, round: Round, unit: Unit, emails: Iterable[str], link_for: Callable[[str], str]
) -> int:
    """Invite addresses not yet invited to ``round``; ``link_for(token)`` builds the URL.

    The invitations and their e-mails are committed first; the e-mails go out afterwards.
    """
    invited = _invitations_queue(round=round, unit=unit, emails=emails, link_for=link_for)
    invitation_mails_send()
    return invited


@transaction.atomic
def _invitations_queue(
    *, round: Round, unit: Unit, emails: Iterable[str], link_for: Callable[[str], str]
) -> int:
    round = _locked(round)
    _check_collecting(round, Round.Collection.INVITATIONS)
    _check_in_round(round, unit)
    emails = sorted({e.strip().lower() for e in emails if e.strip()})
    if len(emails) > MAX_INVITATIONS_PER_SEND:
        raise ValidationError(
            {
                "emails": _("Send at most %(max)d invitations at a time.")
                % {"max": MAX_INVITATIONS_PER_SEND}
            }
        )
    known = set(
        Invitation.objects.filter(round=round, email__in=emails).values_list("email", flat=True)
    )
    sent = 0
    for email in emails:
        if email in known:
            continue
        token = tokens.new_url_token()
        invitation = Invitation.objects.create(
            round=round,
            unit=unit,
            email=email,
            token_hash=tokens.token_hash(
                purpose=tokens.Purpose.INVITATION, round_id=round.pk, token=token
            ),
        )
        _queue_invitation(invitation, link_for(token), reminder=False)
        sent += 1
    return sent


def invitations_remind(*, round: Round, link_for: Callable[[str], str]) -> int:
    """Send a fresh link to every invitee who has not answered (the old link stops working)."""
    reminded = _invitations_remind_queue(round=round, link_for=link_for)
    invitation_mails_send()
    return reminded


@transaction.atomic
def _invitations_remind_queue(*, round: Round, link_for: Callable[[str], str]) -> int:
    round = _locked(round)
    _check_collecting(round, Round.Collection.INVITATIONS)
    sent = 0
    pending = Invitation.objects.select_for_update().filter(round=round, used=False)
    for invitation in pending.select_related("round", "unit"):
        token = tokens.new_url_token()
        invitation.token_hash = tokens.token_hash(
            purpose=tokens.Purpose.INVITATION, round_id=round.pk, token=token
        )
        invitation.reminders += 1
        invitation.save(update_fields=["token_hash", "reminders"])
        _queue_invitation(invitation, link_for(token), reminder=True)
        sent += 1
    return sent


def _retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 60))


def invitation_mails_send(*, limit: int | None = None) -> tuple[int, int]:
    """Send the queued invitation e-mails that are due; returns (sent, failed).

    Each message is claimed with a row lock (other senders skip it), sent, and its row deleted in
    one transaction; a failure is recorded and retried later with a growing delay.
    """
    sent = failed = 0
    connection = get_connection()
    try:
        while limit is None or sent + failed < limit:
            with transaction.atomic():
                mail = (
                    InvitationMail.objects.select_for_update(skip_locked=True)
                    .select_related("invitation")
                    .filter(next_attempt_at__lte=timezone.now())
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if mail is None:
                    break
                message = EmailMessage(
                    mail.subject, mail.body, None, [mail.invitation.email], connection=connection
                )
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as exc:
                    connection.close()  # a fresh connection for the next message
                    mail.attempts += 1
                    mail.last_error = " ".join(str(exc).split())[:500]
                    mail.next_attempt_at = timezone.now() + _retry_delay(mail.attempts)
                    mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                    logger.warning(
                        "invitation e-mail %s failed (attempt %d): %s",
                        mail.pk,
                        mail.attempts,
                        mail.last_error,
                    )
                    failed += 1
                else:
                    mail.delete()
                    sent += 1
    finally:
        connection.close()
    return sent, failed


# --- answering ---------------------------------------------------------------------------------


class Refusal(Exception):
    """Why a respondent cannot answer: the view shows a page for each reason."""

    UNKNOWN = "unknown"
    USED = "used"
    NOT_OPEN = "not_open"
    CLOSED = "closed"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Grant:
    """What a session may answer: one round, as one respondent, through one ticket."""

    round_id: int
    kind: str  # "code", "invitation", "open", "leader"
    ref: str  # the code's or invitation's id, an open-link ticket, or the leader's user id
    unit_id: int
    group: str

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Grant:
        return cls(**{k: data[k] for k in ("round_id", "kind", "ref", "unit_id", "group")})


def round_check_answerable(round: Round, today: datetime.date | None = None) -> None:
    """Raise ``Refusal`` unless the round takes answers today."""
    today = today or timezone.localdate()
    if round.is_closed or (round.is_open and today > round.closes_on):
        raise Refusal(Refusal.CLOSED)
    if round.is_draft or today < round.opens_on:
        raise Refusal(Refusal.NOT_OPEN)


def grant_for_code(*, round: Round, code: str) -> Grant:
    """Exchange a typed or scanned answer code for a grant (the code is used at submission)."""
    code = tokens.normalise_code(code)
    if not tokens.looks_like_code(code):
        raise Refusal(Refusal.UNKNOWN)
    digest = tokens.token_hash(purpose=tokens.Purpose.CODE, round_id=round.pk, token=code)
    found = AnswerCode.objects.filter(
        round=round, token_hash=digest, source=AnswerCode.Source.PRINTED
    ).first()
    if found is None:
        raise Refusal(Refusal.UNKNOWN)
    if found.used:
        raise Refusal(Refusal.USED)
    round_check_answerable(round)
    return Grant(round.pk, "code", str(found.pk), found.unit_id, Response.Group.EMPLOYEES)


def grant_for_invitation(*, round: Round, token: str) -> Grant:
    """Exchange an invitation link's secret for a grant."""
    digest = tokens.token_hash(purpose=tokens.Purpose.INVITATION, round_id=round.pk, token=token)
    found = Invitation.objects.filter(round=round, token_hash=digest).first()
    if found is None:
        raise Refusal(Refusal.CLOSED if round.is_closed else Refusal.UNKNOWN)
    if found.used:
        raise Refusal(Refusal.USED)
    round_check_answerable(round)
    return Grant(round.pk, "invitation", str(found.pk), found.unit_id, Response.Group.EMPLOYEES)


def grant_for_open_link(*, round: Round, token: str) -> Grant:
    """Exchange the open link for a grant carrying a fresh one-time ticket."""
    digest = tokens.token_hash(purpose=tokens.Purpose.OPEN_LINK, round_id=round.pk, token=token)
    if not round.open_link_hash or not hmac.compare_digest(digest, round.open_link_hash):
        raise Refusal(Refusal.UNKNOWN)
    round_check_answerable(round)
    ticket = tokens.new_url_token()
    return Grant(round.pk, "open", ticket, round.unit_id, Response.Group.EMPLOYEES)


def grant_for_leader(*, round: Round, user: User) -> Grant:
    """A grant for a leader to answer the leadership levels once (caller checked the right)."""
    if not round.leader_levels:
        raise Refusal(Refusal.UNKNOWN)
    if LeaderParticipation.objects.filter(round=round, user=user).exists():
        raise Refusal(Refusal.USED)
    round_check_answerable(round)
    led = (
        Membership.objects.filter(
            user=user, role=Role.LEADER, unit__path__startswith=round.unit.path
        )
        .order_by("-unit__depth")
        .values_list("unit_id", flat=True)
        .first()
    )
    return Grant(round.pk, "leader", str(user.pk), led or round.unit_id, Response.Group.LEADERSHIP)


def _consume(round: Round, grant: Grant) -> None:
    """Use the grant's ticket in the current transaction; ``Refusal(USED)`` if already used."""
    if grant.kind in ("code", "invitation"):
        model = AnswerCode if grant.kind == "code" else Invitation
        if model.objects.filter(pk=int(grant.ref), round=round, used=False).update(used=True) != 1:
            raise Refusal(Refusal.USED)
        return
    try:
        with transaction.atomic():
            if grant.kind == "open":
                AnswerCode.objects.create(
                    round=round,
                    unit_id=grant.unit_id,
                    source=AnswerCode.Source.OPEN_LINK,
                    used=True,
                    token_hash=tokens.token_hash(
                        purpose=tokens.Purpose.OPEN_TICKET, round_id=round.pk, token=grant.ref
                    ),
                )
            elif grant.kind == "leader":
                LeaderParticipation.objects.create(round=round, user_id=int(grant.ref))
            else:
                raise Refusal(Refusal.UNKNOWN)
    except IntegrityError:
        raise Refusal(Refusal.USED) from None


def questions_for(round: Round, levels: Iterable[str]) -> dict[int, str]:
    """The round's question ids on ``levels`` with their level."""
    return dict(
        RoundQuestion.objects.filter(round=round, question__level__in=list(levels)).values_list(
            "question_id", "question__level"
        )
    )


def check_answers(
    *,
    round: Round,
    levels: Iterable[str],
    answers: Mapping,
    comments: Mapping,
    expected: Mapping[int, str] | None = None,
) -> tuple[dict[int, str], dict[str, str]]:
    """Validate a complete answer set for ``levels``: every question once, known choices.

    ``expected`` (question id → level) are the round's questions on ``levels`` when the caller
    has them loaded already."""
    levels = list(levels)
    if expected is None:
        expected = questions_for(round, levels)
    valid = set(Answer.Choice.values)
    clean: dict[int, str] = {}
    for key, choice in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("The answers refer to an unknown question.")) from None
        if qid not in expected:
            raise ValidationError(_("The answers refer to a question this round does not ask."))
        if choice not in valid:
            raise ValidationError(_("An answer has an unknown value."))
        clean[qid] = choice
    if set(clean) != set(expected):
        raise ValidationError(_("Answer every question (choose “Don't know” if you cannot judge)."))
    clean_comments: dict[str, str] = {}
    for level, text in comments.items():
        if level not in levels:
            raise ValidationError(_("A comment refers to a level this round does not ask."))
        text = (text or "").strip()
        if len(text) > COMMENT_MAX_LENGTH:
            raise ValidationError(
                _("A comment can be at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}
            )
        if text:
            clean_comments[level] = text
    return clean, clean_comments


def _store(
    round: Round, *, unit_id: int, group: str, answers: dict, comments: dict, **extra
) -> Response:
    response = Response(
        id=uuid.uuid4(),
        round=round,
        unit_id=unit_id,
        group=group,
        submitted_on=timezone.localdate(),
        **extra,
    )
    _store_response(response, answers, comments)
    return response


@dataclass(frozen=True)
class SessionMark:
    """A session row rewritten together with the response it belongs to (the answer page marks
    the respondent's session done in the same statement or transaction)."""

    key: str
    data: str  # the session's encoded data (``SessionStore.encode``)
    expires: datetime.datetime


def response_submit(
    *,
    round: Round,
    grant: Grant,
    answers: Mapping,
    comments: Mapping,
    questions: Mapping[int, str] | None = None,
    session: SessionMark | None = None,
) -> Response:
    """Store one anonymous response and use up the grant's ticket atomically.

    A caller that loaded ``round`` and its ``questions`` (id → level, the grant's levels) in the
    same request passes them on; otherwise both are read again here, as of now. ``session`` is
    rewritten in the same statement or transaction, so "stored" and "marked" are one outcome.

    On PostgreSQL a code or invitation is used, the response, its answers and comments stored and
    the session marked in one statement (``_submit_at_once``): atomic by itself, one round trip
    to the database. Other grants, and other databases, take one transaction of ORM writes."""
    if grant.round_id != round.pk:
        raise Refusal(Refusal.UNKNOWN)
    if questions is None:
        round = Round.objects.select_related("unit").get(pk=round.pk)  # the status as of now
    round_check_answerable(round)
    clean, clean_comments = check_answers(
        round=round,
        levels=round.levels_for(grant.group),
        answers=answers,
        comments=comments,
        expected=questions,
    )
    response = Response(
        id=uuid.uuid4(),
        round=round,
        unit_id=grant.unit_id,
        group=grant.group,
        submitted_on=timezone.localdate(),
    )
    if grant.kind in ("code", "invitation") and _at_once_supported():
        if not _submit_at_once(grant, response, clean, clean_comments, session):
            raise Refusal(Refusal.USED)
        return response
    with transaction.atomic():
        _consume(round, grant)
        _store_response(response, clean, clean_comments)
        if session is not None:
            _mark_session(session)
    return response


def _at_once_supported() -> bool:
    return connection.vendor == "postgresql"


def _store_response(response: Response, answers: dict, comments: dict) -> None:
    response.save(force_insert=True)
    Answer.objects.bulk_create(
        Answer(response=response, question_id=qid, choice=choice) for qid, choice in answers.items()
    )
    LevelComment.objects.bulk_create(
        LevelComment(response=response, level=level, text=text) for level, text in comments.items()
    )


def _mark_session(session: SessionMark) -> None:
    Session.objects.filter(session_key=session.key).update(
        session_data=session.data, expire_date=session.expires
    )


def _submit_at_once(
    grant: Grant, response: Response, answers: dict, comments: dict, session: SessionMark | None
) -> bool:
    """One PostgreSQL statement: use the ticket if unused; only then insert the response (every
    column as the ORM would write it), its answers and comments, and rewrite the session. False
    if the ticket was used already (nothing is written). Concurrent submissions of one ticket
    queue on its row; the ones after the first find it used and write nothing."""
    q = connection.ops.quote_name
    ticket = (AnswerCode if grant.kind == "code" else Invitation)._meta.db_table
    fields = Response._meta.concrete_fields
    values = [f.get_db_prep_save(getattr(response, f.attname), connection) for f in fields]
    # Only identifiers from the models are formatted in; every value is a parameter.
    sql = (
        f"WITH used AS (UPDATE {q(ticket)} SET used = true"  # noqa: S608
        " WHERE id = %s AND round_id = %s AND NOT used RETURNING 1),"
        f" response AS (INSERT INTO {q(Response._meta.db_table)}"
        f" ({', '.join(q(field.column) for field in fields)})"
        f" SELECT {', '.join(['%s'] * len(fields))} FROM used RETURNING id),"
        f" answers AS (INSERT INTO {q(Answer._meta.db_table)} (response_id, question_id, choice)"
        " SELECT response.id, a.question, a.choice FROM response,"
        " unnest(%s::bigint[], %s::text[]) AS a(question, choice)),"
        f" comments AS (INSERT INTO {q(LevelComment._meta.db_table)} (response_id, level, text)"
        " SELECT response.id, c.level, c.text FROM response,"
        " unnest(%s::text[], %s::text[]) AS c(level, text))"
    )
    params = [int(grant.ref), grant.round_id, *values]
    params += [list(answers), list(answers.values()), list(comments), list(comments.values())]
    if session is not None:
        sql += (
            f", marked AS (UPDATE {q(Session._meta.db_table)}"  # noqa: S608
            " SET session_data = %s, expire_date = %s"
            " WHERE session_key = %s AND EXISTS (SELECT FROM response))"
        )
        params += [session.data, session.expires, session.key]
    # On its own (autocommit) the statement is its own transaction; inside a caller's transaction
    # a savepoint keeps that transaction usable if the statement fails.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(sql + " SELECT count(*) FROM response", params)  # noqa: S608
        return cursor.fetchone()[0] == 1


def _check_participants(round: Round, unit: Unit, participants: int) -> None:
    """A dialogue cannot have more participants than the unit has employees, nor can all the
    round's dialogues together exceed the headcount the round was opened with."""
    unit_headcount = _subtree_headcount(unit)
    if unit_headcount and participants > unit_headcount:
        raise ValidationError(
            {
                "participants": _(
                    "%(unit)s has %(n)d employees: a dialogue there cannot have more participants."
                )
                % {"unit": unit.name, "n": unit_headcount}
            }
        )
    if round.headcount:
        recorded = (
            Response.objects.filter(round=round, is_dialogue=True).aggregate(n=Sum("participants"))[
                "n"
            ]
            or 0
        )
        if recorded + participants > round.headcount:
            raise ValidationError(
                {
                    "participants": _(
                        "The round was opened for %(n)d employees and %(recorded)d have already "
                        "taken part in a dialogue: at most %(left)d more can be recorded."
                    )
                    % {
                        "n": round.headcount,
                        "recorded": recorded,
                        "left": max(0, round.headcount - recorded),
                    }
                }
            )


@transaction.atomic
def dialogue_record(
    *,
    round: Round,
    unit: Unit,
    group: str = Response.Group.EMPLOYEES,
    participants: int,
    summary: str,
    answers: Mapping,
    comments: Mapping,
) -> Response:
    """Record one joint answer set from a dialogue meeting (no individual rows)."""
    round = _locked(round)  # participants are checked against the round: one at a time
    if not round.is_dialogue:
        raise ValidationError(_("Only a dialogue round records joint answers."))
    if not round.is_open:
        raise ValidationError(_("The round is not open."))
    _check_in_round(round, unit)
    if not participants or participants < 1:
        raise ValidationError({"participants": _("Give the number of participants.")})
    _check_participants(round, unit, participants)
    clean, clean_comments = check_answers(
        round=round, levels=round.levels_for(group), answers=answers, comments=comments
    )
    return _store(
        round,
        unit_id=unit.pk,
        group=group,
        answers=clean,
        comments=clean_comments,
        is_dialogue=True,
        participants=participants,
        summary=summary.strip(),
    )
