import io
import subprocess

from django.urls import reverse
from pypdf import PdfReader

from amg_portal.organisation.models import AuditEntry
from sten_i_skoen.services import cell_save, escalation_create


def pdf_text(content: bytes) -> str:
    """The PDF's text via poppler's pdftotext (installed by .ci/run)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_page_size(content: bytes) -> str:
    """'A4' when every page is 210 x 297 mm (pypdf; 1 pt = 25.4/72 mm)."""
    sizes = {
        (
            round(float(page.mediabox.width) * 25.4 / 72),
            round(float(page.mediabox.height) * 25.4 / 72),
        )
        for page in PdfReader(io.BytesIO(content)).pages
    }
    return "A4" if sizes == {(210, 297)} else str(sizes)


def test_it_renders_an_a4_pdf_marked_confidential(case, login, amr_a):
    cell_save(case=case, row="O", column="origin", text="Nedskæringer i 2025", version=0, by=amr_a)
    escalation_create(case=case, text="Flere hænder", created_by=amr_a)
    response = login(amr_a).get(reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "A4" in pdf_page_size(response.content)
    text = pdf_text(response.content)
    assert "FORTROLIGT" in text.upper()
    assert "Travlhed før semesterstart" in text
    assert "Nedskæringer i 2025" in text
    assert "Flere hænder" in text
    assert "{#" not in text and "{%" not in text  # no template comment printed as text


def test_the_coordinators_pdf_is_logged(case, login, coordinator):
    login(coordinator).get(reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk}))
    assert AuditEntry.objects.filter(
        kind=AuditEntry.Kind.CONFIDENTIAL_VIEW,
        actor=coordinator,
        target=f"case {case.pk}",
        detail="pdf",
    ).exists()


def test_it_exports_the_matrix_as_csv(case, login, leader_a, amr_a):
    cell_save(case=case, row="G", column="todo", text="=HYPERLINK()", version=0, by=amr_a)
    response = login(leader_a).get(reverse("sten_i_skoen:case_export", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "Hvad kan gruppen gøre?" in body
    assert "'=HYPERLINK()" in body


def test_a_full_matrix_lays_out_across_the_page(case, login, amr_a):
    """A block per level with its cells across the page: long texts take few pages (in four narrow
    columns the same text took about twice the pages and three times the rendering)."""
    from sten_i_skoen.models import ROWS, TEXT_COLUMNS

    for row in ROWS:
        for column in TEXT_COLUMNS:
            cell_save(case=case, row=row, column=column, text=f"{row}{column} " + "æøå " * 300,
                      version=0, by=amr_a)  # fmt: skip
    content = login(amr_a).get(reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk})).content
    pages = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    count = int(
        next(x for x in pages.stdout.decode().splitlines() if x.startswith("Pages")).split()[1]
    )
    assert count <= 5
    text = pdf_text(content)
    assert all(f"{row}{column}" in text for row in ROWS for column in TEXT_COLUMNS)


def test_typed_line_breaks_stay_and_markup_stays_text(case, login, amr_a):
    """What was typed is laid out as typed (white-space: pre-wrap, no <br>): its line breaks end
    the line, and markup typed into it is shown, not read."""
    text = "Første linje i cellen\r\nAnden linje <b>fed</b>"
    cell_save(case=case, row="O", column="origin", text=text, version=0, by=amr_a)
    escalation_create(case=case, text="Punkt et\nPunkt to", created_by=amr_a)
    content = login(amr_a).get(reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk})).content
    lines = [line.strip() for line in pdf_text(content).splitlines()]
    assert "Første linje i cellen" in lines
    assert "Anden linje <b>fed</b>" in lines
    assert "Punkt et" in lines and "Punkt to" in lines
