"""Writing an organisation import's plan: a handful of bulk statements, whatever the size.

Moving units is done by writing the tree's new materialized paths (``hr_import._layout``) rather
than one treebeard ``move()`` per unit: a move rewrites the paths of the unit's subtree and
siblings, so a re-organisation of a thousand units would cost thousands of statements. Paths are
unique, so changed units first get a temporary path, then their final one. Before the transaction
commits, the tree is checked the way treebeard's ``find_problems`` does (which the tests use).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from amg_portal.organisation import audit, bulk
from amg_portal.organisation.access import forget_roles
from amg_portal.organisation.hr_import import Plan
from amg_portal.organisation.models import (
    AuditEntry,
    Membership,
    OrganisationImport,
    Unit,
    User,
)

logger = logging.getLogger("amg_portal.organisation.import")
LOCK_KEY = 0x414D47_01  # pg_advisory_xact_lock: one organisation import at a time
UNIT_FIELDS = ("hr_id", "name", "short_name", "kind", "headcount", "archived_at")
TREE_FIELDS = ("path", "depth", "numchild")


def lock() -> None:
    """Serialise imports, and imports against rounds being opened (which lock their unit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    list(Unit.objects.select_for_update().values_list("pk", flat=True))


def apply_plan(*, plan: Plan, record: OrganisationImport) -> None:
    """Write every change of ``plan`` (inside the caller's transaction), each audited."""
    now = timezone.now()
    unit_keys = _apply_units(plan, now)
    user_keys = _apply_people(plan)
    _apply_roles(plan, record, unit_keys, user_keys)
    _audit(plan, record, unit_keys, user_keys)
    if any("layout" in row for row in plan.unit_rows.values()):
        _check_tree()
    forget_roles()  # written in bulk, without signals: every cached role list is stale


def _apply_units(plan: Plan, now) -> dict[object, int]:
    keys: dict[object, int] = {}
    existing, new = [], []
    for key, row in plan.unit_rows.items():
        values = {name: row[name] for name in (*UNIT_FIELDS, *TREE_FIELDS)}
        if values["archived_at"] == "now":
            values["archived_at"] = now
        if row["id"] is None:
            new.append(values)
        else:
            existing.append({"id": row["id"], **values})
            keys[key] = row["id"]
    # Paths are unique: the units that change place step aside before anyone takes a new place.
    moving = [{"id": row["id"], "path": f"~{row['id']}"} for row in existing]
    bulk.update_rows(Unit, ["path"], moving)
    bulk.insert_rows(Unit, new)
    bulk.update_rows(Unit, [*UNIT_FIELDS, *TREE_FIELDS], existing)
    if new:
        created = dict(Unit.objects.filter(hr_id__isnull=False).values_list("hr_id", "pk"))
        keys.update({f"n:{row['hr_id']}": created[row["hr_id"]] for row in new})
    for key in plan.unit_changes:
        keys.setdefault(key, key)
    return keys


def _username(email: str, person_id: str, taken: set[str]) -> str:
    """A login name from the e-mail address (the characters Django allows), unique."""
    base = re.sub(r"[^\w.@+-]", "_", email.casefold())[:120]
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        name = f"{base}-{person_id}" if number == 2 else f"{base}-{number}"
    taken.add(name.casefold())
    return name


def _apply_people(plan: Plan) -> dict[object, int]:
    keys: dict[object, int] = {}
    new_keys = [key for key in plan.person_rows if not isinstance(key, int)]
    if new_keys:
        taken = {name.casefold() for name in User.objects.values_list("username", flat=True)}
        unusable = make_password(None)  # imported people log in through the identity provider
        rows = [
            {
                **plan.person_rows[key],
                "username": _username(plan.person_rows[key]["email"], key[2:], taken),
                "password": unusable,
            }
            for key in new_keys
        ]
        bulk.insert_rows(User, rows)
        created = dict(User.objects.filter(person_id__isnull=False).values_list("person_id", "pk"))
        keys.update({key: created[key[2:]] for key in new_keys})
    changed = [{"id": key, **row} for key, row in plan.person_rows.items() if isinstance(key, int)]
    bulk.update_rows(User, ["person_id", "email", "first_name", "last_name", "is_active"], changed)
    if plan.deactivate:
        User.objects.filter(pk__in=plan.deactivate).update(is_active=False)
        _end_sessions(set(plan.deactivate))
    for key in plan.person_changes:
        keys.setdefault(key, key)
    return keys


def _end_sessions(user_ids: set[int]) -> None:
    """Log deactivated people out everywhere (inactive users are refused on their next request
    anyway; deleting the sessions also ends them for any other authentication backend)."""
    if settings.SESSION_ENGINE not in (
        "amg_portal.sessions",
        "django.contrib.sessions.backends.db",
    ):
        return
    ids = {str(pk) for pk in user_ids}
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id", "")) in ids
    ]
    Session.objects.filter(pk__in=ended).delete()


