import pytest
from django.urls import reverse

from amg_portal.organisation.models import Role
from sten_i_skoen.models import Escalation
from sten_i_skoen.services import escalation_create
from tests.conftest import give_role, make_user


@pytest.fixture
def dean(faculty):
    return give_role(make_user("dean"), faculty, Role.LEADER)


@pytest.fixture
def faculty_amr(faculty):
    return give_role(make_user("faculty_amr"), faculty, Role.AMR)


@pytest.fixture
def escalation(case, amr_a):
    return escalation_create(case=case, text="Flere hænder i sekretariatet", created_by=amr_a)


def test_it_sends_an_escalation_to_the_parent_unit(case, login, amr_a, faculty):
    url = reverse("sten_i_skoen:escalation_create", kwargs={"pk": case.pk})
    response = login(amr_a).post(url, {"text": "Budgettet til vikarer rækker ikke"})
    assert response.status_code == 302
    escalation = Escalation.objects.get(case=case)
    assert escalation.to_unit == faculty
    assert escalation.status == Escalation.Status.RECEIVED


def test_it_refuses_an_empty_escalation_and_keeps_the_page(case, login, amr_a):
    url = reverse("sten_i_skoen:escalation_create", kwargs={"pk": case.pk})
    response = login(amr_a).post(url, {"text": "   "})
    assert response.status_code == 400
    assert not Escalation.objects.exists()


def test_it_refuses_an_escalation_from_the_top_unit(faculty, login, coordinator):
    from sten_i_skoen.models import Case
    from sten_i_skoen.services import case_create

    top_case = case_create(
        unit=faculty,
        created_by=coordinator,
        title="Top",
        problem="p",
        occasion=Case.Occasion.RISK,
        participants=[],
    )
    url = reverse("sten_i_skoen:escalation_create", kwargs={"pk": top_case.pk})
    response = login(coordinator).post(url, {"text": "Videre"})
    assert response.status_code == 400
    assert "there is no next level" in response.content.decode() or "intet næste" in (
        response.content.decode()
    )


def test_the_parent_leader_sees_it_in_the_inbox(escalation, login, dean):
    response = login(dean).get(reverse("sten_i_skoen:inbox"))
    assert response.status_code == 200
    assert list(response.context["escalations"]) == [escalation]


def test_the_unit_leader_does_not_receive_their_own_escalation(escalation, login, leader_a):
    response = login(leader_a).get(reverse("sten_i_skoen:inbox"))
    assert list(response.context["escalations"]) == []


def test_it_walks_received_in_progress_answered(escalation, case, login, dean, amr_a):
    client = login(dean)
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    assert "Flere hænder i sekretariatet" in client.get(detail).content.decode()
    take = reverse("sten_i_skoen:escalation_take", kwargs={"pk": escalation.pk})
    assert client.post(take).status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.IN_PROGRESS
    response = client.post(detail, {"answer": "Fakultetet finder midler til en vikar."})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.ANSWERED
    assert escalation.answered_by == dean
    body = login(amr_a).get(case.get_absolute_url()).content.decode()
    assert "Fakultetet finder midler til en vikar." in body


def test_it_refuses_an_empty_answer(escalation, login, dean):
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    response = login(dean).post(detail, {"answer": ""})
    assert response.status_code == 200
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RECEIVED


def test_the_escalation_page_shows_nothing_else_of_the_case(escalation, login, dean):
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    body = login(dean).get(detail).content.decode()
    assert "Travlhed" not in body
    assert "semesterstart" not in body


def test_the_coordinator_may_answer(escalation, login, coordinator):
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    assert login(coordinator).get(detail).status_code == 200


def test_outsiders_get_404_and_members_without_the_right_403(
    escalation, login, leader_b, amr_a, employee_a, faculty_amr
):
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    take = reverse("sten_i_skoen:escalation_take", kwargs={"pk": escalation.pk})
    for user in (leader_b, amr_a, employee_a):
        assert login(user).get(detail).status_code == 404
        assert login(user).post(take).status_code == 404
    assert login(faculty_amr).get(detail).status_code == 403
    assert login(faculty_amr).post(take).status_code == 403
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RECEIVED


def test_anonymous_users_are_sent_to_login(escalation, client):
    detail = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": escalation.pk})
    for url in (reverse("sten_i_skoen:inbox"), detail):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_wrong_methods_get_405(escalation, login, dean):
    client = login(dean)
    take = reverse("sten_i_skoen:escalation_take", kwargs={"pk": escalation.pk})
    assert client.get(take).status_code == 405
    assert client.post(reverse("sten_i_skoen:inbox")).status_code == 405


def test_the_inbox_query_count_is_flat(case, amr_a, login, dean, django_assert_max_num_queries):
    for n in range(5):
        escalation_create(case=case, text=f"Punkt {n}", created_by=amr_a)
    client = login(dean)
    client.get(reverse("sten_i_skoen:inbox"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("sten_i_skoen:inbox"))
    assert response.status_code == 200
