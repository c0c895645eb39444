"""The dashboard in Chromium on the demo data: the leader's page at 1366×768 and 390 px, Danish and
English, and the meeting mode driven by the keyboard. Screenshots go to
test-results/screenshots/."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SIZES, log_in, switch_to_english

DASHBOARD = "/overblik/"


def watch(page: Page, base: str) -> list[str]:
    """Collect requests leaving the site and console errors (a CSP violation is one)."""
    problems: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else problems.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_the_leader_every_panel_in_danish_and_english(
    page: Page, live_server, demo_everything, shots, size
):
    page.set_viewport_size(SIZES[size])
    problems = watch(page, live_server.url)
    log_in(page, live_server.url, "leder", start=DASHBOARD)
    main = page.get_by_role("main")
    for heading in (
        "Næste statusmøde",
        "Opfølgninger",
        "Tiltag",
        "Seneste resultater pr. niveau (I/G/L/O)",
        "Udvikling pr. niveau på tværs af runder",
        "Åbne kortlægningsrunder",
        "Sten i skoen",
        "APV-status",
    ):
        expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(main.get_by_role("img", name="Tiltag efter forebyggelsesniveau")).to_be_visible()
    expect(main.locator(".heat-suppressed").first).to_contain_text("skjult")
    page.screenshot(path=shots / f"dashboard-da-{size}.png", full_page=True)

    main.get_by_role("link", name="Makkerordning i feltsæsonen").first.click()
    expect(page.get_by_role("heading", name="Makkerordning i feltsæsonen")).to_be_visible()
    page.go_back()

    switch_to_english(page, phone=size == "phone")
    expect(main.get_by_role("heading", name="Next status meeting")).to_be_visible()
    page.screenshot(path=shots / f"dashboard-en-{size}.png", full_page=True)
    assert problems == []


@pytest.mark.parametrize("size", SIZES)
def test_it_moves_between_meeting_panels_with_the_keyboard(
    page: Page, live_server, demo_everything, shots, size
):
    page.set_viewport_size(SIZES[size])
    problems = watch(page, live_server.url)
    log_in(page, live_server.url, "amg", start=DASHBOARD)
    page.get_by_role("link", name="Mødevisning").click()
    first = page.locator("#panel-1")
    expect(first.get_by_role("heading", name="Næste statusmøde")).to_be_in_viewport()
    page.screenshot(path=shots / f"meeting-1-da-{size}.png")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#panel-2")).to_be_focused()
    expect(page.locator("#panel-2").get_by_role("heading", name="Opfølgninger")).to_be_in_viewport()
    page.keyboard.press("PageDown")
    expect(page.locator("#panel-3")).to_be_focused()
    page.screenshot(path=shots / f"meeting-3-da-{size}.png")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#panel-2")).to_be_focused()
    page.keyboard.press("End")
    last = page.locator(".meeting-panel").last
    expect(last).to_be_focused()
    page.screenshot(path=shots / f"meeting-last-da-{size}.png")
    # Only responsible users' names appear; the viewer's name is not in a header on the projector.
    expect(page.locator(".meeting-bar")).not_to_contain_text("Amir")
    assert problems == []


def test_it_shows_the_employee_a_reduced_view(page: Page, live_server, demo_everything, shots):
    page.set_viewport_size(SIZES["phone"])
    problems = watch(page, live_server.url)
    log_in(page, live_server.url, "medarbejder", start=DASHBOARD)
    main = page.get_by_role("main")
    expect(main.get_by_text("Du ser det, dine enheder har gjort synligt for alle")).to_be_visible()
    expect(main.get_by_role("heading", name="Sten i skoen")).to_have_count(0)
    expect(main.get_by_role("link", name="Kortlægning efterår 2025")).to_be_visible()
    page.screenshot(path=shots / "dashboard-employee-da-phone.png", full_page=True)
    assert problems == []
