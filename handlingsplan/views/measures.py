"""Step 3: the action plan's tiltag — table, board, create, edit, milestones, follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.editing import EditConflict, add_service_errors
from amg_portal.organisation.access import Action, can, unit_for_user
from amg_portal.organisation.selectors import people_around
from handlingsplan import mapping, selectors, services
from handlingsplan.forms import (
    FollowUpForm,
    MeasureCreateForm,
    MeasureFilterForm,
    MeasureForm,
    MilestoneForm,
)
from handlingsplan.models import Measure, RiskFactor
from handlingsplan.services import current_cycle
from handlingsplan.views._shared import conflict_rows, measure_for, unit_for


def _form_kwargs(unit, cycle) -> dict:
    risk_factors = RiskFactor.objects.filter(cycle=cycle) if cycle else RiskFactor.objects.none()
    return {"people": people_around(unit), "risk_factors": risk_factors}


@login_required
@require_http_methods(["GET"])
def measure_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The action plan as a table with filters and sorting."""
    unit = unit_for(request.user, unit_pk, Action.READ_APV)
    filters = MeasureFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "unit": unit,
        "filters": filters,
        "measures": selectors.measure_table(unit, cleaned),
        "can_edit": can(request.user, Action.EDIT_PLAN, unit),
        "cycle": current_cycle(unit),
    }
    return render(request, "handlingsplan/measure_list.html", context)


@login_required
@require_http_methods(["GET"])
def measure_board(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The action plan as a board by status."""
    unit = unit_for(request.user, unit_pk, Action.READ_APV)
    context = {
        "unit": unit,
        "columns": selectors.measure_board(unit),
        "can_edit": can(request.user, Action.EDIT_PLAN, unit),
        "cycle": current_cycle(unit),
    }
    return render(request, "handlingsplan/measure_board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A new tiltag; ``?round=&question=`` pre-fill it from a mapping result."""
    unit = unit_for_user(request.user, unit_pk, Action.EDIT_PLAN)
    cycle = current_cycle(unit)
    source = mapping.prefill(unit, request.GET.get("round"), request.GET.get("question"))
    if source.pop("problems") and request.method == "GET":
        messages.warning(
            request,
            _("The mapping round or question in the link does not belong to this unit: ignored."),
        )
    initial = {"priority": 1}
    if "source_question" in source:
        question = source["source_question"]
        version = question.current_version()
        initial |= {"level": question.level, "goal": version.text() if version else ""}
    form = MeasureCreateForm(request.POST or None, initial=initial, **_form_kwargs(unit, cycle))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        if source:
            data["source_kind"] = Measure.Source.ROUND_QUESTION
        elif data.get("risk_factor"):
            data["source_kind"] = Measure.Source.RISK_FACTOR
        try:
            measure = services.measure_create(
                unit=unit, created_by=request.user, cycle=cycle, **data, **source
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The measure has been added to the action plan."))
            return redirect("handlingsplan:measure_detail", unit.pk, measure.pk)
    context = {"unit": unit, "form": form, "source": source, "cycle": cycle}
    return render(request, "handlingsplan/measure_form.html", context)


@login_required
@require_http_methods(["GET"])
def measure_detail(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """One tiltag with milestones, follow-ups, evaluations, its effect in figures and history."""
    unit, measure = measure_for(request.user, unit_pk, pk, Action.READ_APV)
    context = _detail_context(request, unit, measure)
    return render(request, "handlingsplan/measure_detail.html", context)


def _detail_context(request: HttpRequest, unit, measure: Measure) -> dict:
    can_edit = can(request.user, Action.EDIT_PLAN, unit)
    selectors.with_dates([measure])
    question = measure.source_question
    return {
        "unit": unit,
        "measure": measure,
        "source_version": question.current_version() if question else None,
        "milestones": measure.milestones.all(),
        "follow_ups": measure.follow_ups.all(),
        "evaluations": selectors.evaluations_of(measure),
        "history": selectors.history_of(measure),
        "effect": mapping.effect_of(measure, user=request.user),
        "from_case": measure.source_kind == Measure.Source.CASE_ACTION,
        "can_edit": can_edit,
        "can_progress": can_edit or measure.responsible_id == request.user.pk,
        "milestone_form": MilestoneForm(),
        "follow_up_form": FollowUpForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    """Edit a tiltag; a save based on an old version shows both texts instead of overwriting."""
    unit, measure = measure_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    kwargs = _form_kwargs(unit, measure.cycle)
    form = MeasureForm(
        request.POST or None, instance=measure, initial={"version": measure.version}, **kwargs
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.measure_update(
                measure=measure,
                user=request.user,
                version=form.cleaned_data["version"] or 0,
                **data,
            )
        except EditConflict as error:
            conflict = error.current
            posted = request.POST.copy()
            posted["version"] = str(conflict.version)
            form = MeasureForm(posted, instance=conflict, **kwargs)
            messages.error(request, error.messages[0])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The measure has been saved."))
            return redirect("handlingsplan:measure_detail", unit.pk, measure.pk)
    context = {
        "unit": unit,
        "measure": measure,
        "form": form,
        "conflict": conflict,
        "conflict_rows": conflict_rows(form, conflict) if conflict else [],
    }
    return render(request, "handlingsplan/measure_form.html", context)


@login_required
@require_POST
def milestone_add(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, measure = measure_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(measure=measure, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _detail_with_errors(request, unit, measure, milestone_form=form)
    messages.success(request, _("The milestone has been added."))
    return redirect("handlingsplan:measure_detail", unit.pk, measure.pk)


@login_required
@require_POST
def milestone_done(request: HttpRequest, unit_pk: int, pk: int, m_pk: int) -> HttpResponse:
    """Mark a milestone reached; the responsible employee may report their own progress."""
    unit, measure = measure_for(request.user, unit_pk, pk, Action.READ_APV)
    milestone = get_object_or_404(measure.milestones, pk=m_pk)
    # Readers may see the measure; only planners and its responsible person may tick it off.
    if not (can(request.user, Action.EDIT_PLAN, unit) or measure.responsible_id == request.user.pk):
        raise PermissionDenied
    services.milestone_set_done(
        milestone=milestone, done=request.POST.get("done") == "1", user=request.user
    )
    return redirect("handlingsplan:measure_detail", unit.pk, measure.pk)


@login_required
@require_POST
def follow_up_add(request: HttpRequest, unit_pk: int, pk: int) -> HttpResponse:
    unit, measure = measure_for(request.user, unit_pk, pk, Action.EDIT_PLAN)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(measure=measure, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _detail_with_errors(request, unit, measure, follow_up_form=form)
    messages.success(request, _("The follow-up has been planned."))
    return redirect("handlingsplan:measure_detail", unit.pk, measure.pk)


def _detail_with_errors(request: HttpRequest, unit, measure: Measure, **forms) -> HttpResponse:
    """The detail page again with the invalid small form and the user's input."""
    context = _detail_context(request, unit, measure) | forms
    return render(request, "handlingsplan/measure_detail.html", context, status=400)
