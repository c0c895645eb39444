"""Move the coordinator's looks into cases (CaseAccessLog) into the central audit log.

Until now each look was written twice: a CaseAccessLog row and an AuditEntry of kind
"confidential_view" with the target "case <pk>". A log row that already has its twin (same user,
case and what, written within a few seconds) is not copied again; the others become AuditEntry
rows with their original time. The model itself is removed in the next migration.
"""

import datetime

from django.db import migrations

TWIN_WINDOW = datetime.timedelta(seconds=5)


def move_to_audit_log(apps, schema_editor):
    CaseAccessLog = apps.get_model("sten_i_skoen", "CaseAccessLog")
    AuditEntry = apps.get_model("organisation", "AuditEntry")
    rows = CaseAccessLog.objects.select_related("case", "user").order_by("at", "pk")
    for row in rows.iterator():
        target = f"case {row.case_id}"
        twins = AuditEntry.objects.filter(
            kind="confidential_view",
            actor_id=row.user_id,
            target=target,
            detail=row.what,
            at__range=(row.at - TWIN_WINDOW, row.at + TWIN_WINDOW),
        )
        if twins.exists():
            continue
        entry = AuditEntry.objects.create(
            kind="confidential_view",
            actor_id=row.user_id,
            actor_name=row.user.username[:150],
            unit_id=row.case.unit_id,
            target=target,
            detail=row.what,
        )
        # ``at`` is auto_now_add: keep the look's own time, not the migration's.
        AuditEntry.objects.filter(pk=entry.pk).update(at=row.at)


def back_to_case_access_log(apps, schema_editor):
    CaseAccessLog = apps.get_model("sten_i_skoen", "CaseAccessLog")
    AuditEntry = apps.get_model("organisation", "AuditEntry")
    Case = apps.get_model("sten_i_skoen", "Case")
    cases = set(Case.objects.values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(
        kind="confidential_view", target__startswith="case ", actor__isnull=False
    )
    for entry in entries.iterator():
        pk = entry.target.removeprefix("case ")
        if not pk.isdigit() or int(pk) not in cases:
            continue
        row = CaseAccessLog.objects.create(
            case_id=int(pk), user_id=entry.actor_id, what=entry.detail[:40]
        )
        CaseAccessLog.objects.filter(pk=row.pk).update(at=entry.at)


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0004_audit_kind_results_read"),
        ("sten_i_skoen", "0002_case_action_measure"),
    ]

    operations = [migrations.RunPython(move_to_audit_log, back_to_case_access_log)]
