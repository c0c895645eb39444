"""Rounds closed before result snapshots existed get theirs, built by the very same code.

``snapshot.snapshot_build`` takes the model classes as a parameter, so it runs here on the
historical models. A round whose raw answers were already replaced by the old retention's
aggregate rows gives exactly the same figures (those rows kept every count).
"""

from django.db import migrations


def build_missing(apps, schema_editor):
    from kortlaegning.snapshot import Models, snapshot_build

    models = Models.historical(apps)
    for round in models.Round.objects.filter(status="closed", snapshot__isnull=True):
        snapshot_build(round=round, models=models)


class Migration(migrations.Migration):
    dependencies = [
        ("kortlaegning", "0005_resultunit_shown_levels"),
        ("organisation", "0001_initial"),
    ]

    operations = [migrations.RunPython(build_missing, migrations.RunPython.noop)]
