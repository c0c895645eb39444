"""The APV-handlingsplan as PDF: rendered once per version of what the reader sees, then kept.

A stored PDF is found by a key computed in three small queries, without loading the plan or
building any HTML:

* the cycle's ``ApvVersion`` number, which every service that changes what the document shows
  bumps in the same transaction as the change (read *before* the plan is loaded, so a PDF stored
  under a number is never older than that number);
* the names of the people the document shows (responsible, assessors, evaluators, authors of
  changes), so a renamed person gives a new key without bumping every plan they appear in;
* what makes one reader's document differ from another's: the language, the unit's name, and the
  mapping rounds of part 1 with whether this reader may see their results
  (``mapping.rounds_key``, the one results rule).

The date is not part of the key: the footer says when the PDF was made and which version it
shows, which stays true for as long as the PDF is served (a PDF is never served for another
version), so yesterday's render is today's PDF.

Only when nothing is stored under the key is the plan loaded, the HTML built and rendered — once:
a request that finds the same key being rendered waits for it (``amg_portal.pdf.render_once``).
A change queues the new version (``ApvPdfJob``): the worker that served the change renders it
right after its response, in the editor's language and with the editor's view of the results;
``manage.py once render_pdfs`` renders what is left. Only the newest few PDFs of a cycle are kept.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from amg_portal import afterresponse, drawing
from amg_portal import pdf as renderer
from amg_portal.organisation import audit
from amg_portal.organisation.models import Role, Unit, User
from handlingsplan import mapping, selectors
from handlingsplan.models import (
    ApvPdfJob,
    ApvVersion,
    Assessment,
    ChangeLog,
    Cycle,
    Evaluation,
    Measure,
    RenderedPdf,
)

logger = logging.getLogger(__name__)

TEMPLATE = "handlingsplan/pdf/apv.html"
LAYOUT_FILES = ("css/pdf.css", "handlingsplan/pdf.css")  # static stylesheets of the document
KEEP_PER_CYCLE = 8  # a few languages and readers' views of the current version


def apv_pdf(*, unit: Unit, cycle: Cycle, reader: User, request: HttpRequest | None = None) -> bytes:
    """The APV PDF of ``cycle`` for ``reader``: from storage when this version was made before."""
    rounds = mapping.rounds_key(unit, cycle.period_start, cycle.period_end, user=reader)
    number, key = version_key(unit=unit, cycle=cycle, rounds=rounds)
    rendered = []

    def render() -> bytes:
        html = apv_html(unit=unit, cycle=cycle, reader=reader, number=number, request=request)
        pdf = renderer.html_to_pdf(html).pdf
        _keep(cycle, key, pdf)
        rendered.append(key)
        return pdf

    pdf = renderer.render_once(key, find=lambda: _stored(key), render=render)
    if not rendered:
        _audit_results_read(reader, unit=unit, cycle=cycle, rounds=rounds)
    return pdf


def apv_html(
    *,
    unit: Unit,
    cycle: Cycle,
    reader: User,
    number: int | None = None,
    request: HttpRequest | None = None,
) -> str:
    """The document as HTML. Employees and leaders alike get it without confidential parts: it
    is the APV "available to every employee"; notes and case texts stay on the cycle page."""
    document = selectors.apv_document(cycle, confidential=False, reader=reader, charts=False)
    context = {
        "unit": unit,
        "cycle": cycle,
        "doc": document,
        "o": document.overview,
        "version": number if number is not None else _number(cycle),
        "made_on": timezone.localdate(),
    }
    return render_to_string(TEMPLATE, context, request=request)


def version_key(*, unit: Unit, cycle: Cycle, rounds: list[tuple]) -> tuple[int, str]:
    """The version number of the plan and the key a stored PDF of it, as ``rounds``
    (``mapping.rounds_key`` for the reader) show it, is kept under."""
    number = _number(cycle)
    parts = [
        _layout(),
        cycle.pk,
        number,
        translation.get_language(),
        unit.name,
        cycle.title,
        rounds,
        _people(cycle),
    ]
    return number, hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _number(cycle: Cycle) -> int:
    return ApvVersion.objects.filter(cycle=cycle).values_list("number", flat=True).first() or 1


def _people(cycle: Cycle) -> list[tuple]:
    """The names of everyone the document may name (one query): a renamed person is a new key."""
    measures = Measure.objects.filter(cycle=cycle)
    shown = (
        Q(pk__in=measures.values("responsible_id"))
        | Q(pk__in=Assessment.objects.filter(risk_factor__cycle=cycle).values("assessed_by_id"))
        | Q(pk__in=Evaluation.objects.filter(measure__cycle=cycle).values("recorded_by_id"))
        | Q(
            pk__in=ChangeLog.objects.filter(
                Q(measure__cycle=cycle) | Q(assessment__risk_factor__cycle=cycle)
            ).values("user_id")
        )
    )
    return list(
        User.objects.filter(shown)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "username")
    )


def _layout() -> str:
    """The digest of the templates, catalogues and stylesheets: a new layout or wording (a
    deploy) makes new keys."""
    return drawing.code_digest(static=LAYOUT_FILES)


def _stored(key: str) -> bytes | None:
    stored = RenderedPdf.objects.filter(digest=key).values_list("pdf", flat=True).first()
    return bytes(stored) if stored is not None else None


def _audit_results_read(reader: User, *, unit: Unit, cycle: Cycle, rounds: list[tuple]) -> None:
    """A coordinator's read of results is audited (kortlaegning.results does it when the
    document is built); a stored document shows the same results, so the read is recorded too."""
    if not getattr(reader, "coordinates", False):
        return
    visible = {row[0] for row in rounds if row[5]}
    for round_ in mapping.rounds_of(unit, cycle.period_start, cycle.period_end):
        if round_.pk in visible:
            audit.record_results_read(reader, round_, "APV")


def _keep(cycle: Cycle, key: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            RenderedPdf.objects.create(cycle=cycle, digest=key, pdf=pdf)
    except IntegrityError:  # someone else rendered the same version at the same moment
        return
    old = RenderedPdf.objects.filter(cycle=cycle).order_by("-created_at", "-pk")[KEEP_PER_CYCLE:]
    RenderedPdf.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()


# --- rendered ahead of the first click ----------------------------------------------------------


def queue_render(cycle_id: int) -> None:
    """Queue the cycle's new version for rendering (inside the change's transaction): a job row
    for ``manage.py render_pdfs``, and a render right after the current request's response."""
    renderer.queue_job(ApvPdfJob, "cycle", cycle_id)
    afterresponse.after_response(
        ("apv-pdf", cycle_id), functools.partial(_render_for_editor, cycle_id)
    )


