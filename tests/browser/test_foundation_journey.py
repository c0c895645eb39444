"""First journey, in Debian's Chromium: a demo leader logs in, sees their unit and its sub-units,
switches to English, and logs out. Screenshots go to test-results/screenshots/."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SIZES, log_in, switch_to_english


@pytest.mark.parametrize("size", SIZES)
def test_a_demo_leader_logs_in_sees_their_units_switches_language_and_logs_out(
    page: Page, live_server, demo_organisation, shots, size
):
    page.set_viewport_size(SIZES[size])
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/konto/log-ind/?next=/")
    log_in(page, live_server.url, "leder", start=None)
    expect(page.get_by_role("heading", name="Velkommen, Lars")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Institut for Biologi").first).to_be_visible()
    expect(main.get_by_role("link", name="Forskningsgruppen for Økologi")).to_be_visible()
    expect(main.get_by_role("link", name="Forskningsgruppen for Cellebiologi")).to_be_visible()
    expect(main.get_by_text("Institut for Fysik, Kemi og Farmaci")).to_have_count(0)
    page.screenshot(path=shots / f"home-da-{size}.png", full_page=True)

    main.get_by_role("link", name="Institut for Biologi").first.click()
    expect(page.get_by_role("heading", name="Institut for Biologi", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Underenheder")).to_be_visible()
    page.screenshot(path=shots / f"unit-da-{size}.png", full_page=True)

    switch_to_english(page, phone=size == "phone")
    expect(page.get_by_role("heading", name="Sub-units")).to_be_visible(timeout=15_000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Home").click() if size == "desktop" else page.goto(
        f"{live_server.url}/"
    )
    expect(page.get_by_role("heading", name="Welcome, Lars")).to_be_visible()
    page.screenshot(path=shots / f"home-en-{size}.png", full_page=True)

    if size == "phone":
        page.get_by_role("button", name="Show menu").click()
        expect(page.locator("#main-nav.show")).to_be_visible()
        page.wait_for_timeout(400)  # the menu slides open
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    with page.expect_navigation():
        log_out.click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible(timeout=15_000)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/konto/log-ind/?next=/")
    assert external == []


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(
    page: Page, live_server, demo_organisation
):
    log_in(page, live_server.url, "medarbejder")
    expect(page.get_by_role("heading", name="Velkommen, Mette")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Gå til hovedindhold")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/#main")
    expect(page.get_by_role("main")).to_be_focused()
