"""Steps the browser journeys share (their fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from amg_portal.organisation.demo import DEMO_PASSWORD

# Every journey's screenshots, for review (test-results/ is not committed).
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LOGIN = "/konto/log-ind/"


def log_in(
    page: Page,
    base: str,
    username: str,
    *,
    password: str = DEMO_PASSWORD,
    start: str | None = LOGIN,
) -> None:
    """Log in with a password from ``start`` (a page that sends an anonymous visitor to the login
    form; ``None``: the login form is already showing) and wait until the login has landed, so no
    later ``goto`` races the form post."""
    if start is not None:
        page.goto(base + start)
    expect(page.locator("#id_username")).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: LOGIN not in url)


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
