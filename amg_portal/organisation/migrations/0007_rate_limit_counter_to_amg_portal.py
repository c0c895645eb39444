"""The rate limiter's counter model moves to the shared helpers (amg_portal); its table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_audit_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimitCounter")],
            database_operations=[],
        ),
    ]
