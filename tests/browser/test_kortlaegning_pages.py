"""In Debian's Chromium: the round form, the dialogue form and the respondent's start and refusal
pages render on desktop and phone (screenshots for review), in Danish and English."""

import pytest
from playwright.sync_api import Page, expect

from kortlaegning import services
from kortlaegning.models import Round
from tests.browser.helpers import SIZES, log_in


@pytest.mark.parametrize("size", SIZES)
def test_it_renders_the_forms_and_the_respondent_pages(
    page: Page, live_server, demo_mapping, shots, size
):
    page.set_viewport_size(SIZES[size])
    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kortlaegning/ny/")
    expect(page.get_by_role("heading", name="Ny kortlægningsrunde")).to_be_visible()
    page.screenshot(path=shots / f"round-form-da-{size}.png", full_page=True)

    closed = Round.objects.get(title="Kortlægning forår 2025")
    # A dialogue round of an institute with no open round, opened by its leader.
    leader2 = demo_mapping.users["leder2"]
    dialogue = services.round_create(
        unit=demo_mapping.units["Institut for Fysik, Kemi og Farmaci"], created_by=leader2,
        title="Dialogmøde", mode="dialogue", opens_on=closed.opens_on,
        closes_on=closed.closes_on.replace(year=2100), threshold=1,
    )  # fmt: skip
    services.round_open(round=dialogue, opened_by=leader2)
    page.context.clear_cookies()
    log_in(page, live_server.url, "leder2")
    page.goto(f"{live_server.url}/kortlaegning/runder/{dialogue.pk}/dialog/")
    expect(page.get_by_role("heading", name="Registrér en dialog")).to_be_visible()
    page.screenshot(path=shots / f"dialogue-da-{size}.png", full_page=True)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "amg_language", "value": "en", "url": live_server.url}])
    open_round = Round.objects.get(status="open", title="Kortlægning 2026")
    page.goto(f"{live_server.url}/kortlaegning/svar/{open_round.pk}/")
    expect(page.get_by_role("heading", name="Answer the mapping")).to_be_visible()
    page.get_by_label("Your answer code").fill("ABCD-EFGH")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("We do not know this code")).to_be_visible()
    page.screenshot(path=shots / f"entry-en-{size}.png", full_page=True)
    page.goto(f"{live_server.url}/kortlaegning/svar/{closed.pk}/k/0000000000000000000000000000/")
    expect(page.get_by_role("heading", name="We do not know this code or link")).to_be_visible()
    page.screenshot(path=shots / f"refused-en-{size}.png", full_page=True)
