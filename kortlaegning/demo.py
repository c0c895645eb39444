"""Demo mapping rounds for ``seed_demo``: two closed rounds with results, one open round to answer.

Idempotent: rounds are found by unit and title, responses are only added to a round without any,
and the open round's link and codes are derived from ``SECRET_KEY`` so a re-seed prints the same
secrets without storing them. Past rounds are put into their historical state directly, since the
services (rightly) refuse to open a round whose closing date has passed.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from amg_portal.organisation.demo import BIOLOGI, OEKOLOGI, DemoOrganisation
from amg_portal.organisation.models import Unit, User
from kortlaegning import services, tokens
from kortlaegning.models import (
    AnswerCode,
    LevelComment,
    Response,
    ResultSnapshot,
    Round,
    RoundEvent,
    RoundQuestion,
)
from kortlaegning.snapshot import people_by_group, snapshot_build

CELLEBIOLOGI = "Forskningsgruppen for Cellebiologi"
OPEN_TITLE = "Kortlægning 2026"
DEMO_CODES = 5
# (title, opens, closes, respondents per unit name, how much better than the first round)
CLOSED_ROUNDS = [
    ("Kortlægning forår 2025", datetime.date(2025, 3, 3), datetime.date(2025, 3, 21),
     {OEKOLOGI: 5, CELLEBIOLOGI: 5, BIOLOGI: 0}, 0.0),
    ("Kortlægning efterår 2025", datetime.date(2025, 9, 29), datetime.date(2025, 10, 17),
     {OEKOLOGI: 6, CELLEBIOLOGI: 5, BIOLOGI: 1}, 0.12),
]  # fmt: skip
COMMENTS = [
    ("I", "Jeg mangler tid til at prioritere mine egne opgaver i perioder med undervisning."),
    ("G", "Vi taler for sjældent om arbejdsmængden på gruppemøderne."),
    ("G", "God stemning, men vi kunne aftale klarere, hvem der hjælper hvem."),
    ("I", "Det hjælper at kende sine egne stresssymptomer."),
]


def _closed_round(org, leader, title, opens_on, closes_on, counts, better) -> Round:
    unit = org.units[BIOLOGI]
    round = Round.objects.filter(unit=unit, title=title).first()
    if round is None:
        round = services.round_create(
            unit=unit, created_by=leader, title=title, opens_on=opens_on, closes_on=closes_on
        )
        services.round_freeze_questions(round=round)
        Round.objects.filter(pk=round.pk).update(status=Round.Status.CLOSED)
        round.refresh_from_db()
        for kind in (RoundEvent.Kind.OPENED, RoundEvent.Kind.CLOSED):
            RoundEvent.objects.create(round=round, kind=kind, by=leader)
    if not round.responses.exists():
        _answers(round, org, counts, better)
    if not ResultSnapshot.objects.filter(round=round).exists():
        closed_at = timezone.make_aware(datetime.datetime.combine(closes_on, datetime.time(16)))
        Round.objects.filter(pk=round.pk).update(closed_at=closed_at)
        RoundEvent.objects.filter(round=round, kind=RoundEvent.Kind.CLOSED).update(
            counts=people_by_group(round)
        )
        snapshot_build(round=round)
    return round


def _choice(rng: random.Random, question_sort_key: int, better: float) -> str:
    # Some questions go well, some need attention: a fixed tilt per question, plus noise.
    tilt = ((question_sort_key * 37) % 10) / 10 + 0.15 + better
    roll = rng.random() + tilt * 0.6
    if roll > 1.0:
        return "yes"
    if roll > 0.65:
        return "partly"
    return "dont_know" if roll < 0.1 else "no"


def _answers(round: Round, org: DemoOrganisation, counts: dict[str, int], better: float) -> None:
    rng = random.Random(round.title)  # noqa: S311 - reproducible demo answers, not a secret
    questions = list(
        RoundQuestion.objects.filter(round=round, question__level__in=round.employee_levels)
        .select_related("question")
        .values_list("question_id", "question__sort_key")
    )
    comments = iter(COMMENTS)
    for unit_name, n in counts.items():
        for _ in range(n):
            submitted_on = round.opens_on + datetime.timedelta(days=rng.randint(0, 10))
            response = Response.objects.create(
                round=round,
                unit=org.units[unit_name],
                submitted_on=submitted_on,
                answers={str(qid): _choice(rng, key, better) for qid, key in questions},
            )
            comment = next(comments, None) if rng.random() < 0.5 else None
            if comment:
                LevelComment.objects.create(response=response, level=comment[0], text=comment[1])


def _open_round(org: DemoOrganisation, leader: User) -> tuple[Round, str, list[str]]:
    unit: Unit = org.units[BIOLOGI]
    round = Round.objects.filter(unit=unit, title=OPEN_TITLE).first()
    if round is None:
        today = timezone.localdate()
        round = services.round_create(
            unit=unit,
            created_by=leader,
            title=OPEN_TITLE,
            opens_on=today - datetime.timedelta(days=2),
            closes_on=today + datetime.timedelta(days=30),
        )
        round = services.round_open(round=round, opened_by=leader)
    link_token = tokens.derived_token(label=f"demo-open-link-{round.pk}")
    if round.open_link_hash != tokens.token_hash(
        purpose=tokens.Purpose.OPEN_LINK, round_id=round.pk, token=link_token
    ):
        services.open_link_create(round=round, token=link_token)
    codes = [tokens.derived_token(label=f"demo-code-{round.pk}-{i}") for i in range(DEMO_CODES)]
    for code in codes:
        AnswerCode.objects.get_or_create(
            token_hash=tokens.token_hash(
                purpose=tokens.Purpose.CODE, round_id=round.pk, token=code
            ),
            defaults={"round": round, "unit": unit},
        )
    return round, link_token, codes


def _base_url() -> str:
    return getattr(settings, "DEMO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


@transaction.atomic
def seed(org: DemoOrganisation) -> None:
    """Add the demo rounds to the demo organisation (idempotent)."""
    leader = org.users["leder"]
    for title, opens_on, closes_on, counts, better in CLOSED_ROUNDS:
        _closed_round(org, leader, title, opens_on, closes_on, counts, better)
    round, link_token, codes = _open_round(org, leader)
    base = _base_url()
    unused = [
        c
        for c in codes
        if AnswerCode.objects.filter(
            round=round,
            used=False,
            token_hash=tokens.token_hash(purpose=tokens.Purpose.CODE, round_id=round.pk, token=c),
        ).exists()
    ]
    org.extra["survey"] = {
        "round": round.title,
        "open_link": base + reverse("kortlaegning:answer_open", args=[round.pk, link_token]),
        "entry": base + reverse("kortlaegning:answer_entry", args=[round.pk]),
        "codes": [tokens.format_code(c) for c in unused],
        "code_links": [
            base + reverse("kortlaegning:answer_code", args=[round.pk, c]) for c in unused
        ],
    }
