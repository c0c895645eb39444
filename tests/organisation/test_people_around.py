"""The people around a unit: roles on the unit, above it and in its subtree; nobody beside it."""

from __future__ import annotations

from amg_portal.organisation.models import Role
from amg_portal.organisation.selectors import memberships_around, people_around
from tests.conftest import give_role, make_user


def test_it_holds_the_unit_the_units_above_and_below_and_not_the_sibling(
    faculty, unit_a, leader_a, employee_a, leader_b
):
    dean = give_role(make_user("dean"), faculty, Role.LEADER)
    assert set(people_around(unit_a)) == {dean, leader_a, employee_a}


def test_it_leaves_out_deactivated_people_and_lists_each_person_once_in_name_order(
    unit_a, group_a1, leader_a
):
    give_role(leader_a, group_a1, Role.AMG)
    gone = give_role(make_user("aage_gone"), unit_a, Role.AMR)
    gone.is_active = False
    gone.save()
    anna = give_role(make_user("anna_x"), group_a1, Role.EMPLOYEE)
    assert list(people_around(unit_a)) == [anna, leader_a]


def test_the_memberships_hold_every_role_around_the_unit(unit_a, group_a1, leader_a, leader_b):
    give_role(leader_a, group_a1, Role.AMG)
    assert sorted(memberships_around(group_a1).values_list("role", flat=True)) == ["amg", "leader"]
