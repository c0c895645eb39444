"""In-process profile of the final answer submit against the bare one-INSERT view (issue 15).

    scripts/with-postgres.sh .venv/bin/python -m bench.submit_profile [--profile] [--explain] [N]

Creates a database ``submit_profile`` in the PostgreSQL of ``DATABASE_URL``, migrates it and, in a
child process with ``bench.settings`` (production settings, DEBUG off, as ``bench/http_bench.py``),
opens a round asking employees all 33 questions. ``N`` respondents (default 200) exchange a code
and answer steps 1-3 through the Django test client with CSRF checks on; their final POSTs are
then timed one by one, interleaved with as many POSTs to the bare INSERT view. It prints the
medians, the statements of one submit with their times, and with ``--profile`` the top cProfile
entries (CPU time) of all final POSTs (and of the bare POSTs, for comparison), with
``--explain`` the database's ``EXPLAIN ANALYZE`` of one submit's statement (rolled back, then
run for real).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

CHILD = "SUBMIT_PROFILE_CHILD"
URLENCODED = "application/x-www-form-urlencoded"  # as a browser posts the form


def parent() -> None:
    from bench import http_bench

    database = "submit_profile"
    http_bench._create_database(database)
    with tempfile.TemporaryDirectory() as static_root:
        env = http_bench._env(database, static_root)
        http_bench._manage(env, "migrate", "--no-input", "-v0")
        http_bench._manage(env, "collectstatic", "--no-input", "-v0")
        env[CHILD] = "1"
        subprocess.run(
            [sys.executable, "-m", "bench.submit_profile", *sys.argv[1:]],
            cwd=http_bench.ROOT,
            env=env,
            check=True,
        )


def _explained(execute, sql, params, many, context):
    """Print the database's own account of the submit's statement (run, then rolled back)."""
    from django.db import transaction

    if sql.startswith("WITH "):
        with transaction.atomic(), context["connection"].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked inside
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, VERBOSE) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            transaction.set_rollback(True)
    return execute(sql, params, many, context)


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(n: int, profile: bool, explain: bool) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from amg_portal.organisation.models import Unit, User
    from amg_portal.organisation.services import unit_create
    from bench import views
    from bench.loadgen import csrf_token, radio_answers
    from kortlaegning import services
    from kortlaegning.models import Response

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {views.TABLE} (id bigserial PRIMARY KEY, on_date date)"
        )
    unit = Unit.objects.first() or unit_create(parent=None, name="Fakultet", kind="faculty")
    leader = User.objects.create_user(username=f"leader{time.time_ns()}", password="x" * 20)
    today = timezone.localdate()
    round = services.round_create(
        unit=unit,
        created_by=leader,
        title="Profil",
        employee_levels="IGLO",
        opens_on=today,
        closes_on=today + timezone.timedelta(days=14),
    )
    round = services.round_open(round=round, opened_by=leader)
    codes = services.codes_generate(round=round, unit=unit, count=n)
    steps = len(round.levels_for(Response.Group.EMPLOYEES))
    rng = random.Random(1)
    # As behind the production proxy (bench/loadgen.py): https, and an Origin for the CSRF check.
    extra = {"secure": True, "HTTP_HOST": "localhost", "HTTP_ORIGIN": "https://localhost"}

    def step_path(step: int) -> str:
        return f"/kortlaegning/svar/{round.pk}/trin/{step}/"

    # One client (one handler, so the middleware is loaded once); each visitor has its cookies.
    client = Client(enforce_csrf_checks=True)

    def prepare(code: str):
        client.cookies = SimpleCookie()
        client.get(f"/kortlaegning/svar/{round.pk}/k/{code}/", **extra)
        for step in range(1, steps + 1):
            page = client.get(step_path(step), **extra).content.decode()
            form = {"csrfmiddlewaretoken": csrf_token(page), "next": "1"}
            form |= radio_answers(page, rng.choice)
            if step == steps:
                return client.cookies, form
            reply = client.post(step_path(step), form, **extra)
            assert reply.status_code == 302, reply.status_code
        raise AssertionError

    def bare_poster():
        secret = _get_new_csrf_string()
        cookies = SimpleCookie()
        cookies[settings.CSRF_COOKIE_NAME] = secret
        return cookies, {"csrfmiddlewaretoken": _mask_cipher_secret(secret)}

    respondents = [prepare(code) for code in codes]
    bares = [bare_poster() for _ in codes]

    def submit(pair) -> float:
        client.cookies, form = pair
        start = time.perf_counter()
        reply = client.post(step_path(steps), urlencode(form), URLENCODED, **extra)
        seconds = time.perf_counter() - start
        assert reply.status_code == 302 and reply["Location"].endswith("/tak/"), reply.status_code
        return seconds

    def bare(pair) -> float:
        client.cookies, form = pair
        start = time.perf_counter()
        reply = client.post("/bench/bare-insert/", urlencode(form), URLENCODED, **extra)
        seconds = time.perf_counter() - start
        assert reply.status_code == 302, reply.status_code
        return seconds

    # One submit with its statements (after a warm-up of each kind).
    submit(respondents.pop())
    bare(bares.pop())
    with CaptureQueriesContext(connection) as queries:
        submit(respondents.pop())
    print("statements of one final submit:")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")
    bares.pop()
    if explain:
        with connection.execute_wrapper(_explained):
            submit(respondents.pop())
        bares.pop()

    backend = connection.connection.info.backend_pid  # this process's PostgreSQL backend

    # CPU time, not wall time: waiting for PostgreSQL (or for the CPU) is not counted.
    profiler = cProfile.Profile(time.process_time) if profile else None
    bare_profiler = cProfile.Profile(time.process_time) if profile else None
    submit_times, bare_times = [], []
    cpu_submit = cpu_bare = db_submit = db_bare = 0.0
    for pair, bare_pair in zip(respondents, bares, strict=False):
        cpu, db = time.process_time(), _cpu_of(backend)
        if profiler:
            profiler.enable()
        submit_times.append(submit(pair))
        if profiler:
            profiler.disable()
        cpu_submit += time.process_time() - cpu
        db_submit += _cpu_of(backend) - db
        cpu, db = time.process_time(), _cpu_of(backend)
        if bare_profiler:
            bare_profiler.enable()
        bare_times.append(bare(bare_pair))
        if bare_profiler:
            bare_profiler.disable()
        cpu_bare += time.process_time() - cpu
        db_bare += _cpu_of(backend) - db
    count = len(submit_times)
    submit_ms = statistics.median(submit_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
    print(
        f"{count} final submits: median {submit_ms:.2f} ms (CPU {cpu_submit / count * 1000:.2f} ms"
        f", PostgreSQL {db_submit / count * 1000:.2f} ms); bare INSERT median {bare_ms:.2f} ms "
        f"(CPU {cpu_bare / count * 1000:.2f} ms, PostgreSQL {db_bare / count * 1000:.2f} ms); "
        f"bare/submit {bare_ms / submit_ms:.2f}; load average {os.getloadavg()[0]:.1f}"
    )
    # What a CPU-bound machine can do of each: the process's and PostgreSQL's CPU together.
    both = (cpu_bare + db_bare) / (cpu_submit + db_submit)
    print(f"bare/submit in CPU (Python + PostgreSQL): {both:.2f}")
    if profiler:
        for name, prof in (("final submit", profiler), ("bare INSERT", bare_profiler)):
            print(f"\n=== {name}: cumulative ===")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
            print(f"\n=== {name}: own time ===")
            pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        if os.environ.get("SUBMIT_PROFILE_DUMP"):
            profiler.dump_stats(os.environ["SUBMIT_PROFILE_DUMP"] + ".submit")
            bare_profiler.dump_stats(os.environ["SUBMIT_PROFILE_DUMP"] + ".bare")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200
    if os.environ.get(CHILD):
        child(n, "--profile" in sys.argv, "--explain" in sys.argv)
    else:
        parent()


if __name__ == "__main__":
    main()
