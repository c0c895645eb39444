"""Demo data so every dashboard panel shows something: published results for employees, a planned
status meeting, an escalation from a research group to its institute, and an old APV without a
follow-up guideline. Runs after the three apps' demos; idempotent (each item is looked up first)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.demo import BIOLOGI, IMADA, OEKOLOGI, DemoOrganisation
from handlingsplan import services as plan
from handlingsplan.models import Cycle, Measure, StatusMeeting
from kortlaegning import services as mapping
from kortlaegning.models import Round
from sten_i_skoen import services as cases
from sten_i_skoen.models import Case

PUBLISHED_ROUNDS = ["Kortlægning forår 2025", "Kortlægning efterår 2025"]
GROUP_MEASURE = "Makkerordning i feltsæsonen"
MEETING_IN_DAYS = 14
CASE_TITLE = "Uklar fordeling af feltarbejde"
CASE_PROBLEM = (
    "Feltsæsonen planlægges sent, og det er uklart, hvem der skal dække undervisningen, mens "
    "kollegerne er i felten."
)
ESCALATION = (
    "Instituttet bør fastlægge, hvordan undervisning dækkes i feltsæsonen; det kan gruppen ikke "
    "selv beslutte."
)
OLD_APV = "APV Institut for Matematik og Datalogi 2021–2022"


def _publish(org: DemoOrganisation) -> None:
    rounds = Round.objects.filter(unit=org.units[BIOLOGI], title__in=PUBLISHED_ROUNDS)
    for round in rounds.filter(status=Round.Status.CLOSED, results_published=False):
        mapping.round_publish_results(round=round, published_by=org.users["leder"])


def _group_measure(org: DemoOrganisation, today: dt.date) -> None:
    """A tiltag of the research group itself, with a follow-up that is overdue."""
    unit = org.units[OEKOLOGI]
    if Measure.objects.filter(unit=unit, title=GROUP_MEASURE).exists():
        return
    plan.measure_create(
        unit=unit,
        created_by=org.users["amr"],
        title=GROUP_MEASURE,
        goal="Ingen står alene med undervisningen, mens kollegerne er i felten.",
        responsible=org.users["amr"],
        start=today - dt.timedelta(days=40),
        deadline=today + dt.timedelta(days=50),
        prevention=Prevention.SECONDARY,
        level=Level.GROUP,
        status=Measure.Status.IN_PROGRESS,
        follow_ups=[today - dt.timedelta(days=5), today + dt.timedelta(days=25)],
    )


def _meeting(org: DemoOrganisation, today: dt.date) -> None:
    unit = org.units[BIOLOGI]
    if StatusMeeting.objects.filter(unit=unit, held_on__gte=today).exists():
        return
    users = org.users
    plan.meeting_create(
        unit=unit,
        held_on=today + dt.timedelta(days=MEETING_IN_DAYS),
        participants=[users["leder"], users["amr"], users["amg"]],
        created_by=users["leder"],
    )


def _escalation(org: DemoOrganisation, today: dt.date) -> None:
    unit = org.units[OEKOLOGI]
    if Case.objects.filter(unit=unit, title=CASE_TITLE).exists():
        return
    users = org.users
    case = cases.case_create(
        unit=unit,
        created_by=users["amr"],
        title=CASE_TITLE,
        problem=CASE_PROBLEM,
        occasion=Case.Occasion.RISK,
        participants=[users["leder"], users["tr"]],
        discussed_on=today - dt.timedelta(days=10),
    )
    cases.escalation_create(case=case, text=ESCALATION, created_by=users["leder"])


def _old_apv(org: DemoOrganisation, today: dt.date) -> None:
    unit = org.units[IMADA]
    if Cycle.objects.filter(unit=unit).exists():
        return
    plan.cycle_create(
        unit=unit,
        created_by=org.users["dekan"],
        title=OLD_APV,
        period_start=dt.date(today.year - 5, 1, 1),
        period_end=dt.date(today.year - 4, 12, 31),
    )


@transaction.atomic
def seed(org: DemoOrganisation) -> None:
    """Add what the dashboard needs beyond the apps' own demos (idempotent)."""
    today = timezone.localdate()
    _publish(org)
    _group_measure(org, today)
    _meeting(org, today)
    _escalation(org, today)
    _old_apv(org, today)
