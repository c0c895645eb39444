"""The header menu stays on one line at 1280 and 1366 px and works at phone width, in Danish and
English, for a coordinator (the most menu items) with a long name. Screenshots go to
test-results/screenshots/header-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import switch_to_english
from tests.conftest import PASSWORD, make_user

LONG_NAME = ("Anne-Mette Christiansen-Østergaard", "Bødtcher-Vestergaard")
WIDTHS = [1280, 1366]


@pytest.fixture
def coordinator_with_a_long_name(transactional_db):
    user = make_user("anne_mette", coordinator=True, last_name=LONG_NAME[1])
    user.first_name = LONG_NAME[0]
    user.save(update_fields=["first_name"])
    return user


def log_in(page: Page, base: str, language: str) -> None:
    page.goto(f"{base}/konto/log-ind/")
    page.locator("#id_username").fill("anne_mette")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("header .navbar")).to_be_visible()
    if page.locator("html").get_attribute("lang") != language:
        assert language == "en", "the portal speaks Danish first"
        # On a phone the menu opens first, and the button is pressed once it has stopped sliding
        # (pressed while it slid, the press was lost now and then).
        switch_to_english(page, phone=page.locator(".navbar-toggler").is_visible())


def rows_of(page: Page) -> list[float]:
    """The vertical centres of every item in the open header (links, buttons, the name)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              'header .navbar-brand, header .nav-link, header button:not(.navbar-toggler)')]
            .filter(el => el.offsetParent !== null)
            .map(el => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; })"""
    )


def overflow(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_header_is_one_line_on_a_laptop(
    page: Page, live_server, coordinator_with_a_long_name, shots, width, language
):
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server.url, language)
    page.locator("header").screenshot(path=shots / f"header-{language}-{width}.png")
    centres = rows_of(page)
    assert len(centres) >= 10
    assert max(centres) - min(centres) < 4, centres  # one line: every item on the same row
    # No item of the menu is broken over two lines either.
    heights = page.evaluate(
        "() => [...document.querySelectorAll('header .nav-link')].map(e => e.clientHeight)"
    )
    assert max(heights) < 1.9 * min(heights), heights
    assert overflow(page) <= 0
    # The whole name is still there for whoever needs it (tooltip and screen readers).
    name = page.locator("header a.user-name")
    expect(name).to_have_attribute("title", " ".join(LONG_NAME))


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_header_works_at_phone_width(
    page: Page, live_server, coordinator_with_a_long_name, shots, language
):
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, language)
    assert overflow(page) <= 0
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    if toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    expect(page.locator("#main-nav")).to_be_visible()
    page.wait_for_timeout(400)  # the collapse animation
    page.locator("header").screenshot(path=shots / f"header-{language}-phone.png")
    assert overflow(page) <= 0
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#main-nav a, #main-nav button')]
            .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"""
    )
    width = page.viewport_size["width"]
    assert all(left >= 0 and right <= width for left, right in boxes), boxes
    # Nothing in the menu breaks over two lines (a two-line "Log ud" button, a wrapped name).
    heights = page.evaluate(
        """() => [...document.querySelectorAll('#main-nav .nav-link, #main-nav .btn')]
            .map(e => e.clientHeight)"""
    )
    assert max(heights) < 1.9 * min(heights), heights
    expect(
        page.locator("header").get_by_role(
            "button", name="Log ud" if language == "da" else "Log out"
        )
    ).to_be_visible()
