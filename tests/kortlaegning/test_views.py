"""Every page: happy path, anonymous → login, wrong method → 405, outsider → 404, no right → 403."""

import pytest
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.models import Role, Unit
from kortlaegning import services
from kortlaegning.models import Round
from tests.conftest import give_role, make_user
from tests.kortlaegning.helpers import add_responses, close

# (url name, methods allowed, action's member without the right: fixture name or None)
PAGES = [
    ("round_detail", ["GET"], None),
    ("round_edit", ["GET", "POST"], "amr_a"),
    ("round_open", ["POST"], "amr_a"),
    ("round_close", ["POST"], "amr_a"),
    ("round_reopen", ["GET", "POST"], "amr_a"),
    ("round_publish", ["POST"], "amr_a"),
    ("collection", ["GET"], "amg_a"),
    ("codes_print", ["POST"], "amg_a"),
    ("invitations_send", ["POST"], "amg_a"),
    ("invitations_remind", ["POST"], "amg_a"),
    ("open_link_create", ["POST"], "amg_a"),
    ("dialogue_record", ["GET", "POST"], "amg_a"),
    ("answer_as_leader", ["POST"], "amr_a"),
    ("round_results", ["GET"], "employee_on_a"),
]


@pytest.fixture
def employee_on_a(unit_a):
    return give_role(make_user("employee_on_a"), unit_a, Role.EMPLOYEE)


def _url(name, round):
    return reverse(f"kortlaegning:{name}", args=[round.pk])


@pytest.fixture
def round_b(unit_b, leader_b, today):
    return services.round_create(
        unit=unit_b, created_by=leader_b, title="B's runde", opens_on=today, closes_on=today
    )


@pytest.mark.parametrize(("name", "methods", "_member"), PAGES)
def test_it_sends_anonymous_users_to_the_login_page(client, draft_round, name, methods, _member):
    response = getattr(client, methods[0].lower())(_url(name, draft_round))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "methods", "_member"), PAGES)
def test_it_answers_405_to_a_wrong_method(login, leader_a, draft_round, name, methods, _member):
    wrong = "post" if "POST" not in methods else "put"
    assert getattr(login(leader_a), wrong)(_url(name, draft_round)).status_code == 405


@pytest.mark.parametrize(("name", "methods", "_member"), PAGES)
def test_it_hides_b_rounds_from_the_amr_of_a(login, amr_a, round_b, name, methods, _member):
    client = login(amr_a)
    response = getattr(client, methods[0].lower())(_url(name, round_b))
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_hides_b_exports_from_the_amr_of_a(login, amr_a, round_b, leader_b, fmt):
    round_b = services.round_open(round=round_b, opened_by=leader_b)
    close(round_b, leader_b)
    url = reverse("kortlaegning:results_export", args=[round_b.pk, fmt])
    assert login(amr_a).get(url).status_code == 404


@pytest.mark.parametrize(("name", "methods", "member"), [p for p in PAGES if p[2]])
def test_it_forbids_members_without_the_right(request, login, draft_round, name, methods, member):
    user = request.getfixturevalue(member)
    response = getattr(login(user), methods[0].lower())(_url(name, draft_round))
    assert response.status_code == 403


def test_it_lists_the_rounds_the_user_can_see(login, amr_a, draft_round, round_b):
    response = login(amr_a).get(reverse("kortlaegning:index"))
    assert response.status_code == 200
    assert draft_round.title in response.text
    assert round_b.title not in response.text


def test_it_creates_a_round(login, leader_a, unit_a, today):
    data = {
        "unit": unit_a.pk, "title": "Forår", "mode": "written", "collection": "codes",
        "employee_levels": ["I", "G"], "leader_levels": ["L", "O"],
        "opens_on": today.isoformat(), "closes_on": today.isoformat(), "threshold": 5,
    }  # fmt: skip
    response = login(leader_a).post(reverse("kortlaegning:round_create"), data)
    round = Round.objects.get(title="Forår")
    assert response.status_code == 302
    assert response["Location"] == _url("round_detail", round)


def test_it_keeps_the_input_on_a_bad_round_form(login, leader_a, unit_a, today):
    data = {
        "unit": unit_a.pk, "title": "Mit forsøg", "mode": "written", "collection": "codes",
        "opens_on": today.isoformat(), "closes_on": "2000-01-01", "threshold": 2,
    }  # fmt: skip
    response = login(leader_a).post(reverse("kortlaegning:round_create"), data)
    assert response.status_code == 200
    assert "Mit forsøg" in response.text
    assert not Round.objects.exists()


