"""The rules of the four steps, enforced by the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from amg_portal.editing import EditConflict
from amg_portal.organisation.models import Role
from handlingsplan import services
from handlingsplan.models import Assessment, ChangeLog, Measure

ASSESSMENT = {
    "nature": "Mange samtidige deadlines",
    "extent": "Hele gruppen",
    "severity": "high",
    "causes": "Ingen fælles planlægning",
    "frequency": "often",
    "existing_prevention": "Ingen",
    "balance": "insufficient",
    "decision": "more_measures",
    "reason": "Risikoen er større end forebyggelsen",
    "absence_linked": True,
}


def test_it_creates_a_cycle_and_attaches_loose_measures(unit_a, leader_a):
    loose = services.measure_create(unit=unit_a, created_by=leader_a, title="Tidligt tiltag")
    assert loose.cycle is None
    cycle = services.cycle_create(
        unit=unit_a,
        created_by=leader_a,
        title="A 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    loose.refresh_from_db()
    assert loose.cycle == cycle


def test_it_rejects_a_cycle_ending_before_it_starts(unit_a, leader_a):
    with pytest.raises(ValidationError, match="slutte efter"):
        services.cycle_create(
            unit=unit_a,
            created_by=leader_a,
            title="x",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2025, 1, 1),
        )


def test_it_rejects_an_overlapping_cycle(cycle, leader_a):
    with pytest.raises(ValidationError, match="overlapper"):
        services.cycle_create(
            unit=cycle.unit,
            created_by=leader_a,
            title="x",
            period_start=dt.date(2026, 6, 1),
            period_end=dt.date(2028, 1, 1),
        )


def test_it_validates_absence_figures(cycle, leader_a):
    with pytest.raises(ValidationError) as info:
        services.absence_figure_add(
            cycle=cycle,
            created_by=leader_a,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2025, 1, 1),
            sick_days_per_fte=Decimal("400"),
            stress_sick_leaves=1,
        )
    assert set(info.value.message_dict) == {"period_end", "sick_days_per_fte"}
    figure = services.absence_figure_add(
        cycle=cycle,
        created_by=leader_a,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        sick_days_per_fte=Decimal("7.5"),
        stress_sick_leaves=2,
    )
    assert figure.pk


def test_it_records_assessment_history_and_detects_conflicts(risk_factor, leader_a, amr_a):
    assessment = services.assessment_save(
        risk_factor=risk_factor, user=leader_a, version=None, **ASSESSMENT
    )
    assert assessment.version == 1
    assert ChangeLog.objects.filter(assessment=assessment, field="severity").exists()
    services.assessment_save(
        risk_factor=risk_factor, user=amr_a, version=1, **{**ASSESSMENT, "severity": "medium"}
    )
    change = ChangeLog.objects.filter(assessment=assessment, field="severity").first()
    assert (change.old, change.new, change.user) == ("high", "medium", amr_a)
    with pytest.raises(EditConflict) as info:
        services.assessment_save(
            risk_factor=risk_factor, user=leader_a, version=1, **{**ASSESSMENT, "severity": "low"}
        )
    assert info.value.current.severity == "medium"
    assert Assessment.objects.get().severity == "medium"


def test_it_requires_a_reason_for_the_decision(risk_factor, leader_a):
    with pytest.raises(ValidationError, match="reason"):
        services.assessment_save(
            risk_factor=risk_factor, user=leader_a, version=None, **{**ASSESSMENT, "reason": " "}
        )


def test_it_rejects_a_deadline_before_the_start(unit_a, leader_a):
    with pytest.raises(ValidationError) as info:
        services.measure_create(
            unit=unit_a,
            created_by=leader_a,
            title="x",
            start=dt.date(2026, 5, 1),
            deadline=dt.date(2026, 4, 1),
        )
    assert "deadline" in info.value.message_dict


def test_it_rejects_a_responsible_user_outside_the_unit(unit_a, leader_a, leader_b):
    with pytest.raises(ValidationError) as info:
        services.measure_create(unit=unit_a, created_by=leader_a, title="x", responsible=leader_b)
    assert "responsible" in info.value.message_dict


def test_it_accepts_an_employee_of_a_subunit_as_responsible(unit_a, leader_a, employee_a):
    measure = services.measure_create(
        unit=unit_a, created_by=leader_a, title="x", responsible=employee_a
    )
    assert measure.responsible == employee_a


def test_it_rejects_a_measure_in_another_units_plan(cycle, unit_b, leader_b, risk_factor):
    with pytest.raises(ValidationError):
        services.measure_create(unit=unit_b, created_by=leader_b, title="x", cycle=cycle)
    with pytest.raises(ValidationError) as info:
        services.measure_create(
            unit=unit_b, created_by=leader_b, title="x", risk_factor=risk_factor
        )
    assert "risk_factor" in info.value.message_dict


def test_it_rejects_a_milestone_after_the_deadline(measure, leader_a):
    with pytest.raises(ValidationError, match="efter tiltagets frist"):
        services.milestone_add(
            measure=measure, title="Evaluering", due_on=dt.date(2026, 7, 1), user=leader_a
        )
    milestone = services.milestone_add(
        measure=measure, title="Første møde", due_on=dt.date(2026, 3, 1), user=leader_a
    )
    with pytest.raises(ValidationError, match="ligger efter denne frist"):
        services.measure_update(
            measure=measure, user=leader_a, version=measure.version, deadline=dt.date(2026, 2, 15)
        )
    assert milestone.pk


def test_it_keeps_measure_history_and_refuses_a_stale_version(measure, leader_a, amr_a):
    services.measure_update(measure=measure, user=amr_a, version=1, title="Nyt navn")
    log = ChangeLog.objects.get(measure=measure, field="title")
    assert (log.old, log.new, log.user) == ("Fælles prioriteringsmøde", "Nyt navn", amr_a)
    with pytest.raises(EditConflict) as info:
        services.measure_update(measure=measure, user=leader_a, version=1, title="Mit navn")
    assert info.value.current.title == "Nyt navn"
    assert Measure.objects.get(pk=measure.pk).title == "Nyt navn"


def test_it_builds_the_agenda_from_due_follow_ups_and_missed_milestones(
    measure, leader_a, amg_a, unit_a
):
    other = services.measure_create(
        unit=unit_a, created_by=leader_a, title="Ikke forfalden", deadline=dt.date(2026, 12, 1)
    )
    meeting = services.meeting_create(
        unit=unit_a, held_on=dt.date(2026, 3, 2), participants=[leader_a, amg_a], created_by=amg_a
    )
    assert list(meeting.agenda.all()) == [measure]
    assert other not in meeting.agenda.all()


def test_it_rejects_a_participant_from_another_unit(unit_a, leader_a, leader_b):
    with pytest.raises(ValidationError, match="høre til enheden"):
        services.meeting_create(
            unit=unit_a, held_on=dt.date(2026, 3, 2), participants=[leader_b], created_by=leader_a
        )


def test_it_records_an_evaluation_and_drops_the_measure(measure, leader_a, unit_a):
    meeting = services.meeting_create(
        unit=unit_a, held_on=dt.date(2026, 3, 2), participants=[leader_a], created_by=leader_a
    )
    services.evaluation_record(
        meeting=meeting,
        measure=measure,
        user=leader_a,
        observation="Ingen ændring",
        effect="not",
        decision="drop",
        conclusion="Vi prøver noget andet",
    )
    measure.refresh_from_db()
    assert measure.status == Measure.Status.DROPPED
    assert measure.follow_ups.get().done_on == dt.date(2026, 3, 2)
    assert ChangeLog.objects.filter(measure=measure, field="status", new="dropped").exists()


def test_it_rejects_evaluating_another_units_measure(measure, unit_b, leader_b):
    meeting = services.meeting_create(
        unit=unit_b, held_on=dt.date(2026, 3, 2), participants=[leader_b], created_by=leader_b
    )
    with pytest.raises(ValidationError, match="anden enheds"):
        services.evaluation_record(
            meeting=meeting,
            measure=measure,
            user=leader_b,
            observation="x",
            effect="works",
            decision="continue",
        )


def test_it_rejects_unknown_roles(unit_a, leader_a):
    with pytest.raises(ValidationError):
        services.measure_create(unit=unit_a, created_by=leader_a, title="x", roles=["boss"])
    assert Role.AMR in Role.values


def test_it_refuses_a_conversation_note_naming_a_colleague(cycle, amr_a, employee_a):
    employee_a.last_name = "Jensen"
    employee_a.save()
    with pytest.raises(ValidationError) as info:
        services.conversation_note_add(
            cycle=cycle,
            author=amr_a,
            held_on=dt.date(2026, 2, 1),
            summary=f"{employee_a.first_name}  jensen er presset",
        )
    assert "summary" in info.value.message_dict
    note = services.conversation_note_add(
        cycle=cycle, author=amr_a, held_on=dt.date(2026, 2, 1), summary="Flere er pressede"
    )
    assert note.pk
