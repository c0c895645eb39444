"""The written APV (reading page and PDF) and the minutes of a status meeting as PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amg_portal.organisation.access import Action
from amg_portal.pdf import PdfError, pdf_response, render_pdf
from handlingsplan import guide, selectors
from handlingsplan import pdf as apv_documents
from handlingsplan.models import StatusMeeting
from handlingsplan.views._shared import cycle_for, unit_for


def _apv_context(request: HttpRequest, unit_pk: int, pk: int) -> dict:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.READ_APV)
    confidential = selectors.sees_confidential(request.user, unit)
    # Employees and leaders alike get the APV without confidential parts: it is the document
    # "available to every employee"; notes and case texts stay on the cycle page.
    document = selectors.apv_document(cycle, confidential=False, reader=request.user)
    return {
        "unit": unit,
        "cycle": cycle,
        "doc": document,
        "o": document.overview,
        "steps": guide.steps(cycle.step),
        "printed_on": timezone.localdate(),
        "can_edit": confidential,
    }


@login_required
@require_http_methods(["GET"])
def apv_read(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """The unit's written APV and action plan, readable by every employee of the unit."""
    return render(request, "handlingsplan/apv_read.html", _apv_context(request, unit_pk, pk))


@login_required
@require_http_methods(["GET"])
def apv_pdf(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """The APV-handlingsplan as an A4 PDF, kept per version of the plan (handlingsplan.pdf)."""
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.READ_APV)
    try:
        pdf = apv_documents.apv_pdf(unit=unit, cycle=cycle, reader=request.user, request=request)
    except PdfError:
        messages.error(request, _("The PDF could not be made just now. Please try again."))
        return redirect("handlingsplan:apv_read", cycle.unit_id, cycle.pk)
    return pdf_response(pdf, f"apv-handlingsplan-{slugify(cycle.title)}.pdf")


@login_required
@require_http_methods(["GET"])
def meeting_pdf(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """The minutes of a status meeting as PDF."""
    unit = unit_for(request.user, unit_pk, Action.READ_APV)
    meeting = get_object_or_404(StatusMeeting.objects.filter(unit=unit), pk=pk)
    items, participants = selectors.meeting_detail(meeting)
    context = {
        "unit": unit,
        "meeting": meeting,
        "items": items,
        "participants": participants,
    }
    try:
        pdf = render_pdf("handlingsplan/pdf/meeting.html", context, request=request)
    except PdfError:
        messages.error(request, _("The PDF could not be made just now. Please try again."))
        return redirect("handlingsplan:meeting_detail", unit.pk, meeting.pk)
    return pdf_response(pdf, f"statusmoede-{meeting.held_on:%Y-%m-%d}.pdf")
