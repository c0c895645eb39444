"""Reminder e-mails (once per item per day, in the user's language) and the iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from handlingsplan import services
from handlingsplan.reminders import calendar_ics, reminders_send

TODAY = dt.date(2026, 6, 25)  # the measure's deadline is 30 June: within 7 days


def test_it_sends_a_reminder_once_per_item_per_day(measure, amr_a):
    assert reminders_send(today=TODAY) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [amr_a.email]
    assert "Fælles prioriteringsmøde" in message.body
    assert reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert reminders_send(today=TODAY + dt.timedelta(days=1)) == 1


def test_it_includes_overdue_follow_ups_and_skips_far_deadlines(measure, amr_a):
    reminders_send(today=dt.date(2026, 3, 5))  # follow-up 1 March overdue; deadline far away
    body = mail.outbox[0].body
    assert "01.03.2026" in body
    assert body.count("Fælles prioriteringsmøde") == 1


def test_it_writes_in_the_users_language(measure, amr_a):
    amr_a.language = "en"
    amr_a.save()
    reminders_send(today=TODAY)
    assert "Within the next 7 days" in mail.outbox[0].body


def test_it_sends_nothing_for_done_measures(measure, leader_a):
    services.measure_update(measure=measure, user=leader_a, version=1, status="done")
    assert reminders_send(today=TODAY) == 0


def test_it_runs_as_a_management_command(measure, capsys):
    call_command("send_reminders")
    assert "reminder" in capsys.readouterr().out


def test_it_serves_a_personal_calendar_feed_until_revoked(client, login, amr_a, measure):
    token = services.calendar_token_create(user=amr_a)
    url = reverse("handlingsplan:calendar_feed", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20260630" in body
    assert "Fælles prioriteringsmøde" in body.replace("\r\n ", "")
    services.calendar_token_revoke(user=amr_a)
    assert client.get(url).status_code == 404


def test_it_stores_only_the_hash_of_the_calendar_secret(amr_a):
    token = services.calendar_token_create(user=amr_a)
    assert amr_a.apv_calendar_token.token_hash != token
    assert len(amr_a.apv_calendar_token.token_hash) == 64


def test_it_folds_long_lines_and_escapes_text(amr_a, unit_a, leader_a):
    services.measure_create(
        unit=unit_a,
        created_by=leader_a,
        title="Et meget langt tiltag; med komma, semikolon og æøå " * 3,
        responsible=amr_a,
        deadline=dt.date(2026, 9, 1),
    )
    ics = calendar_ics(amr_a)
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert "\\;" in ics and "\\," in ics


def test_it_makes_and_revokes_the_address_on_the_settings_page(login, amr_a):
    client = login(amr_a)
    url = reverse("handlingsplan:calendar_settings")
    response = client.post(url, {"action": "create"})
    assert response.status_code == 200
    assert "/kalender/" in response.context["feed_url"]
    client.post(url, {"action": "revoke"})
    assert client.get(url).context["active"] is None


def test_it_needs_a_login_for_the_settings_page(client):
    assert client.get(reverse("handlingsplan:calendar_settings")).status_code == 302
