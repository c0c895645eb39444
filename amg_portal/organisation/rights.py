"""The rights table: which role may do what on a unit (tests/security/rights_table.py pins it).

A plain module: it imports nothing of the app, so the models (the unit queryset), the access
module and the audit log can all use it without importing each other in a circle. The answers
built on it — "may this user do X on this unit", "which units" — are in ``access.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Things a user may do on a unit."""

    VIEW_UNIT = "view_unit"
    MANAGE_UNIT = "manage_unit"  # edit the unit's name and headcount
    MANAGE_ROUND = "manage_round"  # create / open / close / reopen a mapping round
    COLLECT_RESPONSES = "collect_responses"  # codes, invitations, response rate, dialogues
    ANSWER_AS_LEADER = "answer_as_leader"
    VIEW_RESULTS = "view_results"
    CREATE_CASE = "create_case"
    ANSWER_ESCALATION = "answer_escalation"  # checked on the parent unit
    MANAGE_CYCLE = "manage_cycle"  # create an APV cycle, decide an assessment
    EDIT_PLAN = "edit_plan"  # risk picture, assessments, tiltag
    HOLD_MEETING = "hold_meeting"  # status meetings and evaluations
    READ_APV = "read_apv"
    VIEW_DASHBOARD = "view_dashboard"


LEADER, AMR, TR, AMG, EMPLOYEE = "leader", "amr", "tr", "amg", "employee"
EVERYONE = frozenset({LEADER, AMR, TR, AMG, EMPLOYEE})

RIGHTS: dict[Action, frozenset[str]] = {
    Action.VIEW_UNIT: EVERYONE,
    Action.MANAGE_UNIT: frozenset({LEADER}),
    Action.MANAGE_ROUND: frozenset({LEADER}),
    Action.COLLECT_RESPONSES: frozenset({LEADER, AMR, TR}),
    Action.ANSWER_AS_LEADER: frozenset({LEADER}),
    Action.VIEW_RESULTS: frozenset({LEADER, AMR, TR, AMG}),
    Action.CREATE_CASE: frozenset({LEADER, AMR, TR}),
    Action.ANSWER_ESCALATION: frozenset({LEADER}),
    Action.MANAGE_CYCLE: frozenset({LEADER}),
    Action.EDIT_PLAN: frozenset({LEADER, AMR, TR, AMG}),
    Action.HOLD_MEETING: frozenset({LEADER, AMR, TR, AMG}),
    Action.READ_APV: EVERYONE,
    Action.VIEW_DASHBOARD: EVERYONE,
}
# What the coordinator may not do: answering is for the people of the unit.
COORDINATOR_EXCLUDED = frozenset({Action.ANSWER_AS_LEADER})
# Who takes part in a confidential sten-i-skoen case besides its opener and the people added to
# it: these roles held on the case's *own* unit (not above it: leaders above see only the
# escalations sent to them).
CASE_UNIT_ROLES = frozenset({LEADER, AMR, TR})


def is_active_user(user) -> bool:
    """A logged-in, active user (anonymous and deactivated users hold no rights)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_coordinator(user) -> bool:
    """An active coordinator, who may act on every unit (``COORDINATOR_EXCLUDED`` aside)."""
    return bool(getattr(user, "is_authenticated", False) and user.coordinates)
