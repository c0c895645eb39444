"""Helpers for the mapping tests."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from hypothesis import strategies as st

from amg_portal.organisation.models import Unit
from amg_portal.organisation.services import unit_create
from kortlaegning import services
from kortlaegning.models import Response, ResultGroup, ResultText, Round, RoundQuestion


def full_answers(round: Round, group: str = Response.Group.EMPLOYEES, choice: str = "yes") -> dict:
    levels = round.levels_for(group)
    qids = RoundQuestion.objects.filter(round=round, question__level__in=levels).values_list(
        "question_id", flat=True
    )
    return {str(q): choice for q in qids}


def code_grant(round: Round, unit=None) -> tuple[str, services.Grant]:
    [code] = services.codes_generate(round=round, unit=unit or round.unit, count=1)
    return code, services.grant_for_code(round=round, code=code)


def add_responses(round: Round, unit, n: int, choice: str = "yes", group: str = "employees"):
    """``n`` responses straight into the database (for results tests; bypasses collection)."""
    answers = full_answers(round, group, choice)
    for _ in range(n):
        Response.objects.create(
            round=round,
            unit=unit,
            group=group,
            submitted_on=timezone.localdate(),
            answers=answers,
        )


def close(round: Round, user) -> Round:
    return services.round_close(round=round, closed_by=user)


def ensure_catalogue() -> None:
    """Reload bilag 1 after a transactional test flushed the tables (the data migration's rows)."""
    migration = importlib.import_module("kortlaegning.migrations.0002_question_catalogue")
    migration.load(apps, None)


def shown_groups(round: Round, group: str = "employees") -> list[ResultGroup]:
    """The round's shown groups in its snapshot, the round's own unit first."""
    return list(
        ResultGroup.objects.filter(snapshot__round=round, group=group, decision="shown")
        .select_related("unit")
        .order_by("unit__path")
    )


def texts(round: Round) -> list[ResultText]:
    return list(ResultText.objects.filter(group__snapshot__round=round))


# --- property tests on the database: random unit trees, one rolled-back savepoint per example ---


@dataclass(frozen=True)
class SubUnit:
    """A unit below a round's unit: ``parent`` 0 is the round's unit, ``i`` the i-th sub-unit."""

    parent: int
    headcount: int
    respondents: int
    choice: str


@st.composite
def sub_unit_trees(
    draw, *, min_units: int, max_units: int, max_depth: int, headcounts, respondents, choices
) -> list[SubUnit]:
    """Units below a round's unit, at most ``max_depth`` levels deep; shrinks towards fewer,
    flatter trees with fewer respondents (a failure ends up as a small, readable tree)."""
    rows: list[SubUnit] = []
    depth = [0]
    for _ in range(draw(st.integers(min_units, max_units))):
        parent = draw(st.sampled_from([i for i, d in enumerate(depth) if d < max_depth]))
        rows.append(SubUnit(parent, draw(headcounts), draw(respondents), draw(choices)))
        depth.append(depth[parent] + 1)
    return rows


def build_sub_units(root: Unit, tree: list[SubUnit]) -> list[Unit]:
    """Create ``tree`` below ``root``; returns ``[root, sub-unit 1, ...]`` in the tree's order."""
    units = [root]
    for i, row in enumerate(tree, start=1):
        parent = Unit.objects.get(pk=units[row.parent].pk)  # treebeard needs the fresh row
        units.append(
            unit_create(parent=parent, name=f"Enhed {i}", kind="group", headcount=row.headcount)
        )
    return units


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one Hypothesis example in a savepoint that is rolled back, so every example starts
    from the test's fixtures (Hypothesis runs many examples inside one test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
