"""The renderer's own work around WeasyPrint (issue 15): the garbage collector paused while a PDF
is rendered and on again afterwards, the indentation between table tags dropped without touching
what a cell shows, and WeasyPrint's user-agent stylesheet without the pseudo-elements no document
uses."""

from __future__ import annotations

import gc
import subprocess
import threading
import time

import pytest

from amg_portal import pdf
from amg_portal.pdf import PdfError, html_to_pdf, without_table_indentation


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_during_a_render_and_on_after_it(collector_on, monkeypatch):
    seen = []
    real = pdf._render_in_process

    def spy(html: str) -> pdf.PdfOutput:
        seen.append(gc.isenabled())
        return real(html)

    monkeypatch.setattr(pdf, "_render_in_process", spy)
    assert html_to_pdf("<p>hej</p>").pdf.startswith(b"%PDF")
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_render_that_was_stopped(collector_on, monkeypatch):
    def too_long(html: str) -> pdf.PdfOutput:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.01)
        raise AssertionError("not reached")

    monkeypatch.setattr(pdf, "_render_in_process", too_long)
    with pytest.raises(PdfError):
        html_to_pdf("<p>x</p>", timeout=0.3)
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_failed_render(collector_on, monkeypatch):
    def broken(html: str) -> pdf.PdfOutput:
        raise RuntimeError("renderer failure")

    monkeypatch.setattr(pdf, "_render_in_process", broken)
    with pytest.raises(PdfError, match="renderer failure"):
        html_to_pdf("<p>x</p>")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    was = gc.isenabled()
    gc.disable()
    try:
        html_to_pdf("<p>x</p>")
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_concurrent_renders_turn_the_collector_on_when_the_last_one_ends(collector_on):
    inside, release = threading.Event(), threading.Event()
    states = []

    def slow() -> None:
        with pdf.collector_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=slow)
    worker.start()
    inside.wait(10)
    with pdf.collector_paused():
        pass
    states.append(gc.isenabled())  # the other render is still going
    release.set()
    worker.join(10)
    states.append(gc.isenabled())
    assert states == [False, True]


def test_indentation_between_table_tags_goes_and_cell_text_stays():
    html = (
        "<table>\n  <thead>\n    <tr>\n      <th>Mål</th>\n    </tr>\n  </thead>\n"
        "  <tbody>\n    <tr>\n      <td>a  b </td>\n      <td>x\u00a0</td>\n    </tr>\n"
        "  </tbody>\n</table>\n<p> tekst <strong>fed</strong> </p>"
    )
    assert without_table_indentation(html) == (
        "<table><thead><tr><th>Mål</th></tr></thead><tbody><tr><td>a  b </td>"
        "<td>x\u00a0</td></tr></tbody></table>\n<p> tekst <strong>fed</strong> </p>"
    )
    # A no-break space before a table tag is content, not indentation.
    assert without_table_indentation("<td>1</td>\u00a0<td>2</td>") == ("<td>1</td>\u00a0<td>2</td>")


def test_a_table_reads_the_same_without_its_indentation():
    html = (
        "<table>\n  <tr>\n    <td>Første celle</td>\n    <td>Anden\u00a0celle</td>\n  </tr>\n"
        "  <tr>\n    <td>Tredje</td>\n    <td>Fjerde</td>\n  </tr>\n</table>"
    )
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=html_to_pdf(html).pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Første celle" in text and "Fjerde" in text
    assert text.index("Første") < text.index("Anden") < text.index("Tredje") < text.index("Fjerde")


@pytest.mark.django_db
def test_a_render_of_a_stored_document_runs_with_the_collector_paused(collector_on):
    """From loading the document to storing its PDF (render_once), not only in WeasyPrint."""
    seen = []

    def render() -> bytes:
        seen.append(gc.isenabled())
        return b"%PDF-"

    assert pdf.render_once("renderer-test", find=lambda: None, render=render) == b"%PDF-"
    assert seen == [False]
    assert gc.isenabled()


def test_the_user_agent_stylesheet_leaves_out_footnotes_and_notes_and_keeps_list_markers():
    """WeasyPrint's own stylesheet, as expected (a changed one is used as it is, with a warning)."""
    [stylesheet] = pdf._portal_ua_stylesheets()
    assert pdf.PortalHTML(string="<p>x</p>")._ua_stylesheets() == [stylesheet]
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=html_to_pdf("<ol><li>Første</li><li>Anden</li></ol>").pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "1. Første" in text and "2. Anden" in text


def test_a_thread_keeps_its_font_configuration_from_one_render_to_the_next():
    html_to_pdf("<p>x</p>")
    mine = pdf._font_config()
    html_to_pdf("<p>y</p>")
    assert pdf._font_config() is mine
    other = []
    worker = threading.Thread(target=lambda: other.append(pdf._font_config()))
    worker.start()
    worker.join(10)
    assert other and other[0] is not mine  # Pango's font maps are not shared between threads
