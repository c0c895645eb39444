"""A digest of every table's rows, to prove that a refused request wrote nothing.

Log tables that a refusal is *meant* to write (the audit log, sessions, rate-limit counters,
django-axes' attempts) and the stores of rendered APV and case PDFs (caches that reading fills)
are left out.
"""

from __future__ import annotations

import hashlib

from django.db import connection

IGNORED = {
    "django_session",
    "organisation_auditentry",
    "organisation_ratelimitcounter",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "axes_accessattemptexpiration",
    "django_admin_log",
    "handlingsplan_renderedpdf",
    "sten_i_skoen_renderedcasepdf",
}


def tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if t not in IGNORED)


def digest() -> dict[str, str]:
    """Per table, a hash of all its rows (one query on PostgreSQL)."""
    qn = connection.ops.quote_name
    names = tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table names come from Django's introspection, not from input.
            sql = " UNION ALL ".join(
                f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f"FROM {qn(name)} t"
                for name in names
            )
            cursor.execute(sql, names)
            return dict(cursor.fetchall())
        result = {}
        for name in names:
            cursor.execute(f"SELECT * FROM {qn(name)}")  # noqa: S608 - table names from Django
            rows = sorted(repr(row) for row in cursor.fetchall())
            result[name] = hashlib.sha256("|".join(rows).encode()).hexdigest()
        return result


def write_counts() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted so far in this transaction, per table (one cheap query).

    On PostgreSQL the statistics of the current transaction count every write, even one a
    savepoint later undid; elsewhere the full ``digest`` stands in.
    """
    if connection.vendor != "postgresql":
        return {name: (hash(value), 0, 0) for name, value in digest().items()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {
            name: tuple(counts)
            for name, *counts in cursor.fetchall()
            if name not in IGNORED and any(counts)
        }


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
