import pytest
from django.urls import reverse

from amg_portal.organisation.models import Role
from sten_i_skoen.models import Case, CaseAccessLog
from sten_i_skoen.selectors import open_case_count, open_case_counts
from sten_i_skoen.services import escalation_create
from tests.conftest import give_role, make_user

OUTSIDERS = ["tr_a", "amg_a", "leader_b", "leader_a1", "amr_faculty", "colleague_a"]
INSIDERS = ["amr_a", "employee_a", "leader_a", "coordinator"]


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


def test_it_shows_a_case_only_to_participants_its_leader_and_the_coordinator(case, request):
    for name in INSIDERS:
        assert Case.objects.visible_to(request.getfixturevalue(name)).filter(pk=case.pk).exists()
    for name in OUTSIDERS:
        assert not Case.objects.visible_to(request.getfixturevalue(name)).exists()


def test_it_shows_a_case_to_the_leader_above_the_unit(case, faculty):
    dean = give_role(make_user("dean"), faculty, Role.LEADER)
    assert Case.objects.visible_to(dean).filter(pk=case.pk).exists()


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


@pytest.mark.parametrize("name", ["amr_a", "employee_a", "leader_a"])
def test_it_shows_the_case_to_insiders_without_logging(case, login, request, name):
    response = login(request.getfixturevalue(name)).get(case.get_absolute_url())
    assert response.status_code == 200
    assert "Travlhed før semesterstart" in response.content.decode()
    assert not CaseAccessLog.objects.exists()


def test_it_logs_each_coordinator_view(case, login, coordinator):
    client = login(coordinator)
    client.get(case.get_absolute_url())
    client.get(case.get_absolute_url())
    client.get(reverse("sten_i_skoen:case_export", kwargs={"pk": case.pk}))
    entries = list(CaseAccessLog.objects.filter(case=case, user=coordinator))
    assert sorted(e.what for e in entries) == ["export", "view", "view"]
    assert all(e.at for e in entries)


def test_it_redirects_anonymous_users_to_the_login(case, client):
    for method, url in case_urls(case):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_lists_only_visible_cases_and_a_count_of_the_others(case, login, tr_a, amr_a):
    response = login(tr_a).get(reverse("sten_i_skoen:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Travlhed" not in body
    assert response.context["others_open"] == 1
    response = login(amr_a).get(reverse("sten_i_skoen:index"))
    assert "Travlhed" in response.content.decode()
    assert response.context["others_open"] == 0


def test_it_counts_open_cases_per_unit(case, unit_a, unit_b, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert open_case_counts([unit_a, unit_b]) == {unit_a.pk: 1}
    with django_assert_num_queries(1):
        assert open_case_count([unit_a, unit_b]) == 1
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    assert open_case_count([unit_a]) == 0


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


def test_it_never_shows_case_text_in_the_escalation_inbox(case, amr_a, faculty, login):
    dean = give_role(make_user("dean"), faculty, Role.LEADER)
    escalation_create(case=case, text="Flere hænder i sekretariatet", created_by=amr_a)
    body = login(dean).get(reverse("sten_i_skoen:inbox")).content.decode()
    assert "Flere hænder i sekretariatet" in body
    assert "Travlhed" not in body
    assert "semesterstart" not in body


def test_the_coordinators_list_hides_titles_and_logs_nothing(case, login, coordinator):
    response = login(coordinator).get(reverse("sten_i_skoen:index"))
    body = response.content.decode()
    assert "Travlhed" not in body
    assert f"Sag nr. {case.pk}" in body
    assert not CaseAccessLog.objects.exists()


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
    assert second.context["others_open"] == 0


def test_it_lists_open_cases_before_closed_ones(case, unit_a, amr_a, login):
    from sten_i_skoen.services import case_create

    newer = case_create(
        unit=unit_a, created_by=amr_a, title="Ny", problem="p", occasion="risk", participants=[]
    )
    Case.objects.filter(pk=newer.pk).update(status=Case.Status.CLOSED)
    page = login(amr_a).get(reverse("sten_i_skoen:index")).context["page"]
    assert [c.pk for c in page] == [case.pk, newer.pk]
