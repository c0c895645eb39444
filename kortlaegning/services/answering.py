"""Answering: exchanging a code or link for a grant, and storing one anonymous response (or a
dialogue's joint answers) while the ticket is used up."""

from __future__ import annotations

import contextlib
import datetime
import functools
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from amg_portal import ratelimit
from amg_portal.organisation.models import Membership, Role, Unit, User
from amg_portal.prepared import prepared_cursor
from kortlaegning import tokens
from kortlaegning.models import (
    COMMENT_MAX_LENGTH,
    AnswerCode,
    Choice,
    Invitation,
    LeaderParticipation,
    LevelComment,
    Response,
    Round,
    RoundQuestion,
)
from kortlaegning.services.collection import _check_in_round
from kortlaegning.services.lifecycle import _locked, _subtree_headcount


class RateLimited(Exception):
    """The request counted in the submit's statement was over its limit: nothing was stored."""

    def __init__(self, window: int):
        super().__init__(window)
        self.window = window


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
    valid = set(Choice.values)
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
        answers=_answer_set(answers),
        **extra,
    )
    _store_response(response, comments)
    return response


def _answer_set(answers: Mapping[int, str]) -> dict[str, str]:
    """A checked answer set as the response stores it (JSON: the question ids as strings)."""
    return {str(qid): choice for qid, choice in answers.items()}


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
    count: ratelimit.Count | None = None,
) -> Response:
    """Store one anonymous response and use up the grant's ticket atomically.

    A caller that has ``round`` and its ``questions`` (id → level, the grant's levels) passes
    them on; otherwise both are read again here, as of now. ``session`` is rewritten in the same
    statement or transaction, so "stored" and "marked" are one outcome.

    ``count`` is the request's rate-limit count (the answer pages' address counter): it is
    counted once whatever the outcome, inside the one statement where there is one (this
    connection's row of the counter is then locked until that statement commits), else by a
    statement of its own first. Over the
    limit, nothing is stored and ``RateLimited`` is raised (before any other refusal).

    On PostgreSQL a code or invitation is used, the response, its answers and comments stored and
    the session marked in one statement (``_submit_at_once``): atomic by itself, one round trip
    to the database. That statement also checks, under a share lock on the round's row, that the
    round takes answers today, so ``round`` may be the one this process read when the round
    opened (its levels and questions never change after that; its status may): a round being
    closed waits for the submissions in flight, and those after it store nothing. Other grants,
    and other databases, take one transaction of ORM writes and trust ``round``'s status, so
    their callers pass a round read in the same request."""
    at_once = submits_at_once(grant)
    if count is not None and not at_once:
        _count_alone(count)
        count = None
    try:
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
    except (Refusal, ValidationError):
        if count is not None:
            _count_alone(count)  # refused before the statement: counted all the same
        raise
    response = Response(
        id=uuid.uuid4(),
        round=round,
        unit_id=grant.unit_id,
        group=grant.group,
        submitted_on=timezone.localdate(),
        answers=_answer_set(clean),
    )
    if at_once:
        stored, counted = _submit_at_once(round, grant, response, clean_comments, session, count)
        if count is not None and not ratelimit.counted(count, counted):
            raise RateLimited(count.window)
        if not stored:
            _refuse_not_stored(round)
        return response
    with transaction.atomic():
        _consume(round, grant)
        _store_response(response, clean_comments)
        if session is not None:
            _mark_session(session)
    return response


def _count_alone(count: ratelimit.Count) -> None:
    if not ratelimit.count_now(count):
        raise RateLimited(count.window)


def submits_at_once(grant: Grant) -> bool:
    """Whether ``response_submit`` stores this grant's response in one statement that checks
    the round's status itself (so the caller need not read the round first)."""
    return grant.kind in ("code", "invitation") and _at_once_supported()


def _at_once_supported() -> bool:
    return connection.vendor == "postgresql"


def _store_response(response: Response, comments: dict) -> None:
    response.save(force_insert=True)
    LevelComment.objects.bulk_create(
        LevelComment(response=response, level=level, text=text) for level, text in comments.items()
    )


def _mark_session(session: SessionMark) -> None:
    Session.objects.filter(session_key=session.key).update(
        session_data=session.data, expire_date=session.expires
    )


def _refuse_not_stored(round: Round) -> None:
    """The one statement stored nothing: say why (the round as of now, else the ticket)."""
    current = Round.objects.filter(pk=round.pk).first()
    if current is None or current.opened_at != round.opened_at:
        raise Refusal(Refusal.UNKNOWN)  # not the round the caller knew under this id
    round_check_answerable(current)
    raise Refusal(Refusal.USED)


