import datetime as dt

from django.urls import reverse
from django.utils import timezone

from amg_portal.domain import Prevention
from handlingsplan.models import Measure
from sten_i_skoen.models import CaseAction
from tests.conftest import make_user


def action_post(client, case, **overrides):
    data = {
        "row": "L",
        "what": "Ugentligt prioriteringsmøde",
        "responsible": "",
        "due": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        **overrides,
    }
    return client.post(reverse("sten_i_skoen:action_create", kwargs={"pk": case.pk}), data)


def test_it_turns_an_action_into_a_tiltag(case, login, amr_a, leader_a):
    response = action_post(login(amr_a), case, responsible=leader_a.pk)
    assert response.status_code == 302
    action = CaseAction.objects.get(case=case)
    measure = action.measure
    assert measure.unit == case.unit
    assert measure.title == "Ugentligt prioriteringsmøde"
    assert measure.responsible == leader_a
    assert measure.deadline == action.due
    assert measure.level == "L"
    assert measure.prevention == Prevention.SECONDARY
    assert measure.source_kind == Measure.Source.CASE_ACTION
    assert list(measure.case_actions.all()) == [action]


def test_the_tiltag_does_not_carry_the_case_text_by_default(case, login, amr_a, leader_a):
    action_post(login(amr_a), case, responsible=leader_a.pk)
    measure = CaseAction.objects.get(case=case).measure
    for value in (measure.title, measure.goal, measure.description):
        assert "semesterstart" not in value
        assert "Travlhed" not in value


def test_the_tiltag_carries_the_case_text_when_the_author_chooses(case, login, amr_a, leader_a):
    action_post(login(amr_a), case, responsible=leader_a.pk, include_case_text="on")
    measure = CaseAction.objects.get(case=case).measure
    assert "semesterstart" in measure.description


def test_it_refuses_a_due_date_before_today(case, login, amr_a, leader_a):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = action_post(login(amr_a), case, responsible=leader_a.pk, due=yesterday)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Datoen er passeret" in body
    assert "Ugentligt prioriteringsmøde" in body  # nothing typed is lost
    assert not CaseAction.objects.exists()
    assert not Measure.objects.exists()


def test_it_refuses_a_responsible_outside_the_unit(case, login, amr_a, leader_b):
    response = action_post(login(amr_a), case, responsible=leader_b.pk)
    assert response.status_code == 400
    assert "har en rolle i denne enhed" in response.content.decode()
    assert not CaseAction.objects.exists()


def test_the_service_refuses_a_responsible_outside_the_unit(case, amr_a):
    import pytest
    from django.core.exceptions import ValidationError

    from sten_i_skoen.services import case_action_create

    stranger = make_user("stranger")
    with pytest.raises(ValidationError) as info:
        case_action_create(
            case=case,
            row="G",
            what="x",
            responsible=stranger,
            due=timezone.localdate(),
            created_by=amr_a,
        )
    assert "responsible" in info.value.message_dict


def test_it_refuses_a_missing_or_overlong_what(case, login, amr_a, leader_a):
    response = action_post(login(amr_a), case, responsible=leader_a.pk, what="x" * 201)
    assert response.status_code == 400
    response = action_post(login(amr_a), case, responsible=leader_a.pk, what="")
    assert response.status_code == 400
    assert not CaseAction.objects.exists()


def test_it_uses_tertiary_prevention_after_a_sick_leave(case, login, amr_a, leader_a):
    case.occasion = case.Occasion.SICK_LEAVE
    case.save()
    action_post(login(amr_a), case, responsible=leader_a.pk)
    assert CaseAction.objects.get().measure.prevention == Prevention.TERTIARY


def test_the_matrix_lists_the_action_with_a_link_to_the_tiltag(case, login, amr_a, leader_a):
    client = login(amr_a)
    action_post(client, case, responsible=leader_a.pk)
    body = client.get(case.get_absolute_url()).content.decode()
    assert "Ugentligt prioriteringsmøde" in body
    assert "Tiltag i handlingsplanen" in body
