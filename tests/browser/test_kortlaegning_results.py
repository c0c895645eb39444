"""In Debian's Chromium: the leader reads the demo results (charts, tables, comparison) in Danish
and English, on desktop and phone, and the pages load nothing from outside the portal."""

import pytest
from playwright.sync_api import Page, expect

from kortlaegning.models import Round
from tests.browser.helpers import SIZES, log_in, switch_to_english


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_the_results_with_charts_and_tables(
    page: Page, live_server, demo_mapping, shots, size
):
    page.set_viewport_size(SIZES[size])
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kortlaegning/")
    page.screenshot(path=shots / f"index-da-{size}.png", full_page=True)
    closed = Round.objects.get(title="Kortlægning efterår 2025")
    page.goto(f"{live_server.url}/kortlaegning/runder/{closed.pk}/")
    page.screenshot(path=shots / f"round-da-{size}.png", full_page=True)
    page.goto(f"{live_server.url}/kortlaegning/runder/{closed.pk}/resultater/")
    expect(page.get_by_role("heading", name="Medarbejdere")).to_be_visible()
    expect(page.locator("svg.amg-chart").first).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    page.screenshot(path=shots / f"results-da-{size}.png", full_page=True)
    switch_to_english(page, phone=size == "phone")
    expect(page.get_by_role("heading", name="Employees")).to_be_visible()
    page.screenshot(path=shots / f"results-en-{size}.png", full_page=True)
    page.goto(
        f"{live_server.url}/kortlaegning/runder/{Round.objects.get(status='open').pk}/indsamling/"
    )
    page.screenshot(path=shots / f"collection-en-{size}.png", full_page=True)
    page.get_by_role("button", name="Make code sheet").click()
    page.screenshot(path=shots / f"codes-en-{size}.png", full_page=True)
    assert not external
