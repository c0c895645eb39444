"""The demo fills every panel, for the people who open the dashboard in the demo."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from amg_portal.organisation.models import User
from handlingsplan.models import Cycle, StatusMeeting
from kortlaegning.models import Round
from sten_i_skoen.models import Escalation


def _seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def _page(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get("/overblik/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_makes_every_panel_show_something_for_the_leader(db):
    _seed()
    html = _page("leder")
    for text in (
        "Kortlægning 2026",  # open round
        "Kortlægning efterår 2025",  # heat map and trend
        "Primær forebyggelse",  # pyramid
        "dage over tid",  # overdue follow-up
        "Fra Forskningsgruppen for Økologi",  # escalation received (unit name only)
        "2 åbne sager",
        "Dagsorden",  # next meeting with agenda
    ):
        assert text in html, text
    assert "Institut for Biologi" in html
    assert "Ingen statusmøde er planlagt" not in html


def test_it_shows_the_employee_the_published_results(db):
    _seed()
    html = _page("medarbejder")
    assert "Kortlægning efterår 2025" in html
    assert "åben sag" not in html


def test_it_flags_old_and_missing_apvs_for_the_dean(db):
    _seed()
    html = _page("dekan")
    assert "ældre end tre år" in html
    assert "ingen APV" in html


def test_it_seeds_the_dashboard_demo_idempotently(db):
    _seed()
    before = (
        StatusMeeting.objects.count(),
        Escalation.objects.count(),
        Cycle.objects.count(),
        list(Round.objects.values_list("pk", "results_published").order_by("pk")),
    )
    _seed()
    after = (
        StatusMeeting.objects.count(),
        Escalation.objects.count(),
        Cycle.objects.count(),
        list(Round.objects.values_list("pk", "results_published").order_by("pk")),
    )
    assert before == after
