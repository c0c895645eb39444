"""The one authorization module: who may do what on which unit.

Every view asks here. A role held on a unit covers the unit's whole subtree. The answers:

* ``unit_for_user(user, pk, action)`` — the unit, or 404 when the user has no role on it (nor above
  it), or 403 when they are a member without the right. Outsiders cannot tell a unit they may not
  see from one that does not exist.
* ``Unit.objects.visible_to(user)`` / ``.permitting(user, action)`` — the same rule as a queryset,
  in a single SQL query whatever the depth of the tree.
* ``can(user, action, unit)`` — a yes/no for templates and services.
* ``cases_visible_to(user, cases)`` — the confidential sten-i-skoen rule: its participants only.

The table ``RIGHTS`` is the default from DESIGN.md ("Who may do what").
"""

from __future__ import annotations

from enum import StrEnum
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

if TYPE_CHECKING:
    from amg_portal.organisation.models import Unit, User


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


def _membership_model():
    return apps.get_model("organisation", "Membership")


def _is_active_user(user) -> bool:
    """A logged-in, active user (anonymous and deactivated users hold no rights)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_coordinator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.coordinates)


# The user's roles, loaded once per user object. A membership saved or deleted, or a unit saved
# (its path may have moved), bumps the generation, so no cached role list outlives a change; the
# HR import, which writes in bulk without signals, bumps it itself.
_generation = 0


def forget_roles() -> None:
    """Every role list cached on a user object is stale from now on."""
    global _generation
    _generation += 1


def role_paths(user: User) -> tuple[tuple[str, str], ...]:
    """(unit path, role) for every role ``user`` holds: one query per user object (and again only
    after a membership or a unit changed). Every rule below is a prefix test on these paths."""
    if not _is_active_user(user):
        return ()
    cached = user.__dict__.get("_amg_role_paths")
    if cached is not None and cached[0] == _generation:
        return cached[1]
    generation = _generation
    rows = tuple(_membership_model().objects.filter(user=user).values_list("unit__path", "role"))
    user.__dict__["_amg_role_paths"] = (generation, rows)
    return rows


def roles_on(user: User, unit: Unit) -> frozenset[str]:
    """The roles ``user`` holds on ``unit`` or any unit above it (no query once the user's roles
    are loaded)."""
    return frozenset(role for path, role in role_paths(user) if unit.path.startswith(path))


def subtree_roots(paths: set[str]) -> list[str]:
    """The paths of ``paths`` that no other path of it lies above, sorted."""
    roots: list[str] = []
    for path in sorted(paths):  # an ancestor sorts before its descendants
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def can(user: User, action: Action, unit: Unit) -> bool:
    """May ``user`` do ``action`` on ``unit``?"""
    if _is_coordinator(user):
        return action not in COORDINATOR_EXCLUDED
    return bool(roles_on(user, unit) & RIGHTS[action])


def require(user: User, action: Action, unit: Unit) -> None:
    """404 for an outsider, 403 for a member without the right, nothing when allowed.

    Every refusal is written to the audit log (who, which unit, which action).
    """
    if can(user, action, unit):
        return
    member = _is_coordinator(user) or bool(roles_on(user, unit))
    from amg_portal.organisation import audit

    audit.record(
        kind="access_denied",
        actor=user,
        unit=unit,
        target=f"unit {unit.pk}",
        detail=f"{action.value}: {'403' if member else '404'}",
    )
    if member:
        raise PermissionDenied
    raise Http404


def require_coordinator(user: User) -> None:
    """The coordinator's own pages (the organisation import): to anyone else they do not exist."""
    if _is_coordinator(user):
        return
    from amg_portal.organisation import audit

    audit.record(kind="access_denied", actor=user, target="coordinator page", detail="404")
    raise Http404


def works_in(user: User, unit: Unit) -> bool:
    """Does the user hold any role on ``unit`` or below it (an employee of the unit)?"""
    return any(path.startswith(unit.path) for path, _ in role_paths(user))


