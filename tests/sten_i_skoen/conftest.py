"""A confidential case in Institut A: created by ``amr_a`` with ``employee_a`` taking part.

``leader_a`` sees it as the unit's leader; ``tr_a``, ``amg_a`` and ``leader_b`` do not.
"""

from __future__ import annotations

import pytest

from sten_i_skoen.models import Case
from sten_i_skoen.services import case_create


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
