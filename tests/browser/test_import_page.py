"""The coordinator brings the demo organisation in from the HR files, in Chromium: upload, preview,
apply; then a file with mistakes, in English. Screenshots go to test-results/screenshots/."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from amg_portal.organisation import services
from amg_portal.organisation.demo import import_files
from amg_portal.organisation.models import Unit, User
from tests.browser.helpers import log_in


@pytest.fixture
def demo(demo_organisation):
    """The seeded demo, already linked to its HR ids by a first import of the demo files."""
    units, people = import_files()
    services.organisation_import_apply(
        units_data=units.encode(), people_data=people.encode(), by=None, source="command"
    )
    return demo_organisation


def write(tmp_path: Path, units: str, people: str) -> tuple[Path, Path]:
    (tmp_path / "enheder.csv").write_text(units, encoding="utf-8")
    (tmp_path / "personer.csv").write_text(people, encoding="utf-8")
    return tmp_path / "enheder.csv", tmp_path / "personer.csv"


def test_the_coordinator_imports_the_organisation(page: Page, live_server, demo, shots, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    units, people = import_files()
    units += "NAT-GEO;NAT;Institut for Geografi;institute;GEO\n"
    people = people.replace("P-ansat03;", "P-ny;ny@demo.amg-portal.invalid;Nina Ny;NAT-GEO;\nX;")
    people = "\n".join(line for line in people.splitlines() if not line.startswith("X;")) + "\n"
    units_file, people_file = write(tmp_path, units, people)

    log_in(page, live_server.url, "koordinator")
    page.get_by_role("navigation").get_by_role("link", name="HR-import").click()
    expect(page.get_by_role("heading", name="HR-import: enheder og personer")).to_be_visible()
    page.get_by_label("Enhedsfil").set_input_files(units_file)
    page.get_by_label("Personfil").set_input_files(people_file)
    page.get_by_role("button", name="Tjek filerne og vis ændringerne").click()

    expect(
        page.get_by_role("heading", name="Forhåndsvisning: det vil importen ændre")
    ).to_be_visible()
    expect(page.locator('[data-count="units-created"]')).to_have_text("1")
    expect(page.locator('[data-count="people-created"]')).to_have_text("1")
    expect(page.locator('[data-count="people-deactivated"]')).to_have_text("1")
    page.get_by_text("Personer deaktiveret (1)").click()
    page.screenshot(path=shots / "hr-import-preview-da.png", full_page=True)
    assert not Unit.objects.filter(hr_id="NAT-GEO").exists()

    page.get_by_role("button", name="Gennemfør importen").click()
    expect(page.get_by_text("Importen er gennemført.")).to_be_visible()
    expect(page.get_by_role("heading", name="Gennemført import")).to_be_visible()
    assert Unit.objects.filter(hr_id="NAT-GEO").exists()
    assert not User.objects.get(person_id="P-ansat03").is_active

    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="HR import").first.click()
    broken = units.replace("NAT-FKF;NAT;", "NAT-FKF;NAT-FKF-KEM;") + "NAT-BIO;NAT;Dublet;;\n"
    units_file, people_file = write(tmp_path, broken, people.replace("ny@demo", "ny-at-demo"))
    page.get_by_label("Units file").set_input_files(units_file)
    page.get_by_label("People file").set_input_files(people_file)
    page.get_by_role("button", name="Check the files and show the changes").click()
    problems = page.locator(".import-problems li")
    expect(
        page.get_by_role("heading", name="The files have 4 problems. Nothing was changed.")
    ).to_be_visible()
    expect(problems.first).to_contain_text("units file, line 7:")
    expect(problems.filter(has_text="is part of a cycle")).to_have_count(2)
    expect(problems.filter(has_text="appears twice (also on line 4)")).to_have_count(1)
    expect(problems.filter(has_text="is not a valid e-mail address")).to_have_count(1)
    page.screenshot(path=shots / "hr-import-problems-en.png", full_page=True)
