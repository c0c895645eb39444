"""The sten-i-skoen case as PDF, kept once rendered, and rendered ahead of the first click.

The case's HTML is cheap to build (one template, a handful of queries) and, with the stylesheets
it links to, is the whole input of the render, so both are hashed: a PDF stored under that digest
is exactly what a fresh render would give, and a later click on an unchanged case is served from
the database without WeasyPrint.
A changed case (a cell, its status, an escalation or its answer, an action, the participants, a
renamed person, the language) has a new digest. The footer's date (when the PDF was made) is
left out of the digest, so an unchanged case made yesterday is served today. The document is the
same for everyone who may open the case (its participants and the unit's leader).

A change queues the case (``CasePdfJob``): the worker that served the change renders it right
after its response, ``manage.py once render_pdfs`` renders what is left; a request that finds the
same digest being rendered waits for it. Only the newest PDF of a case is kept.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from amg_portal import afterresponse, drawing
from amg_portal import pdf as renderer
from sten_i_skoen import selectors
from sten_i_skoen.models import Case, CasePdfJob, RenderedCasePdf

logger = logging.getLogger(__name__)

TEMPLATE = "sten_i_skoen/pdf/case.html"
LAYOUT_FILES = ("css/pdf.css", "sten_i_skoen/pdf.css")  # static stylesheets of the document
# Stands in for the date in the HTML that is hashed; the date is put in before rendering.
MADE_ON = "{{made-on}}"


def case_context(case: Case) -> dict:
    """What the case page and the PDF show of ``case``."""
    return {
        "case": case,
        "rows": selectors.case_matrix(case),
        "headings": selectors.COLUMN_HEADINGS,
        "escalations": list(selectors.case_escalations(case)),
        "events": case.events.select_related("by"),
        "participants": case.participants.order_by("first_name", "last_name"),
    }


def case_pdf(*, case: Case, context: dict, request: HttpRequest | None = None) -> bytes:
    """The PDF of ``case`` (``context`` as ``case_context`` builds it): stored, or rendered now."""
    html = render_to_string(TEMPLATE, {**context, "made_on": MADE_ON}, request=request)
    digest = hashlib.sha256(
        f"{drawing.code_digest(static=LAYOUT_FILES)}\0{html}".encode()
    ).hexdigest()

    def render() -> bytes:
        made_on = escape(date_format(timezone.localdate(), "DATE_FORMAT"))
        pdf = renderer.html_to_pdf(html.replace(MADE_ON, made_on)).pdf
        _keep(case, digest, pdf)
        return pdf

    return renderer.render_once(digest, find=lambda: _stored(digest), render=render)


def _stored(digest: str) -> bytes | None:
    stored = RenderedCasePdf.objects.filter(digest=digest).values_list("pdf", flat=True).first()
    return bytes(stored) if stored is not None else None


def _keep(case: Case, digest: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            RenderedCasePdf.objects.filter(case=case).delete()
            RenderedCasePdf.objects.create(case=case, digest=digest, pdf=pdf)
    except IntegrityError:  # someone else rendered the same case at the same moment
        return


# --- rendered ahead of the first click ----------------------------------------------------------


def queue_render(case_id: int) -> None:
    """Queue the changed case for rendering (inside the change's transaction): a job row for
    ``manage.py render_pdfs``, and a render right after the current request's response."""
    renderer.queue_job(CasePdfJob, "case", case_id)
    afterresponse.after_response(("case-pdf", case_id), functools.partial(_render, case_id))


def _render(case_id: int, user) -> None:
    """After the response to a change, in the editor's language (the document is the same for
    every reader of the case)."""
    case = Case.objects.select_related("unit").filter(pk=case_id).first()
    if case is not None:
        render_queued_case(case, language=translation.get_language())


def render_queued_case(case: Case, *, language: str) -> None:
    """Render (if not stored yet) the case as it is now, in ``language``, and drop its job if no
    change came after this render started."""
    renderer.render_job(
        CasePdfJob, "case", case, language, lambda: case_pdf(case=case, context=case_context(case))
    )


def render_queued() -> int:
    """Render the cases queued by changes (``manage.py render_pdfs``) within ``JOB_MAX_AGE``;
    how many were rendered."""
    done = 0
    for job in renderer.pending_jobs(CasePdfJob, "case__unit"):
        try:
            render_queued_case(job.case, language=job.language)
        except renderer.PdfError:
            logger.warning("PDF of case %s could not be rendered", job.case_id, exc_info=True)
            continue
        done += 1
    return done
