"""Demo data for ``seed_demo``: one case in Institut for Biologi with a filled matrix, an escalation
to the faculty and two actions that became tiltag. Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from amg_portal.domain import Level
from amg_portal.organisation.demo import BIOLOGI, DemoOrganisation
from sten_i_skoen.models import Case, Column
from sten_i_skoen.services import (
    case_action_create,
    case_create,
    case_set_status,
    cell_save,
    escalation_create,
    escalation_take,
)

TITLE = "Arbejdspres i forbindelse med eksamensperioden"
PROBLEM = (
    "I de sidste to eksamensperioder har flere i instituttet haft meget lange arbejdsdage med "
    "rettearbejde oven i forskning og vejledning, og flere giver udtryk for, at de ikke kan nå "
    "deres opgaver."
)
ORG, LEAD, GRP, IND = Level.ORGANISATION, Level.LEADER, Level.GROUP, Level.INDIVIDUAL
CELLS = {
    (ORG, Column.ORIGIN): "Censur- og rettefrister er lagt fast centralt uden hensyn til, at "
    "undervisningen er samlet på få personer.",
    (ORG, Column.EXPRESSION): "Mange overarbejdstimer i januar og juni; opgaver i forskning "
    "udskydes.",
    (ORG, Column.TODO): "Vi kan ikke selv ændre fristerne for censur; det må fakultetet tage op.",
    (LEAD, Column.ORIGIN): "Lederen har ikke haft overblik over, hvem der havde mest rettearbejde.",
    (LEAD, Column.EXPRESSION): "Medarbejderne har ikke sagt fra, fordi de ikke vidste, hvem de "
    "skulle gå til.",
    (LEAD, Column.TODO): "Lave en oversigt over rettebyrden før hver eksamensperiode og fordele "
    "opgaverne.",
    (GRP, Column.ORIGIN): "Gruppen har en kultur, hvor man ikke beder om hjælp.",
    (GRP, Column.EXPRESSION): "Stille frokoster og færre faglige samtaler i perioden.",
    (GRP, Column.TODO): "Aftale faste makkerpar, der kan hjælpe hinanden med rettearbejdet.",
    (IND, Column.ORIGIN): "Jeg har sagt ja til opgaver uden at se på min samlede arbejdsmængde.",
    (IND, Column.EXPRESSION): "Jeg arbejder om aftenen og føler ikke, at jeg bliver færdig.",
    (IND, Column.TODO): "Sige til, når jeg ikke kan nå det, og bruge prioriteringsmødet.",
}
ESCALATION = (
    "Censur- og rettefrister i januar og juni bør lægges, så undervisere med mange eksamener "
    "får mere tid. Det kan instituttet ikke selv ændre."
)


@transaction.atomic
def seed(org: DemoOrganisation) -> None:
    """Add the demo case once; leave an existing one as it is."""
    unit = org.units[BIOLOGI]
    if Case.objects.filter(unit=unit, title=TITLE).exists():
        return
    users = org.users
    case = case_create(
        unit=unit,
        created_by=users["amr"],
        title=TITLE,
        problem=PROBLEM,
        occasion=Case.Occasion.SICK_LEAVE,
        participants=[users["leder"], users["tr"], users["medarbejder"]],
        discussed_on=timezone.localdate() - dt.timedelta(days=7),
    )
    for (row, column), text in CELLS.items():
        cell_save(case=case, row=row, column=column, text=text, version=0, by=users["amr"])
    escalation = escalation_create(case=case, text=ESCALATION, created_by=users["leder"])
    escalation_take(escalation=escalation, by=users["dekan"])
    today = timezone.localdate()
    case_action_create(
        case=case,
        row=LEAD,
        what="Oversigt over rettebyrden før hver eksamensperiode",
        responsible=users["leder"],
        due=today + dt.timedelta(days=30),
        created_by=users["amr"],
    )
    case_action_create(
        case=case,
        row=GRP,
        what="Faste makkerpar til rettearbejdet",
        responsible=users["amr"],
        due=today + dt.timedelta(days=45),
        created_by=users["amr"],
    )
    case_set_status(case=case, status=Case.Status.ACTIONS_AGREED, by=users["leder"])
