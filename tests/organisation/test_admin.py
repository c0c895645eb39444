"""The coordinator administers units, users and roles in the Django admin."""

import pytest
from django.urls import reverse

from amg_portal.organisation.models import Membership, Role, Unit


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:organisation_unit_changelist",
        "admin:organisation_unit_add",
        "admin:organisation_user_changelist",
        "admin:organisation_user_add",
        "admin:organisation_membership_changelist",
        "admin:organisation_membership_add",
    ],
)
def test_the_coordinator_can_use_the_admin_pages(login, coordinator, unit_a, url_name):
    assert login(coordinator).get(reverse(url_name)).status_code == 200


def test_the_coordinator_edits_a_unit_and_a_user_in_the_admin(login, coordinator, leader_a, unit_a):
    client = login(coordinator)
    assert (
        client.get(reverse("admin:organisation_unit_change", args=[unit_a.pk])).status_code == 200
    )
    assert (
        client.get(reverse("admin:organisation_user_change", args=[leader_a.pk])).status_code == 200
    )


def test_the_coordinator_grants_a_role_in_the_admin(login, coordinator, leader_a, unit_b):
    response = login(coordinator).post(
        reverse("admin:organisation_membership_add"),
        {"user": leader_a.pk, "unit": unit_b.pk, "role": Role.AMR},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=leader_a, unit=unit_b, role=Role.AMR).exists()


def test_the_coordinator_adds_a_unit_in_the_tree(login, coordinator, unit_a):
    response = login(coordinator).post(
        reverse("admin:organisation_unit_add"),
        {
            "name": "Gruppe A2",
            "short_name": "",
            "kind": Unit.Kind.RESEARCH_GROUP,
            "headcount": 4,
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": unit_a.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Unit.objects.get(name="Gruppe A2")
    assert new.path.startswith(unit_a.path) and new.depth == unit_a.depth + 1


@pytest.mark.parametrize("fixture", ["leader_a", "amr_a", "employee_a"])
def test_other_roles_cannot_use_the_admin(request, login, fixture):
    user = request.getfixturevalue(fixture)
    response = login(user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
