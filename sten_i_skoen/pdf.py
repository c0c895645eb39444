"""The sten-i-skoen case as PDF, kept once rendered.

The case's HTML is cheap to build (one template, a handful of queries) and is the whole input of
the render, so it is hashed: a PDF stored under that digest is exactly what a fresh render would
give, and a later click on an unchanged case is served from the database without WeasyPrint.
A changed case (a cell, its status, an escalation or its answer, an action, the participants, the
language or the printing date) has a new digest. Only the newest PDF of a case is kept.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string

from amg_portal import pdf as renderer
from sten_i_skoen.models import Case, RenderedCasePdf

TEMPLATE = "sten_i_skoen/pdf/case.html"


def case_pdf(*, case: Case, context: dict, request: HttpRequest | None = None) -> bytes:
    """The PDF of ``case`` (``context`` as the case page builds it): stored, or rendered now."""
    html = render_to_string(TEMPLATE, context, request=request)
    digest = hashlib.sha256(html.encode()).hexdigest()
    stored = RenderedCasePdf.objects.filter(digest=digest).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored)
    pdf = renderer.html_to_pdf(html).pdf
    _keep(case, digest, pdf)
    return pdf


def _keep(case: Case, digest: str, pdf: bytes) -> None:
    try:
        with transaction.atomic():
            RenderedCasePdf.objects.filter(case=case).delete()
            RenderedCasePdf.objects.create(case=case, digest=digest, pdf=pdf)
    except IntegrityError:  # someone else rendered the same case at the same moment
        return
