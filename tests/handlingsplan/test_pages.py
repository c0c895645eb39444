"""Every page renders for the people who may see it, and the basic access rules hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from handlingsplan import services

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


@pytest.fixture
def meeting(measure, leader_a, amg_a):
    return services.meeting_create(
        unit=measure.unit,
        held_on=dt.date(2026, 3, 2),
        participants=[leader_a, amg_a],
        created_by=amg_a,
    )


def _pages(unit, cycle, measure, risk_factor, meeting):
    u = unit.pk
    return [
        reverse("handlingsplan:index"),
        reverse("handlingsplan:cycle_create", args=[u]),
        reverse("handlingsplan:cycle_detail", args=[u, cycle.pk]),
        reverse("handlingsplan:cycle_guidelines", args=[u, cycle.pk]),
        reverse("handlingsplan:risk_factor_create", args=[u, cycle.pk]),
        reverse("handlingsplan:risk_factor_edit", args=[u, cycle.pk, risk_factor.pk]),
        reverse("handlingsplan:assessment_edit", args=[u, cycle.pk, risk_factor.pk]),
        reverse("handlingsplan:absence_create", args=[u, cycle.pk]),
        reverse("handlingsplan:note_create", args=[u, cycle.pk]),
        reverse("handlingsplan:apv_read", args=[u, cycle.pk]),
        reverse("handlingsplan:measure_list", args=[u]) + "?sort=deadline&status=planned",
        reverse("handlingsplan:measure_board", args=[u]),
        reverse("handlingsplan:measure_create", args=[u]),
        reverse("handlingsplan:measure_detail", args=[u, measure.pk]),
        reverse("handlingsplan:measure_edit", args=[u, measure.pk]),
        reverse("handlingsplan:meeting_create", args=[u]),
        reverse("handlingsplan:meeting_detail", args=[u, meeting.pk]),
        reverse("handlingsplan:calendar_settings"),
    ]


def test_it_renders_every_page_for_the_leader(
    login, leader_a, cycle, measure, risk_factor, meeting
):
    services.assessment_save(risk_factor=risk_factor, user=leader_a, version=None, **ASSESSMENT)
    client = login(leader_a)
    for url in _pages(cycle.unit, cycle, measure, risk_factor, meeting):
        response = client.get(url)
        assert response.status_code == 200, url
