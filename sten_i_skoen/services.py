"""Write operations on stone-in-the-shoe cases."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amg_portal.domain import Prevention
from amg_portal.editing import EditConflict, update_if_unchanged
from amg_portal.organisation.models import Unit, User
from amg_portal.organisation.selectors import people_around
from handlingsplan.services import measure_create_for_case
from sten_i_skoen import pdf as case_pdf
from sten_i_skoen.models import (
    CELL_MAX_LENGTH,
    ESCALATION_MAX_LENGTH,
    ROWS,
    TEXT_COLUMNS,
    Case,
    CaseAction,
    CaseCell,
    CaseEvent,
    Escalation,
    RenderedCasePdf,
)

if TYPE_CHECKING:
    from handlingsplan.models import Measure

# The lifecycle: each status may move one step on; a closed case may be reopened.
NEXT_STATUS: dict[str, set[str]] = {
    Case.Status.OPEN: {Case.Status.ACTIONS_AGREED},
    Case.Status.ACTIONS_AGREED: {Case.Status.FOLLOWED_UP, Case.Status.OPEN},
    Case.Status.FOLLOWED_UP: {Case.Status.CLOSED, Case.Status.ACTIONS_AGREED},
    Case.Status.CLOSED: {Case.Status.OPEN},
}


# Bilag 2 works at the secondary and tertiary prevention levels (guide, "Fjern kilder …").
PREVENTION_OF = {
    Case.Occasion.RISK: Prevention.SECONDARY,
    Case.Occasion.SICK_LEAVE: Prevention.TERTIARY,
}


def _check_people_in_unit(unit: Unit, users: list[User], field: str) -> None:
    allowed = set(people_around(unit).values_list("pk", flat=True))
    outside = [u for u in users if u.pk not in allowed]
    if outside:
        names = ", ".join(str(u) for u in outside)
        raise ValidationError(
            {field: _("%(names)s holds no role in this unit.") % {"names": names}}
        )


@transaction.atomic
def case_create(
    *,
    unit: Unit,
    created_by: User,
    title: str,
    problem: str,
    occasion: str,
    participants: list[User],
    discussed_on: datetime.date | None = None,
) -> Case:
    """Open a case for ``unit`` with its empty matrix; the author is always a participant."""
    _check_people_in_unit(unit, [u for u in participants if u != created_by], "participants")
    case = Case(
        unit=unit,
        created_by=created_by,
        title=title,
        problem=problem,
        occasion=occasion,
        discussed_on=discussed_on,
    )
    case.full_clean()
    case.save()
    case.participants.set({created_by, *participants})
    CaseCell.objects.bulk_create(
        CaseCell(case=case, row=row, column=column) for row in ROWS for column in TEXT_COLUMNS
    )
    CaseEvent.objects.create(case=case, from_status="", to_status=case.status, by=created_by)
    case_pdf.queue_render(case.pk)
    return case


@transaction.atomic
def case_set_participants(*, case: Case, participants: list[User], by: User) -> None:
    """Replace the participants (people holding a role in or above the case's unit)."""
    _check_people_in_unit(case.unit, participants, "participants")
    if not participants:
        raise ValidationError({"participants": _("A case needs at least one participant.")})
    case.participants.set(participants)
    case_pdf.queue_render(case.pk)


@transaction.atomic
def cell_save(*, case: Case, row: str, column: str, text: str, version: int, by: User) -> CaseCell:
    """Save one cell if nobody saved it since ``version`` was read; else raise ``EditConflict``
    carrying the saved cell (saving the same text again is no conflict)."""
    if row not in ROWS or column not in TEXT_COLUMNS:
        raise ValidationError(_("There is no such cell in the matrix."))
    if len(text) > CELL_MAX_LENGTH:
        raise ValidationError(
            _("A cell holds at most %(max)d characters; this text has %(count)d.")
            % {"max": CELL_MAX_LENGTH, "count": len(text)}
        )
    cell, _created = CaseCell.objects.get_or_create(case=case, row=row, column=column)
    updated = update_if_unchanged(
        cell, version=version, text=text, updated_by=by, updated_at=timezone.now()
    )
    cell.refresh_from_db()
    if not updated and cell.text != text:
        message = _(
            "%(name)s saved this cell while you were writing. Both texts are shown: merge them "
            "and save again."
        ) % {"name": cell.updated_by or _("Someone")}
        raise EditConflict(message, current=cell)
    RenderedCasePdf.objects.filter(case=case).delete()  # no changed text lives on in a PDF
    case_pdf.queue_render(case.pk)
    return cell


@transaction.atomic
def case_set_status(*, case: Case, status: str, by: User) -> Case:
    """Move the case along its lifecycle and log who did it when."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in NEXT_STATUS.get(case.status, set()):
        raise ValidationError(
            _("A case cannot go from “%(old)s” to “%(new)s”.")
            % {"old": case.get_status_display(), "new": dict(Case.Status.choices).get(status, "")}
        )
    CaseEvent.objects.create(case=case, from_status=case.status, to_status=status, by=by)
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    case_pdf.queue_render(case.pk)
    return case


@transaction.atomic
def escalation_create(*, case: Case, text: str, created_by: User) -> Escalation:
    """Send an item the unit cannot solve itself to the leadership of the parent unit."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what should be passed on.")})
    if len(text) > ESCALATION_MAX_LENGTH:
        raise ValidationError(
            {"text": _("At most %(max)d characters.") % {"max": ESCALATION_MAX_LENGTH}}
        )
    parent = Unit.objects.get_parent(case.unit)
    if parent is None:
        raise ValidationError(
            {"text": _("This unit is at the top of the organisation: there is no next level.")}
        )
    escalation = Escalation.objects.create(
        case=case, to_unit=parent, text=text, created_by=created_by
    )
    case_pdf.queue_render(case.pk)
    return escalation


