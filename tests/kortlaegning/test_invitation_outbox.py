"""Invitations are queued in the database and sent after the commit, retrying failures.

A real SMTP server (aiosmtpd) on a local port accepts the first messages and then fails, as a
relay does when it hits a quota or goes down in the middle of a batch.
"""

from __future__ import annotations

import datetime
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from kortlaegning import services
from kortlaegning.models import Invitation, InvitationMail, Round


class FlakyRelay:
    """Accepts ``accept`` messages, then answers 451 (try again later) until ``recover()``."""

    def __init__(self, accept: int) -> None:
        self.accept = accept
        self.delivered: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if len(self.delivered) >= self.accept:
            return "451 4.3.0 Try again later"
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"

    def recover(self) -> None:
        self.accept = 10**6


@pytest.fixture
def relay(settings):
    handler = FlakyRelay(accept=4)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


@pytest.fixture
def invitation_round(open_round) -> Round:
    open_round.collection = Round.Collection.INVITATIONS
    open_round.save()
    return open_round


def time_passes() -> None:
    InvitationMail.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


EMAILS = [f"person{n}@example.org" for n in range(10)]


@pytest.mark.django_db(transaction=True)
def test_a_relay_failing_midway_loses_no_invitation_and_sends_none_twice(
    relay, invitation_round, unit_a
):
    invited = services.invitations_send(
        round=invitation_round, unit=unit_a, emails=EMAILS, link_for=lambda t: f"/svar/{t}/"
    )
    # All ten invitations are committed; four mails went out, six wait for a retry.
    assert invited == 10
    assert Invitation.objects.filter(round=invitation_round).count() == 10
    assert len(relay.delivered) == 4
    waiting = InvitationMail.objects.all()
    assert waiting.count() == 6
    assert all(m.attempts == 1 and "451" in m.last_error for m in waiting)

    # Before the retry delay has passed, the job leaves them alone.
    call_command("send_invitations")
    assert len(relay.delivered) == 4

    relay.recover()
    time_passes()
    call_command("send_invitations")
    assert sorted(relay.delivered) == sorted(EMAILS)  # each address exactly once
    assert not InvitationMail.objects.exists()

    call_command("send_invitations")  # nothing left: nothing sent again
    assert len(relay.delivered) == 10


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_sending_loses_nothing(relay, invitation_round, unit_a, monkeypatch):
    relay.recover()

    def crash(**kwargs):
        raise SystemExit("the worker was killed after the commit")

    monkeypatch.setattr(services.collection, "invitation_mails_send", crash)
    with pytest.raises(SystemExit):
        services.invitations_send(
            round=invitation_round, unit=unit_a, emails=EMAILS[:3], link_for=lambda t: t
        )
    assert relay.delivered == []
    assert InvitationMail.objects.count() == 3
    monkeypatch.undo()
    call_command("send_invitations")
    assert sorted(relay.delivered) == sorted(EMAILS[:3])


@pytest.mark.django_db(transaction=True)
def test_a_reminder_replaces_a_queued_mail_with_the_old_link(relay, invitation_round, unit_a):
    relay.accept = 0  # the relay is down
    services.invitations_send(
        round=invitation_round, unit=unit_a, emails=EMAILS[:1], link_for=lambda t: f"old-{t}"
    )
    services.invitations_remind(round=invitation_round, link_for=lambda t: f"new-{t}")
    [mail] = InvitationMail.objects.all()
    assert "new-" in mail.body and "old-" not in mail.body
    relay.recover()
    time_passes()
    call_command("send_invitations")
    assert relay.delivered == EMAILS[:1]


@pytest.mark.django_db(transaction=True)
def test_closing_the_round_drops_its_queued_mails(relay, invitation_round, unit_a, leader_a):
    relay.accept = 0
    services.invitations_send(
        round=invitation_round, unit=unit_a, emails=EMAILS[:2], link_for=lambda t: t
    )
    assert InvitationMail.objects.count() == 2
    Invitation.objects.filter(round=invitation_round).delete()  # what closing does
    assert not InvitationMail.objects.exists()