def _render_for_editor(cycle_id: int, user: User | None) -> None:
    """After the response to a change: the editor's view of the new version, unless they
    coordinate (a coordinator's reads of results are audited, and this is not a read)."""
    if user is None or not user.is_authenticated or getattr(user, "coordinates", False):
        return
    cycle = Cycle.objects.select_related("unit").filter(pk=cycle_id).first()
    if cycle is not None:
        render_queued_cycle(cycle, reader=user, language=translation.get_language())


def render_queued_cycle(cycle: Cycle, *, reader: User, language: str) -> None:
    """Render (if not stored yet) the cycle's current version as ``reader`` sees it, in
    ``language``, and drop the cycle's job if no change came after this render started."""
    renderer.render_job(
        ApvPdfJob,
        "cycle",
        cycle,
        language,
        lambda: apv_pdf(unit=cycle.unit, cycle=cycle, reader=reader),
    )


def render_queued() -> int:
    """Render the queued versions left by changes (``manage.py render_pdfs``): each in the
    language of its change, as the unit's leader sees it; older than ``JOB_MAX_AGE``
    (``amg_portal.pdf``), not at all.
    Returns how many were rendered."""
    done = 0
    for job in renderer.pending_jobs(ApvPdfJob, "cycle__unit"):
        cycle = job.cycle
        leader = (
            User.objects.filter(
                is_active=True, memberships__unit=cycle.unit, memberships__role=Role.LEADER
            )
            .order_by("pk")
            .first()
        )
        if leader is None:
            job.delete()  # nobody's view to render ahead; the first click renders it
            continue
        try:
            render_queued_cycle(cycle, reader=leader, language=job.language)
        except renderer.PdfError:
            logger.warning("APV PDF of cycle %s could not be rendered", cycle.pk, exc_info=True)
            continue
        done += 1
    return done
