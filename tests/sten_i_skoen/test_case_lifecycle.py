from django.urls import reverse

from sten_i_skoen.models import Case, CaseEvent


def status_post(client, case, status):
    return client.post(
        reverse("sten_i_skoen:case_status", kwargs={"pk": case.pk}), {"status": status}
    )


def test_it_creates_a_case_with_the_author_as_participant(unit_a, login, tr_a, employee_a):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    response = login(tr_a).post(
        url,
        {
            "title": "Uklare forventninger",
            "occasion": "sick_leave",
            "problem": "Opgaverne fordeles uden prioritering.",
            "participants": [employee_a.pk],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == case.get_absolute_url()
    assert set(case.participants.all()) == {tr_a, employee_a}
    assert case.created_by == tr_a
    assert [e.to_status for e in case.events.all()] == ["open"]


def test_the_creation_page_shows_the_guides_words_and_the_warning(unit_a, login, leader_a):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    body = login(leader_a).get(url).content.decode()
    assert "omsorgsfuld måde" in body
    assert "individuelle behov for tilbagevenden til arbejdet" in body
    assert "Skriv ikke helbredsoplysninger eller navnet på den sygemeldte" in body


def test_it_keeps_the_typed_text_on_a_validation_error(unit_a, login, leader_a):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    response = login(leader_a).post(url, {"title": "", "problem": "Min lange beskrivelse"})
    assert response.status_code == 200
    assert "Min lange beskrivelse" in response.content.decode()
    assert not Case.objects.exists()


def test_it_refuses_participants_outside_the_unit(unit_a, login, leader_a, leader_b):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    response = login(leader_a).post(
        url, {"title": "t", "occasion": "risk", "problem": "p", "participants": [leader_b.pk]}
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_creation_is_for_leader_amr_tr_and_coordinator(unit_a, group_a1, login, request):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    for name in ("leader_a", "amr_a", "tr_a", "coordinator"):
        assert login(request.getfixturevalue(name)).get(url).status_code == 200, name
    assert login(request.getfixturevalue("amg_a")).get(url).status_code == 403
    assert login(request.getfixturevalue("leader_b")).get(url).status_code == 404
    assert login(request.getfixturevalue("employee_a")).get(url).status_code == 404
    url_a1 = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": group_a1.pk})
    assert login(request.getfixturevalue("employee_a")).get(url_a1).status_code == 403


def test_creation_needs_login_and_get_or_post(unit_a, client, login, leader_a):
    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    assert client.get(url).url.startswith(reverse("login"))
    assert login(leader_a).put(url).status_code == 405


def test_it_walks_the_lifecycle_and_logs_each_change(case, login, leader_a, employee_a):
    steps = [
        (leader_a, "actions_agreed"),
        (employee_a, "followed_up"),
        (leader_a, "closed"),
        (leader_a, "open"),
    ]
    for user, status in steps:
        assert status_post(login(user), case, status).status_code == 302
        case.refresh_from_db()
        assert case.status == status
    events = list(CaseEvent.objects.filter(case=case))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "open"),
        ("open", "actions_agreed"),
        ("actions_agreed", "followed_up"),
        ("followed_up", "closed"),
        ("closed", "open"),
    ]
    assert [e.by for e in events[1:]] == [leader_a, employee_a, leader_a, leader_a]
    assert all(e.at for e in events)


def test_it_refuses_skipping_a_step(case, login, leader_a):
    response = status_post(login(leader_a), case, "closed")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "open"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_it_refuses_an_unknown_status(case, login, leader_a):
    status_post(login(leader_a), case, "archived")
    case.refresh_from_db()
    assert case.status == "open"


def test_it_changes_participants(case, login, leader_a, amr_a, tr_a):
    url = reverse("sten_i_skoen:case_participants", kwargs={"pk": case.pk})
    response = login(leader_a).post(url, {"participants": [amr_a.pk, tr_a.pk]})
    assert response.status_code == 302
    assert set(case.participants.all()) == {amr_a, tr_a}
    assert Case.objects.visible_to(tr_a).filter(pk=case.pk).exists()


def test_a_participant_no_database_could_hold_is_refused_before_any_query(
    unit_a, login, leader_a, employee_a, django_assert_num_queries
):
    import pytest
    from django.core.exceptions import ValidationError

    from amg_portal.editing import PeopleChoiceField
    from amg_portal.organisation.models import User

    field = PeopleChoiceField(queryset=User.objects.all())
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused:
        field.clean(["99999999999999999999"])
    assert refused.value.code == "invalid_choice"

    url = reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk})
    response = login(leader_a).post(
        url,
        {"title": "Min titel", "occasion": "risk", "problem": "p", "participants": ["9" * 30]},
    )
    assert response.status_code == 200
    assert "Vælg personer, der har en rolle i denne enhed." in response.content.decode()
    assert "Min titel" in response.content.decode()
    assert not Case.objects.exists()
