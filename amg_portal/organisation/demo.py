"""Demo organisation for ``manage.py seed_demo``: idempotent, deterministic, realistic.

Feature apps extend the demo with a ``<app>/demo.py`` that defines ``seed(org: DemoOrganisation)``;
``seed_demo`` calls them in the order of ``DEMO_APPS`` after the organisation exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from amg_portal.organisation.models import Membership, Role, Unit, User
from amg_portal.organisation.services import unit_create

DEMO_PASSWORD = "amg-demo-2026"  # noqa: S105 - published on purpose: demo accounts only
DEMO_APPS = ["kortlaegning", "handlingsplan", "sten_i_skoen", "amg_portal.dashboard"]

K = Unit.Kind
# (name, kind, headcount of the unit itself, children)
TREE = (
    "Syddansk Universitet (demo)", K.UNIVERSITY, 0, [
        ("Det Naturvidenskabelige Fakultet", K.FACULTY, 2, [
            ("Institut for Biologi", K.INSTITUTE, 2, [
                ("Forskningsgruppen for Økologi", K.RESEARCH_GROUP, 6, []),
                ("Forskningsgruppen for Cellebiologi", K.RESEARCH_GROUP, 5, []),
            ]),
            ("Institut for Fysik, Kemi og Farmaci", K.INSTITUTE, 2, [
                ("Sektion for Kemi", K.SECTION, 6, []),
                ("Sektion for Farmaci", K.SECTION, 5, []),
            ]),
            ("Institut for Matematik og Datalogi", K.INSTITUTE, 2, [
                ("Forskningsgruppen for Datalogi", K.RESEARCH_GROUP, 6, []),
                ("Sekretariatet", K.SECTION, 4, []),
            ]),
        ]),
    ],
)  # fmt: skip

FAKULTET = "Det Naturvidenskabelige Fakultet"
BIOLOGI = "Institut for Biologi"
FKF = "Institut for Fysik, Kemi og Farmaci"
IMADA = "Institut for Matematik og Datalogi"
OEKOLOGI = "Forskningsgruppen for Økologi"

# The demo accounts with known passwords: one per role, plus a second leader for contrast.
ACCOUNTS = [
    ("koordinator", "Karen", "Koordinator", None, None),
    ("dekan", "Dorthe", "Dekan", Role.LEADER, FAKULTET),
    ("leder", "Lars", "Leder", Role.LEADER, BIOLOGI),
    ("leder2", "Lone", "Lindberg", Role.LEADER, FKF),
    ("amr", "Anna", "Arbejdsmiljø", Role.AMR, BIOLOGI),
    ("tr", "Torben", "Tillid", Role.TR, BIOLOGI),
    ("amg", "Amir", "Gruppemedlem", Role.AMG, BIOLOGI),
    ("medarbejder", "Mette", "Medarbejder", Role.EMPLOYEE, OEKOLOGI),
]

FIRST_NAMES = [
    "Anders", "Birgitte", "Christian", "Dorte", "Emil", "Freja", "Gustav", "Hanne", "Ida",
    "Jakob", "Katrine", "Mads", "Nanna", "Ole", "Pernille", "Rasmus", "Sofie", "Thomas",
    "Ulla", "Viktor", "Yasmin", "Zainab", "Niels", "Maja", "Jens", "Line", "Peter", "Signe",
    "Henrik", "Camilla", "Søren", "Louise", "Bo", "Eva", "Kasper", "Julie",
]  # fmt: skip
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Ahmed", "Kaya",
]  # fmt: skip


@dataclass
class DemoOrganisation:
    """What the organisation seed built, for the feature apps' own demo data."""

    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    logins: list[dict[str, str]] = field(default_factory=list)
    # Extra top-level keys for ``seed_demo --json`` from the apps' demos (e.g. "survey").
    extra: dict[str, object] = field(default_factory=dict)


def _unit(parent: Unit | None, name: str, kind: str, headcount: int) -> Unit:
    siblings = Unit.objects.filter(depth=1 if parent is None else parent.depth + 1)
    if parent is not None:
        siblings = siblings.filter(path__startswith=parent.path)
    unit = siblings.filter(name=name).first()
    if unit is None:
        return unit_create(parent=parent, name=name, kind=kind, headcount=headcount)
    if (unit.kind, unit.headcount) != (kind, headcount):
        unit.kind, unit.headcount = kind, headcount
        unit.save(update_fields=["kind", "headcount"])
    return unit


