"""The authorization matrix: per URL name, the right it needs and how to build its arguments.

An entry says which right a URL needs (an ``Action``, or one of the special
rights below), how to build its kwargs for the objects of institute A or B, which methods it
answers with which status when allowed, and for writes a payload that really writes (checked for
an allowed role, so that "nothing changed" on a refusal means something). The expected status of
every role is derived from that, not listed by hand:

* anonymous and a code holder (not logged in) → 302 to the login page for login-only pages;
* a role whose unit does not cover the object's unit → 404; the coordinator may do what the
  hand-written table gives the coordinator;
* a role covering the unit → the allowed status when the hand-written role × action table
  (tests/security/rights_table.py, pinned against ``access.RIGHTS``) gives it the right, else 403.

Special rights: ``PUBLIC`` (answer pages, login, password reset: status per entry), ``LOGIN``
(any logged-in user), ``COORDINATOR`` (personal data: the page does not exist for others),
``CASE`` (sten i skoen: the case's participants — its opener, the people added, the leader, AMR
and TR of its own unit — and the coordinator, audited; 404 for everyone else, leaders above and
members included), ``ANY_MANAGE_ROUND`` (a form that needs the right on some unit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from amg_portal.domain import Level
from amg_portal.organisation.access import Action
from sten_i_skoen.models import Column
from tests.security.rights_table import allowed as table_allows
from tests.security.world import (
    ANON,
    CODE,
    COORDINATOR,
    HELD,
    MISSING,
    SIDE_OF,
    Side,
    World,
)

PUBLIC, LOGIN, COORDINATOR_ONLY, CASE, ANY_MANAGE_ROUND = (
    "public",
    "login",
    "coordinator",
    "case",
    "any_manage_round",
)

Kwargs = Callable[[Side], dict]
Payload = Callable[[World, Side], dict]


def no_object(side: Side) -> dict:
    """The kwargs of a URL without an object (a list, a form, a coordinator's page)."""
    return {}


@dataclass(frozen=True)
class Entry:
    right: Action | str
    kwargs: Kwargs = no_object
    # Allowed methods and the status of an allowed request (an int, or a set of acceptable ones).
    methods: dict[str, int | frozenset[int]] = field(default_factory=lambda: {"GET": 200})
    data: Payload | None = None
    # For PUBLIC entries: the status per side ("A", "B", "missing"), per role where it differs.
    public: Callable[[str, str, str], int] | None = None
    # The right checked on the unit before the object is looked up, when it differs from
    # ``right`` (a milestone: READ_APV on the unit, then EDIT_PLAN or being responsible).
    unit_right: Action | None = None
    # Methods a view answers although it should say 405, with the reason (reported, xfail).
    known_gaps: dict[str, str] = field(default_factory=dict)


def today() -> dt.date:
    return timezone.localdate()


def _round(side: Side) -> dict:
    return {"pk": side.round.pk}


def _closed(side: Side) -> dict:
    return {"pk": side.closed_round.pk}


def _unit(side: Side) -> dict:
    return {"unit_pk": side.unit.pk}


def _cycle(side: Side) -> dict:
    return {"unit_pk": side.unit.pk, "pk": side.cycle.pk}


def _measure(side: Side) -> dict:
    return {"unit_pk": side.unit.pk, "pk": side.measure.pk}


def _meeting(side: Side) -> dict:
    return {"unit_pk": side.unit.pk, "pk": side.meeting.pk}


def _case(side: Side) -> dict:
    return {"pk": side.case.pk}


def _escalation(side: Side) -> dict:
    return {"pk": side.escalation.pk}


def _d(days: int = 0) -> str:
    return (today() + dt.timedelta(days=days)).isoformat()


def _import_upload(world: World, side: Side) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.security.world import import_files

    units, people = import_files(side.name)
    return {
        "units": SimpleUploadedFile("enheder.csv", units),
        "people": SimpleUploadedFile("personer.csv", people),
    }


def _answer_public(token_ok: int):
    """Answer pages: anyone may open them; an unknown round is 404 (public by design)."""

    def status(role: str, side: str, method: str) -> int:
        return 404 if side == "missing" else token_ok

    return status


def _answer_step(role: str, side: str, method: str) -> int:
    if side == "missing":
        return 404
    return 200 if (role == CODE and side == "A") else 400  # no grant in this session


DJANGO_FORM_VIEW = "Django's FormView answers PUT like POST (CSRF applies as for POST)"
DJANGO_INVALID_LINK = "Django answers an invalid reset link with its page before the method check"
FORM = {"GET": 200, "POST": 302}

MATRIX: dict[str, Entry] = {
    # --- the project's own pages ---------------------------------------------------------------
    "home": Entry(LOGIN),
    # A logged-in user who opens the login page is sent on (redirect_authenticated_user).
    "login": Entry(
        PUBLIC,
        methods={"GET": 200, "POST": 200},
        public=lambda r, s, m: 200 if r in (ANON, CODE) else 302,
        known_gaps={"PUT": DJANGO_FORM_VIEW},
    ),
    "logout": Entry(PUBLIC, methods={"POST": 302}, public=lambda r, s, m: 302),
    "profile": Entry(
        LOGIN,
        methods=FORM,
        data=lambda w, s: {"first_name": "Ny", "last_name": "", "email": "", "language": "da"},
    ),
    "second_factor": Entry(LOGIN, methods={"GET": 200, "POST": 200}),
    "second_factor_remove": Entry(LOGIN, methods={"POST": 302}),
    "password_change": Entry(
        LOGIN, methods={"GET": 200, "POST": 200}, known_gaps={"PUT": DJANGO_FORM_VIEW}
    ),
    "password_change_done": Entry(LOGIN),
    "password_reset": Entry(
        PUBLIC,
        methods={"GET": 200, "POST": 302},
        data=lambda w, s: {"email": "nobody@example.org"},
        public=lambda r, s, m: 200 if m == "GET" else 302,
        known_gaps={"PUT": DJANGO_FORM_VIEW},
    ),
    "password_reset_done": Entry(PUBLIC, public=lambda r, s, m: 200),
    "password_reset_confirm": Entry(
        PUBLIC,
        kwargs=lambda side: {"uidb64": "MQ", "token": "set-password"},
        methods={"GET": 200, "POST": 200},
        public=lambda r, s, m: 200,
        known_gaps={"PUT": DJANGO_FORM_VIEW, "DELETE": DJANGO_INVALID_LINK},
    ),
    "password_reset_complete": Entry(PUBLIC, public=lambda r, s, m: 200),
    "set_language": Entry(
        PUBLIC,
        methods={"POST": 302},
        data=lambda w, s: {"language": "en"},
        public=lambda r, s, m: 302,
    ),
    "personal_data": Entry(
        COORDINATOR_ONLY,
        kwargs=lambda side: {"pk": side.person.pk},
        methods=FORM,
        data=lambda w, s: {"confirm": s.person.username},
    ),
    "personal_data_export": Entry(COORDINATOR_ONLY, kwargs=lambda side: {"pk": side.person.pk}),
    # --- organisation ---------------------------------------------------------------------------
    "organisation:unit_list": Entry(LOGIN),
    "organisation:import": Entry(COORDINATOR_ONLY, methods=FORM, data=_import_upload),
    "organisation:import_detail": Entry(
        COORDINATOR_ONLY, kwargs=lambda s: {"pk": s.organisation_import.pk}
    ),
    "organisation:import_apply": Entry(
        COORDINATOR_ONLY,
        kwargs=lambda s: {"pk": s.organisation_import.pk},
        methods={"POST": 302},
        data=lambda w, s: {},
    ),
    "organisation:unit_detail": Entry(Action.VIEW_UNIT, kwargs=lambda s: {"pk": s.unit.pk}),
    "organisation:unit_edit": Entry(
        Action.MANAGE_UNIT,
        kwargs=lambda s: {"pk": s.unit.pk},
        methods=FORM,
        data=lambda w, s: {"name": "Omdøbt", "short_name": "", "headcount": 12},
    ),
    # --- kortlaegning -------------------------------------------------------------------------
    "kortlaegning:index": Entry(LOGIN),
    "kortlaegning:round_create": Entry(
        ANY_MANAGE_ROUND,
        methods=FORM,
        data=lambda w, s: {
            "unit": s.unit.pk,
            "title": "Ny runde",
            "mode": "written",
            "collection": "codes",
            "employee_levels": ["I", "G"],
            "leader_levels": ["L", "O"],
            "opens_on": _d(1),
            "closes_on": _d(20),
            "threshold": 5,
        },
    ),
    "kortlaegning:round_detail": Entry(Action.VIEW_UNIT, kwargs=_round),
    "kortlaegning:round_edit": Entry(
        Action.MANAGE_ROUND, kwargs=_round, methods={"GET": 302, "POST": 302}
    ),
    "kortlaegning:round_open": Entry(Action.MANAGE_ROUND, kwargs=_round, methods={"POST": 302}),
    "kortlaegning:round_close": Entry(Action.MANAGE_ROUND, kwargs=_round, methods={"POST": 302}),
    # The unit's other round is open, so the service refuses the reopening (shown on the form).
    "kortlaegning:round_reopen": Entry(
        Action.MANAGE_ROUND,
        kwargs=_closed,
        methods={"GET": 200, "POST": 200},
        data=lambda w, s: {"reason": "Flere svar"},
    ),
    "kortlaegning:round_publish": Entry(Action.MANAGE_ROUND, kwargs=_closed, methods={"POST": 302}),
    "kortlaegning:collection": Entry(Action.COLLECT_RESPONSES, kwargs=_round),
    "kortlaegning:codes_print": Entry(
        Action.COLLECT_RESPONSES,
        kwargs=_round,
        methods={"POST": 200},
        data=lambda w, s: {"unit": s.unit.pk, "count": 2},
    ),
    "kortlaegning:invitations_send": Entry(
        Action.COLLECT_RESPONSES,
        kwargs=_round,
        methods={"POST": 302},
        data=lambda w, s: {"unit": s.unit.pk, "emails": "ny@example.org"},
    ),
    "kortlaegning:invitations_remind": Entry(
        Action.COLLECT_RESPONSES, kwargs=_round, methods={"POST": 302}
    ),
    "kortlaegning:open_link_create": Entry(
        Action.COLLECT_RESPONSES, kwargs=_round, methods={"POST": 200}
    ),
    "kortlaegning:dialogue_record": Entry(
        Action.COLLECT_RESPONSES, kwargs=_round, methods={"GET": 200, "POST": 200}
    ),
    "kortlaegning:answer_as_leader": Entry(
        Action.ANSWER_AS_LEADER, kwargs=_round, methods={"POST": 302}
    ),
    "kortlaegning:round_results": Entry(Action.VIEW_RESULTS, kwargs=_closed),
    "kortlaegning:results_export": Entry(
        Action.VIEW_RESULTS, kwargs=lambda s: {**_closed(s), "fmt": "csv"}
    ),
    "kortlaegning:answer_entry": Entry(
        PUBLIC,
        kwargs=_round,
        methods={"GET": 200, "POST": 302},
        data=lambda w, s: {"code": s.code},
        public=lambda r, s, m: 404 if s == "missing" else (200 if m == "GET" else 302),
    ),
    "kortlaegning:answer_code": Entry(
        PUBLIC,
        kwargs=lambda s: {**_round(s), "token": s.code},
        public=_answer_public(302),
    ),
    "kortlaegning:answer_invitation": Entry(
        PUBLIC,
        kwargs=lambda s: {**_round(s), "token": "no-such-invitation"},
        public=_answer_public(302),  # to the refusal page, at a URL without the secret
    ),
    "kortlaegning:answer_open": Entry(
        PUBLIC,
        kwargs=lambda s: {**_round(s), "token": s.open_link},
        public=_answer_public(302),
    ),
    "kortlaegning:answer_step": Entry(
        PUBLIC,
        kwargs=lambda s: {**_round(s), "step": 1},
        methods={"GET": 200, "POST": 200},
        public=_answer_step,
    ),
    "kortlaegning:answer_done": Entry(PUBLIC, kwargs=_round, public=_answer_public(200)),
    # --- sten i skoen ---------------------------------------------------------------------------
    "sten_i_skoen:index": Entry(LOGIN),
    "sten_i_skoen:case_create": Entry(
        Action.CREATE_CASE,
        kwargs=_unit,
        methods=FORM,
        data=lambda w, s: {
            "title": "Ny sag",
            "occasion": "risk",
            "problem": "Travlhed",
            "discussed_on": _d(),
        },
    ),
    "sten_i_skoen:case_detail": Entry(
        CASE,
        kwargs=_case,
        methods=FORM,
        data=lambda w, s: {
            "row": Level.LEADER,
            "column": Column.ORIGIN,
            "text": "Ny tekst",
            "version": 0,
        },
    ),
    "sten_i_skoen:case_status": Entry(
        CASE, kwargs=_case, methods={"POST": 302}, data=lambda w, s: {"status": "actions_agreed"}
    ),
    "sten_i_skoen:case_participants": Entry(
        CASE,
        kwargs=_case,
        methods=FORM,
        data=lambda w, s: {"participants": [s.leader.pk, s.other.pk]},
    ),
    "sten_i_skoen:escalation_create": Entry(
        CASE, kwargs=_case, methods={"POST": 302}, data=lambda w, s: {"text": "Videre"}
    ),
    "sten_i_skoen:action_create": Entry(
        CASE,
        kwargs=_case,
        methods={"POST": 302},
        data=lambda w, s: {
            "row": Level.GROUP,
            "what": "Makkerpar",
            "responsible": s.leader.pk,
            "due": _d(30),
        },
    ),
    "sten_i_skoen:case_pdf": Entry(CASE, kwargs=_case),
    "sten_i_skoen:case_export": Entry(CASE, kwargs=_case),
    "sten_i_skoen:inbox": Entry(LOGIN),
    # The escalation goes to the case unit's parent (the institute): its leader answers.
    "sten_i_skoen:escalation_detail": Entry(
        Action.ANSWER_ESCALATION,
        kwargs=_escalation,
        methods=FORM,
        data=lambda w, s: {"answer": "Vi tager det op."},
    ),
    "sten_i_skoen:escalation_take": Entry(
        Action.ANSWER_ESCALATION, kwargs=_escalation, methods={"POST": 302}
    ),
    # --- handlingsplan --------------------------------------------------------------------------
    "handlingsplan:index": Entry(LOGIN),
    "handlingsplan:cycle_create": Entry(
        Action.MANAGE_CYCLE,
        kwargs=_unit,
        methods=FORM,
        data=lambda w, s: {
            "title": "Næste APV",
            "period_start": f"{today().year + 5}-01-01",
            "period_end": f"{today().year + 6}-12-31",
            "guidelines": "",
        },
    ),
    "handlingsplan:cycle_detail": Entry(Action.READ_APV, kwargs=_cycle),
    "handlingsplan:cycle_step": Entry(
        Action.MANAGE_CYCLE, kwargs=_cycle, methods={"POST": 302}, data=lambda w, s: {"step": 3}
    ),
    "handlingsplan:cycle_guidelines": Entry(
        Action.MANAGE_CYCLE,
        kwargs=_cycle,
        methods=FORM,
        data=lambda w, s: {"guidelines": "Hver anden måned."},
    ),
    "handlingsplan:risk_factor_create": Entry(
        Action.EDIT_PLAN,
        kwargs=_cycle,
        methods=FORM,
        data=lambda w, s: {"title": "Uklare roller", "level": Level.LEADER},
    ),
    "handlingsplan:risk_factor_edit": Entry(
        Action.EDIT_PLAN,
        kwargs=lambda s: {**_cycle(s), "rf_pk": s.risk_factor.pk},
        methods=FORM,
        data=lambda w, s: {"title": "Tidspres (ændret)", "level": Level.GROUP},
    ),
    "handlingsplan:assessment_edit": Entry(
        Action.EDIT_PLAN,
        kwargs=lambda s: {**_cycle(s), "rf_pk": s.risk_factor.pk},
        methods=FORM,
        data=lambda w, s: {
            "nature": "Mange frister",
            "extent": "Alle",
            "severity": "high",
            "causes": "Planlægning",
            "frequency": "often",
            "existing_prevention": "Ingen",
            "balance": "insufficient",
        },
    ),
    "handlingsplan:absence_create": Entry(
        Action.EDIT_PLAN,
        kwargs=_cycle,
        methods=FORM,
        data=lambda w, s: {
            "period_start": f"{today().year - 1}-01-01",
            "period_end": f"{today().year - 1}-12-31",
            "sick_days_per_fte": "7.5",
            "stress_sick_leaves": 1,
        },
    ),
    "handlingsplan:note_create": Entry(
        Action.EDIT_PLAN,
        kwargs=_cycle,
        methods=FORM,
        data=lambda w, s: {"held_on": _d(-3), "summary": "Samtaler om pres."},
    ),
    "handlingsplan:apv_read": Entry(Action.READ_APV, kwargs=_cycle),
    "handlingsplan:apv_pdf": Entry(Action.READ_APV, kwargs=_cycle),
    "handlingsplan:measure_list": Entry(Action.READ_APV, kwargs=_unit),
    "handlingsplan:measure_board": Entry(Action.READ_APV, kwargs=_unit),
    "handlingsplan:measure_create": Entry(
        Action.EDIT_PLAN,
        kwargs=_unit,
        methods=FORM,
        data=lambda w, s: {
            "title": "Nyt tiltag",
            "prevention": "primary",
            "level": Level.GROUP,
            "priority": 1,
            "status": "planned",
        },
    ),
    "handlingsplan:measure_detail": Entry(Action.READ_APV, kwargs=_measure),
    "handlingsplan:measure_edit": Entry(
        Action.EDIT_PLAN,
        kwargs=_measure,
        methods=FORM,
        data=lambda w, s: {
            "title": "Tiltag (ændret)",
            "prevention": "primary",
            "level": Level.GROUP,
            "priority": 2,
            "status": "in_progress",
            "version": s.measure.version,
        },
    ),
    "handlingsplan:milestone_add": Entry(
        Action.EDIT_PLAN,
        kwargs=_measure,
        methods={"POST": 302},
        data=lambda w, s: {"milestone-title": "Nyt delmål", "milestone-due_on": _d(10)},
    ),
    "handlingsplan:milestone_done": Entry(
        Action.EDIT_PLAN,
        kwargs=lambda s: {**_measure(s), "m_pk": s.milestone.pk},
        methods={"POST": 302},
        data=lambda w, s: {"done": "1"},
        unit_right=Action.READ_APV,
    ),
    "handlingsplan:follow_up_add": Entry(
        Action.EDIT_PLAN,
        kwargs=_measure,
        methods={"POST": 302},
        data=lambda w, s: {"follow_up-due_on": _d(40)},
    ),
    "handlingsplan:meeting_create": Entry(
        Action.HOLD_MEETING,
        kwargs=_unit,
        methods=FORM,
        data=lambda w, s: {"held_on": _d(7), "participants": [s.leader.pk]},
    ),
    "handlingsplan:meeting_detail": Entry(Action.READ_APV, kwargs=_meeting),
    "handlingsplan:evaluation_record": Entry(
        Action.HOLD_MEETING,
        kwargs=lambda s: {**_meeting(s), "measure_pk": s.measure.pk},
        methods={"POST": 302},
        data=lambda w, s: {
            f"m{s.measure.pk}-observation": "Det virker.",
            f"m{s.measure.pk}-effect": "works",
            f"m{s.measure.pk}-decision": "continue",
        },
    ),
    "handlingsplan:meeting_pdf": Entry(Action.READ_APV, kwargs=_meeting),
    "handlingsplan:calendar_settings": Entry(LOGIN, methods={"GET": 200, "POST": 200}),
    "handlingsplan:calendar_feed": Entry(
        PUBLIC,
        kwargs=lambda s: {"token": s.calendar_token},
        public=lambda r, s, m: 404 if s == "missing" else 200,
    ),
    # --- dashboard ------------------------------------------------------------------------------
    "dashboard:index": Entry(LOGIN),
    "dashboard:meeting": Entry(LOGIN),
    # --- operations: probes for a load balancer, open to anyone, no data --------------------------
    "healthz": Entry(PUBLIC, public=lambda r, s, m: 200),
    "readyz": Entry(PUBLIC, public=lambda r, s, m: 200),
    # --- single sign-on: switched off in the suite, so its pages answer 404 -------------------
    "oidc_login": Entry(PUBLIC, public=lambda r, s, m: 404),
    "oidc_callback": Entry(PUBLIC, public=lambda r, s, m: 404),
    "saml2_login": Entry(PUBLIC, public=lambda r, s, m: 404),
    "saml2_acs": Entry(PUBLIC, methods={"POST": 404}, public=lambda r, s, m: 404),
    "saml2_metadata": Entry(PUBLIC, public=lambda r, s, m: 404),
    # --- the answer pages' refusal, at a URL without the secret ---------------------------------
    "kortlaegning:answer_refused": Entry(
        PUBLIC,
        kwargs=lambda s: {"pk": s.round.pk, "reason": "used"},
        public=lambda r, s, m: 409,
    ),
}


def covers(role: str, side: str) -> bool:
    """Does the role's membership cover the institute of ``side`` (and its group)?"""
    return SIDE_OF.get(role) == side


def expected(entry: Entry, role: str, side: str, method: str, world: World) -> int | frozenset:
    """The status ``role`` must get for ``method`` on the objects of ``side`` (A, B, missing)."""
    allowed = entry.methods[method]
    if entry.right == PUBLIC:
        return entry.public(role, side, method)
    if role in (ANON, CODE):
        return 302
    if side == "missing":
        return 404
    if entry.right == LOGIN:
        return allowed
    if entry.right == COORDINATOR_ONLY:
        return allowed if role == COORDINATOR else 404
    if entry.right == CASE:
        sees = role == COORDINATOR or role in world.side(side).case_participants
        return allowed if sees else 404
    if entry.right == ANY_MANAGE_ROUND:
        if role == COORDINATOR or (role in HELD and table_allows(HELD[role], Action.MANAGE_ROUND)):
            # The form offers only the units the user may manage; another unit is invalid.
            return (
                allowed if (role == COORDINATOR or covers(role, side) or method == "GET") else 200
            )
        return 403
    action = entry.right
    if role == COORDINATOR:
        return allowed if table_allows("coordinator", action) else 403
    if not covers(role, side):
        return 404
    return allowed if table_allows(HELD[role], action) else 403


def missing_kwargs(entry: Entry, world: World) -> dict:
    """The kwargs of side A with every id (or a lone secret token) replaced by an unknown one."""
    kwargs = entry.kwargs(world.a)
    ids = [k for k, v in kwargs.items() if isinstance(v, int) and k != "step"]
    if not ids and "token" in kwargs:
        return {**kwargs, "token": "no-such-token"}
    return {k: (MISSING if k in ids else v) for k, v in kwargs.items()}


def mixed_statuses(entry: Entry, role: str, world: World) -> set[int]:
    """What A's unit with B's object may answer: the refusal of the right, else 404.

    With a composite right (``unit_right``) the object may be looked up before or after the
    right is checked; both orders are fine, since neither tells B's object from a missing one.
    """
    answers = set()
    for right in {entry.right, entry.unit_right or entry.right}:
        status = expected(Entry(right, methods={"GET": 200}), role, "A", "GET", world)
        answers.add(status if status in (302, 403) else 404)
    return answers


def mixed_kwargs(entry: Entry, world: World) -> dict | None:
    """Unit A in the URL with B's objects after it (None when the URL has no unit and object)."""
    kwargs_a, kwargs_b = entry.kwargs(world.a), entry.kwargs(world.b)
    if "unit_pk" not in kwargs_a or len(kwargs_a) < 2:
        return None
    return {k: (v if k == "unit_pk" else kwargs_b[k]) for k, v in kwargs_a.items()}
