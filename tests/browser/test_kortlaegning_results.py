"""In Debian's Chromium: the leader reads the demo results (charts, tables, comparison) in Danish
and English, on desktop and phone, and the pages load nothing from outside the portal."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amg_portal.organisation.demo import DEMO_PASSWORD, seed_organisation
from kortlaegning import demo as kortlaegning_demo
from kortlaegning.models import Round
from tests.browser.helpers import switch_to_english
from tests.kortlaegning.helpers import ensure_catalogue

SHOTS = Path("/tmp/kortlaegning-shots")  # noqa: S108 - screenshots for review
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def demo(transactional_db):
    ensure_catalogue()
    org = seed_organisation()
    kortlaegning_demo.seed(org)
    return org


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/konto/log-ind/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/konto/log-ind/" not in url)  # never race the login post


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_it_shows_the_results_with_charts_and_tables(page: Page, live_server, demo, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server.url, "leder")
    page.goto(f"{live_server.url}/kortlaegning/")
    page.screenshot(path=SHOTS / f"index-da-{size}.png", full_page=True)
    closed = Round.objects.get(title="Kortlægning efterår 2025")
    page.goto(f"{live_server.url}/kortlaegning/runder/{closed.pk}/")
    page.screenshot(path=SHOTS / f"round-da-{size}.png", full_page=True)
    page.goto(f"{live_server.url}/kortlaegning/runder/{closed.pk}/resultater/")
    expect(page.get_by_role("heading", name="Medarbejdere")).to_be_visible()
    expect(page.locator("svg.amg-chart").first).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    page.screenshot(path=SHOTS / f"results-da-{size}.png", full_page=True)
    switch_to_english(page, phone=size == "phone")
    expect(page.get_by_role("heading", name="Employees")).to_be_visible()
    page.screenshot(path=SHOTS / f"results-en-{size}.png", full_page=True)
    page.goto(
        f"{live_server.url}/kortlaegning/runder/{Round.objects.get(status='open').pk}/indsamling/"
    )
    page.screenshot(path=SHOTS / f"collection-en-{size}.png", full_page=True)
    page.get_by_role("button", name="Make code sheet").click()
    page.screenshot(path=SHOTS / f"codes-en-{size}.png", full_page=True)
    assert not external
