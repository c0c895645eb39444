"""The organisation import at university size: 1,000 units and 50,000 people.

Run: make bench PYTEST_ARGS=bench/test_import_bench.py. Prints the time of the first import, of
importing the same files again (which must change nothing), and of a re-organisation that moves
every research group to another institute while people come and go. Each must stay under 60 s;
the figures are written up in bench/ORGANISATION_IMPORT.md.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from amg_portal.organisation import services
from amg_portal.organisation.models import AuditEntry, Membership, Unit, User

FACULTIES, INSTITUTES, GROUPS = 9, 11, 9  # 1 + 9 + 99 + 891 = 1,000 units
PEOPLE = 50_000
LIMIT_SECONDS = 60


def units_file(shift: int = 0) -> tuple[bytes, list[str]]:
    """The units; ``shift`` moves every group to the next institute of its faculty."""
    rows, leaves = ["unit_id;parent_id;name;kind"], []
    rows.append("U;;Universitet;university")
    for f in range(FACULTIES):
        rows.append(f"F{f};U;Fakultet {f};faculty")
        for i in range(INSTITUTES):
            rows.append(f"I{f}-{i};F{f};Institut {f}-{i};institute")
            for g in range(GROUPS):
                parent = f"I{f}-{(i + shift) % INSTITUTES}"
                rows.append(f"G{f}-{i}-{g};{parent};Gruppe {f}-{i}-{g};research_group")
                leaves.append(f"G{f}-{i}-{g}")
    return ("\n".join(rows) + "\n").encode(), leaves


def people_file(leaves: list[str], first: int = 0) -> bytes:
    """One employee row per person, plus a leader and an AMR for every group."""
    rows = ["person_id;email;full_name;unit_id;role"]
    for n in range(first, first + PEOPLE):
        leaf = leaves[n % len(leaves)]
        role = ""
        if n < first + 2 * len(leaves):
            role = "leader" if n < first + len(leaves) else "amr"
        rows.append(f"P{n};p{n}@uni.example.org;Person Nummer {n};{leaf};{role}")
    return ("\n".join(rows) + "\n").encode()


def timed_apply(units: bytes, people: bytes):
    reset_queries()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        plan, record = services.organisation_import_apply(
            units_data=units, people_data=people, by=None, source="command"
        )
    return time.perf_counter() - start, len(queries.captured_queries), plan, record


# Transactional: each import really commits, so the deferred foreign-key checks PostgreSQL runs
# at commit are part of the time (inside a test's rolled-back transaction they would never run).
@pytest.mark.django_db(transaction=True)
def test_import_1000_units_and_50000_people():
    units, leaves = units_file()
    people = people_file(leaves)
    print(f"\nfiles: units {len(units) / 1024:.0f} KiB, people {len(people) / 1024:.0f} KiB")

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        plan = services.organisation_import_check(units_data=units, people_data=people)
    dry = time.perf_counter() - start
    assert plan.ok and plan.counts["units"]["created"] == 1000
    print(f"dry run (check + diff, nothing written): {dry:.1f} s, {len(queries)} queries")

    seconds, queries, plan, record = timed_apply(units, people)
    assert record is not None and plan.counts["people"]["created"] == PEOPLE
    assert Unit.objects.count() == 1000 and User.objects.count() == PEOPLE
    print(f"first import: {seconds:.1f} s, {queries} queries, counts {plan.counts}")
    print(
        f"  audit entries written: {AuditEntry.objects.filter(organisation_import=record).count()}"
    )
    assert seconds <= LIMIT_SECONDS

    seconds, queries, plan, record = timed_apply(units, people)
    assert record is None and plan.changes == 0
    print(f"same files again: {seconds:.1f} s, {queries} queries, changes {plan.changes}")
    assert seconds <= LIMIT_SECONDS

    # A re-organisation: all 891 groups move, 1,000 people leave and 1,000 others join.
    moved_units, _leaves = units_file(shift=1)
    moved_people = people_file(leaves, first=1000)
    seconds, queries, plan, record = timed_apply(moved_units, moved_people)
    print(f"re-organisation: {seconds:.1f} s, {queries} queries, counts {plan.counts}")
    assert plan.counts["units"]["moved"] == FACULTIES * INSTITUTES * GROUPS
    assert plan.counts["people"]["deactivated"] == 1000
    assert seconds <= LIMIT_SECONDS

    start = time.perf_counter()
    problems = Unit.objects.find_problems()
    print(f"treebeard find_problems: {problems} ({time.perf_counter() - start:.1f} s)")
    assert not any(problems)
    assert Membership.objects.filter(source="imported").count() == PEOPLE
