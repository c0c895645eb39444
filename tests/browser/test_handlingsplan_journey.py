"""In Debian's Chromium: the leader turns a mapping result into a tiltag, the AMG evaluates it at a
status meeting, and the APV-handlingsplan downloads as a PDF with the tiltag in it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from amg_portal.organisation.demo import DEMO_PASSWORD, seed_organisation
from handlingsplan import demo as handlingsplan_demo
from handlingsplan.models import Cycle, Measure
from kortlaegning import demo as kortlaegning_demo
from kortlaegning.models import Round

SHOTS = Path("/tmp/handlingsplan-shots")  # noqa: S108 - screenshots for review
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
TITLE = "Fælles kalender for frister – prøvehandling"
# The question catalogue is a data migration: restore it after other transactional tests flushed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo():
    org = seed_organisation()
    kortlaegning_demo.seed(org)
    handlingsplan_demo.seed(org)
    return org


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/konto/log-ind/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    # Wait until the login has landed: a goto racing the form post would abort one of them.
    page.wait_for_url(lambda url: "/konto/log-ind/" not in url)


def test_it_goes_from_a_mapping_result_to_an_evaluated_tiltag_and_a_pdf(
    page: Page, live_server, demo
):
    SHOTS.mkdir(parents=True, exist_ok=True)
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
    page.screenshot(path=SHOTS / "journey-measure-form.png", full_page=True)
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    measure = Measure.objects.get(title=TITLE)
    assert measure.source_round_id == closed.pk and measure.source_question_id
    expect(page.get_by_role("heading", name="Effekten i tal")).to_be_visible()
    page.screenshot(path=SHOTS / "journey-measure-detail.png", full_page=True)

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
    page.screenshot(path=SHOTS / "journey-meeting.png", full_page=True)

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


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["da", "en"])
def test_it_shows_the_cycle_the_board_and_the_apv(page: Page, live_server, demo, size, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
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
        page.screenshot(path=SHOTS / f"{name}-{language}-{size}.png", full_page=True)
