"""WeasyPrint (amg_portal/pdf.py) reads only the app's static files and data: URIs.

Everything else — file:, http(s) to private, link-local and public addresses, redirects,
attachments — is refused before any I/O, and a render that runs too long is stopped with a clear
error while the app goes on serving. (tests/handlingsplan/test_pdf.py covers the PDFs' content.)
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import socket
import threading
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from amg_portal import pdf
from amg_portal.pdf import BASE_URL, PdfError, SafeURLFetcher, html_to_pdf

STATIC = BASE_URL + "static/"


@pytest.fixture
def no_network(monkeypatch):
    """Fail loudly if anything in this process opens a connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:1]}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/hostname",
        "http://localhost/",
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/static/css/pdf.css",  # the dev server's own static files
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 as a number
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://example.org/logo.png",
        "https://amg-portal-pdf.invalid.example.org/static/css/pdf.css",
        "//example.org/static/css/pdf.css",
        "gopher://127.0.0.1/",
        "ftp://example.org/x",
        "jar:file:///x!/y",
        STATIC + "css/../../amg_portal/settings.py",
        STATIC + "css/%2e%2e/%2e%2e/amg_portal/settings.py",
        BASE_URL + "static/../amg_portal/settings.py",
        STATIC + "css/pdf.css#x",
        STATIC + "css/pdf.css?x=1",
        BASE_URL + "media/x.png",
        BASE_URL + "admin/",
    ],
)
def test_it_refuses_everything_but_static_files_and_data(no_network, url):
    with pytest.raises(ValueError):
        SafeURLFetcher().fetch(url)


def test_it_serves_the_apps_static_files_and_data_uris(no_network):
    fetcher = SafeURLFetcher()
    assert b"<svg" in fetcher.fetch(STATIC + "img/favicon.svg").read()
    assert b"@page" in fetcher.fetch(STATIC + "css/pdf.css").read()
    assert fetcher.fetch("data:text/plain,hej").read() == b"hej"
    assert fetcher.fetch("data:text/plain;base64,aGVq").read() == b"hej"


def test_it_follows_no_redirect_and_reaches_no_server(counting_server):
    url = f"{counting_server.url}/style.css"
    html = (
        f'<link rel="stylesheet" href="{url}">'
        f"<style>@import url('{url}'); p {{ background: url('{url}') }}</style>"
        f'<p><img src="{url}"><object data="{url}"></object><embed src="{url}"></p>'
        f'<svg><image href="{url}"/></svg>'
    )
    output = html_to_pdf(html)
    assert output.pdf.startswith(b"%PDF")
    assert url in output.refused
    assert counting_server.hits == 0


def test_it_embeds_no_attachment_not_even_a_static_file():
    html = (
        f'<link rel="attachment" href="{STATIC}css/pdf.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<p><a rel="attachment" href="{STATIC}img/favicon.svg">bilag</a></p>'
    )
    output = html_to_pdf(html)
    reader = PdfReader(io.BytesIO(output.pdf))
    assert reader.attachments == {}
    assert b"EmbeddedFile" not in output.pdf
    assert b"root:" not in output.pdf
    assert "file:///etc/passwd" in output.refused
    assert STATIC + "css/pdf.css" in output.refused


def test_it_still_uses_static_images_and_stylesheets():
    html = (
        f'<link rel="stylesheet" href="{STATIC}css/pdf.css">'
        f'<p><img src="{STATIC}img/favicon.svg" alt="logo"></p>'
    )
    output = html_to_pdf(html)
    assert output.refused == ()


# A render of _sleep_forever would take 60 s: finishing well under that shows it was stopped,
# with room for a loaded machine (parallel test workers, a busy CI host).
STOPPED_WITHIN = 20


def _sleep_forever(html: str) -> pdf.PdfOutput:
    # Layout is Python calling short native functions: like this loop, not one long sleep.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.01)
    raise AssertionError("not reached")


def test_it_stops_a_render_that_runs_too_long(monkeypatch):
    monkeypatch.setattr(pdf, "_render_in_process", _sleep_forever)
    started = time.monotonic()
    with pytest.raises(PdfError, match=r"longer than 0\.5 seconds"):
        html_to_pdf("<p>x</p>", timeout=0.5)
    assert time.monotonic() - started < STOPPED_WITHIN
    assert multiprocessing.active_children() == []  # no process per render
    monkeypatch.undo()
    # Nothing is left pending in this thread: the next render just works.
    assert html_to_pdf("<p>hej</p>", timeout=20).pdf.startswith(b"%PDF")
    time.sleep(0.2)


@pytest.mark.parametrize("threaded", [False, True])
def test_it_stops_a_real_layout_in_the_main_thread_and_in_a_worker_thread(threaded):
    """gunicorn's sync workers render in the main thread, its threaded workers in others."""
    huge = "<table>" + "<tr><td>x</td><td>y</td></tr>" * 40000 + "</table>"
    outcome = []
    threads_before = threading.active_count()

    def render():
        started = time.monotonic()
        try:
            html_to_pdf(huge, timeout=0.5)
        except PdfError as error:
            outcome.append((str(error), time.monotonic() - started))

    if threaded:
        worker = threading.Thread(target=render)
        worker.start()
        worker.join(30)
    else:
        render()
    [(message, took)] = outcome
    assert "longer than 0.5 seconds" in message
    assert took < 10
    assert threading.active_count() <= threads_before  # the watchdog is gone


def test_it_answers_with_a_clear_message_and_goes_on_serving(
    client, login, leader_a, unit_a, settings, monkeypatch
):
    from handlingsplan import services

    settings.PDF_TIMEOUT = 0.5
    monkeypatch.setattr(pdf, "_render_in_process", _sleep_forever)
    cycle = services.cycle_create(
        unit=unit_a,
        created_by=leader_a,
        title="APV",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    login(leader_a)
    started = time.monotonic()
    response = client.get(reverse("handlingsplan:apv_pdf", args=[unit_a.pk, cycle.pk]))
    assert time.monotonic() - started < STOPPED_WITHIN
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "PDF" in page.content.decode()  # the message says the PDF could not be made
    assert client.get(reverse("handlingsplan:index")).status_code == 200
