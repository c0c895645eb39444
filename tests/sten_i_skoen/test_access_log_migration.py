"""The data migration that moves sten_i_skoen.CaseAccessLog into the central AuditEntry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("sten_i_skoen", "0002_case_action_measure"),
    ("organisation", "0004_audit_kind_results_read"),
]
AFTER = [("sten_i_skoen", "0004_delete_case_access_log")]


@pytest.mark.django_db(transaction=True)
def test_it_moves_every_look_once_with_its_own_time(back_to_the_latest_schema):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Unit = apps.get_model("organisation", "Unit")
    User = apps.get_model("organisation", "User")
    Case = apps.get_model("sten_i_skoen", "Case")
    Log = apps.get_model("sten_i_skoen", "CaseAccessLog")
    Audit = apps.get_model("organisation", "AuditEntry")
    unit = Unit.objects.create(name="A", kind="institute", path="0001", depth=1, headcount=3)
    coordinator = User.objects.create(username="koordinator", is_coordinator=True)
    case = Case.objects.create(
        unit=unit, title="t", problem="p", occasion="risk", created_by=coordinator
    )
    old = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    twin_at = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    only_log = Log.objects.create(case=case, user=coordinator, what="view")
    Log.objects.filter(pk=only_log.pk).update(at=old)
    # A look written twice by the old code: a log row and its audit twin.
    twin = Log.objects.create(case=case, user=coordinator, what="pdf")
    Log.objects.filter(pk=twin.pk).update(at=twin_at)
    entry = Audit.objects.create(
        kind="confidential_view", actor=coordinator, target=f"case {case.pk}", detail="pdf"
    )
    Audit.objects.filter(pk=entry.pk).update(at=twin_at + dt.timedelta(seconds=1))

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rows = apps.get_model("organisation", "AuditEntry").objects.order_by("at")
    assert [(r.detail, r.at, r.target, r.unit_id, r.actor_name) for r in rows] == [
        ("view", old, f"case {case.pk}", unit.pk, "koordinator"),
        ("pdf", twin_at + dt.timedelta(seconds=1), f"case {case.pk}", None, ""),
    ]
    assert "sten_i_skoen_caseaccesslog" not in connection.introspection.table_names()
