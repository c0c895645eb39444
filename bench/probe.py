"""Inside one Django process (``bench.settings``): count queries, serve with gunicorn, time it.

Called by ``bench/http_bench.py``; the database holds one ``build_large_dataset`` organisation.
Logged-in pages use a session made by Django's own login for the root unit's leader.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amg_portal.dashboard.largedata import ROOT_NAME
from amg_portal.organisation.models import Membership, Role, Unit
from bench import views
from bench.loadgen import Browser, csrf_token, radio_answers, run_concurrently, summary_ms
from handlingsplan.models import Cycle, Measure
from kortlaegning import services
from kortlaegning.models import Response, Round

ROOT = Path(__file__).resolve().parent.parent
BENCH_ROUND_TITLE = "Benchmark-runde"
# Seconds between saving a change and clicking the PDF: right away (the click waits for the
# render the change started), and after a short pause (the leader goes to the meeting).
PDF_PAUSES = [float(x) for x in os.environ.get("BENCH_PDF_PAUSES", "0,5").split(",")]


class World:
    """What the benchmark needs from the dataset."""

    def __init__(self) -> None:
        self.root = Unit.objects.get_root_nodes().get(name=ROOT_NAME)
        self.leader = Membership.objects.get(unit=self.root, role=Role.LEADER).user
        tree = self.root.subtree()
        self.faculty = tree.filter(depth=2).order_by("path").first() or self.root
        self.mid = tree.filter(depth=3).order_by("path").first() or self.faculty
        self.largest = (
            Round.objects.filter(unit__in=tree, status=Round.Status.CLOSED)
            .annotate(n=Count("responses"))
            .order_by("-n", "-opens_on")
            .first()
        )
        cycles = Cycle.objects.annotate(n=Count("measures")).order_by("-period_start")
        self.apv = cycles.filter(unit=self.root).first()
        self.pdf_cycles = {
            f"{c.n} tiltag": c for c in (self.apv, cycles.filter(unit=self.faculty).first()) if c
        }

    def pages(self) -> dict[str, str]:
        apv = f"/handlingsplan/enhed/{self.root.pk}/forloeb/{self.apv.pk}/apv/"
        return {
            "bare view": "/bench/bare/",
            "results, largest round": f"/kortlaegning/runder/{self.largest.pk}/resultater/",
            "dashboard, root unit": f"/overblik/?unit={self.root.pk}",
            "dashboard, mid unit": f"/overblik/?unit={self.mid.pk}",
            "unit page (mid unit)": f"/enheder/{self.mid.pk}/",
            "round list": "/kortlaegning/",
            "APV page": apv,
        }

    def data(self) -> dict[str, int]:
        tree = self.root.subtree()
        return {
            "units": tree.count(),
            "employees": Membership.objects.filter(unit__in=tree, role=Role.EMPLOYEE).count(),
            "rounds": Round.objects.filter(unit__in=tree).count(),
            "responses": Response.objects.count(),
            "answers": _answers_stored(),
            "tiltag": Measure.objects.count(),
        }


def _answers_stored() -> int:
    """All responses' answers (each response holds its answer set as one JSON object)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Response._meta.db_table)
        cursor.execute(
            "SELECT coalesce(sum((SELECT count(*) FROM jsonb_object_keys(answers))), 0)"  # noqa: S608
            f" FROM {table}"
        )
        return int(cursor.fetchone()[0])


def _client() -> Client:
    return Client(HTTP_HOST="localhost")


def _count(client: Client, method: str, path: str, data: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(path, secure=True)
        else:
            response = client.post(path, data or {}, secure=True)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path} answered {response.status_code}")
    return len(queries.captured_queries), response


def count_queries(world: World, answer_round: Round, code: str) -> dict[str, int]:
    """Queries per page for the root leader, and along one respondent's way through the answer."""
    client = _client()
    client.force_login(world.leader)
    counts = {name: _count(client, "GET", path)[0] for name, path in world.pages().items()}
    respondent = _client()
    counts["exchange"], _ = _count(respondent, "GET", _code_path(answer_round, code))
    steps = len(answer_round.levels_for(Response.Group.EMPLOYEES))
    rng = random.Random(1)
    for step in range(1, steps + 1):
        page = respondent.get(_step_path(answer_round, step), secure=True).content.decode()
        form = {"next": "1", **radio_answers(page, rng.choice)}
        queries, response = _count(respondent, "POST", _step_path(answer_round, step), form)
        counts["step" if step == 1 else "submit"] = queries
    assert response.status_code == 302 and response["Location"].endswith("/tak/")
    counts["answer submit (last POST)"] = counts["submit"]
    return counts


