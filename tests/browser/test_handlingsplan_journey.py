"""In Debian's Chromium: the leader turns a mapping result into a tiltag, the AMG evaluates it at a
status meeting, and the APV-handlingsplan downloads as a PDF with the tiltag in it."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from handlingsplan import demo as handlingsplan_demo
from handlingsplan.models import Cycle, Measure
from kortlaegning.models import Round
from tests.browser.helpers import SIZES, log_in

TITLE = "Fælles kalender for frister – prøvehandling"


@pytest.fixture
def demo(demo_mapping):
    handlingsplan_demo.seed(demo_mapping)
    return demo_mapping


def test_it_goes_from_a_mapping_result_to_an_evaluated_tiltag_and_a_pdf(
    page: Page, live_server, demo, shots, settings
):
    # The journey is about the steps, not the render time limit (tests/security/test_pdf_fetcher):
    # on a loaded machine the demo APV may take longer than production's 20 s.
    settings.PDF_TIMEOUT = 120
    base = live_server.url
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    log_in(page, base, "leder")
    closed = Round.objects.filter(status="closed").order_by("opens_on").last()
    page.goto(f"{base}/kortlaegning/runder/{closed.pk}/resultater/")
    page.locator("a[href*='/handlingsplan/'][href*='/tiltag/ny/']").first.click()
    expect(page.locator("#id_title")).to_be_visible()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_goal").fill("Færre sammenfaldende frister")
    page.locator("#id_responsible").select_option(label="Amir Gruppemedlem")
    page.locator("#id_start").fill(timezone.localdate().isoformat())
    page.locator("#id_follow_ups").fill(timezone.localdate().isoformat())
    page.screenshot(path=shots / "journey-measure-form.png", full_page=True)
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    measure = Measure.objects.get(title=TITLE)
    assert measure.source_round_id == closed.pk and measure.source_question_id
    expect(page.get_by_role("heading", name="Effekten i tal")).to_be_visible()
    page.screenshot(path=shots / "journey-measure-detail.png", full_page=True)

    page.context.clear_cookies()
    log_in(page, base, "amg")
    page.goto(f"{base}/handlingsplan/enhed/{measure.unit_id}/statusmoede/nyt/")
    page.get_by_role("button", name="Gem").click()
    item = page.locator(f"#measure-{measure.pk}")
    expect(item).to_be_visible()
    item.get_by_label("Observation").fill("Kalenderen bruges allerede af to grupper")
    item.get_by_label("Virker delvis").check()
    item.get_by_label("Skalér").check()
    item.get_by_label("Konklusion").fill("Udbredes til hele instituttet")
    item.get_by_role("button", name="Gem evaluering").click()
    # Wait for the saved page (the form itself also contains "Virker delvis").
    expect(page.get_by_text(f"Evalueringen af “{TITLE}” er gemt.")).to_be_visible()
    expect(page.locator(f"#measure-{measure.pk}")).to_contain_text("Virker delvis")
    page.screenshot(path=shots / "journey-meeting.png", full_page=True)

    cycle = Cycle.objects.get(unit=measure.unit)
    page.goto(f"{base}/handlingsplan/enhed/{cycle.unit_id}/forloeb/{cycle.pk}/")
    href = page.get_by_role("link", name="APV-handlingsplan (PDF)").get_attribute("href")
    response = page.context.request.get(base + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert TITLE in text
    assert "Udbredes til hele instituttet" in text
    assert not external


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["da", "en"])
def test_it_shows_the_cycle_the_board_and_the_apv(
    page: Page, live_server, demo, shots, size, language
):
    page.set_viewport_size(SIZES[size])
    base = live_server.url
    log_in(page, base, "leder")
    if language == "en":
        page.locator("form.language-switch button[value=en]").dispatch_event("click")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    cycle = Cycle.objects.get()
    pages = {
        "cycle": f"/handlingsplan/enhed/{cycle.unit_id}/forloeb/{cycle.pk}/",
        "table": f"/handlingsplan/enhed/{cycle.unit_id}/tiltag/",
        "board": f"/handlingsplan/enhed/{cycle.unit_id}/tiltag/tavle/",
        "apv": f"/handlingsplan/enhed/{cycle.unit_id}/forloeb/{cycle.pk}/apv/",
    }
    for name, url in pages.items():
        page.goto(base + url)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=shots / f"{name}-{language}-{size}.png", full_page=True)
