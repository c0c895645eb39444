"""Step 4: AMG status meetings and their evaluations of tiltag."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.editing import add_service_errors
from amg_portal.organisation.access import Action, can, unit_for_user
from amg_portal.organisation.selectors import people_around
from handlingsplan import selectors, services
from handlingsplan.forms import EvaluationForm, MeetingForm
from handlingsplan.models import Measure, StatusMeeting
from handlingsplan.views._shared import unit_for


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Hold a status meeting; the agenda is generated from what is due or missed."""
    unit = unit_for_user(request.user, unit_pk, Action.HOLD_MEETING)
    people = people_around(unit)
    form = MeetingForm(
        request.POST or None,
        people=people,
        initial={"held_on": timezone.localdate(), "participants": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                unit=unit, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The status meeting has been created with its agenda."))
            return redirect("handlingsplan:meeting_detail", unit.pk, meeting.pk)
    preview = services.agenda_for(unit=unit, on=timezone.localdate())
    context = {"unit": unit, "form": form, "preview": preview}
    return render(request, "handlingsplan/meeting_form.html", context)


def _meeting_for(request: HttpRequest, unit_pk: int, pk: int, action: Action):
    unit = unit_for(request.user, unit_pk, action)
    return unit, get_object_or_404(StatusMeeting.objects.filter(unit=unit), pk=pk)


@login_required
@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """The agenda of a meeting with one evaluation form per tiltag."""
    unit, meeting = _meeting_for(request, unit_pk, pk, Action.READ_APV)
    return _render_meeting(request, unit, meeting, {})


def _render_meeting(request, unit, meeting, bound: dict, status: int = 200) -> HttpResponse:
    items, participants = selectors.meeting_detail(meeting)
    rows = [
        (
            measure,
            evaluation,
            bound.get(measure.pk) or EvaluationForm(instance=evaluation, prefix=f"m{measure.pk}"),
        )
        for measure, evaluation in items
    ]
    context = {
        "unit": unit,
        "meeting": meeting,
        "rows": rows,
        "participants": participants,
        "can_meet": can(request.user, Action.HOLD_MEETING, unit),
    }
    return render(request, "handlingsplan/meeting_detail.html", context, status=status)


@login_required
@require_POST
def evaluation_record(request: HttpRequest, unit_pk: int, pk: int, measure_pk: int) -> HttpResponse:
    unit, meeting = _meeting_for(request, unit_pk, pk, Action.HOLD_MEETING)
    measure = get_object_or_404(
        Measure.objects.filter(unit__path__startswith=unit.path), pk=measure_pk
    )
    form = EvaluationForm(request.POST, prefix=f"m{measure.pk}")
    if form.is_valid():
        try:
            services.evaluation_record(
                meeting=meeting, measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation of “%s” has been saved.") % measure.title)
            url = reverse("handlingsplan:meeting_detail", args=[unit.pk, meeting.pk])
            return redirect(f"{url}#measure-{measure.pk}")
    return _render_meeting(request, unit, meeting, {measure.pk: form}, status=400)
