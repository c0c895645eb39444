"""The APV PDF is rendered once per version of what the reader sees and then served from storage;
it is compact (a table row per measure) and looks like the reference page."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from amg_portal import pdf as pdf_module
from amg_portal.organisation.models import AuditEntry
from handlingsplan import selectors, services
from handlingsplan.models import RenderedPdf
from kortlaegning import services as mapping
from tests.kortlaegning.helpers import add_responses

REFERENCE = Path(__file__).parent / "reference" / "apv_page1.pgm"


def _url(cycle) -> str:
    return reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk])


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _rename(measure, user, title: str) -> None:
    measure.refresh_from_db()
    services.measure_update(measure=measure, user=user, version=measure.version, title=title)


@pytest.fixture
def renders(monkeypatch):
    """Counts the real renders."""
    calls = []
    real = pdf_module.html_to_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "html_to_pdf", counting)
    return calls


def test_it_renders_once_and_serves_the_same_pdf_after(
    login, leader_a, cycle, measure, renders, django_assert_max_num_queries, monkeypatch
):
    client = login(leader_a)
    # the document loaded once; the render claimed (advisory lock, a second look, unlock); stored
    with django_assert_max_num_queries(24):
        first = client.get(_url(cycle))
    assert first.status_code == 200 and len(renders) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("a later click must not load the plan or build the HTML")

    monkeypatch.setattr(selectors, "apv_document", not_again)
    # session, user, the unit and the reader's rights, the cycle, its version, the rounds with
    # the reader's view of their results, the names of the people it shows, the stored PDF
    with django_assert_max_num_queries(8):
        again = client.get(_url(cycle))
    assert again.content == first.content
    assert len(renders) == 1
    assert RenderedPdf.objects.filter(cycle=cycle).count() == 1


def test_a_coordinators_read_of_stored_results_is_audited(
    login, leader_a, coordinator, unit_a, cycle, measure
):
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit_a, created_by=leader_a, title="Kortlægning", opens_on=today, closes_on=today
    )
    round = mapping.round_open(round=round, opened_by=leader_a)
    add_responses(round, unit_a, 6, choice="no")
    mapping.round_close(round=round, closed_by=leader_a)
    client = login(coordinator)
    reads = AuditEntry.objects.filter(kind=AuditEntry.Kind.RESULTS_READ, actor=coordinator)
    assert client.get(_url(cycle)).status_code == 200
    assert reads.filter(detail="APV").count() == 1
    assert client.get(_url(cycle)).status_code == 200  # served from storage
    assert reads.filter(detail="APV").count() == 2


def test_a_change_to_the_plan_makes_a_new_version(login, leader_a, cycle, measure, renders):
    client = login(leader_a)
    assert "Fælles prioriteringsmøde" in _text(client.get(_url(cycle)).content)
    _rename(measure, leader_a, "Nyt navn på tiltaget")
    assert "Nyt navn på tiltaget" in _text(client.get(_url(cycle)).content)
    assert len(renders) == 2
    meeting = services.meeting_create(
        unit=cycle.unit, held_on=dt.date(2026, 3, 2), participants=[leader_a], created_by=leader_a
    )
    services.evaluation_record(
        meeting=meeting,
        measure=measure,
        user=leader_a,
        observation="Færre sammenstød",
        effect="works",
        decision="continue",
        conclusion="Vi fortsætter",
    )
    assert "Vi fortsætter" in _text(client.get(_url(cycle)).content)
    assert len(renders) == 3


def test_a_deploy_with_new_wording_renders_the_plan_again(
    login, leader_a, cycle, measure, renders, monkeypatch
):
    """The stored PDF is keyed by the code that drew it, compiled translations included: a
    corrected word reaches the APV at its next click, not at its next change."""
    from amg_portal import drawing

    client = login(leader_a)
    first = client.get(_url(cycle)).content
    assert client.get(_url(cycle)).content == first and len(renders) == 1
    monkeypatch.setattr(drawing, "code_digest", lambda *m, **s: "catalogues-of-a-new-deploy")
    assert client.get(_url(cycle)).status_code == 200
    assert len(renders) == 2


def test_a_stored_pdf_never_shows_a_reader_what_they_may_not_see(
    login, client, leader_a, employee_a, unit_a, cycle, measure
):
    """The leader's PDF (with the unpublished results) is stored first; the employee asking for
    the same plan gets their own version without them."""
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit_a, created_by=leader_a, title="Kortlægning", opens_on=today, closes_on=today
    )
    round = mapping.round_open(round=round, opened_by=leader_a)
    add_responses(round, unit_a, 6, choice="no")
    mapping.round_close(round=round, closed_by=leader_a)
    leaders = _text(login(leader_a).get(_url(cycle)).content)
    assert "kræver opmærksomhed" in leaders
    client.logout()
    employees = login(employee_a).get(_url(cycle))
    assert employees.status_code == 200
    assert "kræver opmærksomhed" not in _text(employees.content)
    assert RenderedPdf.objects.filter(cycle=cycle).count() == 2


def test_it_keeps_only_the_newest_versions(login, leader_a, cycle, measure, settings):
    client = login(leader_a)
    for n in range(10):
        _rename(measure, leader_a, f"Version {n}")
        assert client.get(_url(cycle)).status_code == 200
    assert RenderedPdf.objects.filter(cycle=cycle).count() == 8


def test_twenty_measures_fit_on_few_pages(login, leader_a, cycle, risk_factor, amr_a):
    for n in range(20):
        services.measure_create(
            unit=cycle.unit,
            created_by=leader_a,
            cycle=cycle,
            title=f"Tiltag {n:02d}",
            goal="Færre sammenfaldende deadlines i gruppen",
            description="Et fælles møde hver mandag, hvor opgaverne prioriteres. " * 3,
            responsible=amr_a,
            roles=["leader", "amr"],
            start=dt.date(2026, 2, 1),
            deadline=dt.date(2026, 6, 30),
            risk_factor=risk_factor,
            follow_ups=[dt.date(2026, 3, 1)],
        )
    content = login(leader_a).get(_url(cycle)).content
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert pages <= 5  # the cards of fields took 15
    assert "Tiltag 19" in _text(content)


def _gray_page(content: bytes, tmp_path: Path) -> tuple[int, int, bytes]:
    (tmp_path / "apv.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", "apv.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    [page] = tmp_path.glob("page*.pgm")
    return _read_pgm(page.read_bytes())


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    return int(width), int(height), pixels


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (pdftoppm)")
def test_the_first_page_looks_like_the_reference(login, leader_a, cycle, measure, tmp_path):
    """pdftoppm at 30 dpi against tests/handlingsplan/reference/apv_page1.pgm. Only the date the
    PDF was made and its version number (footer) change from run to run; anything more is a
    changed layout. To change the layout on purpose, run this test once with
    AMG_WRITE_REFERENCE=1 and look at the new page
    (``pdftoppm -png`` of the PDF, or the .pgm in an image viewer) before committing it."""
    content = login(leader_a).get(_url(cycle)).content
    width, height, pixels = _gray_page(content, tmp_path)
    if os.environ.get("AMG_WRITE_REFERENCE"):
        REFERENCE.write_bytes(b"P5 %d %d 255\n" % (width, height) + pixels)
    ref_width, ref_height, reference = _read_pgm(REFERENCE.read_bytes())
    assert (width, height) == (ref_width, ref_height)
    differing = sum(1 for a, b in zip(pixels, reference, strict=True) if abs(a - b) > 64)
    assert differing / len(pixels) < 0.01
