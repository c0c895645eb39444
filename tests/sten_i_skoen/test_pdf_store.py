"""The case PDF is rendered once per version of the case and served from the database after
that; a saved cell removes the stored PDF (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from amg_portal import pdf as pdf_module
from sten_i_skoen.models import RenderedCasePdf
from sten_i_skoen.services import case_set_status, cell_save, escalation_create
from tests.sten_i_skoen.test_pdf import pdf_text


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real = pdf_module.html_to_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_module, "html_to_pdf", counting)
    return calls


def _url(case) -> str:
    return reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk})


def test_it_renders_once_and_serves_the_stored_pdf_after(
    case, login, amr_a, renders, django_assert_max_num_queries
):
    client = login(amr_a)
    first = client.get(_url(case))
    assert first.status_code == 200 and len(renders) == 1
    # session, user, the case with the reader's access, its matrix, escalations, events,
    # participants, the stored PDF
    with django_assert_max_num_queries(9):
        again = client.get(_url(case))
    assert again.content == first.content and len(renders) == 1


def test_a_change_to_the_case_renders_it_anew(case, login, amr_a, renders):
    client = login(amr_a)
    client.get(_url(case))
    escalation_create(case=case, text="Flere hænder", created_by=amr_a)
    assert "Flere hænder" in pdf_text(client.get(_url(case)).content)
    case_set_status(case=case, status="actions_agreed", by=amr_a)
    client.get(_url(case))
    assert len(renders) == 3
    assert RenderedCasePdf.objects.filter(case=case).count() == 1  # only the newest is kept


def test_a_saved_cell_removes_the_stored_pdf(case, login, amr_a):
    cell_save(case=case, row="O", column="origin", text="Et navn der skal væk", version=0, by=amr_a)
    client = login(amr_a)
    assert "Et navn der skal væk" in pdf_text(client.get(_url(case)).content)
    cell_save(case=case, row="O", column="origin", text="Omskrevet", version=1, by=amr_a)
    assert not RenderedCasePdf.objects.filter(case=case).exists()
    text = pdf_text(client.get(_url(case)).content)
    assert "Omskrevet" in text and "Et navn der skal væk" not in text


def test_a_pdf_over_the_time_limit_ends_in_a_clear_message_and_is_not_stored(
    case, login, amr_a, settings, monkeypatch
):
    def too_slow(html, **kwargs):
        raise pdf_module.PdfError("PDF rendering took longer than 0.5 seconds")

    monkeypatch.setattr(pdf_module, "html_to_pdf", too_slow)
    client = login(amr_a)
    response = client.get(_url(case))
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    page = client.get(response["Location"])
    assert "PDF’en kunne ikke laves lige nu" in page.content.decode()
    assert not RenderedCasePdf.objects.filter(case=case).exists()


def test_the_pdf_says_when_it_was_made_and_is_served_the_next_day(
    case, login, amr_a, renders, monkeypatch
):
    client = login(amr_a)
    text = pdf_text(client.get(_url(case)).content)
    assert "Dannet" in text and "made-on" not in text
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert client.get(_url(case)).status_code == 200
    assert len(renders) == 1  # yesterday's render of the unchanged case
