"""The APV-handlingsplan as PDF: rendered once per version of what the reader sees, then kept.

A stored PDF is found by a key computed in two small queries, without loading the plan or
building any HTML:

* the cycle's ``ApvVersion`` number, which every service that changes what the document shows
  bumps in the same transaction as the change (read *before* the plan is loaded, so a PDF stored
  under a number is never older than that number);
* what makes one reader's document differ from another's: the language, the printing date (in the
  footer), the unit's name, and the mapping rounds of part 1 with whether this reader may see
  their results (``mapping.rounds_key``, the one results rule).

Only when nothing is stored under the key is the plan loaded, the HTML built and rendered. So a
change to the plan, a new status meeting, a closed or published round or another reader's rights
all give a new key: a stored PDF is never stale and never shows what the reader may not see.
Only the newest few PDFs of a cycle are kept.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from amg_portal import pdf as renderer
from amg_portal.organisation import audit
from amg_portal.organisation.models import Unit, User
from handlingsplan import mapping, selectors
from handlingsplan.models import ApvVersion, Cycle, RenderedPdf

TEMPLATE = "handlingsplan/pdf/apv.html"
LAYOUT_FILES = ("css/pdf.css", "handlingsplan/pdf.css")  # static stylesheets of the document
KEEP_PER_CYCLE = 8  # a few languages and readers' views of the current version


def apv_pdf(*, unit: Unit, cycle: Cycle, reader: User, request: HttpRequest | None = None) -> bytes:
    """The APV PDF of ``cycle`` for ``reader``: from storage when this version was made before."""
    rounds = mapping.rounds_key(unit, cycle.period_start, cycle.period_end, user=reader)
    key = version_key(unit=unit, cycle=cycle, rounds=rounds)
    stored = RenderedPdf.objects.filter(digest=key).values_list("pdf", flat=True).first()
    if stored is not None:
        _audit_results_read(reader, unit=unit, cycle=cycle, rounds=rounds)
        return bytes(stored)
    pdf = renderer.html_to_pdf(apv_html(unit=unit, cycle=cycle, reader=reader, request=request)).pdf
    _keep(cycle, key, pdf)
    return pdf


def apv_html(*, unit: Unit, cycle: Cycle, reader: User, request: HttpRequest | None = None) -> str:
    """The document as HTML. Employees and leaders alike get it without confidential parts: it
    is the APV "available to every employee"; notes and case texts stay on the cycle page."""
    document = selectors.apv_document(cycle, confidential=False, reader=reader)
    context = {"unit": unit, "cycle": cycle, "doc": document, "o": document.overview}
    return render_to_string(TEMPLATE, context, request=request)


def version_key(*, unit: Unit, cycle: Cycle, rounds: list[tuple]) -> str:
    """The key a stored PDF of this version of the plan, as ``rounds`` (``mapping.rounds_key``
    for the reader) show it, is kept under."""
    number = ApvVersion.objects.filter(cycle=cycle).values_list("number", flat=True).first() or 1
    parts = [
        _layout(),
        cycle.pk,
        number,
        translation.get_language(),
        timezone.localdate().isoformat(),
        unit.name,
        cycle.title,
        rounds,
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@functools.cache
def _layout() -> str:
    """The digest of the template and its stylesheets: a new layout (a deploy) makes new keys."""
    sources = [get_template(name).template.source for name in (TEMPLATE, "pdf/base.html")]
    sources += [Path(finders.find(name)).read_text() for name in LAYOUT_FILES]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()


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
