"""A realistic large dataset for benchmarks, built through the app's own code paths.

One university by default (about 100 units five levels deep, 5,000 employees, five yearly rounds
on the whole university), ten with ``units=1014, employees=50000``. The lifecycle goes through
the services: units through ``unit_create``, each round created, opened, closed (which builds its
results) and published by kortlaegning's services at its historical date, APV cycles, tiltag,
status meetings and cases by handlingsplan's and sten-i-skoen's services. Only the bulk of the
rows — users with their roles, answer codes, responses, answers and comments — is inserted in
bulk, writing exactly what the services would (see ``responses.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from amg_portal.organisation.models import Unit
from kortlaegning import services as mapping
from kortlaegning.models import Round

from .activity import build_cases, build_cycles
from .organisation import Organisation, build_people, build_tree
from .responses import Plan, at_hour, clock, plan_round, write_bulk

ROOT_NAME = "Universitet (benchmark)"
PASSWORD = "bench-password-2026"  # noqa: S105 - every generated account's password, for the bench
ROUND_DAYS = 20


@dataclass
class Summary:
    root: Unit
    units: int
    employees: int
    rounds: list[Round]
    responses: int
    answers: int
    comments: int
    tiltag: int
    cases: int
    seconds: float


def _round_dates(years: int, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Yearly rounds, the last one closed a month ago."""
    last_close = today - dt.timedelta(days=30)
    closes = [last_close - dt.timedelta(days=365 * back) for back in range(years - 1, -1, -1)]
    return [(close - dt.timedelta(days=ROUND_DAYS), close) for close in closes]


def _run_round(org: Organisation, opens_on, closes_on, *, index: int, rng) -> tuple[Round, Plan]:
    leader = org.leaders[org.root.pk]
    with clock(at_hour(opens_on, 8)):
        round = mapping.round_create(
            unit=org.root,
            created_by=leader,
            title=f"Kortlægning {opens_on.year}",
            employee_levels="IGLO",
            leader_levels="LO",
            opens_on=opens_on,
            closes_on=closes_on,
        )
        round = mapping.round_open(round=round, opened_by=leader)
    plan = Plan(codes={})
    for unit_id, codes, people in plan_round(
        round, org.units, org.leaders, rng=rng, improvement=0.03 * index
    ):
        plan.codes[unit_id] = codes
        plan.respondents += people
    write_bulk(round, plan, rng=rng)
    with clock(at_hour(closes_on, 16)):
        round = mapping.round_close(round=round, closed_by=leader)
    with clock(at_hour(closes_on + dt.timedelta(days=7), 10)):
        round = mapping.round_publish_results(round=round, published_by=leader)
    return round, plan


def build(
    *,
    units: int = 100,
    employees: int = 5000,
    years: int = 5,
    seed: int = 1,
    name: str = ROOT_NAME,
    log: Callable[[str], None] = lambda _line: None,
) -> Summary:
    """Build the dataset under a new root unit ``name``; refuses if that root exists."""
    if Unit.objects.get_root_nodes().filter(name=name).exists():
        raise ValueError(f"A root unit named {name!r} exists already.")
    if units < 1 or employees < 0 or years < 1:
        raise ValueError("Give at least one unit and one year, and no negative employees.")
    began = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not a secret
    today = timezone.localdate()
    tree = build_tree(units=units, employees=employees, name=name)
    org = build_people(tree, rng=rng, password=PASSWORD)
    log(f"{len(tree)} units, {employees} employees ({time.monotonic() - began:.0f} s)")
    rounds, responses, answers, comments = [], 0, 0, 0
    for index, (opens_on, closes_on) in enumerate(_round_dates(years, today)):
        round, plan = _run_round(org, opens_on, closes_on, index=index, rng=rng)
        rounds.append(round)
        responses += len(plan.respondents)
        answers += sum(len(p.answers) for p in plan.respondents)
        comments += sum(len(p.comments) for p in plan.respondents)
        log(f"{round.title}: {len(plan.respondents)} responses ({time.monotonic() - began:.0f} s)")
    first_faculty = next((u for u in tree if u.depth == 2), org.root)
    tiltag = build_cycles(
        tree,
        org.leaders,
        org.staff,
        rounds,
        today=today,
        rng=rng,
        big={org.root.pk: 100, first_faculty.pk: 20} if first_faculty != org.root else {},
    )
    made = build_cases(tree, org.leaders, today=today, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"{tiltag} tiltag, {made} cases ({time.monotonic() - began:.0f} s)")
    return Summary(
        root=org.root,
        units=len(tree),
        employees=employees,
        rounds=rounds,
        responses=responses,
        answers=answers,
        comments=comments,
        tiltag=tiltag,
        cases=made,
        seconds=time.monotonic() - began,
    )
