"""A closed round's result sections are drawn once and kept: what is kept never outlives its
snapshot, and never carries one reader's view to another reader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amg_portal import drawing
from kortlaegning import services
from kortlaegning.models import ResultPage, Round
from tests.conftest import give_role, make_user
from tests.kortlaegning.helpers import add_responses, close


def _closed(unit, leader, *, n=6, title="Runde", opens_on=None, published=False) -> Round:
    today = timezone.localdate()
    round = services.round_create(
        unit=unit, created_by=leader, title=title, opens_on=opens_on or today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader)
    add_responses(round, unit, n, "partly")
    round = close(round, leader)
    if published:
        round = services.round_publish_results(round=round, published_by=leader)
    return round


def _page(client, round):
    return client.get(reverse("kortlaegning:round_results", args=[round.pk]))


def _main(response) -> str:
    """The page's content, without the header's per-request CSRF tokens."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _create_links(html: str, unit) -> int:
    return html.count(reverse("handlingsplan:measure_create", args=[unit.pk]))


def test_a_second_visit_draws_nothing_from_the_figures_again(login, unit_a, leader_a):
    round = _closed(unit_a, leader_a)
    client = login(leader_a)
    first = _main(_page(client, round))
    with CaptureQueriesContext(connection) as queries:
        second = _main(_page(client, round))
    assert second == first
    assert not [q for q in queries if "kortlaegning_resultcount" in q["sql"]]
    assert "6 svarpersoner" in second


def test_a_reader_who_may_not_act_gets_no_create_links_from_a_kept_section(login, unit_a, leader_a):
    employee = give_role(make_user("ansat"), unit_a, "employee")
    round = _closed(unit_a, leader_a, published=True)
    as_leader = _page(login(leader_a), round).content.decode()
    assert _create_links(as_leader, unit_a) > 0
    as_employee = _page(login(employee), round).content.decode()
    assert "6 svarpersoner" in as_employee
    assert _create_links(as_employee, unit_a) == 0


def test_the_comparison_is_the_readers_own(login, unit_a, leader_a):
    """The leader compares with an earlier round the employee may not see (unpublished): the
    employee's page shows no comparison even after the leader's page was kept."""
    employee = give_role(make_user("ansat"), unit_a, "employee")
    earlier = timezone.localdate() - dt.timedelta(days=400)
    _closed(unit_a, leader_a, title="Sidste år", opens_on=earlier)
    round = _closed(unit_a, leader_a, title="I år", published=True)
    as_leader = _page(login(leader_a), round)
    assert as_leader.context["results"].previous is not None
    assert "Ændring" in as_leader.content.decode()
    as_employee = _page(login(employee), round)
    assert as_employee.context["results"].previous is None
    assert "Ændring" not in as_employee.content.decode()
    assert "Sidste år" not in as_employee.content.decode()


def test_each_language_is_drawn_in_its_own_words(login, unit_a, leader_a):
    round = _closed(unit_a, leader_a)
    assert "6 svarpersoner" in _page(login(leader_a), round).content.decode()
    leader_a.language = "en"
    leader_a.save(update_fields=["language"])
    english = _page(login(leader_a), round).content.decode()
    assert "6 respondents" in english
    assert "svarpersoner" not in english


def test_closing_again_after_a_reopening_shows_the_new_figures(login, unit_a, leader_a):
    round = _closed(unit_a, leader_a)
    client = login(leader_a)
    assert "6 svarpersoner" in _page(client, round).content.decode()
    round = services.round_reopen(round=round, reopened_by=leader_a, reason="Flere svar")
    add_responses(round, unit_a, 6, "yes")
    round = close(round, leader_a)
    page = _page(client, round).content.decode()
    assert "12 svarpersoner" in page
    assert "6 svarpersoner" not in page


def test_a_deploy_that_changes_how_results_look_draws_them_again(
    login, unit_a, leader_a, monkeypatch
):
    """A kept drawing is keyed by the code that drew it: a corrected translation or a new chart
    reaches rounds closed long ago at their next visit."""
    round = _closed(unit_a, leader_a)
    client = login(leader_a)
    before = _main(_page(client, round))
    monkeypatch.setattr(
        "kortlaegning.result_charts.render_to_string",
        lambda *a, **k: '<p id="new-drawing">Tegnet af den nye kode</p>',
    )
    assert "new-drawing" not in _main(_page(client, round))  # same code: the kept drawing
    monkeypatch.setattr("kortlaegning.results.drawn_by", lambda: "a-new-deploy")
    after = _main(_page(client, round))
    assert "new-drawing" in after and after != before


def test_the_code_digest_changes_with_a_template(tmp_path, monkeypatch):
    monkeypatch.setattr(drawing, "_template_dirs", lambda: [tmp_path])
    page = tmp_path / "side.html"
    page.write_text("<p>{% translate 'Score' %}</p>")

    def digest() -> str:
        drawing.code_digest.cache_clear()
        return drawing.code_digest("amg_portal.charts")

    first = digest()
    assert digest() == first  # the same files: the same drawings
    page.write_text("<p>{% translate 'Score' %} </p>")
    assert digest() != first
    drawing.code_digest.cache_clear()


def test_the_daily_purge_drops_old_and_replaced_drawings_and_the_page_is_drawn_again(
    login, unit_a, leader_a, monkeypatch
):
    round = _closed(unit_a, leader_a)
    client = login(leader_a)
    shown = _main(_page(client, round))
    other = _closed(unit_a, leader_a, title="Ny")
    _page(client, other)
    kept = ResultPage.objects.get(snapshot__round=round)
    ResultPage.objects.filter(pk=kept.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    ResultPage.objects.create(
        snapshot=kept.snapshot, key="results-figures:drawn-by-last-years-code:1", html="<p>old</p>"
    )
    out = io.StringIO()
    call_command("purge_raw_responses", stdout=out)
    assert "2 drawn results page(s) deleted" in out.getvalue()
    assert list(ResultPage.objects.values_list("snapshot__round", flat=True)) == [other.pk]
    assert _main(_page(client, round)) == shown  # drawn again, the same figures
    assert ResultPage.objects.filter(snapshot__round=round).count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"page": "99999999999999999999"},
        {"page": "-3"},
        {"page": "tre"},
        {"unit": "99999999999999999999999"},
        {"unit": "0"},
        {"unit": "-1"},
        {"unit": "en enhed"},
    ],
)
def test_a_hand_made_results_link_shows_the_rounds_own_results(login, unit_a, leader_a, query):
    round = _closed(unit_a, leader_a, n=12)
    client = login(leader_a)
    page = client.get(reverse("kortlaegning:round_results", args=[round.pk]), query)
    assert page.status_code == 200
    assert "12 svarpersoner" in _main(page)
