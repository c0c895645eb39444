"""The one authorization module: who may do what on which unit.

Every view asks here. A role held on a unit covers the unit's whole subtree. The answers:

* ``unit_for_user(user, pk, action)`` — the unit, or 404 when the user has no role on it (nor above
  it), or 403 when they are a member without the right. Outsiders cannot tell a unit they may not
  see from one that does not exist.
* ``Unit.objects.visible_to(user)`` / ``.permitting(user, action)`` — the same rule as a queryset,
  in a single SQL query whatever the depth of the tree.
* ``can(user, action, unit)`` — a yes/no for templates and services.
* ``cases_visible_to(user, cases)`` — the confidential sten-i-skoen rule: its participants only.

The table ``RIGHTS`` (who may do what) lives in ``rights.py``, a plain module the models build the
unit queryset from; this module re-exports it. Imports point one
way: access → audit → models → rights.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from amg_portal.organisation import audit
from amg_portal.organisation.models import (
    Membership,
    Unit,
    User,
    forget_roles,
    role_paths,
    subtree_roots,
)
from amg_portal.organisation.rights import (
    CASE_UNIT_ROLES,
    COORDINATOR_EXCLUDED,
    EVERYONE,
    RIGHTS,
    Action,
    is_active_user,
    is_coordinator,
)

__all__ = [
    "CASE_UNIT_ROLES",
    "COORDINATOR_EXCLUDED",
    "EVERYONE",
    "RIGHTS",
    "Action",
    "can",
    "cases_visible_to",
    "forget_roles",
    "holds_in",
    "require",
    "require_coordinator",
    "role_paths",
    "roles_on",
    "subtree_roots",
    "takes_part_in_case",
    "unit_for_user",
    "works_in",
]


def roles_on(user: User, unit: Unit) -> frozenset[str]:
    """The roles ``user`` holds on ``unit`` or any unit above it (no query once the user's roles
    are loaded: ``role_paths``)."""
    return frozenset(role for path, role in role_paths(user) if unit.path.startswith(path))


def can(user: User, action: Action, unit: Unit) -> bool:
    """May ``user`` do ``action`` on ``unit``?"""
    if is_coordinator(user):
        return action not in COORDINATOR_EXCLUDED
    return bool(roles_on(user, unit) & RIGHTS[action])


def require(user: User, action: Action, unit: Unit) -> None:
    """404 for an outsider, 403 for a member without the right, nothing when allowed.

    Every refusal is written to the audit log (who, which unit, which action).
    """
    if can(user, action, unit):
        return
    member = is_coordinator(user) or bool(roles_on(user, unit))
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
    if is_coordinator(user):
        return
    audit.record(kind="access_denied", actor=user, target="coordinator page", detail="404")
    raise Http404


def works_in(user: User, unit: Unit) -> bool:
    """Does the user hold any role on ``unit`` or below it (an employee of the unit)?"""
    return any(path.startswith(unit.path) for path, _ in role_paths(user))


def holds_in(user: User, action: Action, unit: Unit | None) -> bool:
    """May ``user`` do ``action`` on ``unit``, on a unit above it or on any unit below it (anywhere
    at all when ``unit`` is None)? No query once the user's roles are loaded."""
    if is_coordinator(user):
        return action not in COORDINATOR_EXCLUDED
    rights = RIGHTS[action]
    return any(
        role in rights
        and (unit is None or path.startswith(unit.path) or unit.path.startswith(path))
        for path, role in role_paths(user)
    )


def unit_for_user(user: User, pk: int | str, action: Action = Action.VIEW_UNIT) -> Unit:
    """The unit with ``pk`` if ``user`` may do ``action`` on it; else 404 (outsider) or 403."""
    try:
        unit = Unit.objects.get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
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
    if not is_active_user(user):
        return cases.none()
    if as_coordinator and is_coordinator(user):
        return cases.all()
    added = cases.model.participants.through.objects.filter(case=OuterRef("pk"), user=user)
    own_unit = Membership.objects.filter(unit=OuterRef("unit"), user=user, role__in=CASE_UNIT_ROLES)
    return cases.filter(Q(created_by=user) | Q(Exists(added)) | Q(Exists(own_unit)))


def takes_part_in_case(user, case) -> bool:
    """Does ``user`` see ``case`` as one of its participants (not as the coordinator)?"""
    model = type(case)
    return cases_visible_to(user, model.objects.filter(pk=case.pk), as_coordinator=False).exists()
