"""Time the results selector and page on a large round, and count its queries.

    scripts/with-postgres.sh .venv/bin/python bench/kortlaegning_results.py
    BENCH_INSTITUTES=12 BENCH_GROUPS=8 BENCH_RESPONSES=5000 scripts/with-postgres.sh …

Builds a throwaway test database: a faculty with 6 institutes × 5 groups (37 units), 900
responses to a round on the faculty (or the sizes given), closes the round (which builds its
result snapshot, timed), then measures ``round_results`` and the results page.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amg_portal.settings")
os.environ.setdefault("AMG_TESTING", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def main() -> None:
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def run() -> None:
    from amg_portal.organisation.models import Membership, Role, Unit, User
    from amg_portal.organisation.services import unit_create
    from kortlaegning import results, services
    from kortlaegning.models import Response, ResultGroup, RoundQuestion

    rng = random.Random(1)
    faculty = unit_create(parent=None, name="Fakultet", kind=Unit.Kind.FACULTY, headcount=10)
    units = [faculty]
    for i in range(int(os.environ.get("BENCH_INSTITUTES", 6))):
        institute = unit_create(parent=faculty, name=f"Institut {i}", kind="institute", headcount=5)
        units.append(institute)
        for j in range(int(os.environ.get("BENCH_GROUPS", 5))):
            units.append(
                unit_create(parent=institute, name=f"Gruppe {i}.{j}", kind="group", headcount=30)
            )
    leader = User.objects.create_user("bench_leader", password="x" * 16)
    Membership.objects.create(user=leader, unit=faculty, role=Role.LEADER)
    today = timezone.localdate()
    round = services.round_create(
        unit=faculty, created_by=leader, title="Bench", opens_on=today, closes_on=today
    )
    round = services.round_open(round=round, opened_by=leader)
    qids = list(
        RoundQuestion.objects.filter(round=round, question__level__in="IG").values_list(
            "question_id", flat=True
        )
    )
    responses = [
        Response(
            round=round,
            unit=rng.choice(units),
            submitted_on=today,
            answers={str(q): rng.choice(["yes", "partly", "no", "dont_know"]) for q in qids},
        )
        for _ in range(int(os.environ.get("BENCH_RESPONSES", 900)))
    ]
    Response.objects.bulk_create(responses)
    start = time.perf_counter()
    round = services.round_close(round=round, closed_by=leader)
    print(f"round_close incl. the result snapshot: {time.perf_counter() - start:.2f} s")

    timings = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            results.round_results(round, user=leader)
        timings.append(time.perf_counter() - start)
    shown = ResultGroup.objects.filter(snapshot__round=round, decision="shown").count()
    print(
        f"round_results: {len(queries)} queries, best {min(timings) * 1000:.0f} ms, "
        f"{shown} of {len(units)} groups shown, {len(responses) * len(qids)} answers"
    )

    client = Client()
    client.force_login(leader)
    page = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/kortlaegning/runder/{round.pk}/resultater/")
        page.append(time.perf_counter() - start)
    assert response.status_code == 200
    print(
        f"results page: {len(queries)} queries, best {min(page) * 1000:.0f} ms, "
        f"{len(response.content) // 1024} KiB"
    )
    for fmt in ("csv", "xlsx"):
        start = time.perf_counter()
        response = client.get(f"/kortlaegning/runder/{round.pk}/resultater.{fmt}")
        took = (time.perf_counter() - start) * 1000
        print(f"export {fmt}: {took:.0f} ms, {len(response.content) // 1024} KiB")


if __name__ == "__main__":
    main()
