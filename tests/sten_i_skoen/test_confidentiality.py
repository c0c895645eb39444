import pytest
from django.urls import reverse

from amg_portal.organisation.models import AuditEntry, Role
from sten_i_skoen.models import Case
from sten_i_skoen.selectors import open_case_count
from sten_i_skoen.services import escalation_create
from tests.conftest import give_role, make_user

# The case's participants: its opener (amr_a), the person added (employee_a), the leader and the
# TR of its own unit; the coordinator sees it exceptionally (audited).
OUTSIDERS = ["amg_a", "leader_b", "leader_a1", "amr_faculty", "colleague_a", "dean"]
INSIDERS = ["amr_a", "employee_a", "leader_a", "tr_a", "coordinator"]


def confidential_views():
    return AuditEntry.objects.filter(kind=AuditEntry.Kind.CONFIDENTIAL_VIEW)


def case_urls(case) -> list[tuple[str, str]]:
    """(method, url) for every page, export and PDF of one case."""
    kw = {"pk": case.pk}
    return [
        ("get", reverse("sten_i_skoen:case_detail", kwargs=kw)),
        ("post", reverse("sten_i_skoen:case_detail", kwargs=kw)),
        ("get", reverse("sten_i_skoen:case_participants", kwargs=kw)),
        ("post", reverse("sten_i_skoen:case_participants", kwargs=kw)),
        ("post", reverse("sten_i_skoen:case_status", kwargs=kw)),
        ("post", reverse("sten_i_skoen:escalation_create", kwargs=kw)),
        ("post", reverse("sten_i_skoen:action_create", kwargs=kw)),
        ("get", reverse("sten_i_skoen:case_pdf", kwargs=kw)),
        ("get", reverse("sten_i_skoen:case_export", kwargs=kw)),
    ]


def test_it_shows_a_case_only_to_its_participants_and_the_coordinator(case, request):
    for name in INSIDERS:
        assert Case.objects.visible_to(request.getfixturevalue(name)).filter(pk=case.pk).exists()
    for name in OUTSIDERS:
        assert not Case.objects.visible_to(request.getfixturevalue(name)).exists()


def test_it_hides_a_case_from_the_leader_above_the_unit(case, dean):
    assert not Case.objects.visible_to(dean).exists()


def test_a_leader_above_who_is_added_takes_part(case, dean, amr_a):
    case.participants.add(dean)
    assert Case.objects.visible_to(dean).filter(pk=case.pk).exists()


def test_it_shows_a_case_of_a_sub_unit_only_to_that_units_own_people(
    group_a1, amr_a, leader_a, tr_a, employee_a
):
    """A case of Gruppe A1: the institute's leader and TR are above it, not in it."""
    from sten_i_skoen.services import case_create

    leader_a1 = give_role(make_user("leader_a1"), group_a1, Role.LEADER)
    sub = case_create(
        unit=group_a1,
        created_by=employee_a,
        title="Gruppens sag",
        problem="p",
        occasion="risk",
        participants=[],
    )
    for user in (employee_a, leader_a1):
        assert Case.objects.visible_to(user).filter(pk=sub.pk).exists(), user
    for user in (leader_a, tr_a, amr_a):
        assert not Case.objects.visible_to(user).filter(pk=sub.pk).exists(), user


def test_it_hides_a_case_from_anonymous_and_inactive_users(case, employee_a):
    from django.contrib.auth.models import AnonymousUser

    assert not Case.objects.visible_to(AnonymousUser()).exists()
    employee_a.is_active = False
    employee_a.save()
    assert not Case.objects.visible_to(employee_a).exists()


@pytest.mark.parametrize("name", OUTSIDERS)
def test_it_answers_404_on_every_case_url_for_non_participants(case, login, request, name):
    client = login(request.getfixturevalue(name))
    for method, url in case_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (name, method, url)
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_a_former_participant_loses_access(case, login, employee_a, amr_a):
    case.participants.remove(employee_a)
    assert login(employee_a).get(case.get_absolute_url()).status_code == 404


def test_it_answers_404_for_a_case_that_does_not_exist(case, login, leader_a):
    response = login(leader_a).get(reverse("sten_i_skoen:case_detail", kwargs={"pk": 99999}))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["amr_a", "employee_a", "leader_a", "tr_a"])
def test_it_shows_the_case_to_insiders_without_logging(case, login, request, name):
    response = login(request.getfixturevalue(name)).get(case.get_absolute_url())
    assert response.status_code == 200
    assert "Travlhed før semesterstart" in response.content.decode()
    assert not confidential_views().exists()


def test_it_audits_each_coordinator_look_as_a_row(case, login, coordinator, unit_a):
    client = login(coordinator)
    client.get(case.get_absolute_url())
    client.get(case.get_absolute_url())
    client.get(reverse("sten_i_skoen:case_export", kwargs={"pk": case.pk}))
    client.post(
        case.get_absolute_url(), {"row": "L", "column": "origin", "text": "x", "version": 0}
    )
    entries = list(confidential_views().filter(actor=coordinator, target=f"case {case.pk}"))
    assert sorted(e.detail for e in entries) == ["edit", "export", "view", "view"]
    assert all(e.at and e.unit == unit_a for e in entries)


