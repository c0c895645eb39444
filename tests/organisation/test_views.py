"""Home, unit list, unit page and unit edit page: who gets what."""

import pytest
from django.urls import reverse

from amg_portal.organisation.models import Unit
from tests.conftest import make_user


def detail(unit):
    return reverse("organisation:unit_detail", args=[unit.pk])


def edit(unit):
    return reverse("organisation:unit_edit", args=[unit.pk])


@pytest.mark.parametrize("url_name", ["home", "organisation:unit_list", "profile"])
def test_anonymous_users_are_sent_to_login(client, url_name, db):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_users_are_sent_to_login_from_unit_pages(client, unit_a):
    for url in (detail(unit_a), edit(unit_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_leader_their_roles_and_units(login, leader_a, group_a1, unit_b):
    response = login(leader_a).get(reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Institut A" in text
    assert "Gruppe A1" in text
    assert "Institut B" not in text
    assert response.headers["Content-Language"] == "da"


def test_home_page_queries_are_bounded(login, leader_a, group_a1, django_assert_max_num_queries):
    client = login(leader_a)
    client.get(reverse("home"))  # the first request after login starts the idle-timeout clock
    with django_assert_max_num_queries(7):
        client.get(reverse("home"))


def test_it_shows_a_unit_with_its_sub_units(login, leader_a, unit_a, group_a1):
    response = login(leader_a).get(detail(unit_a))
    assert response.status_code == 200
    assert "Gruppe A1" in response.content.decode()
    assert response.context["subtree_headcount"] == 9
    assert response.context["may_manage"] is True


def test_the_unit_page_does_not_reveal_ancestors_the_user_cannot_see(login, leader_a, unit_a):
    response = login(leader_a).get(detail(unit_a))
    assert response.context["breadcrumbs"] == []
    assert "Fakultet" not in response.content.decode()


def test_unit_page_queries_are_bounded(
    login, leader_a, unit_a, group_a1, django_assert_max_num_queries
):
    for n in range(10):
        Unit.objects.add_child(unit_a, create_kwargs={"name": f"Gruppe {n}", "kind": "group"})
    client = login(leader_a)
    client.get(reverse("home"))
    with django_assert_max_num_queries(10):
        response = client.get(detail(unit_a))
    assert len(response.context["children"]) == 11


def test_an_outsider_gets_404_on_another_institutes_pages(login, leader_b, unit_a):
    client = login(leader_b)
    assert client.get(detail(unit_a)).status_code == 404
    assert client.get(edit(unit_a)).status_code == 404
    assert client.post(edit(unit_a), {"name": "Hacked", "headcount": 1}).status_code == 404
    unit_a.refresh_from_db()
    assert unit_a.name == "Institut A"


def test_an_unknown_unit_is_404(login, leader_a):
    assert login(leader_a).get("/enheder/999999/").status_code == 404


def test_a_member_without_the_right_gets_403_on_leader_pages(login, employee_a, group_a1):
    client = login(employee_a)
    assert client.get(detail(group_a1)).status_code == 200
    response = client.get(edit(group_a1))
    assert response.status_code == 403
    assert "Adgang nægtet" in response.content.decode()
    assert client.post(edit(group_a1), {"name": "X", "headcount": 1}).status_code == 403
    group_a1.refresh_from_db()
    assert group_a1.name == "Gruppe A1"


def test_the_leader_edits_the_headcount(login, leader_a, group_a1):
    response = login(leader_a).post(
        edit(group_a1), {"name": "  Gruppe   A1 ", "short_name": "A1", "headcount": 12}
    )
    assert response.status_code == 302
    group_a1.refresh_from_db()
    assert (group_a1.name, group_a1.headcount) == ("Gruppe A1", 12)


def test_bad_input_is_explained_and_kept(login, leader_a, group_a1):
    response = login(leader_a).post(
        edit(group_a1), {"name": "Nyt navn", "short_name": "", "headcount": "-3"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nyt navn" in text  # what the user typed is still there
    assert "Denne værdi skal være større end eller lig 0." in text
    group_a1.refresh_from_db()
    assert group_a1.headcount == 6


def test_the_edit_page_refuses_other_methods(login, leader_a, group_a1):
    assert login(leader_a).delete(edit(group_a1)).status_code == 405


def test_the_coordinator_sees_every_unit(login, coordinator, unit_a, unit_b, group_a1):
    client = login(coordinator)
    text = client.get(reverse("organisation:unit_list")).content.decode()
    # Two levels at a time (a page's size follows the tree's shape, not its size) ...
    assert all(name in text for name in ["Fakultet", "Institut A", "Institut B"])
    assert "Gruppe A1" not in text and "1 enhed under" in text
    # ... and every unit is a click further down.
    detail = client.get(reverse("organisation:unit_detail", args=[unit_a.pk])).content.decode()
    assert "Gruppe A1" in detail
    assert client.get(edit(unit_b)).status_code == 200


def test_the_unit_page_shows_direct_sub_units_with_what_lies_below(
    login, coordinator, faculty, unit_a, group_a1, django_assert_max_num_queries
):
    from amg_portal.organisation.services import unit_create

    deep = unit_create(parent=group_a1, name="Dybt nede", kind="group", headcount=4)
    client = login(coordinator)
    client.get(reverse("organisation:unit_detail", args=[faculty.pk]))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("organisation:unit_detail", args=[faculty.pk]))
    text = response.content.decode()
    assert "Institut A" in text and "Gruppe A1" not in text and deep.name not in text
    assert "2 enheder under" in text  # Gruppe A1 and the one below it
    total = faculty.headcount + unit_a.headcount + group_a1.headcount + 4
    assert response.context["subtree_headcount"] == total


def test_navigation_shows_each_role_what_it_can_do(login, coordinator, employee_a, leader_a):
    def nav(user):
        return {item["name"] for item in login(user).get(reverse("home")).context["nav_items"]}

    assert "admin" in nav(coordinator)
    assert "admin" not in nav(leader_a)
    assert {"home", "dashboard", "units", "kortlaegning", "sten_i_skoen", "handlingsplan"} == nav(
        employee_a
    )
    nobody = make_user("nobody")
    assert nav(nobody) == {"home"}


def test_error_pages_are_danish(client, db):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in response.content.decode()


def test_the_unit_page_lists_the_leader_first(login, leader_a, amr_a, amg_a, unit_a):
    members = login(leader_a).get(detail(unit_a)).context["members"]
    assert [m.role for m in members] == ["leader", "amr", "amg"]


def test_read_only_pages_refuse_writes(login, leader_a, unit_a):
    client = login(leader_a)
    for url in (reverse("home"), reverse("organisation:unit_list"), detail(unit_a)):
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200
