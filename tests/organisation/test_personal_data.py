"""GDPR: the coordinator exports and erases one person's data."""

import json

from django.urls import reverse

from amg_portal.organisation.models import AuditEntry, Membership, User


def page(user):
    return reverse("personal_data", args=[user.pk])


def test_the_coordinator_exports_a_persons_data(login, coordinator, leader_a, unit_a):
    response = login(coordinator).get(reverse("personal_data_export", args=[leader_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["user"]["username"] == "leader_a"
    assert data["roles"] == [{"unit": "Institut A", "role": "leader"}]
    assert any(r["model"] == "organisation.membership" for r in data["referenced_by"])
    assert AuditEntry.objects.filter(kind="personal_data", detail="export").exists()


def test_the_coordinator_erases_a_person_and_the_records_stay_whole(login, coordinator, leader_a):
    client = login(coordinator)
    assert client.get(page(leader_a)).status_code == 200
    wrong = client.post(page(leader_a), {"confirm": "someone-else"})
    assert "Det er ikke brugernavnet" in wrong.content.decode()
    response = client.post(page(leader_a), {"confirm": "leader_a"})
    assert response.status_code == 302
    erased = User.objects.get(pk=leader_a.pk)
    assert erased.username == f"slettet-{leader_a.pk}"
    assert (erased.email, erased.is_active, erased.has_usable_password()) == ("", False, False)
    assert not Membership.objects.filter(user=erased).exists()


def test_the_coordinator_cannot_erase_themself(login, coordinator):
    response = login(coordinator).post(page(coordinator), {"confirm": "coordinator"})
    assert response.status_code == 200
    assert User.objects.get(pk=coordinator.pk).is_active


def test_nobody_else_can_see_that_the_page_exists(login, leader_a, employee_a):
    client = login(leader_a)
    assert client.get(page(employee_a)).status_code == 404
    assert client.get(reverse("personal_data_export", args=[employee_a.pk])).status_code == 404
    assert client.post(page(employee_a), {"confirm": "employee_a"}).status_code == 404
    assert User.objects.get(pk=employee_a.pk).is_active


def test_an_unknown_person_is_404(login, coordinator):
    assert login(coordinator).get("/persondata/999999/").status_code == 404
