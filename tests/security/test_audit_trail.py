"""Every export of results and every look at a confidential case lands in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.models import AuditEntry
from kortlaegning import services as mapping
from sten_i_skoen import services as stone
from sten_i_skoen.models import Case


@pytest.fixture
def closed_round(unit_a, leader_a):
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit_a, created_by=leader_a, title="R", opens_on=today, closes_on=today
    )
    round = mapping.round_open(round=round, opened_by=leader_a)
    return mapping.round_close(round=round, closed_by=leader_a)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_audits_every_export_of_results(login, amr_a, closed_round, fmt):
    response = login(amr_a).get(reverse("kortlaegning:results_export", args=[closed_round.pk, fmt]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.RESULTS_READ)
    assert (entry.actor, entry.unit, entry.target, entry.detail) == (
        amr_a,
        closed_round.unit,
        f"round {closed_round.pk}",
        fmt,
    )


def test_it_audits_no_export_that_was_refused(login, employee_a, closed_round):
    response = login(employee_a).get(
        reverse("kortlaegning:results_export", args=[closed_round.pk, "csv"])
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(kind=AuditEntry.Kind.RESULTS_READ).exists()


@pytest.fixture
def case(unit_a, leader_a):
    return stone.case_create(
        unit=unit_a,
        created_by=leader_a,
        title="Sag",
        problem="Pres",
        occasion=Case.Occasion.RISK,
        participants=[],
        discussed_on=timezone.localdate() - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("name", ["case_detail", "case_pdf", "case_export"])
def test_it_audits_the_coordinators_look_at_a_confidential_case(login, coordinator, case, name):
    response = login(coordinator).get(reverse(f"sten_i_skoen:{name}", args=[case.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.CONFIDENTIAL_VIEW)
    assert (entry.actor, entry.unit, entry.target) == (coordinator, case.unit, f"case {case.pk}")
    assert "Pres" not in entry.detail  # the entry names the case, never its content