def _code_path(round: Round, code: str) -> str:
    return f"/kortlaegning/svar/{round.pk}/k/{code}/"


def _step_path(round: Round, step: int) -> str:
    return f"/kortlaegning/svar/{round.pk}/trin/{step}/"


def open_answer_round(world: World, codes: int) -> tuple[Round, list[str]]:
    """A round on the first faculty that employees answer on all four levels (33 questions)."""
    today = timezone.localdate()
    round = services.round_create(
        unit=world.faculty,
        created_by=world.leader,
        title=BENCH_ROUND_TITLE,
        employee_levels="IGLO",
        leader_levels="LO",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    round = services.round_open(round=round, opened_by=world.leader)
    made: list[str] = []
    while len(made) < codes:
        batch = min(services.MAX_CODES_PER_SHEET, codes - len(made))
        made += services.codes_generate(round=round, unit=world.faculty, count=batch)
    return round, made


# --- gunicorn --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn() -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "amg_portal.wsgi:application",
         "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--timeout", "600", "--log-level", "warning"],
        cwd=ROOT,
        env=os.environ.copy(),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if Browser(port).request("GET", "/bench/bare/").status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()


# --- timings ---------------------------------------------------------------------------------


def time_pages(port: int, session: str, pages: dict[str, str], requests: int) -> dict:
    """Each page ``requests`` times, round-robin (so drift hits every page alike), after warm-up."""
    browser = Browser(port, cookies={settings.SESSION_COOKIE_NAME: session})
    times: dict[str, list[float]] = {name: [] for name in pages}
    for rnd in range(requests + 2):
        for name, path in pages.items():
            reply = browser.request("GET", path)
            if reply.status != 200:
                raise RuntimeError(f"GET {path} answered {reply.status}")
            if rnd >= 2:
                times[name].append(reply.seconds)
    return {
        name: dict(zip(("p50", "p95"), summary_ms(values), strict=True))
        for name, values in times.items()
    }


def _respondent(port: int, round: Round, code: str, steps: int, rng: random.Random):
    """Answer every step but the last over HTTP; return the timed last POST."""
    browser = Browser(port)
    reply = browser.request("GET", _code_path(round, code))
    if reply.status != 302:
        raise RuntimeError(f"exchanging a code answered {reply.status}")
    for step in range(1, steps + 1):
        page = browser.request("GET", _step_path(round, step)).body
        form = {"csrfmiddlewaretoken": csrf_token(page), "next": "1"}
        form |= radio_answers(page, rng.choice)
        if step == steps:
            break
        reply = browser.request("POST", _step_path(round, step), form)
        if reply.status != 302:
            raise RuntimeError(f"step {step} answered {reply.status}")

    def submit() -> float:
        done = browser.request("POST", _step_path(round, steps), form)
        if done.status != 302 or not done.headers.get("location", "").endswith("/tak/"):
            raise RuntimeError(f"the final submit answered {done.status}")
        return done.seconds

    return submit


def _bare_poster(port: int):
    secret = _get_new_csrf_string()
    browser = Browser(port, cookies={settings.CSRF_COOKIE_NAME: secret})
    form = {"csrfmiddlewaretoken": _mask_cipher_secret(secret)}

    def post() -> float:
        reply = browser.request("POST", "/bench/bare-insert/", form)
        if reply.status != 302:
            raise RuntimeError(f"the bare INSERT answered {reply.status}")
        return reply.seconds

    return post


def _prepare_respondents(port, round, codes, steps, rng, concurrency) -> list:
    prepared: list = []

    def prepare(code: str) -> float:
        prepared.append(_respondent(port, round, code, steps, rng))
        return 0.0

    run_concurrently([lambda c=c: prepare(c) for c in codes], concurrency)
    return prepared


def submit_trials(
    port, server_pid: int, round: Round, codes: list[str], *, submits, concurrency, trials, rng
):
    """Final POSTs of fresh respondents vs the bare INSERT, alternating which goes first; with
    each kind's CPU per request (gunicorn workers, PostgreSQL, the load generator)."""
    steps = len(round.levels_for(Response.Group.EMPLOYEES))
    results = []
    for trial in range(1, trials + 1):
        batch = [codes.pop() for _ in range(submits)]
        prepared = _prepare_respondents(port, round, batch, steps, rng, concurrency)
        bare = [_bare_poster(port) for _ in range(submits)]
        order = ["submit", "bare"] if trial % 2 else ["bare", "submit"]
        figures, cpu = {}, {}
        for kind in order:
            jobs = prepared if kind == "submit" else bare
            ran = {}

            def run(jobs=jobs, ran=ran) -> None:
                ran["wall"], ran["times"] = run_concurrently(jobs, concurrency)

            cpu[kind] = _cpu_split(server_pid, run, submits)
            wall, times = ran["wall"], ran["times"]
            figures[kind] = (submits / wall, statistics.median(times) * 1000, times)
        results.append(
            {
                "trial": trial,
                "order": " then ".join(order),
                "app_rps": figures["submit"][0],
                "app_p50": figures["submit"][1],
                "bare_rps": figures["bare"][0],
                "bare_p50": figures["bare"][1],
                "ratio": figures["submit"][0] / figures["bare"][0],
                "cpu": cpu,
                "app_times": figures["submit"][2],
                "bare_times": figures["bare"][2],
            }
        )
    return {"trials": results, "ratio": statistics.median(r["ratio"] for r in results)}


