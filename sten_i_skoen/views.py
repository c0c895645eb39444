"""Stone-in-the-shoe pages; every case comes from ``selectors.case_for_user`` (else 404)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amg_portal.editing import EditConflict
from amg_portal.organisation.access import Action, require, unit_for_user
from amg_portal.organisation.models import Unit
from amg_portal.pdf import PdfError, pdf_response
from sten_i_skoen import pdf as case_documents
from sten_i_skoen import selectors, services
from sten_i_skoen.forms import (
    ActionForm,
    AnswerForm,
    CaseForm,
    CellForm,
    EscalationForm,
    ParticipantsForm,
    StatusForm,
)
from sten_i_skoen.models import Case, Escalation
from sten_i_skoen.services import NEXT_STATUS

CASES_PER_PAGE = 50


def _case(request: HttpRequest, pk: int, what: str) -> Case:
    """The case if the user takes part in it (else 404); a coordinator's look is audited."""
    return selectors.case_for_user(request.user, pk, what=what, request=request)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The cases the user takes part in; nothing, not even a count, of the others."""
    visible = selectors.cases_for(request.user)
    page = Paginator(visible, CASES_PER_PAGE).get_page(request.GET.get("side"))
    # The coordinator may open every case (each look is audited) but the list names only their own.
    own = {c.pk for c in page}
    if request.user.coordinates:
        mine = Case.objects.visible_to(request.user, as_coordinator=False)
        own = set(mine.filter(pk__in=own).values_list("pk", flat=True))
    for case in page:
        case.show_title = case.pk in own
    creatable = list(Unit.objects.permitting(request.user, Action.CREATE_CASE))
    inbox_count = selectors.open_escalation_count(request.user)
    return render(
        request,
        "sten_i_skoen/index.html",
        {
            "page": page,
            "creatable": creatable,
            "inbox_count": inbox_count,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, unit_pk, Action.CREATE_CASE)
    form = CaseForm(request.POST or None, unit=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                unit=unit,
                created_by=request.user,
                participants=list(form.cleaned_data["participants"]),
                **{k: form.cleaned_data[k] for k in ("title", "problem", "occasion")},
                discussed_on=form.cleaned_data["discussed_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case has been created. Only its participants see it."))
            return redirect("sten_i_skoen:case_detail", pk=case.pk)
    return render(request, "sten_i_skoen/case_form.html", {"form": form, "unit": unit})


def _case_context(case: Case) -> dict:
    return case_documents.case_context(case)


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    draft: dict | None = None,
    escalation_form: EscalationForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _case_context(case)
    if draft:  # a refused save: show what the user typed, and the other text when it conflicts
        for row in context["rows"]:
            for item in row.cells:
                if (item.cell.row, item.column) == (draft["row"], draft["column"]):
                    item.draft, item.problem = draft["text"], draft["problem"]
                    item.theirs = draft.get("theirs")
                    item.cell.version = draft.get("version", item.cell.version)
    return render(
        request,
        "sten_i_skoen/case_detail.html",
        {
            **context,
            "escalation_form": escalation_form or EscalationForm(),
            "action_form": action_form or ActionForm(unit=case.unit),
            "next_statuses": [
                (value, label)
                for value, label in Case.Status.choices
                if value in NEXT_STATUS[case.status]
            ],
            "has_parent": case.unit.depth > 1,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case with its matrix; a POST saves one cell (plain form or fetch from matrix.js)."""
    case = _case(request, pk, "view" if request.method == "GET" else "edit")
    if request.method == "GET":
        return _render_case(request, case)
    form = CellForm(request.POST)
    if not form.is_valid():
        return _cell_refused(request, case, form, _cell_errors(form), status=400)
    data = form.cleaned_data
    try:
        cell = services.cell_save(
            case=case,
            row=data["row"],
            column=data["column"],
            text=data["text"],
            version=data["version"],
            by=request.user,
        )
    except EditConflict as conflict:
        message = " ".join(conflict.messages)
        return _cell_refused(request, case, form, message, theirs=conflict.current, status=409)
    except ValidationError as error:
        return _cell_refused(request, case, form, " ".join(error.messages), status=400)
    if _wants_json(request):
        saved_at = time_format(timezone.localtime(cell.updated_at), "H:i")
        message = _("Saved %(time)s") % {"time": saved_at}
        return JsonResponse({"saved": True, "version": cell.version, "message": message})
    messages.success(request, _("The cell has been saved."))
    return redirect(f"{case.get_absolute_url()}#cell-{cell.row}-{cell.column}")


def _cell_errors(form: CellForm) -> str:
    if "text" in form.errors:
        return " ".join(form.errors["text"])
    return _("The cell could not be saved: reload the page and try again.")


