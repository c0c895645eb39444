"""The cycle page and steps 1–2: risk picture, absence figures, conversation notes, assessments."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.editing import EditConflict, add_service_errors
from amg_portal.organisation.access import Action, can, unit_for_user
from amg_portal.organisation.models import Unit
from handlingsplan import guide, mapping, selectors, services
from handlingsplan.forms import (
    AbsenceFigureForm,
    AssessmentForm,
    ConversationNoteForm,
    CycleForm,
    GuidelinesForm,
    RiskFactorForm,
)
from handlingsplan.models import Assessment
from handlingsplan.views._shared import conflict_rows, cycle_for


def _cycle_form(
    request: HttpRequest,
    unit: Unit,
    cycle,
    form,
    save: Callable[[dict], object],
    *,
    saved: str,
    heading: str,
    warning: str | None = None,
) -> HttpResponse:
    """Validate ``form``, hand its data to the service ``save``, and return to the cycle page;
    a service error goes onto the form, which is shown again with everything typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)
    context = {"unit": unit, "cycle": cycle, "form": form, "heading": heading}
    if warning:
        context["warning"] = warning
    return render(request, "handlingsplan/simple_form.html", context)


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """APV cycles of the units the user may read, and the user's own measures."""
    cycles = list(selectors.cycles_for(request.user))
    startable = Unit.objects.permitting(request.user, Action.MANAGE_CYCLE)
    context = {
        "cycles": cycles,
        "startable": startable,
        "mine": selectors.my_measures(request.user),
    }
    return render(request, "handlingsplan/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, unit_pk, Action.MANAGE_CYCLE)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(unit=unit, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The APV cycle has been created."))
            return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)
    return render(request, "handlingsplan/cycle_form.html", {"unit": unit, "form": form})


@login_required
@require_http_methods(["GET"])
def cycle_detail(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """The four steps of the cycle and where it stands."""
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.READ_APV)
    confidential = selectors.sees_confidential(request.user, unit)
    overview = selectors.cycle_overview(cycle, confidential=confidential)
    context = {
        "unit": unit,
        "cycle": cycle,
        "o": overview,
        "steps": guide.steps(cycle.step),
        "can_edit": confidential,
        "can_manage": can(request.user, Action.MANAGE_CYCLE, unit),
        "can_meet": can(request.user, Action.HOLD_MEETING, unit),
        "round_links": [(r, mapping.results_url(r)) for r in overview.rounds],
    }
    return render(request, "handlingsplan/cycle_detail.html", context)


@login_required
@require_POST
def cycle_step(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.MANAGE_CYCLE)
    try:
        services.cycle_set_step(cycle=cycle, step=int(request.POST.get("step", "0")))
    except (ValidationError, ValueError):
        messages.error(request, _("Unknown step."))
    return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_guidelines(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.MANAGE_CYCLE)
    form = GuidelinesForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        services.cycle_update_guidelines(cycle=cycle, guidelines=form.cleaned_data["guidelines"])
        messages.success(request, _("The guidelines for follow-up have been saved."))
        return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)
    return render(
        request,
        "handlingsplan/simple_form.html",
        {"unit": unit, "cycle": cycle, "form": form, "heading": _("Guidelines for follow-up")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_factor_create(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    return _cycle_form(
        request,
        unit,
        cycle,
        RiskFactorForm(request.POST or None, rounds=mapping.rounds_for_choice(unit)),
        lambda data: services.risk_factor_create(cycle=cycle, created_by=request.user, **data),
        saved=_("The risk factor has been added."),
        heading=_("New risk factor"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_factor_edit(request: HttpRequest, unit_pk: int, pk: int, rf_pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    risk_factor = get_object_or_404(cycle.risk_factors, pk=rf_pk)
    form = RiskFactorForm(
        request.POST or None, instance=risk_factor, rounds=mapping.rounds_for_choice(unit)
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "position": form.cleaned_data["position"] or 0}
        services.risk_factor_update(risk_factor=risk_factor, **data)
        messages.success(request, _("The risk factor has been saved."))
        return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)
    return render(
        request,
        "handlingsplan/simple_form.html",
        {"unit": unit, "cycle": cycle, "form": form, "heading": risk_factor.title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    return _cycle_form(
        request,
        unit,
        cycle,
        AbsenceFigureForm(request.POST or None),
        lambda data: services.absence_figure_add(cycle=cycle, created_by=request.user, **data),
        saved=_("The absence figures have been added."),
        heading=_("Absence figures"),
        warning=_(
            "Aggregated numbers for the whole unit only: no names, no individual absence, "
            "no diagnoses."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    return _cycle_form(
        request,
        unit,
        cycle,
        ConversationNoteForm(request.POST or None, cycle=cycle),
        lambda data: services.conversation_note_add(cycle=cycle, author=request.user, **data),
        saved=_("The conversation note has been saved."),
        heading=_("Conversation note"),
        warning=_(
            "Do not write names or anything that identifies a person. The note is "
            "confidential: employees do not see it, and it is not in the APV."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, unit_pk: int, pk: int, rf_pk: int) -> HttpResponse:
    """Step 2 for one risk factor; only the leader decides, and no edit overwrites another."""
    unit, cycle = cycle_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    risk_factor = get_object_or_404(cycle.risk_factors, pk=rf_pk)
    current = Assessment.objects.filter(risk_factor=risk_factor).first()
    can_decide = can(request.user, Action.MANAGE_CYCLE, unit)
    initial = {"version": current.version if current else 0}
    form = AssessmentForm(
        request.POST or None, instance=current, initial=initial, can_decide=can_decide
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.assessment_save(
                risk_factor=risk_factor,
                user=request.user,
                version=form.cleaned_data["version"],
                **data,
            )
        except EditConflict as error:
            conflict = error.current
            form = _conflicted(form, conflict, can_decide)
            messages.error(request, error.messages[0])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The assessment has been saved."))
            return redirect("handlingsplan:cycle_detail", unit.pk, cycle.pk)
    history = current.history.select_related("user") if current else []
    context = {
        "unit": unit,
        "cycle": cycle,
        "risk_factor": risk_factor,
        "form": form,
        "conflict": conflict,
        "conflict_rows": conflict_rows(form, conflict) if conflict else [],
        "history": history,
    }
    return render(request, "handlingsplan/assessment_form.html", context)


def _conflicted(form: AssessmentForm, current: Assessment, can_decide: bool) -> AssessmentForm:
    """The user's own input again, now against the saved version's number."""
    data = form.data.copy()
    data["version"] = str(current.version)
    return AssessmentForm(data, instance=current, can_decide=can_decide)