def _workers_cpu(server_pid: int) -> float:
    """CPU seconds (user + system) the server's worker processes have used so far."""
    return _processes_cpu()[0].get(server_pid, 0.0)


def _processes_cpu() -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds (user + system) used so far: by the children of each process (parent id →
    seconds), and by each process itself (process id → seconds)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, float] = {}
    own: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        ppid = int(fields[1])
        children[ppid] = children.get(ppid, 0.0) + seconds
        own[int(stat.parent.name)] = seconds
    return children, own


def _postmaster_pid() -> int:
    """The process id of the PostgreSQL server of this process's connection (same machine)."""
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    return int(Path(f"/proc/{backend}/stat").read_text().rpartition(")")[2].split()[1])


def _cpu_split(server_pid: int, run: Callable[[], object], requests: int) -> dict[str, float]:
    """Run ``run`` and say where its CPU went, in ms per request: the gunicorn workers, the
    PostgreSQL server, the load generator (this process)."""
    postmaster = _postmaster_pid()  # the server and all its children, not other clusters

    def used(children: dict[int, float], own: dict[int, float]) -> tuple[float, float]:
        database = children.get(postmaster, 0.0) + own.get(postmaster, 0.0)
        return children.get(server_pid, 0.0), database

    workers, database = used(*_processes_cpu())
    client = time.process_time()
    run()
    client = time.process_time() - client
    workers_after, database_after = used(*_processes_cpu())
    return {
        "workers": (workers_after - workers) * 1000 / requests,
        "database": (database_after - database) * 1000 / requests,
        "client": client * 1000 / requests,
    }


def time_pdfs(port: int, targets: dict[str, tuple[str, str]], runs: int, server_pid: int) -> dict:
    """Per PDF (name -> (path, session)): the first request and the median of the later ones,
    each with the CPU time the server's workers used meanwhile."""
    out = {}
    for name, (path, session, _change) in targets.items():
        browser = Browser(port, cookies={settings.SESSION_COOKIE_NAME: session})
        times, cpu, size, failed = [], [], 0, ""
        for _ in range(runs):
            before = _workers_cpu(server_pid)
            reply = browser.request("GET", path)
            cpu.append((_workers_cpu(server_pid) - before) * 1000)
            times.append(reply.seconds * 1000)
            if reply.status != 200 or "pdf" not in reply.headers.get("content-type", ""):
                failed = f"answered {reply.status} {reply.headers.get('location', '')}"
            size = reply.length
        out[name] = {
            "first": times[0],
            "later_p50": statistics.median(times[1:]) if len(times) > 1 else times[0],
            "times": times,
            "cpu": cpu,
            "bytes": size,
            "failed": failed,
        }
    return out


def pdf_targets(world: World, session: str) -> dict[str, tuple[str, str, object]]:
    """The APV PDFs of the root's and a faculty's current cycles (the root leader's session),
    and the large sten-i-skoen case of bench/pdf_profile.py on an institute (its leader's; its
    actions become tiltag there, not in the plans timed here). Each with the change a user makes
    before the next first click: a function giving the form's path and fields."""
    from bench.pdf_profile import build_large_case
    from handlingsplan.models import RenderedPdf
    from sten_i_skoen.models import CaseCell

    # The first request renders: nothing stored by an earlier run on a reused dataset is served.
    RenderedPdf.objects.filter(cycle__in=world.pdf_cycles.values()).delete()
    targets = {}
    for name, cycle in world.pdf_cycles.items():

        def guidelines(cycle=cycle) -> tuple[str, dict]:
            path = reverse("handlingsplan:cycle_guidelines", args=[cycle.unit_id, cycle.pk])
            return path, {"guidelines": f"Opfølgning på hvert AMG-møde ({time.time():.0f})"}

        targets[f"APV PDF, {name}"] = (
            f"/handlingsplan/enhed/{cycle.unit_id}/forloeb/{cycle.pk}/apv.pdf",
            session,
            guidelines,
        )
    case, leader = build_large_case(world.mid)
    client = _client()
    client.force_login(leader)

    def cell(case=case) -> tuple[str, dict]:
        saved = CaseCell.objects.get(case=case, row="O", column="origin")
        fields = {"row": "O", "column": "origin", "version": saved.version}
        text = f"Ændret {time.time():.0f} " + "æøå " * 880
        return case.get_absolute_url(), fields | {"text": text}

    targets["case PDF, 12 long cells"] = (
        reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk}),
        client.cookies[settings.SESSION_COOKIE_NAME].value,
        cell,
    )
    return targets


