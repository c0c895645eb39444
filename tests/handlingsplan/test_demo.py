"""The demo adds one APV cycle with eight tiltag and two past status meetings, once."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from handlingsplan.models import (
    Assessment,
    ChangeLog,
    Cycle,
    Evaluation,
    Measure,
    RiskFactor,
    StatusMeeting,
)


def counts() -> tuple[int, ...]:
    models = (Cycle, RiskFactor, Assessment, Measure, StatusMeeting, Evaluation, ChangeLog)
    return tuple(model.objects.count() for model in models)


def test_the_demo_adds_a_cycle_with_eight_measures_once(db):
    call_command("seed_demo", "--json")
    cycle = Cycle.objects.get(unit__name="Institut for Biologi")
    own = Measure.objects.filter(cycle=cycle).exclude(source_kind=Measure.Source.CASE_ACTION)
    assert own.count() == 8
    assert len(set(own.values_list("status", flat=True))) >= 4
    assert set(own.values_list("prevention", flat=True)) == {"primary", "secondary", "tertiary"}
    # (The dashboard's demo adds an upcoming meeting of its own.)
    meetings = StatusMeeting.objects.filter(unit=cycle.unit, held_on__lt=timezone.localdate())
    assert meetings.count() == 2
    assert Evaluation.objects.filter(meeting__in=meetings).count() == 4
    assert (
        cycle.risk_factors.count() == 5
        and Assessment.objects.filter(risk_factor__cycle=cycle).count() == 4
    )
    before = counts()
    call_command("seed_demo", "--json")
    assert counts() == before