def _cell_refused(request, case, form, message, *, theirs=None, status) -> HttpResponse:
    """Answer a refused save without losing the text the user typed."""
    if _wants_json(request):
        payload = {"saved": False, "message": message}
        if theirs is not None:
            payload.update(
                conflict=True, theirs=theirs.text, version=theirs.version, by=str(theirs.updated_by)
            )
        return JsonResponse(payload, status=status)
    row, column = request.POST.get("row", ""), request.POST.get("column", "")
    draft = {"row": row, "column": column, "text": request.POST.get("text", ""), "problem": message}
    if theirs is not None:
        draft.update(theirs=theirs.text, version=theirs.version)
    elif request.POST.get("version", "").isdigit():
        # Keep the version the user started from, so a save by someone else meanwhile still
        # shows up as a conflict instead of being overwritten by the corrected text.
        draft["version"] = int(request.POST["version"])
    return _render_case(request, case, draft=draft, status=status)


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "edit")
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a status."))
        services.case_set_status(case=case, status=form.cleaned_data["status"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The status has been changed."))
    return redirect(case.get_absolute_url() + "#status")


@login_required
@require_http_methods(["GET", "POST"])
def case_participants(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "view" if request.method == "GET" else "edit")
    form = ParticipantsForm(
        request.POST or None,
        unit=case.unit,
        initial={"participants": list(case.participants.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_participants(
                case=case, participants=list(form.cleaned_data["participants"]), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The participants have been saved."))
            if not Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
                return redirect("sten_i_skoen:index")
            return redirect(case.get_absolute_url())
    return render(request, "sten_i_skoen/participants_form.html", {"form": form, "case": case})


@login_required
@require_POST
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "edit")
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_create(
                case=case, text=form.cleaned_data["text"], created_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The item has been passed on to the next management level"))
            return redirect(case.get_absolute_url() + "#escalations")
    return _render_case(request, case, escalation_form=form, status=400)


@login_required
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, "edit")
    form = ActionForm(request.POST, unit=case.unit)
    if form.is_valid():
        try:
            services.case_action_create(case=case, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action has been agreed."))
            return redirect(case.get_absolute_url() + "#actions")
    return _render_case(request, case, action_form=form, status=400)


@login_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    """Escalations sent to the units the user leads (their text only, not the case)."""
    escalations = selectors.escalation_inbox(request.user)
    return render(request, "sten_i_skoen/inbox.html", {"escalations": escalations})


def _escalation(request: HttpRequest, pk: int) -> Escalation:
    """404 unless the user is in the receiving unit; 403 unless they may answer there."""
    escalation = get_object_or_404(
        Escalation.objects.filter(to_unit__in=Unit.objects.visible_to(request.user)).select_related(
            "to_unit", "case__unit", "answered_by"
        ),
        pk=pk,
    )
    require(request.user, Action.ANSWER_ESCALATION, escalation.to_unit)
    return escalation


@login_required
@require_http_methods(["GET", "POST"])
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _escalation(request, pk)
    form = AnswerForm(request.POST or None, instance=escalation)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_answer(
                escalation=escalation, answer=form.cleaned_data["answer"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your answer has been sent back to the case."))
            return redirect("sten_i_skoen:inbox")
    return render(
        request, "sten_i_skoen/escalation_detail.html", {"escalation": escalation, "form": form}
    )


@login_required
@require_POST
def escalation_take(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = _escalation(request, pk)
    try:
        services.escalation_take(escalation=escalation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The escalation is now in progress."))
    return redirect("sten_i_skoen:escalation_detail", pk=escalation.pk)


@login_required
@require_http_methods(["GET"])
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The case as an A4 PDF marked confidential, for those who may see the case."""
    case = _case(request, pk, "pdf")
    try:
        pdf = case_documents.case_pdf(case=case, context=_case_context(case), request=request)
    except PdfError:
        messages.error(request, _("The PDF could not be made just now. Please try again."))
        return redirect(case.get_absolute_url())
    return pdf_response(pdf, f"sten-i-skoen-{case.pk}.pdf")


@login_required
@require_http_methods(["GET"])
def case_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The matrix and its actions as CSV (semicolon-separated, for Danish spreadsheets)."""
    case = _case(request, pk, "export")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sten-i-skoen-{case.pk}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Level"), _("Column"), _("Question"), _("Text")])
    for row in selectors.case_matrix(case):
        for item in row.cells:
            writer.writerow([row.label, item.heading, item.prompt, _csv_safe(item.text)])
        for action in row.actions:
            who = action.responsible.get_full_name() or action.responsible.username
            when = action.due.isoformat()
            writer.writerow([row.label, selectors.COLUMN_HEADINGS["timeframe"], who, when])
            writer.writerow([row.label, "", "", _csv_safe(action.what)])
    return response


def _csv_safe(text: str) -> str:
    """Keep a spreadsheet from running typed text as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