def time_pdfs_after_change(port: int, targets: dict, server_pid: int, pauses: list[float]):
    """Per PDF and pause: a user changes the plan (the case) over HTTP, and ``pause`` seconds
    after the change's response the PDF is clicked: the first click after a change."""
    out = {}
    for name, (path, session, change) in targets.items():
        browser = Browser(port, cookies={settings.SESSION_COOKIE_NAME: session})
        out[name] = []
        for pause in pauses:
            form_path, fields = change()
            token = csrf_token(browser.request("GET", form_path).body)
            cpu = _workers_cpu(server_pid)
            saved = browser.request("POST", form_path, {"csrfmiddlewaretoken": token, **fields})
            if saved.status != 302:
                raise RuntimeError(f"POST {form_path} answered {saved.status}")
            time.sleep(pause)
            reply = browser.request("GET", path)
            # the worker's CPU for the change, its render after the response, and the click
            time.sleep(0.5)
            if reply.status != 200 or "pdf" not in reply.headers.get("content-type", ""):
                raise RuntimeError(f"GET {path} answered {reply.status}")
            out[name].append(
                {
                    "pause": pause,
                    "click": reply.seconds * 1000,
                    "cpu": (_workers_cpu(server_pid) - cpu) * 1000,
                }
            )
    return out


def _remove_benchmark_rounds() -> None:
    """Delete the benchmark's own answer rounds, so the dataset is as built for the next run."""
    rounds = Round.objects.filter(title=BENCH_ROUND_TITLE)
    Response.objects.filter(round__in=rounds).delete()
    rounds.delete()


def _say(text: str) -> None:
    print(f"  {time.strftime('%H:%M:%S', time.gmtime())} UTC {text}", flush=True)


def run(*, requests, submits, concurrency, trials, pdf_runs, rng) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {views.TABLE} (id bigserial PRIMARY KEY, on_date date)"
        )
    _remove_benchmark_rounds()  # left by an earlier run on a reused dataset (BENCH_REUSE)
    world = World()
    data = world.data()  # before the benchmark adds its own round
    answer_round, codes = open_answer_round(world, submits * trials + 1)
    _say("counting queries")
    queries = count_queries(world, answer_round, codes.pop())
    client = _client()
    client.force_login(world.leader)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    targets = pdf_targets(world, session) if pdf_runs else {}
    server, port = start_gunicorn()
    try:
        pages = {}
        if requests:
            _say(f"timing {len(world.pages())} pages × {requests} under gunicorn")
            pages = time_pages(port, session, world.pages(), requests)
        submit = {}
        if submits:
            _say(f"submit trials: {trials} × {submits} final POSTs vs the bare INSERT")
            submit = submit_trials(
                port,
                server.pid,
                answer_round,
                codes,
                submits=submits,
                concurrency=concurrency,
                trials=trials,
                rng=rng,
            )
            for name, key in (
                ("answer submit (last POST)", "app_times"),
                ("bare INSERT", "bare_times"),
            ):
                values = [x for t in submit["trials"] for x in t.pop(key)]
                pages[name] = dict(zip(("p50", "p95"), summary_ms(values), strict=True))
        if pdf_runs:
            _say(f"PDFs: {', '.join(targets)} × {pdf_runs}")
        pdf = time_pdfs(port, targets, pdf_runs, server.pid) if pdf_runs else {}
        if pdf_runs:
            _say("PDFs: the first click after a change, right away and after a pause")
            after = time_pdfs_after_change(port, targets, server.pid, PDF_PAUSES)
            for name, figures in after.items():
                pdf[name]["after_change"] = figures
    finally:
        stop_gunicorn(server)
    stored = Response.objects.filter(round=answer_round).count()
    _remove_benchmark_rounds()
    if submits and stored != submits * trials + 1:
        raise RuntimeError(f"{stored} responses stored for {submits * trials + 1} submits")
    return {"data": data, "queries": queries, "pages": pages, "submit": submit, "pdf": pdf}