def test_it_refuses_round_creation_on_a_foreign_unit(login, leader_a, unit_b, today):
    data = {
        "unit": unit_b.pk, "title": "Snyd", "mode": "written", "collection": "codes",
        "employee_levels": ["I"], "opens_on": today.isoformat(),
        "closes_on": today.isoformat(), "threshold": 5,
    }  # fmt: skip
    response = login(leader_a).post(reverse("kortlaegning:round_create"), data)
    assert response.status_code == 200  # not a choice: the form says so
    assert not Round.objects.exists()


def test_it_runs_the_lifecycle_through_the_pages(login, leader_a, draft_round):
    client = login(leader_a)
    client.post(_url("round_open", draft_round))
    draft_round.refresh_from_db()
    assert draft_round.is_open
    client.post(_url("round_close", draft_round))
    draft_round.refresh_from_db()
    assert draft_round.is_closed
    response = client.post(_url("round_reopen", draft_round), {"reason": ""})
    assert response.status_code == 200
    client.post(_url("round_reopen", draft_round), {"reason": "For få svar"})
    draft_round.refresh_from_db()
    assert draft_round.is_open


def test_it_shows_a_round_page_in_few_queries(
    login, amr_a, open_round, django_assert_max_num_queries
):
    client = login(amr_a)
    with django_assert_max_num_queries(11):  # incl. session, user and navigation
        assert client.get(_url("round_detail", open_round)).status_code == 200


def test_it_prints_a_code_sheet_with_qr_codes(login, amr_a, open_round):
    response = login(amr_a).post(
        _url("codes_print", open_round), {"unit": open_round.unit_id, "count": 3}
    )
    assert response.status_code == 200
    assert response.text.count('class="code-card"') == 3
    assert response.text.count("<svg") >= 3
    assert "no-store" in response["Cache-Control"]


def test_it_shows_results_with_few_queries(
    login, leader_a, open_round, group_a1, django_assert_max_num_queries
):
    add_responses(open_round, group_a1, 6, "yes")
    add_responses(open_round, open_round.unit, 6, "no")
    close(open_round, leader_a)
    client = login(leader_a)
    with django_assert_max_num_queries(15):  # incl. session, user and navigation
        response = client.get(_url("round_results", open_round))
    assert response.status_code == 200
    assert "Gruppe A1" in response.text
    assert "<svg" in response.text


def test_it_shows_published_results_to_employees(login, leader_a, employee_a, open_round):
    add_responses(open_round, open_round.unit, 5)
    closed = close(open_round, leader_a)
    url = _url("round_results", closed)
    assert login(employee_a).get(url).status_code == 404  # A1 is below A: an outsider to A
    services.round_publish_results(round=closed, published_by=leader_a)
    assert login(employee_a).get(url).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_results(login, amr_a, leader_a, open_round, fmt):
    add_responses(open_round, open_round.unit, 5)
    close(open_round, leader_a)
    url = reverse("kortlaegning:results_export", args=[open_round.pk, fmt])
    response = login(amr_a).get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_it_exports_only_the_groups_the_page_shows(login, leader_a, open_round, group_a1):
    add_responses(open_round, open_round.unit, 7)
    add_responses(open_round, group_a1, 3)  # too small: folded into Institut A, never named
    close(open_round, leader_a)
    url = reverse("kortlaegning:results_export", args=[open_round.pk, "csv"])
    text = login(leader_a).get(url).content.decode("utf-8-sig")
    assert "Institut A" in text
    assert "Gruppe A1" not in text
    assert ";10;" in text  # Institut A's figures include A1's 3 responses


def test_it_refuses_a_code_of_another_round_on_the_page(client, open_round, round_b, leader_b):
    round_b = services.round_open(round=round_b, opened_by=leader_b)
    [code] = services.codes_generate(round=round_b, unit=round_b.unit, count=1)
    response = client.get(reverse("kortlaegning:answer_code", args=[open_round.pk, code]))
    assert response.status_code == 302 and response["Location"].endswith("/afvist/unknown/")
    assert client.get(response["Location"]).status_code == 404
    response = client.post(
        reverse("kortlaegning:answer_entry", args=[open_round.pk]), {"code": code}
    )
    assert response.status_code == 200 and "Vi kender ikke denne kode" in response.text


def test_it_lists_many_rounds_in_a_constant_number_of_queries(
    login, leader_a, unit_a, group_a1, today, django_assert_max_num_queries
):
    for i in range(12):
        services.round_create(
            unit=group_a1 if i % 2 else unit_a, created_by=leader_a, title=f"R{i}",
            opens_on=today, closes_on=today,
        )  # fmt: skip
    client = login(leader_a)
    with django_assert_max_num_queries(9):  # incl. the rounds to answer as a leader
        response = client.get(reverse("kortlaegning:index"))
    assert response.text.count("/kortlaegning/runder/") >= 12


