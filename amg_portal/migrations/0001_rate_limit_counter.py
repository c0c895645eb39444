"""The rate limiter's counter, moved here from organisation: the table exists already."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organisation", "0007_rate_limit_counter_to_amg_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimitCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=64)),
                        ("window_start", models.BigIntegerField()),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "organisation_ratelimitcounter",
                        "indexes": [
                            models.Index(
                                fields=["window_start"], name="organisation_rl_window_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("key", "window_start"),
                                name="organisation_ratelimitcounter_unique_window",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
