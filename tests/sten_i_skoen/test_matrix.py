import json

import pytest
from django.urls import reverse

from amg_portal.editing import EditConflict
from amg_portal.organisation.models import AuditEntry
from sten_i_skoen.models import CELL_MAX_LENGTH, CaseCell
from sten_i_skoen.services import cell_save


def cell_post(client, case, text, *, version=0, row="L", column="origin", json_api=False):
    headers = {"HTTP_ACCEPT": "application/json"} if json_api else {}
    data = {"row": row, "column": column, "text": text, "version": version}
    return client.post(case.get_absolute_url(), data, **headers)


def test_it_creates_all_twelve_cells_with_the_case(case):
    assert CaseCell.objects.filter(case=case).count() == 12


def test_it_shows_the_guides_prompts(case, login, leader_a):
    body = login(leader_a).get(case.get_absolute_url()).content.decode()
    assert "Hvilken betydning har organisationen haft for problemstillingen?" in body
    assert "Hvad kan vi ikke selv klare, som må videreføres til næste ledelseslag?" in body
    assert "Hvad kan jeg gøre?" in body
    assert "Tidsramme: hvem gør hvad hvornår?" in body


def test_it_shows_the_prompts_in_english(case, login, leader_a):
    client = login(leader_a)
    client.cookies["django_language"] = "en"
    leader_a.language = "en"
    leader_a.save()
    body = client.get(case.get_absolute_url()).content.decode()
    assert "What can we not solve ourselves" in body


def test_it_loads_the_matrix_page_in_few_queries(
    case, login, leader_a, amr_a, django_assert_max_num_queries
):
    for row in "OLGI":
        cell_save(case=case, row=row, column="todo", text=f"tekst {row}", version=0, by=amr_a)
    client = login(leader_a)
    client.get(case.get_absolute_url())
    with django_assert_max_num_queries(12) as ctx:
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    cell_queries = [q for q in ctx.captured_queries if "sten_i_skoen_casecell" in q["sql"]]
    assert len(cell_queries) == 1


def test_it_saves_a_cell_with_a_plain_form(case, login, employee_a):
    response = cell_post(login(employee_a), case, "Lederen var ikke til stede.")
    assert response.status_code == 302
    assert response.url.endswith("#cell-L-origin")
    cell = CaseCell.objects.get(case=case, row="L", column="origin")
    assert cell.text == "Lederen var ikke til stede."
    assert (cell.version, cell.updated_by) == (1, employee_a)


def test_it_saves_a_cell_from_the_script(case, login, employee_a):
    response = cell_post(login(employee_a), case, "Første udkast", json_api=True)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    response = cell_post(login(employee_a), case, "Andet udkast", version=1, json_api=True)
    assert response.json()["version"] == 2


def test_it_refuses_the_later_of_two_conflicting_saves(case, login, amr_a, employee_a):
    cell_post(login(amr_a), case, "AMR's tekst", version=0)
    response = cell_post(login(employee_a), case, "Medarbejderens tekst", version=0)
    assert response.status_code == 409
    body = response.content.decode()
    assert "AMR&#x27;s tekst" in body
    assert "Medarbejderens tekst" in body
    cell = CaseCell.objects.get(case=case, row="L", column="origin")
    assert cell.text == "AMR's tekst"
    # The page now carries the current version, so the merged text saves.
    assert 'name="version" value="1"' in body
    response = cell_post(login(employee_a), case, "AMR's tekst + min", version=1)
    assert response.status_code == 302


def test_it_returns_both_texts_to_the_script_on_conflict(case, login, amr_a, employee_a):
    cell_post(login(amr_a), case, "Først", version=0)
    response = cell_post(login(employee_a), case, "Sidst", version=0, json_api=True)
    assert response.status_code == 409
    data = json.loads(response.content)
    assert data["conflict"] is True
    assert data["theirs"] == "Først"
    assert data["version"] == 1


def test_the_service_raises_a_conflict_on_a_stale_version(case, amr_a):
    cell_save(case=case, row="G", column="todo", text="a", version=0, by=amr_a)
    with pytest.raises(EditConflict) as info:
        cell_save(case=case, row="G", column="todo", text="b", version=0, by=amr_a)
    assert info.value.current.text == "a"


def test_it_refuses_an_overlong_cell_and_keeps_the_text(case, login, amr_a):
    text = "x" * (CELL_MAX_LENGTH + 1)
    response = cell_post(login(amr_a), case, text)
    assert response.status_code == 400
    body = response.content.decode()
    assert text in body
    assert "4000" in body or "4.000" in body
    assert CaseCell.objects.get(case=case, row="L", column="origin").text == ""


def test_it_refuses_an_unknown_cell(case, login, amr_a):
    response = cell_post(login(amr_a), case, "tekst", row="X")
    assert response.status_code == 400
    response = cell_post(login(amr_a), case, "tekst", column="timeframe", json_api=True)
    assert response.status_code == 400
    assert response.json()["saved"] is False


def test_it_answers_405_to_other_methods(case, login, amr_a):
    assert login(amr_a).delete(case.get_absolute_url()).status_code == 405


def test_it_logs_a_coordinators_edit(case, login, coordinator):
    cell_post(login(coordinator), case, "Koordinatorens note")
    assert (
        AuditEntry.objects.filter(
            kind=AuditEntry.Kind.CONFIDENTIAL_VIEW, actor=coordinator, target=f"case {case.pk}"
        )
        .filter(detail="edit")
        .exists()
    )


def test_it_exposes_the_cell_form_without_javascript(case, login, amr_a):
    body = login(amr_a).get(case.get_absolute_url()).content.decode()
    assert body.count('class="matrix-cell cell-form') == 12
    assert "sten_i_skoen/matrix.js" in body
    assert "<script>" not in body
    assert "style=" not in body


def test_the_index_links_to_case_creation_for_creators(unit_a, login, amr_a, employee_a):
    body = login(amr_a).get(reverse("sten_i_skoen:index")).content.decode()
    assert reverse("sten_i_skoen:case_create", kwargs={"unit_pk": unit_a.pk}) in body


def test_a_refused_save_keeps_the_version_the_user_started_from(case, login, amr_a):
    cell_save(case=case, row="L", column="origin", text="a", version=0, by=amr_a)
    text = "x" * (CELL_MAX_LENGTH + 1)
    body = cell_post(login(amr_a), case, text, version=0).content.decode()
    start = body.index('id="cell-L-origin"')
    assert 'name="version" value="0"' in body[start : start + 1500]
