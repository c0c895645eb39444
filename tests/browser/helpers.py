"""Steps the browser journeys share."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def switch_to_english(page: Page, *, phone: bool) -> None:
    """Press "English" in the header; on a phone open the menu first and wait until it has
    stopped sliding, then wait for the page to come back in English."""
    if phone:
        page.locator(".navbar-toggler").click()
        expect(page.locator("#main-nav.show")).to_be_visible()
        page.wait_for_timeout(400)
    english = page.get_by_role("button", name="English")
    expect(english).to_be_visible()
    with page.expect_navigation():
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=15_000)
