"""Collecting answers: printed codes, the open link and e-mailed invitations (queued in the
database, sent after the commit)."""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amg_portal.organisation.models import Unit
from kortlaegning import tokens
from kortlaegning.models import (
    AnswerCode,
    Invitation,
    InvitationMail,
    Round,
)
from kortlaegning.services.lifecycle import _locked

logger = logging.getLogger("kortlaegning.services")  # the name docs/operations.md names

MAX_CODES_PER_SHEET = 300
MAX_INVITATIONS_PER_SEND = 500


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
