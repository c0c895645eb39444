"""The work that follows the rounds in a large dataset, through the handlingsplan and sten-i-skoen
services: an APV cycle per year on the upper units with risk factors, tiltag, follow-ups and a
status meeting with evaluations, and sten-i-skoen cases (some escalated) on the lower units."""

from __future__ import annotations

import datetime as dt
import random

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.models import Unit, User
from handlingsplan import services as plan
from handlingsplan.models import Evaluation, Measure
from kortlaegning.models import Question, Round, RoundQuestion
from sten_i_skoen import services as cases
from sten_i_skoen.models import Case

from .responses import at_hour, clock

TILTAG = [
    ("Fast ugentlig planlægning af opgaver", "Overblik over opgaver og ressourcer"),
    ("Mødefri fredag", "Tid til fordybelse"),
    ("Introforløb for nye kolleger", "Nye kolleger kender deres opgaver efter en måned"),
    ("Trivsel som fast punkt på gruppemødet", "Vi taler om arbejdsmængden hver måned"),
    ("Tydelige aftaler om hjælp ved spidsbelastning", "Ingen står alene med en deadline"),
    ("Lederudvikling om stresssignaler", "Lederne spotter stress tidligt"),
    ("Prioriteringsmøde med ledelsen hvert kvartal", "Færre opgaver med samme deadline"),
    ("Kursus i at sige fra", "Medarbejdere kan sige fra uden skyld"),
]
RISKS = [
    ("Stor arbejdsmængde i eksamensperioder", Level.GROUP),
    ("Uklare forventninger mellem undervisning og forskning", Level.ORGANISATION),
    ("Manglende opfølgning fra ledelsen", Level.LEADER),
]
OLD_STATUSES = [Measure.Status.DONE, Measure.Status.DONE, Measure.Status.DROPPED,
                Measure.Status.IN_PROGRESS]  # fmt: skip
NEW_STATUSES = [Measure.Status.PLANNED, Measure.Status.IN_PROGRESS, Measure.Status.TRIAL]
PREVENTION = list(Prevention.values)
LEVELS = [Level.INDIVIDUAL, Level.GROUP, Level.LEADER, Level.ORGANISATION]


def _measures(cycle, round: Round, leader: User, count: int, *, current: bool, rng):
    questions = list(
        Question.objects.filter(pk__in=RoundQuestion.objects.filter(round=round).values("question"))
    )
    risks = list(cycle.risk_factors.all())
    start = cycle.period_start
    created = []
    for n in range(count):
        title, goal = TILTAG[n % len(TILTAG)]
        deadline = start + dt.timedelta(days=rng.randint(60, 330))
        source = {}
        if n % 2 == 0 and round.unit_id == cycle.unit_id:
            source = {
                "source_kind": Measure.Source.ROUND_QUESTION,
                "source_round": round,
                "source_question": rng.choice(questions),
            }
        elif n % 2 == 0 and risks:
            source = {"source_kind": Measure.Source.RISK_FACTOR, "risk_factor": rng.choice(risks)}
        measure = plan.measure_create(
            unit=cycle.unit,
            created_by=leader,
            cycle=cycle,
            title=f"{title} ({n + 1})",
            goal=goal,
            description="Hvad, hvor, hvornår og hvordan aftales på næste møde.",
            responsible=leader,
            start=start,
            deadline=deadline,
            prevention=PREVENTION[n % len(PREVENTION)],
            level=LEVELS[n % len(LEVELS)],
            priority=n % 5 + 1,
            status=rng.choice(NEW_STATUSES if current else OLD_STATUSES),
            follow_ups=[start + dt.timedelta(days=45), start + dt.timedelta(days=120)],
            **source,
        )
        created.append(measure)
    return created


def _meeting(cycle, leader: User, people: list[User], measures, *, rng) -> None:
    held_on = cycle.period_start + dt.timedelta(days=130)
    with clock(at_hour(held_on, 10)):
        meeting = plan.meeting_create(
            unit=cycle.unit, held_on=held_on, participants=[leader, *people], created_by=leader
        )
        for measure in measures[:3]:
            plan.evaluation_record(
                meeting=meeting,
                measure=measure,
                user=leader,
                observation="Tiltaget er sat i gang; de fleste oplever en forskel.",
                effect=rng.choice(Evaluation.Effect.values),
                decision=rng.choice([Evaluation.Decision.CONTINUE, Evaluation.Decision.ADJUST]),
            )


def build_cycles(
    units: list[Unit],
    leaders: dict[int, User],
    staff: dict[int, list[User]],
    rounds: list[Round],
    *,
    today: dt.date,
    rng: random.Random,
    big: dict[int, int],
) -> int:
    """An APV cycle per year on every unit with staff roles; ``big`` gives some units' current
    cycle a fixed number of tiltag (for the PDF benchmark). Returns the number of tiltag."""
    total = 0
    for index, round in enumerate(rounds):
        start = round.closes_on + dt.timedelta(days=1)
        following = rounds[index + 1].closes_on if index + 1 < len(rounds) else None
        end = following or start + dt.timedelta(days=365)
        current = index == len(rounds) - 1
        for unit in units:
            if unit.pk not in staff:
                continue
            leader = leaders[unit.pk]
            with clock(at_hour(start, 9)):
                cycle = plan.cycle_create(
                    unit=unit,
                    created_by=leader,
                    title=f"APV {start.year}",
                    period_start=start,
                    period_end=end,
                )
                for position, (title, level) in enumerate(RISKS, start=1):
                    plan.risk_factor_create(
                        cycle=cycle,
                        created_by=leader,
                        title=title,
                        level=level,
                        source_round=round,
                        position=position,
                    )
                count = big.get(unit.pk, 6) if current else 6
                measures = _measures(cycle, round, leader, count, current=current, rng=rng)
            total += len(measures)
            if start + dt.timedelta(days=130) <= today:
                _meeting(cycle, leader, staff[unit.pk], measures, rng=rng)
    return total


def build_cases(
    units: list[Unit], leaders: dict[int, User], *, today: dt.date, rng: random.Random
) -> int:
    """Sten-i-skoen cases on one in ten of the lower units; half are passed on to the parent."""
    made = 0
    for unit in units:
        if unit.depth < 3 or rng.random() >= 0.1:
            continue
        leader = leaders[unit.pk]
        with clock(at_hour(today - dt.timedelta(days=rng.randint(5, 200)), 11)):
            case = cases.case_create(
                unit=unit,
                created_by=leader,
                title="Arbejdspres op til deadlines",
                problem="Flere i gruppen oplever, at opgaverne hober sig op før hver deadline.",
                occasion=rng.choice(Case.Occasion.values),
                participants=[],
            )
            if rng.random() < 0.5:
                cases.escalation_create(
                    case=case,
                    text="Gruppen kan ikke selv ændre fristerne; vi beder om hjælp til at "
                    "prioritere.",
                    created_by=leader,
                )
        made += 1
    return made
