"""In Debian's Chromium: a respondent scans a code, answers both levels and submits exactly once."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kortlaegning import services
from kortlaegning.models import LevelComment, Response
from tests.browser.helpers import SIZES


@pytest.fixture
def open_round(transactional_db, unit_a, leader_a):
    today = timezone.localdate()
    round = services.round_create(
        unit=unit_a,
        created_by=leader_a,
        title="Kortlægning 2026",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
    )
    return services.round_open(round=round, opened_by=leader_a)


def answer_level(page: Page, choices: list[str]) -> None:
    groups = page.locator("fieldset")
    for i in range(groups.count()):
        groups.nth(i).get_by_label(choices[i % len(choices)], exact=True).check()


@pytest.mark.parametrize("size", SIZES)
def test_it_answers_the_whole_form_with_a_code(page: Page, live_server, open_round, shots, size):
    page.set_viewport_size(SIZES[size])
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    [code] = services.codes_generate(round=open_round, unit=open_round.unit, count=1)
    page.goto(f"{live_server.url}/kortlaegning/svar/{open_round.pk}/k/{code}/")
    assert code not in page.url  # exchanged for a session, redirected to a token-less URL

    expect(page.get_by_role("heading", name="Trin 1 af 2: Individ")).to_be_visible()
    # Submitting with nothing chosen keeps the comment and says what is missing.
    page.get_by_label("Kommentar til dette niveau").fill("Travlt i eksamensperioden")
    page.get_by_role("button", name="Næste").click()
    expect(page.get_by_role("alert")).to_contain_text("Dine øvrige svar er bevaret")
    expect(page.get_by_label("Kommentar til dette niveau")).to_have_value(
        "Travlt i eksamensperioden"
    )
    # The first answer by keyboard: focus the radio and press space.
    page.locator("fieldset").first.get_by_label("Delvist", exact=True).focus()
    page.keyboard.press("Space")
    answer_level(page, ["Delvist", "Ja", "Nej", "Ved ikke"])
    page.screenshot(path=shots / f"answer-step1-da-{size}.png", full_page=True)
    page.get_by_role("button", name="Næste").click()

    expect(page.get_by_role("heading", name="Trin 2 af 2: Gruppe")).to_be_visible()
    answer_level(page, ["Ja", "Nej"])
    page.get_by_role("button", name="Indsend svar").click()
    expect(page.get_by_role("heading", name="Tak for dine svar")).to_be_visible()
    page.screenshot(path=shots / f"answer-done-da-{size}.png", full_page=True)

    page.go_back()  # the back button after submitting stores nothing more
    page.goto(f"{live_server.url}/kortlaegning/svar/{open_round.pk}/k/{code}/")
    expect(page.get_by_role("heading", name="allerede brugt")).to_be_visible()
    assert Response.objects.filter(round=open_round).count() == 1
    assert LevelComment.objects.get().text == "Travlt i eksamensperioden"
    assert not external
