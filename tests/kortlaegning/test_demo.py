import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from kortlaegning.models import AnswerCode, Response, Round, RoundEvent


def seed_json() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def state() -> tuple:
    return (
        Round.objects.count(),
        Response.objects.count(),
        AnswerCode.objects.count(),
        RoundEvent.objects.count(),
        list(Round.objects.order_by("pk").values_list("status", "open_link_hash")),
    )


def test_it_seeds_rounds_with_results_and_an_open_round(db):
    data = seed_json()
    closed = Round.objects.filter(status="closed").order_by("opens_on")
    assert closed.count() == 2
    from amg_portal.organisation.models import User
    from kortlaegning import results as kortlaegning_results

    found = kortlaegning_results.round_results(
        closed.last(), user=User.objects.get(username="leder")
    )
    assert found.top("employees").respondents >= 10
    assert found.previous is not None
    assert found.texts
    survey = data["survey"]
    assert survey["open_link"] and len(survey["codes"]) == 5


def test_it_is_idempotent(db):
    first_json = seed_json()
    first = state()
    assert seed_json()["survey"] == first_json["survey"]
    assert state() == first


def test_it_prints_links_that_work(db):
    survey = seed_json()["survey"]
    client = Client()
    path = survey["open_link"].split("8000", 1)[1]
    response = client.get(path)
    assert response.status_code == 302
    code_path = survey["code_links"][0].split("8000", 1)[1]
    assert client.get(code_path).status_code == 302