def _apply_roles(plan: Plan, record, unit_keys: dict, user_keys: dict) -> None:
    Membership.objects.filter(pk__in=list(plan.roles_remove)).delete()
    rows = [
        {
            "user_id": user_keys.get(user, user),
            "unit_id": unit_keys.get(unit, unit),
            "role": role,
            "source": Membership.Source.IMPORTED,
            "organisation_import_id": record.pk,
        }
        for user, unit, role in plan.roles_add
    ]
    bulk.insert_rows(Membership, rows)


def _audit(plan: Plan, record, unit_keys: dict, user_keys: dict) -> None:
    """One audit entry per unit and per person the import changed, pointing at the import."""
    actor = record.by
    name = audit.escape(actor.get_username() if actor else "manage.py", 150)
    hr_of = dict(Unit.objects.values_list("pk", "hr_id"))
    roles: dict[object, list[str]] = {}
    for sign, changes in (("+", plan.roles_add), ("-", plan.roles_remove.values())):
        for user, unit, role in changes:
            unit_id = unit_keys.get(unit, unit)
            roles.setdefault(user, []).append(f"{sign}{role}@{hr_of.get(unit_id) or unit_id}")
    common = {
        "kind": AuditEntry.Kind.IMPORT,
        "actor_id": actor.pk if actor else None,
        "actor_name": name,
        "organisation_import_id": record.pk,
    }
    entries = [
        {
            **common,
            "unit_id": unit_keys[key],
            "target": audit.escape(f"unit {hr_of.get(unit_keys[key]) or unit_keys[key]}", 200),
            "detail": audit.escape(", ".join(changes)),
        }
        for key, changes in plan.unit_changes.items()
    ]
    person_ids = {key: row["person_id"] for key, row in plan.person_rows.items()}
    others = [k for k in plan.person_changes if isinstance(k, int) and k not in person_ids]
    person_ids.update(User.objects.filter(pk__in=others).values_list("pk", "person_id"))
    for key, changes in plan.person_changes.items():
        detail = ", ".join(c for c in changes if c != "roles")
        if key in roles:
            detail = "; ".join(filter(None, [detail, "roles " + " ".join(sorted(roles[key]))]))
        entries.append(
            {
                **common,
                "target": audit.escape(f"person {person_ids.get(key) or user_keys[key]}", 200),
                "detail": audit.escape(detail),
            }
        )
    bulk.insert_rows(AuditEntry, entries)
    logger.info(
        "organisation import %s applied by %s: %s", record.pk, name, plan.summary()["counts"]
    )


class TreeBroken(RuntimeError):
    """The tree would be inconsistent after the import (a bug): nothing is written."""


def _check_tree() -> None:
    """What treebeard's ``find_problems`` checks, in one query instead of two per unit."""
    nodes = list(Unit.objects.values_list("pk", "path", "depth", "numchild"))
    paths = {path for _pk, path, _depth, _numchild in nodes}
    children: dict[str, int] = {}
    for _pk, path, _depth, _numchild in nodes:
        parent = path[: -Unit.steplen]
        children[parent] = children.get(parent, 0) + 1
    broken = [
        pk
        for pk, path, depth, numchild in nodes
        if not path
        or len(path) % Unit.steplen
        or any(char not in Unit.alphabet for char in path)
        or depth != len(path) // Unit.steplen
        or (depth > 1 and path[: -Unit.steplen] not in paths)
        or numchild != children.get(path, 0)
    ]
    if broken:
        raise TreeBroken(f"organisation tree broken after import at units {broken[:20]}")
