"""The pages' happy paths, their error handling, confidentiality and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from amg_portal.organisation.models import Role
from handlingsplan import selectors, services
from handlingsplan.models import Cycle, Measure
from kortlaegning.models import Question, Round
from tests.conftest import give_role, make_user


@pytest.fixture
def staff_a(unit_a):
    return give_role(make_user("staff_a"), unit_a, Role.EMPLOYEE)


@pytest.fixture
def note(cycle, amr_a):
    return services.conversation_note_add(
        cycle=cycle, author=amr_a, held_on=dt.date(2026, 2, 1), summary="FORTROLIG-SAMTALENOTE"
    )


def _round(unit, user, **extra) -> Round:
    return Round.objects.create(
        unit=unit,
        title=f"Kortlægning {unit.name}",
        opens_on=dt.date(2026, 1, 10),
        closes_on=dt.date(2026, 1, 31),
        created_by=user,
        **extra,
    )


def test_it_creates_a_cycle(login, leader_a, unit_a):
    response = login(leader_a).post(
        reverse("handlingsplan:cycle_create", args=[unit_a.pk]),
        {"title": "A 2026–2027", "period_start": "2026-01-01", "period_end": "2027-12-31"},
    )
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("handlingsplan:cycle_detail", args=[unit_a.pk, cycle.pk])


def test_it_keeps_the_input_when_the_period_is_wrong(login, leader_a, unit_a):
    response = login(leader_a).post(
        reverse("handlingsplan:cycle_create", args=[unit_a.pk]),
        {"title": "Min titel", "period_start": "2026-01-01", "period_end": "2025-12-31"},
    )
    assert response.status_code == 200
    assert "Min titel" in response.content.decode()
    assert response.context["form"].errors["period_end"]
    assert not Cycle.objects.exists()


def test_it_creates_a_measure_from_a_mapping_result(login, leader_a, amr_a, cycle):
    round_ = _round(cycle.unit, leader_a)
    question = Question.objects.filter(level="G").first()
    url = reverse("handlingsplan:measure_create", args=[cycle.unit.pk])
    url += f"?round={round_.pk}&question={question.pk}"
    client = login(leader_a)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["level"] == "G"
    response = client.post(
        url,
        {
            "title": "Trivsel på gruppemøder",
            "responsible": amr_a.pk,
            "roles": ["amr"],
            "prevention": "primary",
            "level": "G",
            "priority": "1",
            "status": "trial",
            "start": "2026-02-01",
            "deadline": "2026-05-01",
            "follow_ups": "2026-03-01, 2026-04-01",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    measure = Measure.objects.get(title="Trivsel på gruppemøder")
    assert (measure.source_round, measure.source_question) == (round_, question)
    assert measure.source_kind == Measure.Source.ROUND_QUESTION
    assert measure.cycle == cycle
    assert measure.follow_ups.count() == 2


def test_it_ignores_a_round_of_another_unit_with_a_message(
    login, leader_a, leader_b, unit_a, unit_b
):
    foreign = _round(unit_b, leader_b)
    url = (
        reverse("handlingsplan:measure_create", args=[unit_a.pk])
        + f"?round={foreign.pk}&question=x"
    )
    response = login(leader_a).get(url)
    assert response.status_code == 200
    assert response.context["source"] == {}
    assert any("ignoreret" in str(m) for m in response.context["messages"])


def test_it_shows_service_errors_on_the_form(login, leader_a, leader_b, unit_a):
    response = login(leader_a).post(
        reverse("handlingsplan:measure_create", args=[unit_a.pk]),
        {
            "title": "Mit tiltag",
            "responsible": leader_b.pk,
            "prevention": "primary",
            "level": "G",
            "priority": "1",
            "status": "planned",
            "start": "2026-05-01",
            "deadline": "2026-04-01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "deadline" in errors
    assert "responsible" in errors  # leader_b is not among the choices of unit A
    assert "Mit tiltag" in response.content.decode()


def test_it_shows_both_texts_on_a_concurrent_edit(login, leader_a, amr_a, measure):
    url = reverse("handlingsplan:measure_edit", args=[measure.unit_id, measure.pk])
    services.measure_update(measure=measure, user=amr_a, version=1, goal="AMR's mål")
    data = {
        "version": "1",
        "title": measure.title,
        "goal": "Lederens mål",
        "prevention": "primary",
        "level": "G",
        "priority": "1",
        "status": "planned",
    }
    response = login(leader_a).post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "AMR&#x27;s mål" in body or "AMR's mål" in body
    assert "Lederens mål" in body
    assert response.context["conflict"] is not None
    measure.refresh_from_db()
    assert measure.goal == "AMR's mål"
    # Saving again with the new version goes through.
    data["version"] = str(measure.version)
    assert login(leader_a).post(url, data).status_code == 302


def test_it_hides_conversation_notes_from_employees(login, staff_a, leader_a, cycle, note):
    url = reverse("handlingsplan:cycle_detail", args=[cycle.unit_id, cycle.pk])
    assert "FORTROLIG-SAMTALENOTE" in login(leader_a).get(url).content.decode()
    response = login(staff_a).get(url)
    assert "FORTROLIG-SAMTALENOTE" not in response.content.decode()
    assert response.context["o"].notes == []


def test_it_leaves_notes_and_case_references_out_of_the_written_apv(
    login, leader_a, cycle, note, risk_factor
):
    risk_factor.case_reference = "SAG-42"
    risk_factor.save()
    response = login(leader_a).get(
        reverse("handlingsplan:apv_read", args=[cycle.unit_id, cycle.pk])
    )
    body = response.content.decode()
    assert "FORTROLIG-SAMTALENOTE" not in body
    assert "SAG-42" not in body
    assert risk_factor.title in body


def test_it_records_an_evaluation_at_a_meeting(login, amg_a, leader_a, measure):
    client = login(amg_a)
    response = client.post(
        reverse("handlingsplan:meeting_create", args=[measure.unit_id]),
        {"held_on": "2026-03-02", "participants": [amg_a.pk, leader_a.pk]},
    )
    assert response.status_code == 302
    meeting = measure.unit.status_meetings.get()
    assert list(meeting.agenda.all()) == [measure]
    prefix = f"m{measure.pk}"
    response = client.post(
        reverse("handlingsplan:evaluation_record", args=[measure.unit_id, meeting.pk, measure.pk]),
        {
            f"{prefix}-observation": "Møderne holdes",
            f"{prefix}-effect": "partly",
            f"{prefix}-decision": "adjust",
            f"{prefix}-conclusion": "Kortere møder",
        },
    )
    assert response.status_code == 302
    evaluation = meeting.evaluations.get()
    assert (evaluation.effect, evaluation.decision, evaluation.recorded_by) == (
        "partly",
        "adjust",
        amg_a,
    )
    page = client.get(reverse("handlingsplan:measure_detail", args=[measure.unit_id, measure.pk]))
    assert "Kortere møder" in page.content.decode()


def test_it_keeps_an_invalid_evaluation_on_the_page(login, amg_a, measure):
    meeting = services.meeting_create(
        unit=measure.unit, held_on=dt.date(2026, 3, 2), participants=[amg_a], created_by=amg_a
    )
    prefix = f"m{measure.pk}"
    response = login(amg_a).post(
        reverse("handlingsplan:evaluation_record", args=[measure.unit_id, meeting.pk, measure.pk]),
        {f"{prefix}-observation": "Kun observation", f"{prefix}-effect": "nonsense"},
    )
    assert response.status_code == 400
    assert "Kun observation" in response.content.decode()


def test_it_shows_the_history_on_the_measure_page(login, leader_a, amr_a, measure):
    services.measure_update(measure=measure, user=amr_a, version=1, title="Omdøbt tiltag")
    body = (
        login(leader_a)
        .get(reverse("handlingsplan:measure_detail", args=[measure.unit_id, measure.pk]))
        .content.decode()
    )
    assert "Fælles prioriteringsmøde" in body and "Omdøbt tiltag" in body


def test_it_rejects_a_milestone_after_the_deadline_with_a_message(login, leader_a, measure):
    response = login(leader_a).post(
        reverse("handlingsplan:milestone_add", args=[measure.unit_id, measure.pk]),
        {"milestone-title": "For sent", "milestone-due_on": "2026-12-01"},
    )
    assert response.status_code == 400
    assert "For sent" in response.content.decode()
    assert not measure.milestones.exists()


def _many_measures(unit, user, n=12):
    for i in range(n):
        m = services.measure_create(
            unit=unit,
            created_by=user,
            title=f"Tiltag {i}",
            responsible=user,
            start=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 1),
            follow_ups=[dt.date(2026, 6, 1)],
        )
        services.milestone_add(measure=m, title="Delmål", due_on=dt.date(2026, 3, 1), user=user)


@pytest.mark.parametrize("page", ["measure_list", "measure_board"])
def test_it_lists_the_plan_in_a_fixed_number_of_queries(
    login, leader_a, cycle, django_assert_max_num_queries, page
):
    _many_measures(cycle.unit, leader_a)
    client = login(leader_a)
    url = reverse(f"handlingsplan:{page}", args=[cycle.unit_id])
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url + "?sort=deadline")
    assert response.status_code == 200


def test_it_shows_the_cycle_in_a_fixed_number_of_queries(
    login, leader_a, cycle, risk_factor, django_assert_max_num_queries
):
    _many_measures(cycle.unit, leader_a)
    client = login(leader_a)
    url = reverse("handlingsplan:cycle_detail", args=[cycle.unit_id, cycle.pk])
    with django_assert_max_num_queries(19):
        assert client.get(url).status_code == 200


def test_it_shows_the_written_apv_in_a_fixed_number_of_queries(
    login, leader_a, cycle, risk_factor, django_assert_max_num_queries
):
    _many_measures(cycle.unit, leader_a)
    client = login(leader_a)
    url = reverse("handlingsplan:apv_read", args=[cycle.unit_id, cycle.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_it_lets_employees_of_a_subunit_read_the_apv_without_confidential_parts(
    login, employee_a, cycle, note, measure
):
    client = login(employee_a)  # employee of group A1, below institute A
    for name, args in (
        ("cycle_detail", [cycle.unit_id, cycle.pk]),
        ("apv_read", [cycle.unit_id, cycle.pk]),
        ("measure_list", [cycle.unit_id]),
        ("measure_board", [cycle.unit_id]),
        ("measure_detail", [cycle.unit_id, measure.pk]),
    ):
        response = client.get(reverse(f"handlingsplan:{name}", args=args))
        assert response.status_code == 200, name
        assert "FORTROLIG-SAMTALENOTE" not in response.content.decode()
    assert cycle in list(client.get(reverse("handlingsplan:index")).context["cycles"])
    edit = reverse("handlingsplan:measure_edit", args=[cycle.unit_id, measure.pk])
    assert client.get(edit).status_code == 404  # no role on A itself: A's planning is not theirs


def test_it_still_hides_the_apv_from_outsiders(login, leader_b, cycle):
    response = login(leader_b).get(
        reverse("handlingsplan:apv_read", args=[cycle.unit_id, cycle.pk])
    )
    assert response.status_code == 404


def test_every_list_of_tiltag_shows_milestones_and_follow_ups_in_date_order_read_at_once(
    login, leader_a, measure, cycle, django_assert_num_queries
):
    """The measure list, the board, the cycle page and the written APV read every tiltag's
    milestones and follow-ups together in one statement, each tiltag its own, in date order."""
    other = services.measure_create(
        unit=measure.unit, created_by=leader_a, title="Tiltag uden datoer", cycle=cycle
    )
    Measure.objects.filter(pk=measure.pk).update(cycle=cycle)
    services.milestone_add(
        measure=measure, title="Andet delmål", due_on=dt.date(2026, 5, 1), user=leader_a
    )
    services.milestone_add(
        measure=measure, title="Første delmål", due_on=dt.date(2026, 4, 1), user=leader_a
    )
    services.follow_up_add(measure=measure, due_on=dt.date(2026, 2, 15), user=leader_a)

    rows = selectors.with_dates(Measure.objects.filter(cycle=cycle).order_by("pk"))
    with django_assert_num_queries(0):  # already read, and so is the way back to the tiltag
        by_title = {m.title: m for m in rows}
        mine = by_title[measure.title]
        assert [m.title for m in mine.milestones.all()] == ["Første delmål", "Andet delmål"]
        assert [f.due_on for f in mine.follow_ups.all()] == [
            dt.date(2026, 2, 15),
            dt.date(2026, 3, 1),
        ]
        assert all(m.measure is mine for m in mine.milestones.all())
        assert list(by_title[other.title].milestones.all()) == []
        assert list(by_title[other.title].follow_ups.all()) == []

    client = login(leader_a)
    unit = measure.unit_id
    for url in (
        reverse("handlingsplan:measure_list", args=[unit]),
        reverse("handlingsplan:measure_board", args=[unit]),
        reverse("handlingsplan:cycle_detail", args=[unit, cycle.pk]),
        reverse("handlingsplan:apv_read", args=[unit, cycle.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
    text = page.content.decode()  # the written APV lists them in its plan
    assert text.index("Første delmål") < text.index("Andet delmål")


def test_part_three_lists_just_the_risk_factors_linked_to_absence(login, leader_a, cycle):
    """APV part 3 names the risk factors whose assessment links them to sickness absence,
    separated by semicolons, with nothing after the last one — or a dash when there are none."""
    url = reverse("handlingsplan:apv_read", args=[cycle.unit_id, cycle.pk])
    client = login(leader_a)

    def part_three() -> str:
        return " ".join(client.get(url).content.decode().split())

    assert "Risikofaktorer med sammenhæng med sygefravær: –</p>" in part_three()
    for title, absence in (("Tidspres", True), ("Uklare roller", False), ("Konflikter", True)):
        risk = services.risk_factor_create(cycle=cycle, created_by=leader_a, title=title, level="G")
        services.assessment_save(
            risk_factor=risk, user=leader_a, version=None, severity="high",
            frequency="often", balance="insufficient", absence_linked=absence,
        )  # fmt: skip
    assert "Risikofaktorer med sammenhæng med sygefravær: Tidspres; Konflikter</p>" in part_three()


def test_a_text_longer_than_a_field_takes_is_refused_with_a_message_and_kept(
    login, leader_a, cycle
):
    """Pages of text in one field (a paste gone wrong) are refused with the limit in Danish; what
    was typed stays in the form, nothing is stored, and the APV stays quick to render."""
    long_goal = "Færre deadlines. " * 300  # 5,100 characters
    response = login(leader_a).post(
        reverse("handlingsplan:measure_create", args=[cycle.unit.pk]),
        {"title": "For lang", "goal": long_goal, "prevention": "primary", "level": "G",
         "priority": "1", "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 200
    text = response.content.decode()
    assert "Denne værdi må højst have 5000 tegn (den har 5099)." in text
    assert "Færre deadlines." in text
    assert not Measure.objects.filter(title="For lang").exists()