def holds_in(user: User, action: Action, unit: Unit | None) -> bool:
    """May ``user`` do ``action`` on ``unit``, on a unit above it or on any unit below it (anywhere
    at all when ``unit`` is None)? No query once the user's roles are loaded."""
    if _is_coordinator(user):
        return action not in COORDINATOR_EXCLUDED
    rights = RIGHTS[action]
    return any(
        role in rights
        and (unit is None or path.startswith(unit.path) or unit.path.startswith(path))
        for path, role in role_paths(user)
    )


def unit_for_user(user: User, pk: int | str, action: Action = Action.VIEW_UNIT) -> Unit:
    """The unit with ``pk`` if ``user`` may do ``action`` on it; else 404 (outsider) or 403."""
    unit_model = apps.get_model("organisation", "Unit")
    try:
        unit = unit_model.objects.get(pk=int(pk))
    except (unit_model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(user, action, unit)
    return unit


def cases_visible_to(user, cases: QuerySet, *, as_coordinator: bool = True) -> QuerySet:
    """The confidential cases of ``cases`` that ``user`` may see (one SQL query, no lookups).

    A case is for its participants: whoever opened it, the people added to it, and the leader,
    AMR and TR of the case's own unit. The coordinator sees every case (``as_coordinator``),
    exceptionally: each look is written to the audit log by the case's selector. Every page,
    list, export and count of cases goes through here.
    """
    if not _is_active_user(user):
        return cases.none()
    if as_coordinator and _is_coordinator(user):
        return cases.all()
    added = cases.model.participants.through.objects.filter(case=OuterRef("pk"), user=user)
    own_unit = _membership_model().objects.filter(
        unit=OuterRef("unit"), user=user, role__in=CASE_UNIT_ROLES
    )
    return cases.filter(Q(created_by=user) | Q(Exists(added)) | Q(Exists(own_unit)))


def takes_part_in_case(user, case) -> bool:
    """Does ``user`` see ``case`` as one of its participants (not as the coordinator)?"""
    model = type(case)
    return cases_visible_to(user, model.objects.filter(pk=case.pk), as_coordinator=False).exists()


class UnitQuerySet(MP_NodeQuerySet):
    """Unit queries scoped to what a user may see or do."""

    def _covered_by_roles(self, user, roles) -> QuerySet:
        # A unit is covered when the user holds one of ``roles`` on it or on a unit above it: its
        # path starts with one of a few literal prefixes (an index range scan, cheap to build).
        roots = subtree_roots({path for path, role in role_paths(user) if role in roles})
        if not roots:
            return self.none()
        return self.filter(reduce(or_, (Q(path__startswith=root) for root in roots)))

    def visible_to(self, user) -> QuerySet:
        """Units the user holds any role on, with their subtrees; everything for the coordinator."""
        if _is_coordinator(user):
            return self.all()
        if not _is_active_user(user):
            return self.none()
        return self._covered_by_roles(user, EVERYONE)

    def with_members_below(self, user) -> QuerySet:
        """Units on which, or anywhere below which, the user holds a role.

        The people of a research group are also employees of its institute: what a unit makes
        available to all its employees (its written APV, published mapping results) is read from
        below as well. Everything else still needs a role on the unit or above it.
        """
        if _is_coordinator(user):
            return self.all()
        if not _is_active_user(user):
            return self.none()
        steplen = self.model.steplen
        above = {
            path[:end]
            for path, _ in role_paths(user)
            for end in range(steplen, len(path) + 1, steplen)
        }
        if not above:
            return self.none()
        return self.filter(path__in=sorted(above))

    def permitting(self, user, action: Action) -> QuerySet:
        """Units on which the user may do ``action``."""
        if _is_coordinator(user):
            return self.none() if action in COORDINATOR_EXCLUDED else self.all()
        if not _is_active_user(user):
            return self.none()
        return self._covered_by_roles(user, RIGHTS[action])


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")