@transaction.atomic
def escalation_take(*, escalation: Escalation, by: User) -> Escalation:
    """Mark a received escalation as being handled."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != Escalation.Status.RECEIVED:
        raise ValidationError(_("Only a received escalation can be taken into handling."))
    escalation.status = Escalation.Status.IN_PROGRESS
    escalation.save(update_fields=["status"])
    case_pdf.queue_render(escalation.case_id)
    return escalation


@transaction.atomic
def escalation_answer(*, escalation: Escalation, answer: str, by: User) -> Escalation:
    """Answer an escalation; the answer is shown back in the case."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write an answer.")})
    if len(answer) > ESCALATION_MAX_LENGTH:
        raise ValidationError(
            {"answer": _("At most %(max)d characters.") % {"max": ESCALATION_MAX_LENGTH}}
        )
    escalation.status = Escalation.Status.ANSWERED
    escalation.answer = answer
    escalation.answered_by = by
    escalation.answered_at = timezone.now()
    escalation.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    case_pdf.queue_render(escalation.case_id)
    return escalation


@transaction.atomic
def case_action_create(
    *,
    case: Case,
    row: str,
    what: str,
    responsible: User,
    due: datetime.date,
    created_by: User,
    include_case_text: bool = False,
) -> CaseAction:
    """Agree a concrete action (who, what, by when)."""
    errors = {}
    if row not in ROWS:
        errors["row"] = _("Choose a level.")
    if due < timezone.localdate():
        errors["due"] = _("The date has passed: choose today or a later date.")
    if not people_around(case.unit).filter(pk=responsible.pk).exists():
        errors["responsible"] = _("%(name)s holds no role in this unit.") % {"name": responsible}
    if errors:
        raise ValidationError(errors)
    action = CaseAction(
        case=case,
        row=row,
        what=what.strip(),
        responsible=responsible,
        due=due,
        created_by=created_by,
        include_case_text=include_case_text,
    )
    action.full_clean()
    action.measure = _measure_for(action)
    action.save()
    case_pdf.queue_render(case.pk)
    return action


def _measure_for(action: CaseAction) -> Measure:
    """The tiltag in the unit's action plan; the case's own text only when the author chose so."""
    case = action.case
    if action.include_case_text:
        description = f"{case.title}\n\n{case.problem}"
    else:
        description = _("Agreed in a stone-in-the-shoe case. The case itself is confidential.")
    return measure_create_for_case(
        unit=case.unit,
        created_by=action.created_by,
        title=action.what,
        description=description,
        responsible=action.responsible,
        deadline=action.due,
        prevention=(
            Prevention.TERTIARY
            if case.occasion == Case.Occasion.SICK_LEAVE
            else Prevention.SECONDARY
        ),
        level=action.row,
    )
