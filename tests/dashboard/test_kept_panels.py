"""The dashboard keeps its drawn panels until the organisation's data changes, however it changes;
what counts answers as they arrive is drawn every time."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amg_portal import generation
from amg_portal.organisation.models import Unit
from handlingsplan.models import Measure
from kortlaegning import services as mapping
from tests.conftest import give_role, make_user
from tests.dashboard import helpers
from tests.kortlaegning.helpers import add_responses


def _queries_on(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"]]


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_second_view_draws_the_panels_from_what_was_kept(login, unit_a, leader_a):
    helpers.measures(unit_a, leader_a, 3)
    client = login(leader_a)
    first = _main(client.get("/overblik/"))
    with CaptureQueriesContext(connection) as queries:
        second = _main(client.get("/overblik/"))
    assert second == first
    assert not _queries_on("handlingsplan_measure", queries)
    assert not _queries_on("handlingsplan_followup", queries)


def test_every_kind_of_write_shows_at_once(login, unit_a, leader_a):
    """A service, a bulk ``update()`` that sends no signal, and raw SQL all bump the generation."""
    helpers.measures(unit_a, leader_a, 1, title="Første")
    client = login(leader_a)
    assert "Første" in _main(client.get("/overblik/"))
    Measure.objects.filter(unit=unit_a).update(title="Omdøbt")  # no signal
    assert "Omdøbt" in _main(client.get("/overblik/"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE handlingsplan_measure SET title = 'Rå SQL'")
    assert "Rå SQL" in _main(client.get("/overblik/"))
    Unit.objects.filter(pk=unit_a.pk).update(name="Institut Nyt Navn")
    assert "Institut Nyt Navn" in _main(client.get("/overblik/"))


def test_an_answer_does_not_touch_the_generation_but_the_open_round_counts_it(
    login, unit_a, leader_a, amr_a
):
    today = timezone.localdate()
    round = mapping.round_create(
        unit=unit_a, created_by=leader_a, title="Åben runde", opens_on=today, closes_on=today
    )
    round = mapping.round_open(round=round, opened_by=leader_a)
    add_responses(round, unit_a, 5)
    client = login(amr_a)  # a collector sees the response rate
    assert "5 af" in _main(client.get("/overblik/"))
    before = generation.current()
    add_responses(round, unit_a, 2)
    assert generation.current() == before
    assert "7 af" in _main(client.get("/overblik/"))


def test_readers_never_share_what_was_kept(login, unit_a, unit_b, leader_a, leader_b):
    helpers.measures(unit_a, leader_a, 1, title="Kun A")
    helpers.measures(unit_b, leader_b, 1, title="Kun B")
    as_a = _main(login(leader_a).get("/overblik/"))
    as_b = _main(login(leader_b).get("/overblik/"))
    assert "Kun A" in as_a and "Kun B" not in as_a
    assert "Kun B" in as_b and "Kun A" not in as_b


def test_a_new_role_shows_at_once(login, unit_a, unit_b, leader_b):
    helpers.measures(unit_a, leader_b, 1, title="Tiltag i A")
    client = login(leader_b)
    assert "Tiltag i A" not in _main(client.get("/overblik/"))
    give_role(leader_b, unit_a, "leader")
    assert "Tiltag i A" in _main(client.get("/overblik/"))


def test_every_table_of_the_organisations_data_bumps_the_generation(db):
    """A table added later gets its trigger from the next migrate (post_migrate)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [generation.TRIGGER],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    expected = set()
    for label in generation.TRACKED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower not in generation.IGNORED and not model._meta.proxy:
                expected.add(model._meta.db_table)
    assert "handlingsplan_measure" in expected
    assert "kortlaegning_answer" not in expected
    assert triggered == expected


def test_the_coordinator_is_audited_on_every_view(login, coordinator, unit_a, leader_a, caplog):
    helpers.closed_round(unit_a, leader_a, people={unit_a: 6})
    client = login(coordinator)
    for _ in range(2):
        caplog.clear()
        with caplog.at_level("INFO", logger="amg_portal.audit"):
            client.get("/overblik/")
        assert any("dashboard" in record.getMessage() for record in caplog.records)


def test_nothing_is_kept_for_a_user_who_lost_access(login, unit_a, leader_a):
    other = give_role(make_user("tidligere"), unit_a, "leader")
    helpers.measures(unit_a, leader_a, 1, title="Hemmeligt tiltag")
    client = login(other)
    assert "Hemmeligt tiltag" in _main(client.get("/overblik/"))
    other.memberships.all().delete()
    assert "Hemmeligt tiltag" not in _main(client.get("/overblik/"))
