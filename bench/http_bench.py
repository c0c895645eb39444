"""The HTTP benchmark: the app under gunicorn (2 sync workers, DEBUG off) on large data.

    make bench                                   # one university (default), then a small dataset
    BENCH_UNIVERSITIES=10 make bench             # ten universities (1,014 units, 50,000 people)
    scripts/with-postgres.sh .venv/bin/python -m bench.http_bench    # this part alone
    BENCH_ONLY=submit scripts/with-postgres.sh .venv/bin/python -m bench.http_bench
                                                 # only the submit trials, on the small dataset
    BENCH_ONLY=pdf scripts/with-postgres.sh .venv/bin/python -m bench.http_bench
                                                 # only the PDFs, on the small dataset

For each of two data sizes (a small organisation, and one or ten universities) it creates a
database in the PostgreSQL of ``DATABASE_URL``, migrates it, fills it with ``build_large_dataset``
and runs ``measure`` in a child process configured with ``bench.settings`` (the production
settings, plus a bare view and a bare one-INSERT view under the same middleware). The child counts
each page's queries in-process, starts gunicorn, times every page against the bare view in the same
run, measures answer-submit throughput against the bare INSERT (three trials, alternating order)
and APV PDF render times, and writes its figures as JSON. The parent prints one table.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCALES = {
    "1": {"units": 100, "employees": 5000, "years": 5},
    "10": {"units": 1014, "employees": 50000, "years": 5},
}
SMALL = {"units": 20, "employees": 500, "years": 2}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))  # timed requests per page
SUBMITS = int(os.environ.get("BENCH_SUBMITS", "120"))  # final POSTs per trial
CONCURRENCY = 8
TRIALS = 3
PDF_RUNS = int(os.environ.get("BENCH_PDF_RUNS", "3"))  # requests per PDF: the first, then later
# "submit": only the answer path's query counts and the submit trials, on the small dataset (a few
# minutes; for working on the answer path). "pdf": only the PDF timings, on the small dataset.
ONLY = os.environ.get("BENCH_ONLY", "")


# --- the parent: databases, data, the table --------------------------------------------------


def _database_url(name: str) -> str:
    url = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(url._replace(path=f"/{name}"))


def _create_database(name: str) -> None:
    import psycopg

    url = urlparse(_database_url("postgres"))
    params = dict(p.split("=", 1) for p in url.query.split("&") if p)
    with psycopg.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password,
        host=params.get("host") or url.hostname,
        port=url.port,
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _env(database: str, static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "AMG_TESTING")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        DATABASE_URL=_database_url(database),
        ANSWER_RATE_LIMIT="1000000",  # one client address sends everything; still counted
        SESSION_IDLE_TIMEOUT="86400",
        BENCH_STATIC_ROOT=static_root,
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _built(name: str) -> bool:
    """Whether database `name` exists and holds a built dataset (for BENCH_REUSE)."""
    import psycopg

    url = urlparse(_database_url(name))
    params = dict(p.split("=", 1) for p in url.query.split("&") if p)
    try:
        with psycopg.connect(
            dbname=name,
            user=url.username or "postgres",
            password=url.password,
            host=params.get("host") or url.hostname,
            port=url.port,
        ) as conn:
            row = conn.execute("SELECT count(*) FROM kortlaegning_round").fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def _prepare(label: str, size: dict[str, int], static_root: str) -> tuple[dict, float]:
    database = f"bench_{label}"
    env = _env(database, static_root)
    if os.environ.get("BENCH_REUSE") == "1" and _built(database):
        # A long-lived cluster (DATABASE_URL set by hand) keeps the built data between runs:
        # bring it up to the code's migrations and measure again, without the build.
        print(f"[{label}] reusing the dataset in {database}", flush=True)
        _manage(env, "migrate", "--no-input", "-v0")
        return env, 0.0
    _create_database(database)
    _manage(env, "migrate", "--no-input", "-v0")
    print(f"[{label}] building {size} …", flush=True)
    start = time.monotonic()
    args = [f"--{k}={v}" for k, v in size.items()]
    _manage(env, "build_large_dataset", *args)
    return env, time.monotonic() - start


def _machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, memory {memory}, load average {load} (1/5/15 min) at the end, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("Run under scripts/with-postgres.sh (or with DATABASE_URL set).")
    scale = os.environ.get("BENCH_UNIVERSITIES", "1")
    if scale not in SCALES:
        sys.exit(f"BENCH_UNIVERSITIES must be one of {sorted(SCALES)}, not {scale!r}.")
    if ONLY not in ("", "submit", "pdf"):
        sys.exit(f"BENCH_ONLY must be 'submit', 'pdf' or unset, not {ONLY!r}.")
    results = {}
    with tempfile.TemporaryDirectory(prefix="amg-bench-") as tmp:
        static_root = str(Path(tmp) / "static")
        sizes = [("small", SMALL), (f"{scale}univ", SCALES[scale])]
        if ONLY == "submit" or (ONLY == "pdf" and "BENCH_UNIVERSITIES" not in os.environ):
            sizes = [("small", SMALL)]
        elif ONLY == "pdf":
            sizes = [(f"{scale}univ", SCALES[scale])]
        for number, (label, size) in enumerate(sizes):
            env, built = _prepare(label, size, static_root)
            if number == 0:
                _manage(env, "collectstatic", "--no-input", "-v0")
            out = Path(tmp) / f"{label}.json"
            full = "1" if number == len(sizes) - 1 else "0"
            subprocess.run(
                [PYTHON, "-m", "bench.http_bench", "measure", str(out), full],
                cwd=ROOT,
                env=env,
                check=True,
            )
            results[label] = json.loads(out.read_text()) | {"size": size, "build_s": built}
    if ONLY == "submit":
        _print_header(results)
        _print_submit(results["small"], results["small"])
    elif ONLY == "pdf":
        _print_header(results)
        _print_pdf(next(iter(results.values())))
    else:
        _print(results, scale)


def _print_header(results: dict) -> None:
    print()
    print(f"AMG-portal HTTP benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print("gunicorn 2 sync workers, DEBUG off (bench.settings), PostgreSQL throwaway cluster")
    print(f"machine: {_machine()}")
    for label, r in results.items():
        d = r["data"]
        print(
            f"data {label}: {d['units']} units, {d['employees']} employees, {d['rounds']} rounds,"
            f" {d['responses']} responses, {d['answers']} answers, {d['tiltag']} tiltag"
            f" (built in {r['build_s']:.0f} s)"
        )


def _print(results: dict, scale: str) -> None:
    small, large = results["small"], results[f"{scale}univ"]
    _print_header(results)
    print()
    head = f"{'page':<30} {'small p50/p95 ms':>17} {'large p50/p95 ms':>17} {'x bare':>7}"
    print(head + f" {'queries small':>13} {'large':>6}")
    for name, timing in large["pages"].items():
        reference = "bare INSERT" if name.startswith("answer submit") else "bare view"
        bare = large["pages"][reference]["p50"]
        s = small["pages"].get(name)
        s = f"{s['p50']:>8.0f}/{s['p95']:<8.0f}" if s else f"{'–':>8} {'':<8}"
        t = f"{timing['p50']:>8.0f}/{timing['p95']:<8.0f}"
        print(
            f"{name:<30} {s} {t} {timing['p50'] / bare:>7.1f}"
            f" {small['queries'].get(name, ''):>13} {large['queries'].get(name, ''):>6}"
        )
    _print_submit(small, large)
    _print_pdf(large)


def _print_pdf(figures: dict) -> None:
    print()
    for name, pdf in figures["pdf"].items():
        failed = f"; NOT A PDF: {pdf['failed']}" if pdf["failed"] else ""
        each = ", ".join(
            f"{t:.0f} ms ({c:.0f} CPU)" for t, c in zip(pdf["times"], pdf["cpu"], strict=True)
        )
        print(
            f"{name}: first {pdf['first']:.0f} ms, later p50 {pdf['later_p50']:.0f} ms "
            f"({pdf['bytes'] // 1024} KiB){failed}; each: {each}"
        )
        for after in pdf.get("after_change", []):
            print(
                f"  first click {after['pause']:.0f} s after a change: {after['click']:.0f} ms "
                f"(workers' CPU for the change, its render and the click: {after['cpu']:.0f} ms)"
            )


def _print_submit(small: dict, large: dict) -> None:
    submit = large["submit"]
    print()
    print(
        f"answer path queries (small / large): exchange a code {small['queries']['exchange']} / "
        f"{large['queries']['exchange']}, a step's POST {small['queries']['step']} / "
        f"{large['queries']['step']}, final submit {small['queries']['submit']} / "
        f"{large['queries']['submit']}"
    )
    print(f"submit throughput, {SUBMITS} final POSTs per trial, concurrency {CONCURRENCY}:")
    for trial in submit["trials"]:
        print(
            f"  trial {trial['trial']} ({trial['order']}): submit {trial['app_rps']:.1f} req/s "
            f"(p50 {trial['app_p50']:.0f} ms), bare INSERT {trial['bare_rps']:.1f} req/s "
            f"(p50 {trial['bare_p50']:.0f} ms) → ratio {trial['ratio']:.2f}"
        )
        if "cpu" in trial:
            print(
                "    CPU ms per request, gunicorn workers / PostgreSQL / load generator: "
                + "; ".join(
                    f"{kind} {c['workers']:.2f} / {c['database']:.2f} / {c['client']:.2f}"
                    for kind, c in trial["cpu"].items()
                )
            )
    print(f"  median ratio of three trials: {submit['ratio']:.2f}")


# --- the child: everything inside one Django process ------------------------------------------


def measure(out: str, full: bool) -> None:
    import django

    django.setup()
    from bench import probe

    figures = probe.run(
        requests=0 if ONLY else REQUESTS,
        submits=SUBMITS if full and ONLY != "pdf" else 0,
        concurrency=CONCURRENCY,
        trials=TRIALS,
        pdf_runs=PDF_RUNS if full and ONLY != "submit" else 0,
        rng=random.Random(7),
    )
    Path(out).write_text(json.dumps(figures))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3] == "1")
    else:
        main()