@functools.cache
def _at_once_sql(ticket_table: str, with_session: bool, with_count: bool) -> str:
    """The statement of ``_submit_at_once`` (built once per ticket table, session and count)."""
    q = connection.ops.quote_name
    fields = Response._meta.concrete_fields
    # Only identifiers from the models are formatted in; every value is a parameter.
    sql = f"WITH hit AS ({ratelimit.counting_sql()}), " if with_count else "WITH "
    within = " AND (SELECT count FROM hit) <= %s" if with_count else ""
    sql += (
        f"used AS (UPDATE {q(ticket_table)} SET used = true"  # noqa: S608
        f" WHERE id = %s AND round_id = %s AND NOT used{within}"
        f" AND EXISTS (SELECT FROM {q(Round._meta.db_table)} WHERE id = %s AND status = %s"
        " AND opened_at = %s AND opens_on <= %s AND closes_on >= %s FOR KEY SHARE)"
        " RETURNING 1),"
        f" response AS (INSERT INTO {q(Response._meta.db_table)}"
        f" ({', '.join(q(field.column) for field in fields)})"
        f" SELECT {', '.join(_placeholder(field) for field in fields)} FROM used RETURNING id),"
        # The comments travel as one JSON object: quoting one string is cheaper for the client
        # than quoting arrays element by element.
        f" comments AS (INSERT INTO {q(LevelComment._meta.db_table)} (response_id, level, text)"
        " SELECT response.id, c.key, c.value FROM response, jsonb_each_text(%s::jsonb) AS c)"
    )
    if with_session:
        sql += (
            f", marked AS (UPDATE {q(Session._meta.db_table)}"  # noqa: S608
            " SET session_data = %s, expire_date = %s"
            " WHERE session_key = %s AND EXISTS (SELECT FROM response))"
        )
    counted = "(SELECT count FROM hit)" if with_count else "0"
    return sql + f" SELECT count(*), {counted} FROM response"  # noqa: S608


def _submit_at_once(
    round: Round,
    grant: Grant,
    response: Response,
    comments: dict,
    session: SessionMark | None,
    count: ratelimit.Count | None,
) -> tuple[bool, int]:
    """One PostgreSQL statement: count the request (``count``, first, always); use the ticket if
    the count is within its limit, the ticket unused and the round takes answers today; only
    then insert the response (every column as the ORM would write it, its answers among them)
    and its comments, and rewrite the session. (Whether it stored, the count; 0 without ``count``.)

    The counter's row stays locked until the statement commits; it is this database connection's
    own row of the address's counter (``amg_portal.ratelimit``), so other requests of that
    address do not wait for it, and the counter costs no round trip or commit of its own.

    Concurrent submissions of one ticket queue on its row; the ones after the first find it used
    and write nothing. The round's row is share-locked (``FOR KEY SHARE``, as the response's
    foreign key takes anyway, but before the ticket's row): closing the round (``FOR UPDATE``)
    waits for the submissions in flight, and a submission that waited for a closing sees the
    round closed and writes nothing."""
    ticket = (AnswerCode if grant.kind == "code" else Invitation)._meta.db_table
    values = _response_values(response)
    params = [*count.params] if count is not None else []
    params += [int(grant.ref), grant.round_id]
    if count is not None:
        params.append(count.limit)
    params += [round.pk, Round.Status.OPEN, round.opened_at]
    params += [response.submitted_on, response.submitted_on, *values]
    params.append(json.dumps(comments))
    if session is not None:
        params += [session.data, session.expires, session.key]
    # On its own (autocommit) the statement is its own transaction; inside a caller's transaction
    # a savepoint keeps that transaction usable if the statement fails.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with guard, prepared_cursor() as cursor:  # parsed and planned once per connection
        cursor.execute(_at_once_sql(ticket, session is not None, count is not None), params)
        stored, counted = cursor.fetchone()
    return stored == 1, counted


def _placeholder(field: models.Field) -> str:
    return "%s::jsonb" if isinstance(field, models.JSONField) else "%s"


def _response_values(response: Response) -> list:
    """The response's column values in ``concrete_fields`` order, for PostgreSQL (the statement's
    only database): there a response's values need no conversion (a UUID, a date, strings,
    integers and a boolean, which psycopg sends as they are; the answers as JSON text, cast by
    the statement), so the fields' ``get_db_prep_save`` — an eighth of the submit's own Python
    time — is not called."""
    values = []
    for field in Response._meta.concrete_fields:
        value = getattr(response, field.attname)
        values.append(json.dumps(value) if isinstance(field, models.JSONField) else value)
    return values


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
