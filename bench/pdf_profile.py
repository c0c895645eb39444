"""In-process timing of the PDFs, stage by stage (issue 15).

    DATABASE_URL=postgres://…/bench_small .venv/bin/python -m bench.pdf_profile [--profile]

Runs against a database filled by ``manage.py build_large_dataset`` (e.g. the small size of
``bench/http_bench.py``). For the root's current cycle (100 tiltag) and the first faculty's (20
tiltag) it times, as the root/faculty leader: loading the data, rendering the HTML, WeasyPrint's
parse+layout (``render()``) and ``write_pdf()`` as ``amg_portal.pdf`` runs them (table
indentation dropped, its user-agent stylesheet, the garbage collector paused), then the whole
view the first time (nothing stored; three such clicks, the median and the fastest) and a later
click (stored). It then builds the large sten-i-skoen case of
``bench/test_sten_i_skoen_bench.py`` (12 long cells, 10 escalations, 20 actions) and times its
PDF the same way. ``--profile`` prints the top cProfile entries of one first render.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import os
import pstats
import statistics
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amg_portal.settings")
    os.environ.setdefault("AMG_TESTING", "1")
    import django

    django.setup()
    from django.conf import settings

    # Measure how long a PDF takes instead of stopping at the production limit (as bench.settings).
    settings.PDF_TIMEOUT = float(os.environ.get("BENCH_PDF_TIMEOUT", "300"))


def _ms(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _layout(html: str):
    """WeasyPrint's parse+layout as ``amg_portal.pdf`` runs it (table indentation dropped,
    the collector paused)."""
    from amg_portal import pdf as renderer

    html = renderer.without_table_indentation(html)
    with renderer.collector_paused():
        return renderer.PortalHTML(
            string=html, base_url=renderer.BASE_URL, url_fetcher=renderer.SafeURLFetcher()
        ).render()


def _write(document) -> bytes:
    from amg_portal import pdf as renderer

    with renderer.collector_paused():
        return document.write_pdf()


def _first_clicks(client, url: str, forget, runs: int = 3) -> tuple[float, float, float]:
    """A click with nothing stored (``forget()`` drops what the last one stored), ``runs`` times:
    the median and the fastest wall time and the median CPU time, in ms. Each starts after a full
    collection, as a worker between requests would (the garbage of the stages measured before
    is not this click's)."""
    walls, cpus = [], []
    for _ in range(runs):
        forget()
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(walls), min(walls), statistics.median(cpus)


def _client(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def apv(profile: bool) -> None:
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from amg_portal.organisation.models import Membership, Role
    from bench.probe import World
    from handlingsplan import selectors
    from handlingsplan.models import RenderedPdf

    world = World()
    for name, cycle in world.pdf_cycles.items():
        leader = Membership.objects.filter(unit=cycle.unit, role=Role.LEADER).first().user
        client = _client(leader)
        url = reverse("handlingsplan:apv_pdf", args=[cycle.unit_id, cycle.pk])
        first_ms, first_min, first_cpu = _first_clicks(
            client, url, lambda c=cycle: RenderedPdf.objects.filter(cycle=c).delete()
        )
        with CaptureQueriesContext(connection) as later_queries:
            later_ms, _ = _ms(lambda c=client, u=url: c.get(u), runs=5)
        load_ms, doc = _ms(
            lambda c=cycle, r=leader: selectors.apv_document(
                c, confidential=False, reader=r, charts=False
            )
        )
        context = {"unit": cycle.unit, "cycle": cycle, "doc": doc, "o": doc.overview}
        html_ms, html = _ms(lambda c=context: render_to_string("handlingsplan/pdf/apv.html", c))
        layout_ms, document = _ms(lambda h=html: _layout(h))
        write_ms, pdf = _ms(lambda d=document: _write(d))
        print(
            f"APV {name}: {len(document.pages)} pages, {len(pdf) // 1024} KiB, HTML "
            f"{len(html) // 1024} KiB | first click {first_ms:.0f} ms (fastest {first_min:.0f}, "
            f"{first_cpu:.0f} ms CPU), "
            f"later click {later_ms:.1f} ms ({len(later_queries) // 5} queries) | stages: "
            f"data {load_ms:.0f} ms, template {html_ms:.0f} ms, "
            f"parse+layout {layout_ms:.0f} ms, write {write_ms:.0f} ms"
        )
        if profile:
            RenderedPdf.objects.filter(cycle=cycle).delete()
            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


CASE_TITLE = "Stor sag (PDF benchmark)"


def build_large_case(unit):
    """The large case of bench/test_sten_i_skoen_bench.py on ``unit`` (12 cells of 3,600
    characters, 10 escalations, 20 actions), made by the unit's leader; returns (case, leader)."""
    from django.utils import timezone

    from amg_portal.organisation.models import Membership, Role
    from sten_i_skoen import services
    from sten_i_skoen.models import ROWS, TEXT_COLUMNS, Case

    leader = Membership.objects.filter(unit=unit, role=Role.LEADER).first().user
    people = [m.user for m in Membership.objects.filter(unit__path__startswith=unit.path)[:10]]
    Case.objects.filter(title=CASE_TITLE).delete()
    case = services.case_create(
        unit=unit,
        created_by=leader,
        title=CASE_TITLE,
        problem="Problem " * 100,
        occasion="sick_leave",
        participants=people[:1],
    )
    for row in ROWS:
        for column in TEXT_COLUMNS:
            services.cell_save(
                case=case, row=row, column=column, text="æøå " * 900, version=0, by=leader
            )
    for i in range(10):
        services.escalation_create(case=case, text=f"Punkt {i} " * 40, created_by=leader)
    due = timezone.localdate() + dt.timedelta(days=10)
    for i in range(20):
        services.case_action_create(
            case=case,
            row=ROWS[i % 4],
            what=f"Handling {i}",
            responsible=people[i % len(people)],
            due=due,
            created_by=leader,
        )
    return case, leader


def case(profile: bool) -> None:
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.probe import World
    from sten_i_skoen.models import RenderedCasePdf
    from sten_i_skoen.views import _case_context

    world = World()
    case, leader = build_large_case(world.mid)
    client = _client(leader)
    url = reverse("sten_i_skoen:case_pdf", kwargs={"pk": case.pk})
    first_ms, first_min, first_cpu = _first_clicks(
        client, url, lambda: RenderedCasePdf.objects.filter(case=case).delete()
    )
    with CaptureQueriesContext(connection) as later_queries:
        later_ms, _ = _ms(lambda: client.get(url), runs=3)
    context = _case_context(case)
    html_ms, html = _ms(lambda: render_to_string("sten_i_skoen/pdf/case.html", context))
    layout_ms, document = _ms(lambda: _layout(html))
    write_ms, pdf = _ms(lambda: _write(document))
    print(
        f"case: {len(document.pages)} pages, {len(pdf) // 1024} KiB | first click {first_ms:.0f} "
        f"ms (fastest {first_min:.0f}, {first_cpu:.0f} ms CPU), later click {later_ms:.1f} ms "
        f"({len(later_queries) // 3} queries) | stages: template {html_ms:.0f} ms, "
        f"parse+layout {layout_ms:.0f} ms, write {write_ms:.0f} ms"
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: _write(_layout(html)))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    case.delete()


def main() -> None:
    _setup()
    profile = "--profile" in sys.argv
    warm_ms, _ = _ms(lambda: __import__("weasyprint"), runs=1)
    from weasyprint import HTML

    first_ms, _ = _ms(lambda: HTML(string="<p>x</p>").write_pdf(), runs=1)
    print(f"import weasyprint {warm_ms:.0f} ms; first tiny PDF in this process {first_ms:.0f} ms")
    if "--case-only" not in sys.argv:
        apv(profile)
    case(profile)


if __name__ == "__main__":
    main()
