"""One world for the security tests, built with the apps' own services.

    Fakultet
    ├── Institut A (leader_a, amr_a, tr_a, amg_a, employee_a) ── Gruppe A1
    └── Institut B (leader_b)                                   ── Gruppe B1

Each institute has the same objects (a ``Side``): an open round with answer codes and an open
link, a closed round with responses, a sten-i-skoen case in its group escalated to the institute,
an APV cycle with a risk factor, a tiltag with a milestone and a follow-up, a status meeting, and
a calendar feed token of its leader. The case of A has the participants amr_a and employee_a.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from amg_portal.domain import Level
from amg_portal.organisation.models import OrganisationImport, Role, Unit, User
from amg_portal.organisation.services import unit_create
from handlingsplan import services as plan
from kortlaegning import services as mapping
from kortlaegning.models import Response, Round, RoundQuestion
from sten_i_skoen import services as stone
from sten_i_skoen.models import Case, Column
from tests.conftest import give_role, make_user

MISSING = 999_999  # an id that exists nowhere

# Roles of the matrix, in the order the reports list them.
ANON, CODE, EMPLOYEE, AMR, TR, AMG, LEADER_A, LEADER_B, COORDINATOR = (
    "anonymous",
    "code_holder",
    "employee",
    "amr",
    "tr",
    "amg",
    "leader_a",
    "leader_b",
    "coordinator",
)
ROLES = [ANON, CODE, EMPLOYEE, AMR, TR, AMG, LEADER_A, LEADER_B, COORDINATOR]
# The role each user holds on their institute (the Role values of access.RIGHTS).
HELD = {
    EMPLOYEE: Role.EMPLOYEE,
    AMR: Role.AMR,
    TR: Role.TR,
    AMG: Role.AMG,
    LEADER_A: Role.LEADER,
    LEADER_B: Role.LEADER,
}
SIDE_OF = {EMPLOYEE: "A", AMR: "A", TR: "A", AMG: "A", LEADER_A: "A", LEADER_B: "B"}
# The faculty's leader, above both institutes: not one of the matrix's roles, but the one whom
# confidential cases are kept from (tests/security/test_url_matrix.py, the case tests).
DEAN = "dean"


@dataclass
class Side:
    name: str
    unit: Unit
    group: Unit
    leader: User
    round: Round = None
    closed_round: Round = None
    code: str = ""
    open_link: str = ""
    case: Case = None
    escalation: object = None
    cycle: object = None
    risk_factor: object = None
    measure: object = None
    milestone: object = None
    meeting: object = None
    calendar_token: str = ""
    organisation_import: object = None  # an HR import preview waiting to be applied
    person: User = None  # a person whose personal data the coordinator may see
    other: User = None  # a second person of the unit (a possible case participant)
    case_participants: set[str] = field(default_factory=set)


@dataclass
class World:
    faculty: Unit
    users: dict[str, User]
    a: Side
    b: Side

    def side(self, name: str) -> Side:
        return self.a if name == "A" else self.b


def full_answers(round: Round, group: str = Response.Group.EMPLOYEES) -> dict[str, str]:
    qids = RoundQuestion.objects.filter(
        round=round, question__level__in=round.levels_for(group)
    ).values_list("question_id", flat=True)
    return {str(q): "yes" for q in qids}


def _rounds(side: Side, today: dt.date) -> None:
    leader = side.leader
    closed = mapping.round_create(
        unit=side.unit,
        created_by=leader,
        title=f"Kortlægning {side.name} (lukket)",
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )
    closed = mapping.round_open(round=closed, opened_by=leader)
    answers = full_answers(closed)
    for code in mapping.codes_generate(round=closed, unit=side.unit, count=5):
        grant = mapping.grant_for_code(round=closed, code=code)
        mapping.response_submit(
            round=closed, grant=grant, answers=answers, comments={"I": "Fritekst " + side.name}
        )
    side.closed_round = mapping.round_close(round=closed, closed_by=leader)

    round = mapping.round_create(
        unit=side.unit,
        created_by=leader,
        title=f"Kortlægning {side.name}",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    side.round = mapping.round_open(round=round, opened_by=leader)
    [side.code] = mapping.codes_generate(round=side.round, unit=side.unit, count=1)
    side.open_link = mapping.open_link_create(round=side.round)


def _case(side: Side, participants: list[User], today: dt.date) -> None:
    side.case = stone.case_create(
        unit=side.group,
        created_by=side.leader,
        title=f"Sag {side.name}",
        problem="Arbejdspres i eksamensperioden.",
        occasion=Case.Occasion.RISK,
        participants=participants,
        discussed_on=today,
    )
    stone.cell_save(
        case=side.case,
        row=Level.GROUP,
        column=Column.ORIGIN,
        text="Frister falder sammen.",
        version=0,
        by=side.leader,
    )
    side.escalation = stone.escalation_create(
        case=side.case, text=f"Fristerne må lægges om ({side.name}).", created_by=side.leader
    )


def _plan(side: Side, today: dt.date) -> None:
    leader = side.leader
    side.cycle = plan.cycle_create(
        unit=side.unit,
        created_by=leader,
        title=f"APV {side.name}",
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year + 1, 12, 31),
    )
    side.risk_factor = plan.risk_factor_create(
        cycle=side.cycle, created_by=leader, title="Tidspres", level=Level.GROUP
    )
    side.measure = plan.measure_create(
        unit=side.unit,
        created_by=leader,
        cycle=side.cycle,
        title=f"Tiltag {side.name}",
        responsible=leader,
        start=today,
        deadline=today + dt.timedelta(days=60),
        risk_factor=side.risk_factor,
        follow_ups=[today + dt.timedelta(days=30)],
    )
    side.milestone = plan.milestone_add(
        measure=side.measure, title="Delmål", due_on=today + dt.timedelta(days=20), user=leader
    )
    side.meeting = plan.meeting_create(
        unit=side.unit, held_on=today, participants=[leader], created_by=leader
    )
    side.calendar_token = plan.calendar_token_create(user=leader)


def import_files(side_name: str) -> tuple[bytes, bytes]:
    """A small HR export (one new unit, one new person) for the organisation import pages."""
    units = f"unit_id;parent_id;name\nM{side_name};;Matrix {side_name}\n".encode()
    people = (
        "person_id;email;full_name;unit_id\n"
        f"P{side_name};p{side_name.lower()}@example.org;Person {side_name};M{side_name}\n"
    ).encode()
    return units, people


def _organisation_import(side: Side, by: User) -> None:
    from amg_portal.organisation.hr_import import plan_import

    units, people = import_files(side.name)
    side.organisation_import = OrganisationImport.objects.create(
        source=OrganisationImport.Source.PAGE,
        by=by,
        units_data=units,
        people_data=people,
        plan_digest=plan_import(units_data=units, people_data=people).digest(),
    )


def build_world() -> World:
    """Both institutes with all their objects (takes about a second)."""
    today = timezone.localdate()
    faculty = unit_create(parent=None, name="Fakultet", kind=Unit.Kind.FACULTY, headcount=2)
    unit_a = unit_create(parent=faculty, name="Institut A", kind=Unit.Kind.INSTITUTE, headcount=9)
    group_a = unit_create(
        parent=unit_a, name="Gruppe A1", kind=Unit.Kind.RESEARCH_GROUP, headcount=6
    )
    unit_b = unit_create(parent=faculty, name="Institut B", kind=Unit.Kind.INSTITUTE, headcount=9)
    group_b = unit_create(
        parent=unit_b, name="Gruppe B1", kind=Unit.Kind.RESEARCH_GROUP, headcount=6
    )
    users = {COORDINATOR: make_user("coordinator", coordinator=True)}
    for role, held in HELD.items():
        unit = unit_a if SIDE_OF[role] == "A" else unit_b
        users[role] = give_role(make_user(role), unit, held)
    employee_b = give_role(make_user("employee_b"), group_b, Role.EMPLOYEE)
    users[DEAN] = give_role(make_user(DEAN), faculty, Role.LEADER)
    a = Side("A", unit_a, group_a, users[LEADER_A], person=users[EMPLOYEE], other=users[AMR])
    b = Side("B", unit_b, group_b, users[LEADER_B], person=users[LEADER_B], other=employee_b)
    for side in (a, b):
        _rounds(side, today)
        _plan(side, today)
    _case(a, [users[AMR], users[EMPLOYEE]], today)
    a.case_participants = {LEADER_A, AMR, EMPLOYEE}
    _case(b, [], today)
    b.case_participants = {LEADER_B}
    for side in (a, b):
        _organisation_import(side, users[COORDINATOR])
    return World(faculty=faculty, users=users, a=a, b=b)
