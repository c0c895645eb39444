"""Results frozen at close: built once, idempotent, all or nothing, unchanged by re-organisation."""

from __future__ import annotations

import importlib
import re
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from amg_portal.organisation.models import Membership, Unit
from kortlaegning import results, retention, services, snapshot
from kortlaegning.models import (
    LevelComment,
    Response,
    ResultCount,
    ResultGroup,
    ResultSnapshot,
    ResultText,
    ResultUnit,
    Round,
    RoundEvent,
)
from tests.conftest import give_role, make_user
from tests.kortlaegning.helpers import (
    add_responses,
    build_sub_units,
    close,
    rolled_back,
    sub_unit_trees,
)


def _rows(round: Round) -> list[tuple]:
    """Everything the snapshot holds, without its own ids."""
    groups = ResultGroup.objects.filter(snapshot__round=round)
    return sorted(
        [
            ("unit", u.unit_id, u.path, u.name, u.kind, u.headcount, u.depth)
            for u in ResultUnit.objects.filter(snapshot__round=round)
        ]
        + [
            (
                "group",
                g.unit.unit_id,
                g.group,
                g.respondents,
                g.responses,
                g.decision,
                g.reason,
                str(g.levels),
                g.texts_shown,
            )
            for g in groups.select_related("unit")
        ]
        + [
            (
                "count",
                c.group.unit.unit_id,
                c.group.group,
                c.question_id,
                c.yes,
                c.partly,
                c.no,
                c.dont_know,
            )
            for c in ResultCount.objects.filter(group__in=groups).select_related("group__unit")
        ]
        + [("text", t.kind, t.level, t.text) for t in ResultText.objects.filter(group__in=groups)]
    )


def test_it_freezes_the_results_when_the_round_closes(open_round, unit_a, group_a1, leader_a):
    add_responses(open_round, unit_a, 6, "yes")
    add_responses(open_round, group_a1, 6, "no")
    assert not ResultSnapshot.objects.exists()
    closed = close(open_round, leader_a)
    snap = ResultSnapshot.objects.get(round=closed)
    assert snap.closed_at == closed.closed_at and not snap.reopened
    decisions = {
        (g.unit.name, g.decision)
        for g in ResultGroup.objects.filter(snapshot=snap).select_related("unit")
    }
    assert decisions == {("Institut A", "shown"), ("Gruppe A1", "shown")}
    top = ResultUnit.objects.get(snapshot=snap, parent=None)
    assert (top.unit_id, top.headcount) == (unit_a.pk, 3 + 6)  # the subtree's headcount
    root_counts = ResultCount.objects.filter(group__unit=top, group__group="employees")
    assert {(c.yes, c.no) for c in root_counts} == {(6, 6)}


def test_building_again_changes_nothing_and_closing_twice_is_refused(
    open_round, unit_a, group_a1, leader_a
):
    add_responses(open_round, unit_a, 7)
    add_responses(open_round, group_a1, 5, "partly")
    for response in Response.objects.all()[:11]:
        LevelComment.objects.create(response=response, level="G", text=f"k{response.pk}")
    closed = close(open_round, leader_a)
    before = _rows(closed)
    snapshot.snapshot_build(round=closed)
    assert _rows(closed) == before
    with pytest.raises(ValidationError):
        services.round_close(round=closed, closed_by=leader_a)
    assert _rows(closed) == before
    assert RoundEvent.objects.filter(round=closed, kind="closed").count() == 1


def test_a_close_that_fails_while_building_leaves_the_round_open(
    open_round, unit_a, leader_a, monkeypatch
):
    add_responses(open_round, unit_a, 6)
    real = snapshot.snapshot_build

    def build_then_fail(**kwargs):
        real(**kwargs)  # write rows, then fail: all of it must roll back
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.lifecycle, "snapshot_build", build_then_fail)
    with pytest.raises(RuntimeError):
        services.round_close(round=open_round, closed_by=leader_a)
    round = Round.objects.get(pk=open_round.pk)
    assert round.is_open and round.closed_at is None
    assert not ResultSnapshot.objects.exists() and not ResultUnit.objects.exists()
    assert not RoundEvent.objects.filter(kind="closed").exists()
    monkeypatch.undo()
    assert close(round, leader_a).is_closed  # and the next try works
    assert ResultSnapshot.objects.filter(round=round).exists()


