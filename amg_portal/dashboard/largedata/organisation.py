"""The organisation of a large dataset: a unit tree five levels deep and its people.

Units are created through ``organisation.services.unit_create`` (treebeard keeps the paths);
users and their roles are bulk-inserted with the fields ``User.objects.create_user`` would write,
sharing one password hash (hashing 50,000 passwords would take longer than everything else).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from amg_portal.organisation.models import Membership, Role, Unit, User
from amg_portal.organisation.services import unit_create

DEPTH = 5
KINDS = [
    (Unit.Kind.UNIVERSITY, "Universitet"),
    (Unit.Kind.FACULTY, "Fakultet"),
    (Unit.Kind.INSTITUTE, "Institut"),
    (Unit.Kind.SECTION, "Sektion"),
    (Unit.Kind.RESEARCH_GROUP, "Forskningsgruppe"),
]
FIRST_NAMES = [
    "Anne", "Bo", "Camilla", "Dorte", "Emil", "Frederik", "Gitte", "Hans", "Ida", "Jens",
    "Karen", "Lars", "Mette", "Niels", "Ole", "Pia", "Rasmus", "Sofie", "Thomas", "Ulla",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Christensen", "Hansen", "Jensen", "Jørgensen", "Larsen", "Madsen", "Nielsen",
    "Pedersen", "Poulsen", "Rasmussen", "Sørensen", "Thomsen", "Olsen", "Kristensen",
]  # fmt: skip
BATCH = 5000


@dataclass
class Organisation:
    """The built tree (root first, in tree order) and who holds which role where."""

    units: list[Unit]
    leaders: dict[int, User]  # unit id → its leader
    coordinator: User
    staff: dict[int, list[User]] = field(default_factory=dict)  # unit id → AMR/AMG/TR on it
    password: str = ""

    @property
    def root(self) -> Unit:
        return self.units[0]


def level_sizes(total: int, depth: int = DEPTH) -> list[int]:
    """Units per level (root first) summing to ``total``: a near-geometric tree ``depth`` deep."""
    if total < depth:
        return [1] * total
    low, high = 1.0, float(total)
    for _ in range(60):
        branching = (low + high) / 2
        if sum(round(branching**k) for k in range(depth)) > total:
            high = branching
        else:
            low = branching
    sizes = [max(1, round(low**k)) for k in range(depth - 1)]
    sizes.append(total - sum(sizes))
    return sizes


def _parents(sizes: list[int]) -> list[list[int]]:
    """For each level, the index (within the level above) of each node's parent: even blocks."""
    out = [[]]
    for above, count in itertools.pairwise(sizes):
        out.append([i * above // count for i in range(count)])
    return out


def _headcounts(is_leaf: list[bool], employees: int) -> list[int]:
    """Employees per unit (largest remainder): groups and sections carry three times the weight."""
    weights = [3 if leaf else 1 for leaf in is_leaf]
    total = sum(weights)
    exact = [employees * w / total for w in weights]
    counts = [int(x) for x in exact]
    by_rest = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
    for i in by_rest[: employees - sum(counts)]:
        counts[i] += 1
    return counts


def build_tree(*, units: int, employees: int, name: str) -> list[Unit]:
    """Create the unit tree through ``unit_create``; returns the units in tree order."""
    sizes = level_sizes(units)
    parents = _parents(sizes)
    has_children = [[False] * n for n in sizes]
    for level in range(1, len(sizes)):
        for parent in parents[level]:
            has_children[level - 1][parent] = True
    flat_leaf = [not child for level in has_children for child in level]
    headcounts = iter(_headcounts(flat_leaf, employees))
    created: list[list[Unit]] = []
    labels: list[list[str]] = []
    for level, count in enumerate(sizes):
        kind, word = KINDS[level]
        row, row_labels = [], []
        for i in range(count):
            parent = created[level - 1][parents[level][i]] if level else None
            label = f"{labels[level - 1][parents[level][i]]}.{i + 1:03d}" if level else ""
            unit_name = name if level == 0 else f"{word} {label.lstrip('.')}"
            row.append(
                unit_create(parent=parent, name=unit_name, kind=kind, headcount=next(headcounts))
            )
            row_labels.append(label)
        created.append(row)
        labels.append(row_labels)
    return list(Unit.objects.filter(path__startswith=created[0][0].path).order_by("path"))


def _user(username: str, rng: random.Random, password: str, **extra) -> User:
    # What create_user writes: normalised username and e-mail, the hashed password, defaults.
    return User(
        username=User.normalize_username(username),
        email=User.objects.normalize_email(f"{username}@bench.example.org"),
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        password=password,
        **extra,
    )


def _insert_people(rows: list[tuple[User, Unit, str]]) -> None:
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        users = User.objects.bulk_create([user for user, _, _ in batch])
        Membership.objects.bulk_create(
            Membership(user=user, unit=unit, role=role)
            for user, (_, unit, role) in zip(users, batch, strict=True)
        )


def build_people(units: list[Unit], *, rng: random.Random, password: str) -> Organisation:
    """A leader per unit, AMR/TR/AMG on the upper levels, the employees, one coordinator."""
    hashed = make_password(password)
    prefix = f"u{units[0].pk}"
    rows: list[tuple[User, Unit, str]] = []
    for number, unit in enumerate(units):
        rows.append((_user(f"{prefix}-leder{number:04d}", rng, hashed), unit, Role.LEADER))
        if unit.depth <= 3:
            for role in (Role.AMR, Role.TR, Role.AMG):
                rows.append((_user(f"{prefix}-{role}{number:04d}", rng, hashed), unit, role))
        for n in range(unit.headcount):
            rows.append(
                (_user(f"{prefix}-m{number:04d}-{n:03d}", rng, hashed), unit, Role.EMPLOYEE)
            )
    _insert_people(rows)
    coordinator = User.objects.create_user(
        username=f"{prefix}-koordinator",
        password=password,
        email=f"{prefix}-koordinator@bench.example.org",
        is_coordinator=True,
        is_staff=True,
    )
    org = Organisation(units=units, leaders={}, coordinator=coordinator, password=password)
    for membership in Membership.objects.filter(
        unit__path__startswith=units[0].path, role__in=[Role.LEADER, Role.AMR, Role.AMG, Role.TR]
    ).select_related("user"):
        if membership.role == Role.LEADER:
            org.leaders[membership.unit_id] = membership.user
        else:
            org.staff.setdefault(membership.unit_id, []).append(membership.user)
    return org
