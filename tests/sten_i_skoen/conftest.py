"""A confidential case in Institut A: created by ``amr_a`` with ``employee_a`` taking part.

``leader_a`` and ``tr_a`` see it as the leader and TR of the case's own unit; ``amg_a``,
``leader_b`` and the leader above (``dean``) do not.
"""

from __future__ import annotations

import pytest

from amg_portal.organisation.models import Role
from sten_i_skoen.models import Case
from sten_i_skoen.services import case_create
from tests.conftest import give_role, make_user


@pytest.fixture
def leader_a1(group_a1):
    """Leads a sub-unit of A: not the leader of a case in A."""
    return give_role(make_user("leader_a1"), group_a1, Role.LEADER)


@pytest.fixture
def amr_faculty(faculty):
    """AMR above A: a role covering A, but not the leader."""
    return give_role(make_user("amr_faculty"), faculty, Role.AMR)


@pytest.fixture
def colleague_a(unit_a):
    """An employee of A who does not take part in the case."""
    return give_role(make_user("colleague_a"), unit_a, Role.EMPLOYEE)


@pytest.fixture
def case(unit_a, amr_a, employee_a, leader_a, tr_a, amg_a, leader_b, coordinator) -> Case:
    return case_create(
        unit=unit_a,
        created_by=amr_a,
        title="Travlhed før semesterstart",
        problem="Mange opgaver samles i de sidste uger før semesterstart.",
        occasion=Case.Occasion.RISK,
        participants=[employee_a],
    )


@pytest.fixture
def dean(faculty):
    """Leads the faculty above A: answers A's escalations, sees nothing else of A's cases."""
    return give_role(make_user("dean"), faculty, Role.LEADER)
