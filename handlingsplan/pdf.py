"""The APV-handlingsplan as PDF: rendered once per version of what the reader sees, then kept.

The reader's HTML is built as usual (their language, the parts they may see, the plan as it is
now) and hashed. A PDF stored under that digest is served as it is; otherwise the HTML is rendered
and stored. A change to the plan, a new status meeting, a published round or another reader's
rights all change the HTML and so the digest: a stored PDF is never stale and never shows what the
reader may not see. Only the newest few versions of a cycle are kept.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from amg_portal import pdf as renderer
from handlingsplan.models import Cycle, RenderedPdf

TEMPLATE = "handlingsplan/pdf/apv.html"
KEEP_PER_CYCLE = 8  # a few languages and readers' views of the current version


def apv_pdf(*, cycle: Cycle, context: dict, request: HttpRequest | None = None) -> bytes:
    """The APV PDF for ``context``: from storage when this exact document was made before."""
    html = render_to_string(TEMPLATE, context, request=request)
    digest = hashlib.sha256(html.encode()).hexdigest()
    stored = RenderedPdf.objects.filter(digest=digest).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored)
    pdf = renderer.html_to_pdf(html).pdf
    _keep(cycle, digest, pdf)
    return pdf


def _keep(cycle: Cycle, digest: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            RenderedPdf.objects.create(cycle=cycle, digest=digest, pdf=pdf)
    except IntegrityError:  # someone else rendered the same version at the same moment
        return
    old = RenderedPdf.objects.filter(cycle=cycle).order_by("-created_at", "-pk")[KEEP_PER_CYCLE:]
    RenderedPdf.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()