def test_it_compares_with_the_previous_round_in_few_queries(
    login, leader_a, unit_a, today, django_assert_max_num_queries
):
    import datetime

    rounds = []
    for months in (12, 0):
        start = today - datetime.timedelta(days=30 * months)
        round = services.round_create(
            unit=unit_a, created_by=leader_a, title=f"R{months}", opens_on=start, closes_on=today
        )
        round = services.round_open(round=round, opened_by=leader_a)
        add_responses(round, unit_a, 6, "no" if months else "yes")
        rounds.append(close(round, leader_a))
    client = login(leader_a)
    with django_assert_max_num_queries(19):
        response = client.get(_url("round_results", rounds[1]))
    assert "+100" in response.text  # every question went from all "no" to all "yes"


def test_it_exports_a_readable_workbook(login, leader_a, open_round):
    import io

    from openpyxl import load_workbook

    add_responses(open_round, open_round.unit, 5, "partly")
    close(open_round, leader_a)
    url = reverse("kortlaegning:results_export", args=[open_round.pk, "xlsx"])
    sheet = load_workbook(io.BytesIO(login(leader_a).get(url).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("group", "unit", "respondents")
    assert len(rows) == 1 + 18  # the employees' 18 questions for Institut A
    assert all(row[8] == 5 and row[11] == 50 for row in rows[1:])


def test_it_answers_404_to_an_unknown_export_format(login, leader_a, open_round):
    url = reverse("kortlaegning:results_export", args=[open_round.pk, "pdf"])
    assert login(leader_a).get(url).status_code == 404


def test_it_lets_the_coordinator_create_rounds_and_read_results(login, coordinator, unit_a, today):
    client = login(coordinator)
    data = {
        "unit": unit_a.pk, "title": "Koordineret", "mode": "written", "collection": "codes",
        "employee_levels": ["I", "G"], "leader_levels": ["L", "O"],
        "opens_on": today.isoformat(), "closes_on": today.isoformat(), "threshold": 5,
    }  # fmt: skip
    assert client.post(reverse("kortlaegning:round_create"), data).status_code == 302
    round = Round.objects.get(title="Koordineret")
    client.post(_url("round_open", round))
    add_responses(Round.objects.get(pk=round.pk), unit_a, 5)
    client.post(_url("round_close", round))
    assert client.get(_url("round_results", round)).status_code == 200


def test_it_keeps_a_bad_address_list_and_sends_nothing(login, amr_a, open_round, mailoutbox):
    Round.objects.filter(pk=open_round.pk).update(collection="invitations")
    data = {"unit": open_round.unit_id, "emails": "a@example.org\nikke-en-adresse"}
    response = login(amr_a).post(_url("invitations_send", open_round), data)
    assert response.status_code == 200
    assert "ikke-en-adresse" in response.text
    assert mailoutbox == []


def test_it_sends_invitations_and_reminders_from_the_page(login, amr_a, open_round, mailoutbox):
    Round.objects.filter(pk=open_round.pk).update(collection="invitations")
    client = login(amr_a)
    data = {"unit": open_round.unit_id, "emails": "a@example.org, b@example.org"}
    assert client.post(_url("invitations_send", open_round), data).status_code == 302
    assert len(mailoutbox) == 2
    link = mailoutbox[0].body.split("http://testserver", 1)[1].split()[0]
    assert link.startswith(f"/kortlaegning/svar/{open_round.pk}/i/")
    assert client.post(_url("invitations_remind", open_round)).status_code == 302
    assert len(mailoutbox) == 4


def test_it_lists_published_rounds_to_employees_of_sub_units(
    login, leader_a, employee_a, open_round
):
    add_responses(open_round, open_round.unit, 5)
    closed = close(open_round, leader_a)
    client = login(employee_a)
    assert closed.title not in client.get(reverse("kortlaegning:index")).text
    services.round_publish_results(round=closed, published_by=leader_a)
    page = client.get(reverse("kortlaegning:index")).text
    assert _url("round_results", closed) in page
    assert client.get(_url("round_detail", closed)).status_code == 404


def test_it_writes_exports_to_the_audit_log(login, amr_a, leader_a, open_round):
    from amg_portal.organisation.models import AuditEntry

    add_responses(open_round, open_round.unit, 5)
    close(open_round, leader_a)
    login(amr_a).get(reverse("kortlaegning:results_export", args=[open_round.pk, "csv"]))
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.RESULTS_READ)
    assert (entry.actor, entry.unit) == (amr_a, open_round.unit)


def test_the_round_form_offers_no_archived_unit(login, leader_a, unit_a, group_a1):
    Unit.objects.filter(pk=group_a1.pk).update(archived_at=timezone.now())
    form = login(leader_a).get(reverse("kortlaegning:round_create")).context["form"]
    offered = set(form.fields["unit"].queryset.values_list("pk", flat=True))
    assert unit_a.pk in offered
    assert group_a1.pk not in offered
