"""The data generation: a number that grows with every write to the organisation's data.

Pages that are expensive to draw and read only the organisation's data (the dashboard) keep what
they drew under the generation they read first, and draw again once it has grown. PostgreSQL
keeps the number itself: a statement-level trigger on every table of the tracked apps bumps it in
the writing transaction, so no write is missed — services, the admin, ``QuerySet.update()``, bulk
imports and raw SQL alike — and the new number becomes visible with the data, at commit.

Tables written at the pace of answers or logs (answers, answer codes, rate limits, the audit log,
rendered PDFs …) are left out: nothing kept may depend on them, and an answer burst must not
queue on the one row. A page that shows such data reads it live (the dashboard's open rounds).

On SQLite (the demo) there are no triggers: ``current()`` answers None and nothing is kept.
"""

from __future__ import annotations

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

TRACKED_APPS = ("organisation", "kortlaegning", "handlingsplan", "sten_i_skoen")
IGNORED = frozenset(
    {
        "organisation.auditentry",
        "organisation.organisationimport",
        "kortlaegning.answercode",
        "kortlaegning.response",
        "kortlaegning.answer",
        "kortlaegning.levelcomment",
        "kortlaegning.leaderparticipation",
        "kortlaegning.invitation",
        "kortlaegning.invitationmail",
        "kortlaegning.resultpage",
        "handlingsplan.reminderlog",
        "handlingsplan.calendartoken",
        "handlingsplan.renderedpdf",
        "handlingsplan.apvpdfjob",
        "sten_i_skoen.renderedcasepdf",
        "sten_i_skoen.casepdfjob",
    }
)
TABLE = "amg_portal_datageneration"
FUNCTION = "amg_bump_data_generation"
TRIGGER = "amg_data_generation"


def tracked_tables() -> list[str]:
    """The tables whose writes bump the generation (many-to-many tables included)."""
    tables: set[str] = set()
    for label in TRACKED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower in IGNORED or not model._meta.managed:
                continue
            if model._meta.proxy:
                continue
            tables.add(model._meta.db_table)
    return sorted(tables)


def install(using: str = DEFAULT_DB_ALIAS) -> int:
    """Create (or replace) the bumping function and a trigger on every tracked table; remove the
    trigger from tables no longer tracked. Idempotent: run after every ``migrate``."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    tables = tracked_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- The table is gone while migrations are unapplied: writes must still work.
                IF to_regclass('{TABLE}') IS NOT NULL THEN
                    INSERT INTO {TABLE} (id, n) VALUES (1, 1)
                    ON CONFLICT (id) DO UPDATE SET n = {TABLE}.n + 1;
                END IF;
                RETURN NULL;
            END $$
            """  # noqa: S608 — constants of this module
        )
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND c.relnamespace = 'public'::regnamespace",
            [TRIGGER],
        )
        existing = {row[0] for row in cursor.fetchall()}
        for table in existing - set(tables):
            cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
        for table in tables:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
            )
    return len(tables)


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove the triggers and the function (migrating amg_portal back before the table)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE")  # and its triggers


def current(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The generation now (one small query), or None where writes are not tracked."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {TABLE} WHERE id = 1")  # noqa: S608 — a constant
        row = cursor.fetchone()
    return row[0] if row else 0


def _after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    if sender.label == "amg_portal":
        install(using)
