"""The authorization module: roles cover subtrees, outsiders see nothing, members lack rights."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from amg_portal.organisation.access import (
    Action,
    can,
    require,
    role_paths,
    roles_on,
    unit_for_user,
)
from amg_portal.organisation.models import Role, Unit, User
from tests.conftest import give_role, make_user
from tests.security.rights_table import allowed as table_allows


def names(qs):
    return sorted(u.name for u in qs)


def test_a_role_covers_the_units_subtree(leader_a, unit_a, group_a1, unit_b):
    assert names(Unit.objects.visible_to(leader_a)) == ["Gruppe A1", "Institut A"]
    assert can(leader_a, Action.MANAGE_UNIT, group_a1)
    assert not can(leader_a, Action.VIEW_UNIT, unit_b)


def test_a_role_does_not_cover_the_units_parent(leader_a, faculty):
    assert not can(leader_a, Action.VIEW_UNIT, faculty)
    assert faculty not in Unit.objects.visible_to(leader_a)


def test_visible_units_take_one_query_whatever_the_number_of_roles(
    unit_a, group_a1, unit_b, django_assert_num_queries
):
    user = make_user("busy")
    for unit in (unit_a, group_a1, unit_b):
        give_role(user, unit, Role.AMG)
    with django_assert_num_queries(1):
        role_paths(user)  # the user's roles: one query per user object
    with django_assert_num_queries(1):
        assert len(list(Unit.objects.visible_to(user))) == 3


def test_a_changed_role_is_seen_by_the_same_user_object(leader_a, unit_b):
    assert not can(leader_a, Action.VIEW_UNIT, unit_b)
    give_role(leader_a, unit_b, Role.EMPLOYEE)
    assert can(leader_a, Action.VIEW_UNIT, unit_b)
    assert unit_b in Unit.objects.visible_to(leader_a)
    leader_a.memberships.filter(unit=unit_b).delete()
    assert not can(leader_a, Action.VIEW_UNIT, unit_b)
    assert unit_b not in Unit.objects.visible_to(leader_a)


def test_roles_on_are_cached_per_user_object(leader_a, group_a1, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert roles_on(leader_a, group_a1) == {"leader"}
        assert can(leader_a, Action.MANAGE_ROUND, group_a1)
        assert can(leader_a, Action.VIEW_RESULTS, group_a1)


def test_the_employee_may_read_but_not_manage(employee_a, group_a1):
    assert can(employee_a, Action.READ_APV, group_a1)
    assert not can(employee_a, Action.MANAGE_ROUND, group_a1)
    with pytest.raises(PermissionDenied):
        require(employee_a, Action.MANAGE_UNIT, group_a1)


def test_an_outsider_gets_404_not_403(leader_b, unit_a):
    with pytest.raises(Http404):
        require(leader_b, Action.MANAGE_UNIT, unit_a)
    with pytest.raises(Http404):
        unit_for_user(leader_b, unit_a.pk, Action.VIEW_UNIT)


def test_a_foreign_unit_answers_like_a_missing_one(leader_b, unit_a):
    for pk in (unit_a.pk, 999_999, "not-a-number"):
        with pytest.raises(Http404):
            unit_for_user(leader_b, pk)


def test_the_coordinator_may_do_everything_but_answer(coordinator, unit_a, unit_b):
    assert names(Unit.objects.visible_to(coordinator)) == names(Unit.objects.all())
    for action in Action:
        expected = action != Action.ANSWER_AS_LEADER
        assert can(coordinator, action, unit_b) is expected, action
    assert not Unit.objects.permitting(coordinator, Action.ANSWER_AS_LEADER).exists()


def test_anonymous_and_inactive_users_see_nothing(leader_a, unit_a):
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    with pytest.raises(Http404):
        unit_for_user(AnonymousUser(), unit_a.pk)
    leader_a.is_active = False
    leader_a.save()
    assert not Unit.objects.visible_to(leader_a).exists()
    assert not can(leader_a, Action.VIEW_UNIT, unit_a)


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("action", list(Action))
def test_permitting_agrees_with_can(role, action, unit_a, group_a1, unit_b):
    user = give_role(make_user(f"u_{role}"), unit_a, role)
    allowed = set(Unit.objects.permitting(user, action))
    for unit in (unit_a, group_a1, unit_b):
        fresh = User.objects.get(pk=user.pk)
        assert (unit in allowed) == can(fresh, action, unit), (role, action, unit)
    assert (unit_a in allowed) == table_allows(role, action)


def test_roles_on_several_levels_add_up(unit_a, group_a1):
    user = give_role(make_user("both"), unit_a, Role.AMG)
    give_role(user, group_a1, Role.LEADER)
    assert roles_on(user, group_a1) == {"amg", "leader"}
    assert can(user, Action.MANAGE_ROUND, group_a1)
    fresh = type(user).objects.get(pk=user.pk)
    assert not can(fresh, Action.MANAGE_ROUND, unit_a)


def test_people_below_a_unit_are_its_employees_too(employee_a, unit_a, group_a1, unit_b, faculty):
    from amg_portal.organisation.access import works_in

    assert names(Unit.objects.with_members_below(employee_a)) == [
        "Fakultet",
        "Gruppe A1",
        "Institut A",
    ]
    assert works_in(employee_a, unit_a) and works_in(employee_a, group_a1)
    assert not works_in(employee_a, unit_b)
    # Being an employee below does not grant the unit's other rights.
    assert not can(employee_a, Action.VIEW_UNIT, unit_a)


def test_members_below_take_one_query(employee_a, unit_a, django_assert_num_queries):
    role_paths(employee_a)
    with django_assert_num_queries(1):
        list(Unit.objects.with_members_below(employee_a))
