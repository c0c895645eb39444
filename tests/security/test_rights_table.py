"""``access.RIGHTS`` is exactly the hand-written table of tests/security/rights_table.py.

The URL matrix and the access tests read their expectations from that table, not from
``access.RIGHTS``, so a wrong row in ``RIGHTS`` fails here and there.
"""

from __future__ import annotations

import pytest

from amg_portal.organisation import access
from amg_portal.organisation.access import Action, can
from amg_portal.organisation.models import Role
from tests.conftest import give_role, make_user
from tests.security.rights_table import CASE_TABLE, RIGHTS_TABLE, allowed


def test_the_table_names_every_action_once():
    assert set(RIGHTS_TABLE) == {a.value for a in Action}


def test_rights_says_what_the_table_says():
    assert {a.value: set(roles) for a, roles in access.RIGHTS.items()} == {
        action: cols - {"coordinator"} for action, cols in RIGHTS_TABLE.items()
    }


def test_the_coordinator_may_do_what_the_table_says():
    excluded = {a.value for a in access.COORDINATOR_EXCLUDED}
    assert excluded == {a for a, cols in RIGHTS_TABLE.items() if "coordinator" not in cols}


def test_the_case_rule_names_the_roles_of_the_table():
    assert set(access.CASE_UNIT_ROLES) == CASE_TABLE - {"coordinator"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_can_answers_as_the_table_for_a_role_on_the_unit(unit_a, group_a1, role):
    """Through the database: a role held on A gives exactly the table's rights on A and below."""
    user = give_role(make_user(f"u_{role}"), unit_a, role)
    for action in Action:
        for unit in (unit_a, group_a1):
            assert can(user, action, unit) == allowed(role, action), (role, action, unit)


def test_can_answers_as_the_table_for_the_coordinator(unit_a, coordinator):
    for action in Action:
        assert can(coordinator, action, unit_a) == allowed("coordinator", action), action
