"""Organisation sync from an HR export: check the two files, compare them with the database.

``plan_import`` reads the units file and the people file, checks every row (``hr_rows``) and
returns a ``Plan``: either the problems (each with its file, line number and what to fix), or
every change the import would make — units created, updated, moved, archived; people created,
updated, deactivated; roles added and removed. ``hr_apply.apply_plan`` writes a plan; the command
and the coordinator's page share both, so the preview is exactly what gets applied.

The rules (the files are the truth for what they contain):

* a unit is recognised by its HR id (``Unit.hr_id``), a person by theirs (``User.person_id``);
  on the first import, a unit made by hand is adopted when it has the same name at the same place,
  and an account made by hand when it has the same e-mail address;
* units with an HR id that are missing from the file are archived (kept, with their history);
  people with a person id that are missing are deactivated (kept, cannot log in);
* roles from the file replace the roles earlier imports gave; roles assigned by hand are kept;
* a unit's headcount is the number of people with the employee role on it in the file;
* siblings are kept in name order, as treebeard's ``node_order_by`` does for units added by hand.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext as _

from amg_portal.organisation.hr_files import FileProblem, Row, read_table
from amg_portal.organisation.hr_rows import (
    DEFAULT_KIND,
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL,
    UNIT_COLUMNS,
    UNIT_OPTIONAL,
    FilePerson,
    FileUnit,
    Problem,
    parse_people,
    parse_units,
    tree_order,
)
from amg_portal.organisation.models import Membership, Role, Unit, User

SAMPLE = 200  # changes listed per category in a preview; the counts are always complete


@dataclass
class Plan:
    """What an import would change (or why it cannot run)."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What apply needs; keys of new units / people are "n:<hr id>", of existing ones their pk.
    unit_rows: dict[object, dict] = field(default_factory=dict)
    unit_changes: dict[object, list[str]] = field(default_factory=dict)
    person_rows: dict[object, dict] = field(default_factory=dict)
    person_changes: dict[object, list[str]] = field(default_factory=dict)
    deactivate: list[int] = field(default_factory=list)
    roles_add: set[tuple[object, object, str]] = field(default_factory=set)
    roles_remove: dict[int, tuple[int, int, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return sum(
            n for group in self.counts.values() for k, n in group.items() if k not in NOT_CHANGES
        )

    def digest(self) -> str:
        """A fingerprint of every planned change (to see whether a preview is still current)."""
        parts = [repr(sorted((str(k), sorted(v)) for k, v in self.unit_changes.items()))]
        parts.append(repr(sorted((str(k), sorted(v)) for k, v in self.person_changes.items())))
        parts.append(repr(sorted(self.deactivate)))
        parts.append(repr(sorted(map(repr, self.roles_add))))
        parts.append(repr(sorted(self.roles_remove)))
        parts.append(repr(sorted((str(k), sorted(v.items())) for k, v in self.unit_rows.items())))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def summary(self) -> dict:
        """Counts, samples and warnings as JSON-ready data (stored with the import)."""
        return {"counts": self.counts, "samples": self.samples, "warnings": self.warnings}


NOT_CHANGES = {"unchanged", "kept_by_hand"}


@dataclass
class _Units:
    """The units as they stand, and the tree as it will stand."""

    rows: dict[object, dict]  # key → unit fields (existing: pk, new: "n:<hr id>")
    by_hr: dict[str, object]  # file HR id → key
    parent: dict[object, object]  # key → parent key (None for a root), after the import
    old_parent: dict[int, int | None]
    old_path: dict[int, str]


def plan_import(*, units_data: bytes, people_data: bytes) -> Plan:
    """Read both files and work out every change; problems instead when anything is wrong."""
    plan = Plan()
    files: dict[str, list[Row]] = {}
    for name, data, required, optional in (
        ("units", units_data, UNIT_COLUMNS, UNIT_OPTIONAL),
        ("people", people_data, PEOPLE_COLUMNS, PEOPLE_OPTIONAL),
    ):
        try:
            files[name] = read_table(data, required=required, optional=optional)
        except FileProblem as problem:
            plan.problems.append(Problem(name, None, problem.message))
    if plan.problems:
        return plan
    file_units = parse_units(files["units"], plan.problems)
    order = tree_order(file_units, plan.problems)
    people = parse_people(files["people"], file_units, plan.problems)
    if plan.problems:
        return _sorted(plan)
    units = _plan_units(plan, file_units, order, people)
    _check_open_rounds(plan, units, file_units)
    if plan.problems:
        return _sorted(plan)
    _plan_people(plan, people, units)
    return plan


def _sorted(plan: Plan) -> Plan:
    plan.problems.sort(key=lambda p: (p.file != "units", p.line or 0))
    return plan


def _headcounts(people: dict[str, FilePerson]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for person in people.values():
        for unit_id, role in person.roles:
            if role == Role.EMPLOYEE:
                counts[unit_id] += 1
    return counts


def _plan_units(
    plan: Plan, file_units: dict[str, FileUnit], order: list[FileUnit], people
) -> _Units:
    fields = ("id", "path", "depth", "numchild", "hr_id", "name", "short_name", "kind")
    existing = {u["id"]: u for u in Unit.objects.values(*fields, "headcount", "archived_at")}
    by_path = {u["path"]: pk for pk, u in existing.items()}
    old_parent = {pk: by_path.get(u["path"][: -Unit.steplen]) for pk, u in existing.items()}
    by_hr: dict[str, object] = {u["hr_id"]: pk for pk, u in existing.items() if u["hr_id"]}
    by_hr = {hr: pk for hr, pk in by_hr.items() if hr in file_units}
    _adopt(order, existing, old_parent, by_hr)
    headcounts = _headcounts(people)
    rows: dict[object, dict] = {pk: dict(u) for pk, u in existing.items()}
    parent: dict[object, object] = dict(old_parent)
    counts = dict.fromkeys(("created", "updated", "moved", "archived", "unchanged"), 0)
    samples: dict[str, list[str]] = defaultdict(list)
    for unit in order:
        key = by_hr.get(unit.hr_id) or f"n:{unit.hr_id}"
        by_hr[unit.hr_id] = key
        parent[key] = by_hr[unit.parent] if unit.parent else None
        wanted = {
            "hr_id": unit.hr_id,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind or rows.get(key, {}).get("kind") or DEFAULT_KIND,
            "headcount": headcounts.get(unit.hr_id, 0),
            "archived_at": None,
        }
        label = f"{unit.name} ({unit.hr_id})"
        if key not in rows:
            rows[key] = {"id": None, "path": "", "depth": 0, "numchild": 0, **wanted}
            plan.unit_changes[key] = ["created"]
            counts["created"] += 1
            _sample(samples, "units_created", label)
            continue
        changed = [name for name, value in wanted.items() if rows[key][name] != value]
        rows[key].update(wanted)
        moved = parent[key] != old_parent[key]
        if changed:
            counts["updated"] += 1
            _sample(samples, "units_updated", f"{label}: {', '.join(map(_field_label, changed))}")
        if moved:
            counts["moved"] += 1
            old = rows[old_parent[key]]["name"] if old_parent[key] else "—"
            new = rows[parent[key]]["name"] if parent[key] else "—"
            _sample(samples, "units_moved", f"{label}: {old} → {new}")
        if changed or moved:
            plan.unit_changes[key] = changed + (["moved"] if moved else [])
        else:
            counts["unchanged"] += 1
    kept_by_hand, adopted = 0, set(by_hr.values())
    for pk, row in existing.items():
        if row["hr_id"] and row["hr_id"] not in file_units:
            if row["archived_at"] is None:
                plan.unit_changes[pk] = ["archived"]
                rows[pk]["archived_at"] = "now"
                counts["archived"] += 1
                _sample(samples, "units_archived", f"{row['name']} ({row['hr_id']})")
        elif not row["hr_id"] and pk not in adopted:
            kept_by_hand += 1
    if kept_by_hand:
        plan.warnings.append(
            _(
                "%(count)d unit(s) made by hand are not in the file; they are kept as they are. "
                "Archive them in the administration if they no longer exist."
            )
            % {"count": kept_by_hand}
        )
    old_path = {pk: row["path"] for pk, row in existing.items()}
    units = _Units(rows, by_hr, parent, old_parent, old_path)
    _layout(plan, units)
    plan.unit_rows = {k: rows[k] for k in rows if k in plan.unit_changes or "layout" in rows[k]}
    plan.counts["units"] = counts
    plan.samples.update(samples)
    return units


def _field_label(name: str) -> str:
    return {
        "hr_id": _("HR id"),
        "name": _("name"),
        "short_name": _("short name"),
        "kind": _("kind"),
        "headcount": _("headcount"),
        "archived_at": _("restored from the archive"),
        "email": _("e-mail"),
        "first_name": _("name"),
        "last_name": _("name"),
        "is_active": _("reactivated"),
        "person_id": _("person id"),
    }.get(name, name)


def _sample(samples: dict[str, list[str]], category: str, text: str) -> None:
    if len(samples[category]) < SAMPLE:
        samples[category].append(text)


def _adopt(order: list[FileUnit], existing: dict, old_parent: dict, by_hr: dict) -> None:
    """First import: a unit made by hand with the file unit's name under its parent is that unit."""
    free: dict[tuple[object, str], list[int]] = defaultdict(list)
    for pk, row in existing.items():
        if not row["hr_id"]:
            free[(old_parent[pk], row["name"].casefold())].append(pk)
    for unit in order:
        if unit.hr_id in by_hr:
            continue
        parent_key = by_hr.get(unit.parent) if unit.parent else None
        if unit.parent and not isinstance(parent_key, int):
            continue
        candidates = free.get((parent_key, unit.name.casefold()), [])
        if len(candidates) == 1:
            by_hr[unit.hr_id] = candidates.pop()


def _layout(plan: Plan, units: _Units) -> None:
    """Materialized paths for the tree as it will stand: siblings in name order, from 0001."""
    children: dict[object, list[object]] = defaultdict(list)
    for key, parent in units.parent.items():
        children[parent].append(key)

    def order(key: object) -> tuple[str, str]:
        return (units.rows[key]["name"].casefold(), str(key))

    stack: list[tuple[object, str, int]] = [(None, "", 0)]
    while stack:
        key, path, depth = stack.pop()
        kids = sorted(children.get(key, []), key=order)
        if key is not None:
            row = units.rows[key]
            wanted = {"path": path, "depth": depth, "numchild": len(kids)}
            if any(row[name] != value for name, value in wanted.items()):
                row.update(wanted, layout=True)
            if len(path) > 255:
                plan.problems.append(
                    Problem("units", None, _("The tree is deeper than 63 levels."))
                )
                return
        for index, kid in enumerate(kids, start=1):
            stack.append((kid, path + Unit._get_path("", 1, index), depth + 1))


def _check_open_rounds(plan: Plan, units: _Units, file_units: dict[str, FileUnit]) -> None:
    """A unit inside an open round's scope must stay inside it, and the round's unit must stay."""
    try:
        round_model = apps.get_model("kortlaegning", "Round")
    except LookupError:
        return
    open_rounds = round_model.objects.filter(status="open").values_list("unit_id", "title")
    if not open_rounds:
        return
    lines = {key: file_units[hr].line for hr, key in units.by_hr.items() if hr in file_units}
    old_paths = units.old_path
    for unit_id, title in open_rounds:
        scope = units.rows[unit_id]
        if plan.unit_changes.get(unit_id) == ["archived"]:
            plan.problems.append(
                Problem(
                    "units",
                    None,
                    _(
                        "“%(unit)s” (%(id)s) is not in the file, but its mapping round “%(round)s”"
                        " is open. Keep the unit in the file until the round is closed."
                    )
                    % {"unit": scope["name"], "id": scope["hr_id"], "round": title},
                )
            )
            continue
        inside = [pk for pk, path in old_paths.items() if path.startswith(old_paths[unit_id])]
        for pk in inside:
            if not _below(units.parent, pk, unit_id):
                row = units.rows[pk]
                plan.problems.append(
                    Problem(
                        "units",
                        lines.get(pk),
                        _(
                            "Unit “%(unit)s” would move out of “%(scope)s”, whose mapping round "
                            "“%(round)s” is open. Keep parent_id as it is until the round is "
                            "closed."
                        )
                        % {"unit": row["name"], "scope": scope["name"], "round": title},
                    )
                )


def _below(parent: dict[object, object], key: object, ancestor: object) -> bool:
    while key is not None:
        if key == ancestor:
            return True
        key = parent[key]
    return False


def _plan_people(plan: Plan, people: dict[str, FilePerson], units: _Units) -> None:
    users = _users()
    by_person = {u["person_id"]: pk for pk, u in users.items() if u["person_id"]}
    unlinked: dict[str, list[int]] = defaultdict(list)
    for pk, u in users.items():
        if not u["person_id"] and u["email"]:
            unlinked[u["email"].casefold()].append(pk)
    counts = dict.fromkeys(("created", "updated", "deactivated", "unchanged"), 0)
    samples: dict[str, list[str]] = defaultdict(list)
    keys: dict[str, object] = {}
    for person in people.values():
        first, last = person.names
        wanted = {
            "person_id": person.person_id,
            "email": person.email,
            "first_name": first,
            "last_name": last,
            "is_active": True,
        }
        label = f"{person.full_name} <{person.email}> ({person.person_id})"
        key = by_person.get(person.person_id)
        if key is None:
            matches = unlinked.get(person.email.casefold(), [])
            if len(matches) > 1:
                plan.problems.append(
                    Problem(
                        "people",
                        person.line,
                        _(
                            "%(count)d existing accounts have the e-mail address %(email)s. "
                            "Give them different addresses in the administration first."
                        )
                        % {"count": len(matches), "email": person.email},
                    )
                )
                continue
            key = matches[0] if matches else None
        if key is None:
            key = f"n:{person.person_id}"
            plan.person_rows[key] = wanted
            plan.person_changes[key] = ["created"]
            counts["created"] += 1
            _sample(samples, "people_created", label)
        else:
            changed = [name for name, value in wanted.items() if users[key][name] != value]
            if changed:
                plan.person_rows[key] = wanted
                plan.person_changes[key] = changed
                counts["updated"] += 1
                names = dict.fromkeys(map(_field_label, changed))
                _sample(samples, "people_updated", f"{label}: {', '.join(names)}")
            else:
                counts["unchanged"] += 1
        keys[person.person_id] = key
    in_file = set(keys.values())
    coordinators_kept = 0
    for pk, u in users.items():
        if u["person_id"] and pk not in in_file and u["is_active"]:
            if u["is_coordinator"]:
                coordinators_kept += 1
                continue
            plan.deactivate.append(pk)
            plan.person_changes.setdefault(pk, []).append("deactivated")
            counts["deactivated"] += 1
            name = f"{u['first_name']} {u['last_name']}".strip()
            _sample(samples, "people_deactivated", f"{name} <{u['email']}> ({u['person_id']})")
    if coordinators_kept:
        plan.warnings.append(
            _(
                "%(count)d coordinator(s) are not in the people file; they keep their account "
                "(the coordinator is the way in when everything else fails)."
            )
            % {"count": coordinators_kept}
        )
    _plan_roles(plan, people, units, keys, samples)
    plan.counts["people"] = counts
    plan.samples.update(samples)


def _users() -> dict[int, dict]:
    fields = ("id", "person_id", "email", "first_name", "last_name", "is_active", "is_coordinator")
    return {u["id"]: u for u in User.objects.values(*fields)}


def _plan_roles(
    plan: Plan, people: dict[str, FilePerson], units: _Units, keys: dict, samples
) -> None:
    wanted: set[tuple[object, object, str]] = set()
    for person in people.values():
        for unit_id, role in person.roles:
            wanted.add((keys[person.person_id], units.by_hr[unit_id], role))
    imported: dict[tuple[int, int, str], int] = {}
    by_hand: set[tuple[int, int, str]] = set()
    for pk, user, unit, role, source in Membership.objects.values_list(
        "id", "user_id", "unit_id", "role", "source"
    ):
        if source == Membership.Source.IMPORTED:
            imported[(user, unit, role)] = pk
        else:
            by_hand.add((user, unit, role))
    plan.roles_add = wanted - imported.keys() - by_hand
    plan.roles_remove = {pk: k for k, pk in imported.items() if k not in wanted}
    for user, *_rest in plan.roles_add:
        if "created" not in plan.person_changes.get(user, []):
            plan.person_changes.setdefault(user, []).append("roles")
    for user, *_rest in plan.roles_remove.values():
        plan.person_changes.setdefault(user, []).append("roles")
    plan.counts["roles"] = {
        "added": len(plan.roles_add),
        "removed": len(plan.roles_remove),
        "kept_by_hand": len(wanted & by_hand),
    }


def problems_text(problems: Iterable[Problem]) -> list[str]:
    """Every problem as one line of text, in the active language."""
    return [str(problem) for problem in problems]