def test_a_round_closed_before_snapshots_gets_the_same_figures_from_the_migration(
    open_round, unit_a, group_a1, leader_a, draft_round
):
    add_responses(open_round, unit_a, 6, "yes")
    add_responses(open_round, group_a1, 3, "no")
    made_now = close(open_round, leader_a)
    expected = _rows(made_now)
    # The same round as the old code left it: closed, with its closing event, but no snapshot.
    ResultSnapshot.objects.filter(round=made_now).delete()
    assert not ResultSnapshot.objects.exists()
    migration = importlib.import_module("kortlaegning.migrations.0006_snapshot_closed_rounds")
    migration.build_missing(apps, None)
    assert _rows(made_now) == expected
    assert results.round_results(made_now, user=leader_a).top("employees").respondents == 9


# --- free text by the same rules as figures ----------------------------------------------------


def _comment_all(round: Round, text: str) -> None:
    for i, response in enumerate(Response.objects.filter(round=round)):
        LevelComment.objects.create(
            response=response, level="L" if response.group == "leadership" else "I",
            text=f"{text} {i}",
        )  # fmt: skip


def test_comments_need_ten_respondents_in_their_own_group(open_round, unit_a, leader_a):
    add_responses(open_round, unit_a, 9)
    add_responses(open_round, unit_a, 1, group="leadership")
    _comment_all(open_round, "tekst")
    closed = close(open_round, leader_a)
    found = results.round_results(closed, user=leader_a)
    assert found.texts is None  # 9 employees and 1 leader: no group has 10
    assert not ResultText.objects.exists()


def test_a_leaders_comment_is_never_shown_from_a_group_of_one(open_round, unit_a, leader_a, client):
    add_responses(open_round, unit_a, 12)
    add_responses(open_round, unit_a, 1, group="leadership")
    _comment_all(open_round, "tekst")
    closed = close(open_round, leader_a)
    page = results.round_results(closed, user=leader_a).texts
    assert len(page) == 12
    assert {t.group_name for t in page} == {"employees"}
    assert {t.level for t in page} == {"I"}
    client.force_login(leader_a)
    html = client.get(reverse("kortlaegning:round_results", args=[closed.pk])).text
    assert "Ledelse" not in html.split('id="comments-h"')[1]  # no label names a hidden group


def test_comments_come_a_page_at_a_time(open_round, unit_a, leader_a, client):
    add_responses(open_round, unit_a, 60)
    for i, response in enumerate(Response.objects.all()):
        for level in "IG":
            LevelComment.objects.create(response=response, level=level, text=f"k-{level}-{i}")
    closed = close(open_round, leader_a)
    seen = []
    for number in (1, 2, 3):
        page = results.round_results(closed, user=leader_a, page=number).texts
        seen += [t.text for t in page]
        assert page.has_next == (number < 3)
    assert len(seen) == len(set(seen)) == 120
    client.force_login(leader_a)
    html = client.get(reverse("kortlaegning:round_results", args=[closed.pk]) + "?page=abc").text
    assert html.count('class="comment-list"') == 1  # a bad page number shows the first page


# --- re-organisation changes nothing that was published --------------------------------------


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
COMMENTS = re.compile(r'<section aria-labelledby="comments-h">.*?</section>', re.S)


def _everything(client, round: Round) -> dict:
    """Every view and export of a round's results, as bytes (CSRF tokens masked)."""
    base = reverse("kortlaegning:round_results", args=[round.pk])
    pages = {
        "csv": client.get(reverse("kortlaegning:results_export", args=[round.pk, "csv"])).content
    }
    ids = ResultUnit.objects.filter(snapshot__round=round).values_list("pk", flat=True)
    for pk in [None, *ids]:
        html = client.get(base + (f"?unit={pk}" if pk else "")).text
        main = html[html.index("<main") : html.index("</main>")]
        pages[pk] = CSRF.sub("", main)
    return pages


CHOICES = st.sampled_from(["yes", "no"])
RESPONDENTS = st.sampled_from([0, 2, 3, 5, 6, 8])


@settings(
    max_examples=3,
    deadline=None,
    # The fixtures are made once; each example runs in its own rolled-back savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tree=sub_unit_trees(
        min_units=1,
        max_units=6,
        max_depth=2,
        headcounts=st.integers(3, 12),
        respondents=RESPONDENTS,
        choices=CHOICES,
    ),
    own=RESPONDENTS,
)
def test_moving_merging_renaming_and_deleting_units_changes_no_published_result(
    faculty, unit_a, unit_b, leader_a, coordinator, client, today, tree, own
):
    assume(own + sum(row.respondents for row in tree) >= 5)  # something is published
    with rolled_back():
        _reorganise_and_compare(unit_a, unit_b, leader_a, client, today, tree, own)


