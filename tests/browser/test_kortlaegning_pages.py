"""In Debian's Chromium: the round form, the dialogue form and the respondent's start and refusal
pages render on desktop and phone (screenshots for review), in Danish and English."""

import pytest
from playwright.sync_api import Page, expect

from kortlaegning import services
from kortlaegning.models import Round
from tests.browser.test_kortlaegning_results import SHOTS, SIZES, demo, log_in  # noqa: F401


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_it_renders_the_forms_and_the_respondent_pages(page: Page, live_server, demo, size):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kortlaegning/ny/")
    expect(page.get_by_role("heading", name="Ny kortlægningsrunde")).to_be_visible()
    page.screenshot(path=SHOTS / f"round-form-da-{size}.png", full_page=True)

    closed = Round.objects.get(title="Kortlægning forår 2025")
    dialogue = services.round_create(
        unit=closed.unit, created_by=demo.users["leder"], title="Dialogmøde", mode="dialogue",
        opens_on=closed.opens_on, closes_on=closed.closes_on.replace(year=2100), threshold=1,
    )  # fmt: skip
    services.round_freeze_questions(round=dialogue)
    Round.objects.filter(pk=dialogue.pk).update(
        status="open", unit=demo.units["Institut for Fysik, Kemi og Farmaci"]
    )
    page.context.clear_cookies()
    log_in(page, live_server.url, "leder2")
    page.goto(f"{live_server.url}/kortlaegning/runder/{dialogue.pk}/dialog/")
    expect(page.get_by_role("heading", name="Registrér en dialog")).to_be_visible()
    page.screenshot(path=SHOTS / f"dialogue-da-{size}.png", full_page=True)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "amg_language", "value": "en", "url": live_server.url}])
    open_round = Round.objects.get(status="open", title="Kortlægning 2026")
    page.goto(f"{live_server.url}/kortlaegning/svar/{open_round.pk}/")
    expect(page.get_by_role("heading", name="Answer the mapping")).to_be_visible()
    page.get_by_label("Your answer code").fill("ABCD-EFGH")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("We do not know this code")).to_be_visible()
    page.screenshot(path=SHOTS / f"entry-en-{size}.png", full_page=True)
    page.goto(f"{live_server.url}/kortlaegning/svar/{closed.pk}/k/0000000000000000000000000000/")
    expect(page.get_by_role("heading", name="We do not know this code or link")).to_be_visible()
    page.screenshot(path=SHOTS / f"refused-en-{size}.png", full_page=True)
