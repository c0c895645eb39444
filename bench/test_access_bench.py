"""How the access queries scale with the size of the organisation.

Run: make bench. Prints the number of queries and the median time of `visible_to` and
`permitting` for a user with many roles in a large tree; asserts the query count stays 1.
"""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Membership, Role, Unit, User
from amg_portal.organisation.services import unit_create


def build_tree(faculties: int, institutes: int, groups: int) -> list[Unit]:
    root = unit_create(parent=None, name="Universitet", kind="university")
    leaves = []
    for f in range(faculties):
        faculty = unit_create(parent=root, name=f"Fakultet {f:02d}", kind="faculty")
        for i in range(institutes):
            institute = unit_create(parent=faculty, name=f"Institut {f}-{i:02d}", kind="institute")
            for g in range(groups):
                leaves.append(
                    unit_create(parent=institute, name=f"Gruppe {f}-{i}-{g:02d}", kind="group")
                )
    return leaves


def timed(fn, repeat: int = 30) -> tuple[float, int]:
    samples = []
    with CaptureQueriesContext(connection) as ctx:
        fn()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, len(ctx.captured_queries)


def test_access_queries_scale(db):
    leaves = build_tree(faculties=5, institutes=8, groups=10)  # 446 units
    user = User.objects.create_user("many_roles")
    Membership.objects.bulk_create(
        Membership(user=user, unit=unit, role=Role.AMG) for unit in leaves[::9]
    )
    units = Unit.objects.count()
    visible_ms, visible_q = timed(lambda: list(Unit.objects.visible_to(user)))
    permit_ms, permit_q = timed(lambda: list(Unit.objects.permitting(user, Action.EDIT_PLAN)))
    print(
        f"\n{connection.vendor}: {units} units, {user.memberships.count()} roles: "
        f"visible_to {visible_ms:.2f} ms ({visible_q} query), "
        f"permitting {permit_ms:.2f} ms ({permit_q} query)"
    )
    assert visible_q == permit_q == 1