def _reorganise_and_compare(unit_a, unit_b, leader_a, client, today, tree, own):
    units = build_sub_units(Unit.objects.get(pk=unit_a.pk), tree)
    round = services.round_create(
        unit=unit_a, created_by=leader_a, title="R", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader_a)
    add_responses(round, unit_a, own, "yes")
    for unit, row in zip(units[1:], tree, strict=True):
        add_responses(round, unit, row.respondents, row.choice)
    closed = close(round, leader_a)
    client.force_login(leader_a)
    before = _everything(client, closed)
    assert before["csv"].count(b"\n") > 1

    # Re-organise: rename everything, move a sub-tree to institute B, merge two units.
    for unit in Unit.objects.filter(pk__in=[u.pk for u in units]):
        unit.name = f"Nyt navn {unit.pk}"
        unit.save()
    movable = [u for u in Unit.objects.filter(pk__in=[u.pk for u in units[1:]])]
    if movable:
        movable[0].move(Unit.objects.get(pk=unit_b.pk), "sorted-child")
    assert _everything(client, closed) == before

    # After the retention period the raw rows and free text are gone, so units can be merged
    # and deleted; every figure stays.
    retention.round_purge_raw(round=closed)
    before = {key: COMMENTS.sub("", page) if key != "csv" else page for key, page in before.items()}
    for unit in Unit.objects.filter(pk__in=[u.pk for u in units[1:]]).order_by("-depth"):
        Membership.objects.filter(unit=unit).delete()
        if unit.is_leaf():
            unit.delete()
    after = _everything(client, closed)
    assert {k: COMMENTS.sub("", p) if k != "csv" else p for k, p in after.items()} == before


# --- no overlapping rounds ----------------------------------------------------------------------


def test_a_round_cannot_open_while_a_round_covering_its_people_is_open(
    open_round, group_a1, leader_a, faculty, today
):
    inner = services.round_create(
        unit=group_a1, created_by=leader_a, title="Gruppens runde", opens_on=today, closes_on=today
    )
    with pytest.raises(ValidationError) as refused:
        services.round_open(round=inner, opened_by=leader_a)
    assert "Kortlægning 2026" in str(refused.value) and "Institut A" in str(refused.value)
    dean = give_role(make_user("dekan"), faculty, "leader")
    outer = services.round_create(
        unit=faculty, created_by=dean, title="Fakultetets runde", opens_on=today, closes_on=today
    )
    with pytest.raises(ValidationError):
        services.round_open(round=outer, opened_by=dean)
    close(open_round, leader_a)
    assert services.round_open(round=inner, opened_by=leader_a).is_open
    # Reopening the institute's round would overlap the group's open round.
    closed = Round.objects.get(pk=open_round.pk)
    with pytest.raises(ValidationError):
        services.round_reopen(round=closed, reopened_by=leader_a, reason="Flere svar")


def test_the_round_page_names_the_other_round(login, open_round, group_a1, leader_a, today):
    inner = services.round_create(
        unit=group_a1, created_by=leader_a, title="Gruppens runde", opens_on=today, closes_on=today
    )
    response = login(leader_a).post(
        reverse("kortlaegning:round_open", args=[inner.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Kortlægning 2026" in response.text and "er åben" in response.text
    assert Round.objects.get(pk=inner.pk).is_draft


@pytest.mark.django_db(transaction=True)
def test_two_nested_rounds_opened_at_once_never_both_open(faculty, unit_a, today):
    leader = give_role(make_user("leder-x"), faculty, "leader")
    for attempt in range(4):
        outer = services.round_create(
            unit=faculty, created_by=leader, title=f"O{attempt}", opens_on=today, closes_on=today
        )
        inner = services.round_create(
            unit=unit_a, created_by=leader, title=f"I{attempt}", opens_on=today, closes_on=today
        )
        barrier = threading.Barrier(2)
        outcomes = []

        def open_one(round, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                services.round_open(round=round, opened_by=leader)
                outcomes.append("opened")
            except ValidationError:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [threading.Thread(target=open_one, args=(r,)) for r in (outer, inner)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["opened", "refused"]
        assert Round.objects.filter(status="open").count() == 1
        Round.objects.filter(status="open").update(status="closed")