def _build_tree(node: tuple, parent: Unit | None, org: DemoOrganisation) -> None:
    name, kind, headcount, children = node
    org.units[name] = unit = _unit(parent, name, kind, headcount)
    for child in children:
        _build_tree(child, unit, org)


def _user(username: str, first: str, last: str, *, password: str | None) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.amg-portal.invalid",
            "is_active": True,
        },
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def _tree_nodes(node: tuple = TREE, parent: str = ""):
    """(name, kind, headcount, parent name) of every demo unit, parents first."""
    name, kind, headcount, children = node
    yield name, kind, headcount, parent
    for child in children:
        yield from _tree_nodes(child, name)


def _employee_rows():
    """(username, first name, last name, unit name) of the unnamed demo employees."""
    number = 0
    for name, _kind, headcount, _parent in _tree_nodes():
        already = 1 if name == OEKOLOGI else 0  # the "medarbejder" demo account
        for _ in range(headcount - already):
            number += 1
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
            yield f"ansat{number:02d}", first, last, name


def _employees(org: DemoOrganisation) -> None:
    """Unnamed demo employees filling each unit's headcount, roles on their own unit."""
    for username, first, last, unit_name in _employee_rows():
        user = _user(username, first, last, password=None)
        Membership.objects.get_or_create(user=user, unit=org.units[unit_name], role=Role.EMPLOYEE)


# HR ids of the demo units, as an HR system might have them.
UNIT_IDS = {
    "Syddansk Universitet (demo)": "SDU",
    FAKULTET: "NAT",
    BIOLOGI: "NAT-BIO",
    OEKOLOGI: "NAT-BIO-OEK",
    "Forskningsgruppen for Cellebiologi": "NAT-BIO-CEL",
    FKF: "NAT-FKF",
    "Sektion for Kemi": "NAT-FKF-KEM",
    "Sektion for Farmaci": "NAT-FKF-FAR",
    IMADA: "NAT-IMADA",
    "Forskningsgruppen for Datalogi": "NAT-IMADA-DAT",
    "Sekretariatet": "NAT-IMADA-SEK",
}


def import_files() -> tuple[str, str]:
    """The demo organisation as the two files of an HR import (units, people), in CSV.

    Importing them into an empty portal builds the demo organisation; importing them into the
    seeded demo links its units and accounts to these HR ids and changes nothing else.
    """
    units = ["unit_id;parent_id;name;kind;short_name"]
    for name, kind, _headcount, parent in _tree_nodes():
        units.append(f"{UNIT_IDS[name]};{UNIT_IDS.get(parent, '')};{name};{kind};")
    people = ["person_id;email;full_name;unit_id;role"]
    accounts = [(u, f, la, r, n) for u, f, la, r, n in ACCOUNTS if r is not None]
    employees = [(u, f, la, Role.EMPLOYEE, n) for u, f, la, n in _employee_rows()]
    for username, first, last, role, unit_name in accounts + employees:
        email = f"{username}@demo.amg-portal.invalid"
        people.append(f"P-{username};{email};{first} {last};{UNIT_IDS[unit_name]};{role}")
    return "\n".join(units) + "\n", "\n".join(people) + "\n"


@transaction.atomic
def seed_organisation() -> DemoOrganisation:
    """Build (or bring up to date) the demo organisation and its accounts."""
    org = DemoOrganisation()
    _build_tree(TREE, None, org)
    for username, first, last, role, unit_name in ACCOUNTS:
        user = _user(username, first, last, password=DEMO_PASSWORD)
        if role is None:
            user.is_coordinator = True
            user.is_staff = True
            user.save(update_fields=["is_coordinator", "is_staff"])
            role_code, unit_label = "coordinator", ""
        else:
            unit = org.units[unit_name]
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
            role_code, unit_label = str(role), unit.name
        org.users[username] = user
        org.logins.append(
            {"username": username, "password": DEMO_PASSWORD, "role": role_code, "unit": unit_label}
        )
    _employees(org)
    return org
