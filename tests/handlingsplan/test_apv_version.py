"""Every service that changes what the written APV shows makes a new version of it (issue 15):
a stored PDF is found by that number, so a service that forgot to bump it would serve a stale
PDF. Services that change nothing the document shows leave the number alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from amg_portal.editing import EditConflict
from handlingsplan import services
from handlingsplan.models import ApvVersion, Cycle


def _number(cycle: Cycle) -> int:
    found = ApvVersion.objects.filter(cycle=cycle).values_list("number", flat=True).first()
    return found or 1


def _meeting(cycle, user):
    return services.meeting_create(
        unit=cycle.unit, held_on=dt.date(2026, 3, 2), participants=[user], created_by=user
    )


def _fresh(measure):
    measure.refresh_from_db()
    return measure


CHANGES = {
    "cycle_set_step": lambda c, m, rf, u: services.cycle_set_step(cycle=c, step=2),
    "cycle_update_guidelines": lambda c, m, rf, u: services.cycle_update_guidelines(
        cycle=c, guidelines="Hver tredje måned"
    ),
    "risk_factor_create": lambda c, m, rf, u: services.risk_factor_create(
        cycle=c, created_by=u, title="Uklare roller"
    ),
    "risk_factor_update": lambda c, m, rf, u: services.risk_factor_update(
        risk_factor=rf, description="Ny beskrivelse"
    ),
    "absence_figure_add": lambda c, m, rf, u: services.absence_figure_add(
        cycle=c,
        created_by=u,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        sick_days_per_fte=Decimal("4.5"),
        stress_sick_leaves=1,
    ),
    "assessment_save (new)": lambda c, m, rf, u: services.assessment_save(
        risk_factor=rf, user=u, version=None, nature="Tidspres", severity="high"
    ),
    "measure_create": lambda c, m, rf, u: services.measure_create(
        unit=c.unit, created_by=u, title="Nyt tiltag", cycle=c
    ),
    "measure_update": lambda c, m, rf, u: services.measure_update(
        measure=m, user=u, version=_fresh(m).version, title="Nyt navn"
    ),
    "milestone_add": lambda c, m, rf, u: services.milestone_add(
        measure=m, title="Første møde", due_on=dt.date(2026, 3, 1), user=u
    ),
    "follow_up_add": lambda c, m, rf, u: services.follow_up_add(
        measure=m, due_on=dt.date(2026, 4, 1), user=u
    ),
    "evaluation_record": lambda c, m, rf, u: services.evaluation_record(
        meeting=_meeting(c, u),
        measure=m,
        user=u,
        observation="Færre sammenstød",
        effect="works",
        decision="continue",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_it_makes_a_new_version(change, cycle, measure, risk_factor, leader_a):
    before = _number(cycle)
    CHANGES[change](cycle, measure, risk_factor, leader_a)
    assert _number(cycle) > before


def test_an_assessment_update_and_a_milestone_reached_make_new_versions(
    cycle, measure, risk_factor, leader_a
):
    assessment = services.assessment_save(
        risk_factor=risk_factor, user=leader_a, version=None, nature="Tidspres"
    )
    before = _number(cycle)
    services.assessment_save(
        risk_factor=risk_factor, user=leader_a, version=assessment.version, nature="Mere tidspres"
    )
    assert _number(cycle) == before + 1
    milestone = services.milestone_add(
        measure=measure, title="Første møde", due_on=dt.date(2026, 3, 1), user=leader_a
    )
    services.milestone_set_done(milestone=milestone, done=True, user=leader_a)
    assert _number(cycle) == before + 3


def test_another_cycles_change_and_a_refused_change_leave_the_number(cycle, measure, leader_a):
    later = services.cycle_create(
        unit=cycle.unit,
        created_by=leader_a,
        title="Næste forløb",
        period_start=dt.date(2028, 1, 1),
        period_end=dt.date(2028, 12, 31),
    )
    before = _number(cycle)
    services.cycle_update_guidelines(cycle=later, guidelines="Andet forløb")
    with pytest.raises(EditConflict):
        services.measure_update(measure=measure, user=leader_a, version=999, title="Tabt")
    assert _number(cycle) == before
    assert _number(later) == 2
