"""In Debian's Chromium: an AMR opens a case, fills the matrix (saved as they type), passes one
item on to the faculty, agrees one action that becomes a tiltag, and the dean sees the item."""

import datetime as dt

from playwright.sync_api import Page, expect

from sten_i_skoen.models import Case, CaseAction, CaseCell, Escalation
from sten_i_skoen.services import case_create, cell_save
from tests.browser.helpers import log_in


def test_it_fills_the_matrix_escalates_and_creates_an_action(
    page: Page, live_server, demo_organisation, shots
):
    page.set_viewport_size({"width": 1366, "height": 900})
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    log_in(page, live_server.url, "amr")
    page.goto(f"{live_server.url}/sten-i-skoen/")
    page.get_by_role("link", name="Ny sag i Institut for Biologi").click()
    expect(page.get_by_text("omsorgsfuld måde")).to_be_visible()
    page.get_by_label("Titel").fill("Travlhed i eksamensperioden")
    page.get_by_label("Risiko for stresssygemelding").check()
    page.get_by_label("Problemstillingen, som den er observeret").fill("Mange rettefrister samles.")
    page.get_by_label("Mette Medarbejder").check()
    page.get_by_role("button", name="Opret sag").click()
    expect(page.get_by_role("heading", name="Travlhed i eksamensperioden")).to_be_visible()

    # Typing saves the cell by itself (matrix.js); the status line says so.
    organisation = page.get_by_label(
        "Hvilken betydning har organisationen haft for problemstillingen?"
    )
    organisation.fill("Fristerne lægges centralt.")
    expect(page.locator("#status-O-origin")).to_contain_text("Gemt", timeout=10_000)
    group = page.get_by_label("Hvad kan gruppen gøre?")
    group.fill("Makkerpar til rettearbejdet.")
    group.blur()
    expect(page.locator("#status-G-todo")).to_contain_text("Gemt", timeout=10_000)
    page.screenshot(path=shots / "sten-i-skoen-matrix-da-desktop.png", full_page=True)

    page.get_by_role("textbox", name="Viderefør til næste ledelseslag").fill(
        "Fristerne for censur bør flyttes."
    )
    page.get_by_role("button", name="Viderefør", exact=True).click()
    expect(page.get_by_text("Punktet er videreført til næste ledelseslag")).to_be_visible()

    due = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    action = page.locator("#action-form")
    action.get_by_label("Niveau").select_option("G")
    action.get_by_label("Hvad").fill("Aftal makkerpar")
    action.get_by_label("Hvem").select_option(label="Lars Leder")
    action.get_by_label("Hvornår").fill(due)
    action.get_by_role("button", name="Tilføj handling").click()
    expect(page.get_by_text("Handlingen er aftalt.")).to_be_visible()
    expect(page.get_by_role("link", name="Tiltag i handlingsplanen")).to_be_visible()

    page.reload()
    expect(organisation).to_have_value("Fristerne lægges centralt.")
    case = Case.objects.get(title="Travlhed i eksamensperioden")
    assert CaseCell.objects.get(case=case, row="G", column="todo").text == (
        "Makkerpar til rettearbejdet."
    )
    assert Escalation.objects.get(case=case).text == "Fristerne for censur bør flyttes."
    assert CaseAction.objects.get(case=case).measure is not None
    assert external == []

    page.get_by_role("button", name="Log ud").click()
    log_in(page, live_server.url, "dekan")
    page.goto(f"{live_server.url}/sten-i-skoen/videreforelser/")
    expect(page.get_by_role("link", name="Fristerne for censur bør flyttes.")).to_be_visible()
    expect(page.get_by_text("Travlhed i eksamensperioden")).to_have_count(0)


def test_a_conflicting_save_shows_both_texts_and_keeps_mine(
    page: Page, live_server, demo_organisation, shots
):
    users = demo_organisation.users
    case = case_create(
        unit=demo_organisation.units["Institut for Biologi"],
        created_by=users["amr"],
        title="Konfliktsag",
        problem="p",
        occasion=Case.Occasion.RISK,
        participants=[users["tr"]],
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, "tr")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    # Someone else saves the same cell after the page was loaded.
    cell_save(case=case, row="L", column="todo", text="AMR's tekst", version=0, by=users["amr"])
    cell = page.get_by_label("Hvad kan lederen gøre?")
    cell.fill("Min tekst")
    cell.blur()
    expect(page.locator("#status-L-todo")).to_contain_text("flet dem sammen", timeout=10_000)
    expect(page.locator("#cell-L-todo .conflict-theirs")).to_have_text("AMR's tekst")
    expect(cell).to_have_value("Min tekst")
    page.locator("#cell-L-todo").screenshot(path=shots / "sten-i-skoen-conflict-da.png")
    cell.fill("AMR's tekst og min tekst")
    page.locator("#cell-L-todo").get_by_role("button", name="Gem").click()
    expect(page.locator("#status-L-todo")).to_contain_text("Gemt", timeout=10_000)
    assert CaseCell.objects.get(case=case, row="L", column="todo").text == (
        "AMR's tekst og min tekst"
    )


def test_a_lost_connection_keeps_the_text_and_saves_it_when_back(
    page: Page, live_server, demo_organisation
):
    users = demo_organisation.users
    case = case_create(
        unit=demo_organisation.units["Institut for Biologi"],
        created_by=users["amr"],
        title="Forbindelsessag",
        problem="p",
        occasion=Case.Occasion.RISK,
        participants=[],
    )
    log_in(page, live_server.url, "amr")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.context.set_offline(True)
    cell = page.get_by_label("Hvad kan jeg gøre?")
    cell.fill("Skrevet uden net")
    cell.blur()
    expect(page.locator("#status-I-todo")).to_contain_text("ingen forbindelse", timeout=10_000)
    expect(cell).to_have_value("Skrevet uden net")
    page.context.set_offline(False)
    expect(page.locator("#status-I-todo")).to_contain_text("Gemt", timeout=10_000)
    assert CaseCell.objects.get(case=case, row="I", column="todo").text == "Skrevet uden net"
