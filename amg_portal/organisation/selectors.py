"""Read-side helpers for units and roles, always scoped through ``access``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from amg_portal.organisation.models import Membership, Role, Unit, User

# Roles in the order people expect to read them: leadership first, then the representatives.
ROLE_ORDER = Case(
    *(When(role=role, then=Value(i)) for i, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


@dataclass
class UnitNode:
    """A unit with its visible children, for rendering a tree without a query per level."""

    unit: Unit
    children: list[UnitNode] = field(default_factory=list)


def unit_forest(units: QuerySet[Unit] | list[Unit]) -> list[UnitNode]:
    """Arrange units (in path order) into trees; units whose parent is absent become roots."""
    nodes: dict[str, UnitNode] = {}
    roots: list[UnitNode] = []
    for unit in units:
        node = UnitNode(unit)
        nodes[unit.path] = node
        parent = nodes.get(unit.path[: -unit.steplen])
        (parent.children if parent else roots).append(node)
    return roots


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's own roles with their units, for the home page."""
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")


def unit_members(unit: Unit) -> QuerySet[Membership]:
    """Roles held directly on ``unit``."""
    return (
        Membership.objects.filter(unit=unit)
        .select_related("user")
        .order_by(ROLE_ORDER, "user__first_name", "user__last_name")
    )


def memberships_around(unit: Unit) -> QuerySet[Membership]:
    """Roles held on ``unit``, on a unit above it or in its subtree: the people around a unit."""
    return Membership.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths())
    )


def people_around(unit: Unit) -> QuerySet[User]:
    """Active users holding a role on ``unit``, above it or in its subtree, in name order.

    Who may take part in the unit's cases, be responsible for its tiltag or sit in its meetings.
    """
    return User.objects.filter(
        is_active=True, pk__in=memberships_around(unit).values("user")
    ).order_by("first_name", "last_name", "username")
