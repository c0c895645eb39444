"""Read-side helpers for units and roles, always scoped through ``access``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.db.models.lookups import StartsWith

from amg_portal.organisation.models import Membership, Role, Unit, User, role_paths, subtree_roots

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
    below: int = 0  # units below this one (shown or not)
    people: int = 0  # its headcount including every unit below it


def unit_forest(units: QuerySet[Unit] | list[Unit]) -> list[UnitNode]:
    """Arrange units (in path order) into trees; units whose parent is absent become roots. Each
    node carries the number of units below it and its people (one query per depth shown)."""
    units = list(units)
    figures = subtree_figures(units)
    nodes: dict[str, UnitNode] = {}
    roots: list[UnitNode] = []
    for unit in units:
        below, people = figures.get(unit.path, (0, unit.headcount))
        node = UnitNode(unit, below=below, people=people)
        nodes[unit.path] = node
        parent = nodes.get(unit.path[: -unit.steplen])
        (parent.children if parent else roots).append(node)
    return roots


def subtree_figures(units: list[Unit]) -> dict[str, tuple[int, int]]:
    """path → (units below it, headcount of it and everything below it), aggregated in the
    database: one query per distinct depth among ``units``."""
    figures: dict[str, tuple[int, int]] = {}
    for length in sorted({len(u.path) for u in units}):
        paths = [u.path for u in units if len(u.path) == length]
        rows = (
            Unit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
            .annotate(top=Substr("path", 1, length))
            .values("top")
            .annotate(n=Count("pk"), people=Sum("headcount"))
            .order_by()
        )
        figures.update({r["top"]: (r["n"] - 1, r["people"] or 0) for r in rows})
    return figures


def unit_window(user: User, pk: int | None = None) -> list[Unit]:
    """A bounded window of the units ``user`` may see (one query; its size follows the tree's
    shape, not its size): the unit ``pk`` with its visible ancestors and its direct sub-units;
    without ``pk``, the top units the user holds roles on and the units right below them."""
    if pk is not None:
        chosen = Unit.objects.filter(pk=pk)
        path = Subquery(chosen.values("path")[:1])
        window = (
            Q(pk=pk)
            | Q(StartsWith(path, F("path")))
            | Q(path__startswith=path, depth=Subquery(chosen.values("depth")[:1]) + 1)
        )
    elif getattr(user, "coordinates", False):
        window = Q(depth__lte=2)
    else:
        roots = subtree_roots({path for path, _ in role_paths(user)})
        if not roots:
            return []
        window = reduce(
            or_,
            (
                Q(path=root) | Q(path__startswith=root, depth=len(root) // Unit.steplen + 1)
                for root in roots
            ),
        )
    return list(Unit.objects.visible_to(user).filter(window))


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
