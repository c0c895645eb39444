"""Answers of a large dataset: who answers a round and how, written in bulk or through services.

``write_bulk`` COPYs exactly the rows the answering services write for the same respondents:
printed answer codes (used ones for those who answered), one ``Response`` per respondent with its
answer set and its ``LevelComment`` rows, and a ``LeaderParticipation`` per answering leader.
``write_with_services`` writes the same respondents through ``codes_generate``, the grants and
``response_submit``; ``tests/dashboard/test_large_dataset.py`` checks that the two write the same
rows. The bulk path refuses to run when one of its tables has gained a column it does not write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from unittest import mock

from django.db import connection, models, transaction
from django.utils import timezone

from amg_portal.organisation.models import Unit, User
from kortlaegning import services, tokens
from kortlaegning.models import (
    AnswerCode,
    LeaderParticipation,
    LevelComment,
    Response,
    Round,
    RoundQuestion,
)

CHUNK = 4000  # respondents per COPY batch
COMMENTS = [
    "Vi mangler tid til at prioritere opgaverne i perioder med mange deadlines.",
    "Vi taler for sjældent om arbejdsmængden på vores møder.",
    "God stemning, men uklart hvem der hjælper hvem, når det brænder på.",
    "Ledelsen lytter, men det tager lang tid, før der sker noget.",
    "Det hjælper at kende sine egne stresssignaler; mere af det.",
    "Forventningerne til undervisning og forskning trækker i hver sin retning.",
    "Nye kolleger bliver godt taget imod, men introduktionen er for kort.",
    "Vi har fået bedre overblik over opgaverne efter sidste års tiltag.",
    "Jeg savner en fast dag uden møder.",
    "Samarbejdet på tværs af grupperne kunne være bedre.",
    "Det er svært at sige fra, når alle har travlt.",
    "Vores leder er god til at følge op på aftaler.",
]


@contextlib.contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """Let the app's code run as if it were ``at`` (rounds five years back open and close through
    the services, which rightly refuse dates in the past)."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def at_hour(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass(frozen=True)
class Respondent:
    """One response to write: an employee with a printed code, or a leader (``leader``)."""

    unit_id: int
    group: str
    answers: dict[int, str]
    comments: dict[str, str]
    submitted_on: dt.date
    leader: User | None = None


@dataclass
class Plan:
    """A round's collection: printed codes per unit, then who answered how."""

    codes: dict[int, int]  # unit id → codes printed (its headcount)
    respondents: list[Respondent] = field(default_factory=list)


def _choice(roll: float, tilt: float) -> str:
    value = roll + tilt
    if value > 1.0:
        return "yes"
    if value > 0.65:
        return "partly"
    return "dont_know" if value < 0.1 else "no"


def _answers(rng: random.Random, questions: list[tuple[int, int]], mood: float) -> dict[int, str]:
    # Some questions go well, some need attention: a fixed tilt per question, the unit's mood.
    return {
        qid: _choice(rng.random(), (((key * 37) % 10) / 10 + 0.15) * 0.6 + mood)
        for qid, key in questions
    }


def _comments(rng: random.Random, levels: str, share: float) -> dict[str, str]:
    if rng.random() >= share:
        return {}
    return {rng.choice(levels): rng.choice(COMMENTS)}


def plan_round(
    round: Round,
    units: list[Unit],
    leaders: dict[int, User],
    *,
    rng: random.Random,
    improvement: float = 0.0,
    comment_share: float = 0.12,
) -> Iterator[tuple[int, int, list[Respondent]]]:
    """Per unit: (unit id, codes printed, respondents). 82–100 % of each unit's employees answer,
    and four in five leaders answer the leadership levels."""
    levels = dict(
        RoundQuestion.objects.filter(round=round)
        .values_list("question_id", "question__level")
        .order_by("question__sort_key")
    )
    keys = dict(
        RoundQuestion.objects.filter(round=round).values_list("question_id", "question__sort_key")
    )
    employee_qs = [(q, keys[q]) for q, level in levels.items() if level in round.employee_levels]
    leader_qs = [(q, keys[q]) for q, level in levels.items() if level in round.leader_levels]
    days = (round.closes_on - round.opens_on).days
    for unit in units:
        mood = rng.uniform(-0.15, 0.15) + improvement
        answering = int(unit.headcount * rng.uniform(0.82, 1.0) + 0.5)  # `round` is the round
        people = [
            Respondent(
                unit_id=unit.pk,
                group=Response.Group.EMPLOYEES,
                answers=_answers(rng, employee_qs, mood),
                comments=_comments(rng, round.employee_levels, comment_share),
                submitted_on=round.opens_on + dt.timedelta(days=rng.randint(0, days)),
            )
            for _ in range(answering)
        ]
        leader = leaders.get(unit.pk)
        if leader is not None and leader_qs and rng.random() < 0.8:
            people.append(
                Respondent(
                    unit_id=unit.pk,
                    group=Response.Group.LEADERSHIP,
                    answers=_answers(rng, leader_qs, mood),
                    comments=_comments(rng, round.leader_levels, comment_share),
                    submitted_on=round.opens_on + dt.timedelta(days=rng.randint(0, days)),
                    leader=leader,
                )
            )
        yield unit.pk, unit.headcount, people


