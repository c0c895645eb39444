"""Pages for leaders, AMR/TR and the AMG: rounds, their lifecycle, collection and results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.editing import add_service_errors
from amg_portal.organisation.access import Action, can, require
from amg_portal.organisation.models import Unit, User
from amg_portal.urlconverters import MAX_ID
from kortlaegning import code_sheet, result_charts, results, selectors, services, spreadsheets
from kortlaegning.forms import (
    CodesForm,
    DialogueForm,
    InvitationsForm,
    ReasonForm,
    RoundForm,
)
from kortlaegning.models import Response, Round

ROUNDS_PER_PAGE = 50


def round_for_user(user: User, pk: int, action: Action) -> Round:
    """The round with ``pk`` if the user may do ``action`` on its unit: 404 outsider, 403 member."""
    visible = Round.objects.filter(unit__in=Unit.objects.visible_to(user)).select_related("unit")
    round = get_object_or_404(visible, pk=pk)
    require(user, action, round.unit)
    return round


def _may_open_results(user: User, round: Round) -> bool:
    """A closed round's results by ``results.may_see_results``; before closing, those who will
    see them may open the page (it says when results come)."""
    if round.is_closed:
        return results.may_see_results(user, round)
    return can(user, Action.VIEW_RESULTS, round.unit)


def results_round_for_user(user: User, pk: int) -> Round:
    """A round whose results page the user may open: 404 for outsiders, 403 for members who
    may not."""
    rounds = results.with_results_access(selectors.rounds_visible_to(user), user)
    round = get_object_or_404(rounds, pk=pk)
    if not _may_open_results(user, round):
        raise PermissionDenied
    return round


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- rounds -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """Mapping rounds of the units the user may see."""
    rounds = Paginator(selectors.rounds_visible_to(request.user), ROUNDS_PER_PAGE)
    context = {
        "rounds": rounds.get_page(request.GET.get("page")),
        "to_answer": selectors.rounds_to_answer_as_leader(request.user),
        "may_manage": Unit.objects.permitting(request.user, Action.MANAGE_ROUND).exists(),
    }
    return render(request, "kortlaegning/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.permitting(request.user, Action.MANAGE_ROUND)
    if not units.exists():
        raise PermissionDenied
    units = units.filter(archived_at__isnull=True)  # an archived unit gets no new rounds
    initial = {"unit": request.GET.get("unit") or units.values_list("pk", flat=True).first()}
    form = RoundForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        require(request.user, Action.MANAGE_ROUND, unit)
        try:
            round = services.round_create(unit=unit, created_by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round has been created as a draft."))
            return redirect("kortlaegning:round_detail", round.pk)
    return render(request, "kortlaegning/round_form.html", {"form": form, "round": None})


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.MANAGE_ROUND)
    if not round.is_draft:
        messages.error(request, _("Only a draft round can be changed."))
        return redirect("kortlaegning:round_detail", round.pk)
    initial = {
        "title": round.title,
        "mode": round.mode,
        "collection": round.collection,
        "employee_levels": list(round.employee_levels),
        "leader_levels": list(round.leader_levels),
        "opens_on": round.opens_on,
        "closes_on": round.closes_on,
        "threshold": round.threshold,
    }
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(round=round, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round has been saved."))
            return redirect("kortlaegning:round_detail", round.pk)
    return render(request, "kortlaegning/round_form.html", {"form": form, "round": round})


@login_required
@require_http_methods(["GET"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.VIEW_UNIT)
    user, unit = request.user, round.unit
    levels = sorted(set(round.employee_levels) | set(round.leader_levels))
    context = {
        "round": round,
        "levels": selectors.questions_by_level(selectors.round_questions(round), levels),
        "events": selectors.round_events(round),
        "may_manage": can(user, Action.MANAGE_ROUND, unit),
        "may_collect": can(user, Action.COLLECT_RESPONSES, unit),
        "may_answer": selectors.rounds_for_leader(user).filter(pk=round.pk).exists(),
        "may_see_results": _may_open_results(user, round),
        "reopen_form": ReasonForm(),
    }
    return render(request, "kortlaegning/round_detail.html", context)


def _transition(request: HttpRequest, pk: int, change, done: str) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.MANAGE_ROUND)
    try:
        change(round)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, done)
    return redirect("kortlaegning:round_detail", round.pk)


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda r: services.round_open(round=r, opened_by=request.user),
        _("The round is open for answers."),
    )


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda r: services.round_close(round=r, closed_by=request.user),
        _("The round is closed. Invitation addresses have been deleted."),
    )


@login_required
@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda r: services.round_publish_results(round=r, published_by=request.user),
        _("The results are published to the unit's employees."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.MANAGE_ROUND)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_reopen(
                round=round, reopened_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round has been reopened."))
            return redirect("kortlaegning:round_detail", round.pk)
    return render(request, "kortlaegning/round_reopen.html", {"round": round, "form": form})


# --- collection -------------------------------------------------------------------------------


def _link(request: HttpRequest, name: str, round: Round, token: str) -> str:
    return request.build_absolute_uri(reverse(f"kortlaegning:{name}", args=[round.pk, token]))


def _collection_page(request: HttpRequest, round: Round, **extra) -> HttpResponse:
    context = {
        "round": round,
        "progress": selectors.collection_progress(round),
        "codes_form": CodesForm(round=round),
        "invitations_form": InvitationsForm(round=round),
        "entry_url": request.build_absolute_uri(
            reverse("kortlaegning:answer_entry", args=[round.pk])
        ),
        **extra,
    }
    return render(request, "kortlaegning/collection.html", context)


@login_required
@require_http_methods(["GET"])
def collection(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    return _collection_page(request, round)


@never_cache
@login_required
@require_POST
def codes_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate codes and show the printable sheet; the codes exist only in this response."""
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    form = CodesForm(request.POST, round=round)
    if form.is_valid():
        try:
            codes = services.codes_generate(
                round=round, unit=form.cleaned_data["unit"], count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sheet = [code_sheet.code_card(request, round, code) for code in codes]
            return render(
                request,
                "kortlaegning/code_sheet.html",
                {"round": round, "cards": sheet, "unit": form.cleaned_data["unit"]},
            )
    return _collection_page(request, round, codes_form=form)


@login_required
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    form = InvitationsForm(request.POST, round=round)
    if form.is_valid():
        try:
            sent = services.invitations_send(
                round=round,
                unit=form.cleaned_data["unit"],
                emails=form.cleaned_data["emails"],
                link_for=lambda token: _link(request, "answer_invitation", round, token),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)d invitations sent.") % {"n": sent})
            return redirect("kortlaegning:collection", round.pk)
    return _collection_page(request, round, invitations_form=form)


@login_required
@require_POST
def invitations_remind(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    try:
        sent = services.invitations_remind(
            round=round, link_for=lambda token: _link(request, "answer_invitation", round, token)
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("%(n)d reminders sent.") % {"n": sent})
    return redirect("kortlaegning:collection", round.pk)


@never_cache
@login_required
@require_POST
def open_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    try:
        token = services.open_link_create(round=round)
    except ValidationError as error:
        _flash(request, error)
        return redirect("kortlaegning:collection", round.pk)
    link = _link(request, "answer_open", round, token)
    return _collection_page(request, round, open_link=link, open_link_qr=code_sheet.qr_svg(link))


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_record(request: HttpRequest, pk: int) -> HttpResponse:
    round = round_for_user(request.user, pk, Action.COLLECT_RESPONSES)
    levels = selectors.questions_by_level(
        selectors.round_questions(round), round.levels_for(Response.Group.EMPLOYEES)
    )
    form = DialogueForm(request.POST or None, round=round, levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_record(
                round=round,
                unit=form.cleaned_data["unit"],
                participants=form.cleaned_data["participants"],
                summary=form.cleaned_data["summary"],
                answers=form.answers(),
                comments=form.comments(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The joint answers of the dialogue have been recorded."))
            return redirect("kortlaegning:round_detail", round.pk)
    return render(request, "kortlaegning/dialogue_form.html", {"round": round, "form": form})


# --- results ----------------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    try:
        number = int(value) if value else None
    except ValueError:
        number = 0
    if number is not None and not 1 <= number <= MAX_ID:
        messages.warning(request, _("The link was not valid; showing the round's own unit."))
        return None
    return number


@login_required
@require_http_methods(["GET"])
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed round's results around one unit of its tree (as it stood at closing)."""
    round = results_round_for_user(request.user, pk)
    found = None
    if round.is_closed:
        found = results.round_results(
            round,
            user=request.user,
            unit=_int_param(request, "unit"),
            page=request.GET.get("page") or 1,
            figures=False,  # drawn once per snapshot and kept (result_charts.rendered_sections)
        )
    may_act = can(request.user, Action.EDIT_PLAN, round.unit)
    context = {
        "round": round,
        "results": found,
        "sections_html": result_charts.rendered_sections(found, may_act=may_act) if found else "",
        "group_labels": result_charts.group_labels(),
    }
    return render(request, "kortlaegning/results.html", context)


@login_required
@require_http_methods(["GET"])
def results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    round = results_round_for_user(request.user, pk)
    rows = results.export_rows(round, user=request.user, fmt=fmt) if round.is_closed else None
    if rows is None:
        messages.error(request, _("Results are available when the round is closed."))
        return redirect("kortlaegning:round_detail", round.pk)
    questions = {q.pk: (q, v) for q, v in results.round_questions(round)}
    table = spreadsheets.result_rows(rows, questions)
    if fmt == "xlsx":
        return spreadsheets.results_xlsx(round, table)
    return spreadsheets.results_csv(round, table)
