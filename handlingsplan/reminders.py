"""Reminders by e-mail and the personal iCalendar feed of one's deadlines and follow-ups."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amg_portal.organisation.models import User
from handlingsplan.models import CalendarToken, Measure, ReminderLog
from handlingsplan.services import hash_token

HORIZON_DAYS = 7


def site_url() -> str:
    """The portal's public address for links in e-mails and calendar entries."""
    return getattr(settings, "SITE_URL", None) or os.environ.get(
        "SITE_URL", "http://127.0.0.1:8000"
    )


@dataclass(frozen=True)
class Item:
    kind: str  # "deadline", "milestone" or "followup"
    pk: int
    due_on: dt.date
    measure: Measure
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    def url(self) -> str:
        return site_url() + reverse(
            "handlingsplan:measure_detail", args=[self.measure.unit_id, self.measure.pk]
        )


def open_items(*, responsible: User | None = None, until: dt.date | None = None) -> list[Item]:
    """Open deadlines, milestones and follow-ups of active measures (3 queries)."""
    measures = Measure.objects.active()
    measures = measures.filter(responsible__isnull=False)
    if responsible is not None:
        measures = measures.filter(responsible=responsible)
    items: list[Item] = []
    for m in measures.select_related("responsible", "unit").prefetch_related(
        "milestones", "follow_ups"
    ):
        if m.deadline:
            items.append(Item("deadline", m.pk, m.deadline, m, m.title))
        items += [
            Item("milestone", s.pk, s.due_on, m, s.title)
            for s in m.milestones.all()
            if s.done_on is None
        ]
        items += [
            Item("followup", f.pk, f.due_on, m, m.title)
            for f in m.follow_ups.all()
            if f.done_on is None
        ]
    if until is not None:
        items = [item for item in items if item.due_on <= until]
    return sorted(items, key=lambda item: (item.due_on, item.key))


def reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail each responsible user their items due within 7 days or overdue, once a day each."""
    today = today or timezone.localdate()
    by_user: dict[int, list[Item]] = {}
    for item in open_items(until=today + dt.timedelta(days=HORIZON_DAYS)):
        by_user.setdefault(item.measure.responsible_id, []).append(item)
    sent = 0
    for items in by_user.values():
        user = items[0].measure.responsible
        if not user.email or not user.is_active:
            continue
        claimed = [item for item in items if _claim(user, item, today)]
        if not claimed:
            continue
        try:
            _send(user, claimed, today)
        except Exception:
            # Give the items back so the next hourly run tries again.
            keys = [item.key for item in claimed]
            ReminderLog.objects.filter(user=user, item__in=keys, sent_on=today).delete()
            raise
        sent += 1
    return sent


def _claim(user: User, item: Item, today: dt.date) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(user=user, item=item.key, sent_on=today)
    except IntegrityError:
        return False
    return True


def _send(user: User, items: list[Item], today: dt.date) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        overdue = [item for item in items if item.due_on < today]
        upcoming = [item for item in items if item.due_on >= today]
        context = {"user": user, "overdue": overdue, "upcoming": upcoming, "today": today}
        subject = _("AMG-portal: %(count)s deadlines and follow-ups of your measures") % {
            "count": len(items)
        }
        body = render_to_string("handlingsplan/email/reminder.txt", context)
        send_mail(subject, body, None, [user.email])


# --- iCalendar (RFC 5545), written by hand: a handful of all-day VEVENTs -------------------------


def user_for_token(token: str) -> User | None:
    """The user whose calendar secret is ``token``, or None."""
    row = CalendarToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    return row.user if row and row.user.is_active else None


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    ).replace("\r", "")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1) without splitting a UTF-8 character."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def calendar_ics(user: User) -> str:
    """The user's open deadlines, milestones and follow-ups as an iCalendar document."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        labels = {
            "deadline": _("Deadline"),
            "milestone": _("Milestone"),
            "followup": _("Follow-up"),
        }
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//AMG-portal//handlingsplan//DA",
            "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:" + _escape(_("AMG-portal: my measures")),
        ]
        for item in open_items(responsible=user):
            summary = f"{labels[item.kind]}: {item.label}"
            lines += [
                "BEGIN:VEVENT",
                f"UID:{item.kind}-{item.pk}@amg-portal",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{item.due_on:%Y%m%d}",
                f"DTEND;VALUE=DATE:{item.due_on + dt.timedelta(days=1):%Y%m%d}",
                "SUMMARY:" + _escape(summary),
                "DESCRIPTION:" + _escape(f"{item.measure.title} ({item.measure.unit})"),
                "URL:" + item.url(),
                "END:VEVENT",
            ]
        lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
