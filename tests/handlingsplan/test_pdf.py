"""The APV-handlingsplan and meeting minutes as PDF: their text, and that hostile text in them
fetches nothing (the renderer's own rules: tests/security/test_pdf_fetcher.py)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from amg_portal.pdf import html_to_pdf
from handlingsplan import services


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.fixture
def evaluated(measure, leader_a, amr_a):
    meeting = services.meeting_create(
        unit=measure.unit,
        held_on=dt.date(2026, 3, 2),
        participants=[leader_a, amr_a],
        created_by=leader_a,
    )
    services.evaluation_record(
        meeting=meeting,
        measure=measure,
        user=amr_a,
        observation="Færre sammenstød",
        effect="works",
        decision="continue",
        conclusion="Vi fortsætter",
    )
    return meeting


def test_it_renders_the_apv_with_the_measures_and_danish_text(
    login, staff_or_leader, cycle, evaluated
):
    response = login(staff_or_leader).get(
        reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Fælles prioriteringsmøde" in text
    assert "Tidspres før deadlines" in text
    assert "Færre sammenstød" in text
    assert "æ" in text and "ø" in text


def test_it_renders_the_apv_in_english_for_an_english_speaking_user(login, leader_a, cycle):
    leader_a.language = "en"
    leader_a.save()
    client = login(leader_a)
    client.cookies["amg_language"] = "en"
    text = _text(
        client.get(reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk])).content
    )
    assert "Priorities and action plan" in text


def test_it_leaves_confidential_text_out_of_the_pdf(login, leader_a, amr_a, cycle, risk_factor):
    services.conversation_note_add(
        cycle=cycle, author=amr_a, held_on=dt.date(2026, 2, 1), summary="HEMMELIG-NOTE"
    )
    text = _text(
        login(leader_a)
        .get(reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk]))
        .content
    )
    assert "HEMMELIG-NOTE" not in text


def test_it_exports_the_minutes_of_a_status_meeting(login, leader_a, evaluated):
    response = login(leader_a).get(
        reverse("handlingsplan:meeting_pdf", args=[evaluated.unit_id, evaluated.pk])
    )
    assert response.status_code == 200
    text = _text(response.content)
    assert "Vi fortsætter" in text and "Fælles prioriteringsmøde" in text


@pytest.fixture
def staff_or_leader(leader_a):
    return leader_a


def test_it_renders_hostile_text_without_fetching_anything(
    login, leader_a, unit_a, db, counting_server
):
    hostile = (
        f'<img src="file:///etc/passwd"> <a href="{counting_server.url}/x">x</a> '
        f'<img src="{counting_server.url}/img.png">'
    )
    measure = services.measure_create(
        unit=unit_a, created_by=leader_a, title=hostile, description=hostile
    )
    cycle = services.cycle_create(
        unit=unit_a,
        created_by=leader_a,
        title="A",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        guidelines=hostile,
    )
    response = login(leader_a).get(reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk]))
    assert response.status_code == 200
    assert "file:///etc/passwd" in _text(response.content)  # shown as text, not loaded
    assert "root:" not in _text(response.content)
    assert measure.pk
    # Even as real markup the renderer refuses both URLs before any I/O.
    output = html_to_pdf(hostile)
    assert set(output.refused) == {"file:///etc/passwd", f"{counting_server.url}/img.png"}
    assert counting_server.hits == 0


def test_a_plan_row_keeps_typed_line_breaks_and_escapes_its_text(login, leader_a, cycle, amr_a):
    """Each cell of the plan is one run of text (no <br>, no <strong>: issue 15); the line breaks
    a leader typed still break the line, and markup typed into a field stays text."""
    services.measure_create(
        unit=cycle.unit,
        created_by=leader_a,
        cycle=cycle,
        title="Tiltag <b>fed</b>",
        goal="Mål",
        description="Første linje i beskrivelsen\r\nAnden linje i beskrivelsen",
        responsible=amr_a,
        deadline=dt.date(2026, 6, 30),
        is_trial=True,
    )
    pdf = login(leader_a).get(reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk]))
    lines = [
        line.strip()
        for line in subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        )
        .stdout.decode()
        .splitlines()
    ]
    # The details row starts with the goal; the typed break ends the line, not run into the next.
    assert "Mål: Mål. Første linje i beskrivelsen" in lines
    assert any(line.startswith("Anden linje i beskrivelsen") for line in lines)
    text = " ".join(lines)
    assert "Tiltag <b>fed</b> · Afprøvning" in text
