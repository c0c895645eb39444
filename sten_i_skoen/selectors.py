"""Read-side helpers for stone-in-the-shoe cases, always scoped by confidentiality."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from amg_portal.domain import Level
from amg_portal.organisation import access, audit
from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Role, Unit, User
from sten_i_skoen.models import (
    ROW_LABELS,
    ROWS,
    TEXT_COLUMNS,
    Case,
    CaseAction,
    CaseCell,
    Column,
    Escalation,
)

# The guide's own question for each row and column (bilag 2), shown as the cell's prompt.
PROMPTS: dict[tuple[str, str], str] = {
    (Level.ORGANISATION, Column.ORIGIN): _(
        "What significance has the organisation had for the problem?"
    ),
    (Level.LEADER, Column.ORIGIN): _("What significance has the leader had for the problem?"),
    (Level.GROUP, Column.ORIGIN): _("What significance has the group had?"),
    (Level.INDIVIDUAL, Column.ORIGIN): _("What significance have I myself had?"),
    (Level.ORGANISATION, Column.EXPRESSION): _("How does it show at the organisation level?"),
    (Level.LEADER, Column.EXPRESSION): _("How does it show at the leader level?"),
    (Level.GROUP, Column.EXPRESSION): _("How does it show at the group level?"),
    (Level.INDIVIDUAL, Column.EXPRESSION): _("How does it show at the individual level?"),
    (Level.ORGANISATION, Column.TODO): _(
        "What can we not solve ourselves, which must be passed on to the next management level?"
    ),
    (Level.LEADER, Column.TODO): _("What can the leader do?"),
    (Level.GROUP, Column.TODO): _("What can the group do?"),
    (Level.INDIVIDUAL, Column.TODO): _("What can I do?"),
}
# The guide's column headings, longer than the short column names.
COLUMN_HEADINGS: dict[str, str] = {
    Column.ORIGIN: _("Where did the problem arise?"),
    Column.EXPRESSION: _("How does it show at the I, G, L and O levels?"),
    Column.TODO: _("What must be done at the different levels?"),
    Column.TIMEFRAME: _("Timeframe: who does what by when?"),
}


def case_for_user(user: User, pk: int, *, what: str = "view", request=None) -> Case:
    """The case with ``pk`` if ``user`` may see it; 404 for everyone else, whoever they are.

    A coordinator who does not take part in the case sees it exceptionally: each look is a row
    of the audit log (``what``: view, edit, pdf, export).
    """
    try:
        case = Case.objects.visible_to(user).select_related("unit", "created_by").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if user.coordinates and not access.takes_part_in_case(user, case):
        audit.record_case_read(request or user, case, what)
    return case


def cases_for(user: User) -> QuerySet[Case]:
    """The cases ``user`` may see, open ones first, newest first, with their units."""
    closed_last = SqlCase(When(status=Case.Status.CLOSED, then=Value(1)), default=Value(0))
    return (
        Case.objects.visible_to(user)
        .select_related("unit")
        .order_by(closed_last, "-created_at", "-pk")
    )


def open_case_count(user: User, units: Iterable[Unit] | QuerySet[Unit]) -> int:
    """The open cases in ``units`` that ``user`` may see, for the dashboard (one query).

    A count is still something of a case: leaders above a unit count only the cases they take
    part in. The coordinator counts all of them (a number, not a look into any case).
    """
    return Case.objects.visible_to(user).open().filter(unit__in=units).count()


def open_escalation_count(user: User) -> int:
    """Escalations awaiting an answer from ``user``'s management level, for the dashboard."""
    return escalation_inbox(user).exclude(status=Escalation.Status.ANSWERED).count()


def unit_leaders(unit: Unit) -> QuerySet[User]:
    """The leaders whose role covers ``unit``."""
    return User.objects.filter(
        is_active=True,
        memberships__role=Role.LEADER,
        memberships__unit__path__in=unit.ancestor_paths(),
    ).distinct()


@dataclass
class MatrixCell:
    """One cell as the page shows it; ``draft`` and ``theirs`` carry a refused save's texts."""

    column: str
    cell: CaseCell
    prompt: str
    heading: str
    draft: str | None = None
    problem: str = ""
    theirs: str | None = None

    @property
    def text(self) -> str:
        return self.cell.text if self.draft is None else self.draft

    @property
    def dom_id(self) -> str:
        return f"{self.cell.row}-{self.column}"


@dataclass
class MatrixRow:
    level: str
    label: str
    cells: list[MatrixCell] = field(default_factory=list)
    actions: list[CaseAction] = field(default_factory=list)


def case_matrix(case: Case) -> list[MatrixRow]:
    """The matrix as rows of cells with their prompts, plus each row's actions: two queries."""
    queryset = CaseCell.objects.filter(case=case).select_related("updated_by")
    cells = {(c.row, c.column): c for c in queryset}
    actions = list(CaseAction.objects.filter(case=case).select_related("responsible", "measure"))
    for action in actions:
        action.measure_link = action.measure.get_absolute_url() if action.measure_id else ""
    rows = []
    for level in ROWS:
        row = MatrixRow(level=level, label=ROW_LABELS[level])
        for column in TEXT_COLUMNS:
            cell = cells.get((level, column)) or CaseCell(case=case, row=level, column=column)
            row.cells.append(
                MatrixCell(column, cell, PROMPTS[(level, column)], COLUMN_HEADINGS[column])
            )
        row.actions = [a for a in actions if a.row == level]
        rows.append(row)
    return rows


def case_escalations(case: Case) -> QuerySet[Escalation]:
    return Escalation.objects.filter(case=case).select_related("to_unit", "answered_by")


def escalation_inbox(user: User) -> QuerySet[Escalation]:
    """Escalations sent to units on which ``user`` may answer them; nothing else of the case."""
    units = Unit.objects.permitting(user, Action.ANSWER_ESCALATION)
    return (
        Escalation.objects.filter(to_unit__in=units)
        .select_related("to_unit", "case__unit")
        .order_by("status", "-created_at")
    )
