"""The APV PDF of a changed plan is rendered ahead of the first click (issue 15): a change queues
a job; the worker renders it after its response (or ``manage.py render_pdfs`` does); the click
then finds it stored. Never stale, never more than the reader may see, a renamed person shows."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from amg_portal import pdf as pdf_module
from handlingsplan import selectors, services
from handlingsplan.models import ApvPdfJob, RenderedPdf
from kortlaegning import services as mapping
from tests.kortlaegning.helpers import add_responses


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


@pytest.fixture
def no_document(monkeypatch):
    """Makes loading the plan fail: what follows must be served from storage."""

    def not_again(*args, **kwargs):
        raise AssertionError("the click must not load the plan or build the HTML")

    def set_up():
        monkeypatch.setattr(selectors, "apv_document", not_again)

    return set_up


def test_a_change_queues_the_new_version(leader_a, cycle, measure):
    ApvPdfJob.objects.all().delete()
    _rename(measure, leader_a, "Nyt navn")
    job = ApvPdfJob.objects.get(cycle=cycle)
    assert job.language == "da"
    first = job.requested_at
    _rename(measure, leader_a, "Endnu et navn")
    assert ApvPdfJob.objects.filter(cycle=cycle).count() == 1  # one row per cycle
    assert ApvPdfJob.objects.get(cycle=cycle).requested_at >= first


def test_the_worker_renders_the_change_after_its_response_and_the_click_is_served_stored(
    login, leader_a, cycle, measure, renders, settings, no_document, django_assert_max_num_queries
):
    settings.RENDER_AFTER_RESPONSE = True
    client = login(leader_a)
    url = reverse("handlingsplan:cycle_guidelines", args=[cycle.unit_id, cycle.pk])
    response = client.post(url, {"guidelines": "Status på hvert AMG-møde"})
    assert response.status_code == 302
    assert len(renders) == 1  # after the response had been sent
    assert not ApvPdfJob.objects.filter(cycle=cycle).exists()
    no_document()
    with django_assert_max_num_queries(8):
        click = client.get(_url(cycle))
    assert click.status_code == 200 and len(renders) == 1
    assert "Status på hvert AMG-møde" in _text(click.content)


def test_without_rendering_after_responses_the_job_waits_for_the_scheduled_command(
    login, leader_a, cycle, measure, renders, settings, no_document
):
    settings.RENDER_AFTER_RESPONSE = False
    client = login(leader_a)
    url = reverse("handlingsplan:cycle_guidelines", args=[cycle.unit_id, cycle.pk])
    assert client.post(url, {"guidelines": "Hver måned"}).status_code == 302
    assert renders == [] and ApvPdfJob.objects.filter(cycle=cycle).exists()
    call_command("render_pdfs")
    assert len(renders) == 1 and not ApvPdfJob.objects.exists()
    no_document()
    click = client.get(_url(cycle))  # the leader's view, in the language of the change
    assert click.status_code == 200 and len(renders) == 1
    assert "Hver måned" in _text(click.content)


def test_a_change_during_the_render_is_never_served_stale(
    login, leader_a, cycle, measure, renders, monkeypatch
):
    real = pdf_module.html_to_pdf
    changed = []

    def change_while_rendering(html, **kwargs):
        if not changed:  # the plan was loaded; now someone saves a new title
            changed.append(True)
            _rename(measure, leader_a, "Ændret under dannelsen")
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "html_to_pdf", change_while_rendering)
    call_command("render_pdfs")
    assert ApvPdfJob.objects.filter(cycle=cycle).exists()  # the change is still to render
    text = _text(login(leader_a).get(_url(cycle)).content)
    assert "Ændret under dannelsen" in text


def test_a_reader_with_fewer_rights_never_gets_the_leaders_rendered_pdf(
    login, client, leader_a, employee_a, unit_a, cycle, measure, no_document
):
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit_a, created_by=leader_a, title="Kortlægning", opens_on=today, closes_on=today
    )
    round = mapping.round_open(round=round, opened_by=leader_a)
    add_responses(round, unit_a, 6, choice="no")
    mapping.round_close(round=round, closed_by=leader_a)  # results not published
    _rename(measure, leader_a, "Nyt navn")
    call_command("render_pdfs")  # the leader's view, with the results
    [stored] = RenderedPdf.objects.filter(cycle=cycle)
    assert "kræver opmærksomhed" in _text(bytes(stored.pdf))
    employees = login(employee_a).get(_url(cycle))
    assert employees.status_code == 200
    assert "kræver opmærksomhed" not in _text(employees.content)
    assert RenderedPdf.objects.filter(cycle=cycle).count() == 2


def test_a_renamed_person_is_shown_by_a_fresh_pdf(login, leader_a, amr_a, cycle, measure):
    client = login(leader_a)
    assert str(amr_a) in _text(client.get(_url(cycle)).content)
    amr_a.first_name, amr_a.last_name = "Ny", "Efternavnsen"
    amr_a.save(update_fields=["first_name", "last_name"])
    assert "Ny Efternavnsen" in _text(client.get(_url(cycle)).content)


def test_the_pdf_says_when_it_was_made_and_which_version(login, leader_a, cycle, measure):
    text = _text(login(leader_a).get(_url(cycle)).content)
    number = cycle.apv_version.number
    assert f"udgave {number}" in text and "Dannet" in text


def test_a_failed_render_after_the_response_leaves_the_job_for_the_command(
    login, leader_a, cycle, measure, settings, monkeypatch
):
    settings.RENDER_AFTER_RESPONSE = True

    def fails(html, **kwargs):
        raise pdf_module.PdfError("PDF rendering took longer than 20 seconds")

    monkeypatch.setattr(pdf_module, "html_to_pdf", fails)
    client = login(leader_a)
    url = reverse("handlingsplan:cycle_guidelines", args=[cycle.unit_id, cycle.pk])
    assert client.post(url, {"guidelines": "Hver måned"}).status_code == 302
    assert ApvPdfJob.objects.filter(cycle=cycle).exists()
    assert not RenderedPdf.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db(transaction=True)
def test_a_request_waits_for_a_render_of_its_key_in_flight_instead_of_rendering_twice():
    key = "a" * 64
    held, release, stored = threading.Event(), threading.Event(), []

    def other_worker():
        # Another process renders the same key: it holds the key's lock, stores, lets go.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [pdf_module._LOCK_CLASS, pdf_module.lock_id(key)]
            )
            held.set()
            release.wait(10)
            stored.append(b"%PDF-stored")
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)",
                [pdf_module._LOCK_CLASS, pdf_module.lock_id(key)],
            )
        connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    assert held.wait(10)
    rendered = []

    def render():
        rendered.append(True)
        return b"%PDF-twice"

    def find():
        release.set()  # the other one finishes while we look
        return stored[0] if stored else None

    result = pdf_module.render_once(key, find=find, render=render, wait=10)
    worker.join(10)
    assert result == b"%PDF-stored" and rendered == []


@pytest.mark.django_db(transaction=True)
def test_a_wait_for_a_stuck_render_is_bounded():
    key = "b" * 64
    held, done = threading.Event(), threading.Event()

    def stuck_worker():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, %s)", [pdf_module._LOCK_CLASS, pdf_module.lock_id(key)]
            )
            held.set()
            done.wait(10)
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)",
                [pdf_module._LOCK_CLASS, pdf_module.lock_id(key)],
            )
        connection.close()

    worker = threading.Thread(target=stuck_worker)
    worker.start()
    assert held.wait(10)
    try:
        result = pdf_module.render_once(
            key, find=lambda: None, render=lambda: b"%PDF-own", wait=0.3
        )
    finally:
        done.set()
        worker.join(10)
    assert result == b"%PDF-own"


def test_a_pdf_over_the_time_limit_ends_in_a_clear_message_and_is_not_stored(
    login, leader_a, cycle, measure, monkeypatch
):
    def too_slow(html, **kwargs):
        raise pdf_module.PdfError("PDF rendering took longer than 20 seconds")

    monkeypatch.setattr(pdf_module, "html_to_pdf", too_slow)
    client = login(leader_a)
    response = client.get(_url(cycle))
    read = reverse("handlingsplan:apv_read", args=[cycle.unit_id, cycle.pk])
    assert response.status_code == 302 and response["Location"] == read
    assert "PDF’en kunne ikke laves lige nu" in client.get(read).content.decode()
    assert not RenderedPdf.objects.filter(cycle=cycle).exists()


def test_the_command_leaves_a_job_older_than_a_week_to_the_first_click(
    leader_a, cycle, measure, renders
):
    old = timezone.now() - dt.timedelta(days=8)
    ApvPdfJob.objects.filter(cycle=cycle).update(requested_at=old)
    call_command("render_pdfs")
    assert renders == [] and not ApvPdfJob.objects.exists()


def test_an_unchanged_plan_rendered_yesterday_is_served_today(
    login, leader_a, cycle, measure, renders, monkeypatch
):
    client = login(leader_a)
    assert client.get(_url(cycle)).status_code == 200
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert client.get(_url(cycle)).status_code == 200
    assert len(renders) == 1