def test_it_does_not_audit_a_coordinator_who_takes_part(case, login, coordinator):
    case.participants.add(coordinator)
    assert login(coordinator).get(case.get_absolute_url()).status_code == 200
    assert not confidential_views().exists()


def test_it_redirects_anonymous_users_to_the_login(case, client):
    for method, url in case_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["amg_a", "dean"])
def test_it_lists_nothing_of_a_case_the_user_does_not_take_part_in(case, login, request, name):
    response = login(request.getfixturevalue(name)).get(reverse("sten_i_skoen:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Travlhed" not in body and f"Sag nr. {case.pk}" not in body
    assert "åben sag" not in body  # not even a count


def test_it_lists_the_case_for_a_participant(case, login, amr_a):
    response = login(amr_a).get(reverse("sten_i_skoen:index"))
    assert "Travlhed" in response.content.decode()


def test_it_counts_only_open_cases_the_user_may_see(
    case, request, unit_a, unit_b, faculty, django_assert_num_queries
):
    units = [faculty, unit_a, unit_b]
    for name in INSIDERS:
        with django_assert_num_queries(1):
            assert open_case_count(request.getfixturevalue(name), units) == 1, name
    for name in OUTSIDERS:
        assert open_case_count(request.getfixturevalue(name), units) == 0, name
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    assert open_case_count(request.getfixturevalue("leader_a"), units) == 0


@pytest.mark.parametrize(("name", "count"), [("leader_a", "1 åben sag"), ("dean", "0 åbne sager")])
def test_the_dashboard_counts_only_cases_the_user_takes_part_in(case, login, request, name, count):
    html = login(request.getfixturevalue(name)).get(reverse("dashboard:index")).content.decode()
    assert count in html
    assert "Travlhed" not in html


def test_it_keeps_the_index_query_count_flat(case, login, leader_a, django_assert_max_num_queries):
    client = login(leader_a)
    client.get(reverse("sten_i_skoen:index"))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("sten_i_skoen:index"))
    assert response.status_code == 200


def test_it_refuses_wrong_methods(case, login, leader_a):
    client = login(leader_a)
    assert client.put(case.get_absolute_url()).status_code == 405
    status_url = reverse("sten_i_skoen:case_status", kwargs={"pk": case.pk})
    assert client.get(status_url).status_code == 405
    assert client.post(reverse("sten_i_skoen:index")).status_code == 405


def test_it_never_shows_case_text_in_the_escalation_inbox(case, amr_a, dean, login):
    escalation_create(case=case, text="Flere hænder i sekretariatet", created_by=amr_a)
    body = login(dean).get(reverse("sten_i_skoen:inbox")).content.decode()
    assert "Flere hænder i sekretariatet" in body
    assert "Travlhed" not in body
    assert "semesterstart" not in body


def test_the_leader_above_answers_the_escalation_but_cannot_open_the_case(case, amr_a, dean, login):
    """The dean sees the escalation's text, status and their own answer; the case stays shut."""
    escalation = escalation_create(case=case, text="Flere hænder", created_by=amr_a)
    client = login(dean)
    url = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    page = client.get(url).content.decode()
    assert "Flere hænder" in page and "Modtaget" in page
    assert case.get_absolute_url() not in page and "Travlhed" not in page
    assert client.post(url, {"answer": "Vi finder midler."}).status_code == 302
    page = client.get(url).content.decode()
    assert "Vi finder midler." in page and "Besvaret" in page
    for method, case_url in case_urls(case):
        assert getattr(client, method)(case_url).status_code == 404, case_url
    # The participants read the answer in the case.
    assert "Vi finder midler." in login(amr_a).get(case.get_absolute_url()).content.decode()


def test_the_case_is_not_in_the_admin_search(case, login, coordinator):
    """There is no search of cases: the admin, which has search boxes, holds no case model."""
    from django.contrib import admin

    assert not admin.site.is_registered(Case)
    body = login(coordinator).get(reverse("admin:index")).content.decode()
    assert "sten_i_skoen" not in body


def test_the_coordinators_list_hides_titles_and_logs_nothing(case, login, coordinator):
    response = login(coordinator).get(reverse("sten_i_skoen:index"))
    body = response.content.decode()
    assert "Travlhed" not in body
    assert f"Sag nr. {case.pk}" in body
    assert not confidential_views().exists()


def test_it_pages_a_long_list(case, login, leader_a, amr_a, unit_a):
    from sten_i_skoen.services import case_create

    for n in range(55):
        case_create(
            unit=unit_a,
            created_by=amr_a,
            title=f"Sag {n}",
            problem="p",
            occasion="risk",
            participants=[],
        )
    client = login(leader_a)
    first = client.get(reverse("sten_i_skoen:index"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("sten_i_skoen:index") + "?side=2")
    assert len(second.context["page"].object_list) == 6


def test_it_lists_open_cases_before_closed_ones(case, unit_a, amr_a, login):
    from sten_i_skoen.services import case_create

    newer = case_create(
        unit=unit_a, created_by=amr_a, title="Ny", problem="p", occasion="risk", participants=[]
    )
    Case.objects.filter(pk=newer.pk).update(status=Case.Status.CLOSED)
    page = login(amr_a).get(reverse("sten_i_skoen:index")).context["page"]
    assert [c.pk for c in page] == [case.pk, newer.pk]