# --- the service path (the reference the bulk path is checked against) -------------------------


def write_with_services(round: Round, plan: Plan) -> None:
    """Print codes, exchange them and submit every respondent's answers through the services."""
    unused: dict[int, list[str]] = defaultdict(list)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=plan.codes)}
    for unit_id, count in plan.codes.items():
        for start in range(0, count, services.MAX_CODES_PER_SHEET):
            batch = min(services.MAX_CODES_PER_SHEET, count - start)
            unused[unit_id] += services.codes_generate(
                round=round, unit=units[unit_id], count=batch
            )
    for person in plan.respondents:
        with clock(at_hour(person.submitted_on, 12)):
            if person.leader is not None:
                grant = services.grant_for_leader(round=round, user=person.leader)
            else:
                grant = services.grant_for_code(round=round, code=unused[person.unit_id].pop())
            services.response_submit(
                round=round,
                grant=grant,
                answers={str(q): c for q, c in person.answers.items()},
                comments=person.comments,
            )


# --- the bulk path ------------------------------------------------------------------------------


def _check_columns(model: type[models.Model], columns: list[str]) -> None:
    """Refuse to bulk-write a table that has columns this module does not know about."""
    expected = {
        f.column
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    }
    if set(columns) != expected:
        raise RuntimeError(
            f"{model._meta.db_table} has columns {sorted(expected)}, the bulk writer writes "
            f"{sorted(columns)}: update amg_portal/dashboard/largedata/responses.py"
        )


TABLES = {
    Response: ["id", "round_id", "unit_id", "group", "is_dialogue", "participants", "summary",
               "submitted_on", "answers"],
    LevelComment: ["response_id", "level", "text"],
    AnswerCode: ["round_id", "unit_id", "source", "token_hash", "used"],
}  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(model: type[models.Model], lines: Iterable[str]) -> None:
    columns = TABLES[model]
    _check_columns(model, columns)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 20000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def _code_lines(round: Round, codes: dict[int, int], used: Counter) -> Iterator[str]:
    for unit_id, count in codes.items():
        for n in range(count):
            digest = tokens.token_hash(
                purpose=tokens.Purpose.CODE, round_id=round.pk, token=tokens.new_code()
            )
            flag = "t" if n < used[unit_id] else "f"
            yield f"{round.pk}\t{unit_id}\t{AnswerCode.Source.PRINTED}\t{digest}\t{flag}\n"


def _write_chunk(round: Round, people: list[Respondent], rng: random.Random) -> None:
    ids = [uuid.UUID(bytes=rng.randbytes(16), version=4) for _ in people]
    _copy(
        Response,
        (
            f"{rid}\t{round.pk}\t{p.unit_id}\t{p.group}\tf\t1\t\t{p.submitted_on.isoformat()}"
            f"\t{_escape(json.dumps({str(q): c for q, c in p.answers.items()}))}\n"
            for rid, p in zip(ids, people, strict=True)
        ),
    )
    _copy(
        LevelComment,
        (
            f"{rid}\t{level}\t{_escape(text)}\n"
            for rid, p in zip(ids, people, strict=True)
            for level, text in p.comments.items()
        ),
    )


@transaction.atomic
def write_bulk(round: Round, plan: Plan, *, rng: random.Random) -> None:
    """COPY the rows ``write_with_services`` would write for ``plan`` (the round must be open)."""
    if not round.is_open:
        raise ValueError("answers are written to an open round")
    used = Counter(p.unit_id for p in plan.respondents if p.leader is None)
    _copy(AnswerCode, _code_lines(round, plan.codes, used))
    LeaderParticipation.objects.bulk_create(
        LeaderParticipation(round=round, user=p.leader)
        for p in plan.respondents
        if p.leader is not None
    )
    for start in range(0, len(plan.respondents), CHUNK):
        _write_chunk(round, plan.respondents[start : start + CHUNK], rng)
