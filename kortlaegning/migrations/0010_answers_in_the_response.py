"""A response's answers move from a row each (``Answer``) into one JSON column of the response.

The answer set is written once, whole, together with its response and read only by the result
snapshot, which counts it in the database; a row per answer cost the submit 33 rows with their
index entries (issue 15). Existing answers are copied over in one statement per direction, so the
migration can be reversed.
"""

from django.db import migrations, models

# (JSON object of a response's answers, the rows of one response's answers) per database.
_AGGREGATE = {
    "postgresql": "jsonb_object_agg(a.question_id::text, a.choice)",
    "sqlite": "json_group_object(CAST(a.question_id AS TEXT), a.choice)",
}
_EACH = {"postgresql": "jsonb_each_text", "sqlite": "json_each"}


def answers_into_responses(apps, schema_editor):
    connection = schema_editor.connection
    aggregate = _AGGREGATE[connection.vendor]
    schema_editor.execute(
        "UPDATE kortlaegning_response SET answers = ("  # noqa: S608
        f"SELECT {aggregate} FROM kortlaegning_answer a"
        " WHERE a.response_id = kortlaegning_response.id)"
        " WHERE EXISTS (SELECT 1 FROM kortlaegning_answer a"
        " WHERE a.response_id = kortlaegning_response.id)"
    )


def answers_into_rows(apps, schema_editor):
    each = _EACH[schema_editor.connection.vendor]
    cast = "::bigint" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        "INSERT INTO kortlaegning_answer (response_id, question_id, choice)"  # noqa: S608
        f" SELECT r.id, e.key{cast}, e.value FROM kortlaegning_response r, {each}(r.answers) e"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kortlaegning", "0009_answer_response_covered_by_unique_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="answers",
            field=models.JSONField(default=dict, verbose_name="answers"),
        ),
        migrations.RunPython(answers_into_responses, answers_into_rows, elidable=False),
        migrations.DeleteModel(name="Answer"),
    ]
