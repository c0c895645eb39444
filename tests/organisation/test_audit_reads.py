"""Reads that are audited as data: results (``record_results_read``) and confidential cases.

Rows of ``AuditEntry``, not log lines: the shipped log level (WARNING) drops INFO lines, so the
audit must not depend on it.
"""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from amg_portal.organisation import audit
from amg_portal.organisation.models import AuditEntry


class FakeRound:
    """What ``record_results_read`` needs of a kortlaegning Round: its pk and unit id."""

    def __init__(self, pk, unit):
        self.pk, self.unit_id = pk, unit.pk


@pytest.fixture
def quiet_audit_logger():
    """The shipped configuration: the audit logger's INFO lines are dropped."""
    logger = logging.getLogger("amg_portal.audit")
    old = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(old)


def test_a_coordinators_read_of_results_is_a_row(coordinator, unit_a, quiet_audit_logger):
    entry = audit.record_results_read(coordinator, FakeRound(7, unit_a), "view")
    assert entry is not None
    row = AuditEntry.objects.get()
    assert (row.kind, row.actor, row.unit, row.target, row.detail) == (
        AuditEntry.Kind.RESULTS_READ,
        coordinator,
        unit_a,
        "round 7",
        "view",
    )


def test_it_takes_a_request_and_keeps_the_clients_address(coordinator, unit_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    request.user = coordinator
    audit.record_results_read(request, FakeRound(3, unit_a), "dashboard")
    row = AuditEntry.objects.get()
    assert (row.actor, row.ip_address, row.detail) == (coordinator, "203.0.113.9", "dashboard")


def test_an_ordinary_reader_viewing_results_is_not_audited(leader_a, unit_a):
    assert audit.record_results_read(leader_a, FakeRound(1, unit_a), "view") is None
    assert audit.record_results_read(leader_a, FakeRound(1, unit_a), "question 4") is None
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("what", ["export", "csv", "pdf", "export xlsx"])
def test_every_export_of_results_is_audited(leader_a, unit_a, what):
    assert audit.record_results_read(leader_a, FakeRound(1, unit_a), what) is not None
    assert AuditEntry.objects.filter(kind="results_read", actor=leader_a, detail=what).exists()


def test_an_anonymous_reader_writes_nothing(unit_a):
    from django.contrib.auth.models import AnonymousUser

    assert audit.record_results_read(AnonymousUser(), FakeRound(1, unit_a), "export") is None
    assert not AuditEntry.objects.exists()


def test_a_look_into_a_case_is_a_row(coordinator, unit_a, quiet_audit_logger):
    class FakeCase:
        pk, unit = 5, unit_a

    audit.record_case_read(coordinator, FakeCase(), "pdf")
    row = AuditEntry.objects.get()
    assert (row.kind, row.target, row.detail) == ("confidential_view", "case 5", "pdf")
