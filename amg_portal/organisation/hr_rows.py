"""Reading the two files of an HR export into units and people, every bad row a ``Problem``.

``parse_units``, ``tree_order`` and ``parse_people`` check each row on its own and against the
rest of its file (ids unique, parents present, no cycles, valid e-mail, known kind and role);
``hr_import`` then compares what they found with the database.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from amg_portal.organisation.hr_files import Row
from amg_portal.organisation.models import Role, Unit

UNIT_COLUMNS = ("unit_id", "parent_id", "name")
UNIT_OPTIONAL = ("kind", "short_name")
PEOPLE_COLUMNS = ("person_id", "email", "full_name", "unit_id")
PEOPLE_OPTIONAL = ("role",)
DEFAULT_KIND = Unit.Kind.DEPARTMENT
MAX_ID = 64

KIND_WORDS = {Unit.Kind.FACULTY: ["fakultet"], Unit.Kind.UNIVERSITY: ["universitet"]}
ROLE_WORDS = {
    Role.LEADER: ["leder", "chef"],
    Role.AMR: ["arbejdsmiljørepræsentant", "arbejdsmiljorepraesentant"],
    Role.TR: ["tillidsrepræsentant", "tillidsrepraesentant"],
    Role.AMG: ["amg-medlem", "amg medlem", "amg member"],
    Role.EMPLOYEE: ["medarbejder", "ansat"],
}


@dataclass
class Problem:
    """One thing to fix: which file, which line (None for the file as a whole), what."""

    file: str  # "units" or "people"
    line: int | None
    message: str

    def __str__(self) -> str:
        name = _("units file") if self.file == "units" else _("people file")
        if self.line is None:
            return f"{name}: {self.message}"
        return _("%(file)s, line %(line)d: %(message)s") % {
            "file": name,
            "line": self.line,
            "message": self.message,
        }


@dataclass
class FileUnit:
    hr_id: str
    parent: str
    name: str
    kind: str  # "" = keep the unit's kind (or the default for a new unit)
    short_name: str
    line: int


@dataclass
class FilePerson:
    person_id: str
    email: str
    full_name: str
    line: int
    roles: set[tuple[str, str]] = field(default_factory=set)  # (unit hr id, role)

    @property
    def names(self) -> tuple[str, str]:
        """First and last name from a full name: the last word is the last name."""
        words = self.full_name.split()
        if len(words) < 2:
            return self.full_name[:150], ""
        return " ".join(words[:-1])[:150], words[-1][:150]


def _aliases(choices, extra: dict | None = None) -> dict[str, str]:
    """Codes, Danish and English labels (and extra words) of a choice list → code."""
    found: dict[str, str] = {}
    for language in ("en", "da"):
        with translation.override(language):
            for code, label in choices:
                text = str(label).casefold()
                found[text] = code
                if "(" in text:
                    outside, inside = text.split("(", 1)
                    found.setdefault(outside.strip(), code)
                    found.setdefault(inside.rstrip(")").strip(), code)
    for code, _label in choices:
        found[str(code).casefold()] = code
    for code, words in (extra or {}).items():
        for word in words:
            found[word.casefold()] = code
    return found


def _labels(choices) -> str:
    return ", ".join(str(code) for code, _label in choices)


def parse_units(rows: list[Row], problems: list[Problem]) -> dict[str, FileUnit]:
    """The units of the file by HR id; every bad row becomes a problem."""
    kinds = _aliases(Unit.Kind.choices, KIND_WORDS)
    units: dict[str, FileUnit] = {}

    def bad(row: Row, message: str) -> None:
        problems.append(Problem("units", row.line, message))

    for row in rows:
        hr_id, name, kind = row.get("unit_id"), row.get("name"), row.get("kind")
        if row.extra:
            bad(row, _("The row has more values than the header has columns."))
        if not hr_id:
            bad(row, _("unit_id is empty. Every unit needs the HR system's id."))
            continue
        if len(hr_id) > MAX_ID:
            bad(row, _("unit_id is longer than %(max)d characters.") % {"max": MAX_ID})
            continue
        if hr_id in units:
            bad(
                row,
                _("unit_id “%(id)s” appears twice (also on line %(other)d). Ids must be unique.")
                % {"id": hr_id, "other": units[hr_id].line},
            )
            continue
        if not name:
            bad(row, _("The unit “%(id)s” has no name.") % {"id": hr_id})
        elif len(name) > 200:
            bad(row, _("The name is longer than 200 characters."))
        if len(row.get("short_name")) > 40:
            bad(row, _("short_name is longer than 40 characters."))
        code = kinds.get(kind.casefold(), "") if kind else ""
        if kind and not code:
            bad(
                row,
                _("Unknown kind “%(kind)s”. Use one of: %(kinds)s (or leave it empty).")
                % {"kind": kind, "kinds": _labels(Unit.Kind.choices)},
            )
        units[hr_id] = FileUnit(
            hr_id, row.get("parent_id"), name, code, row.get("short_name"), row.line
        )
    return units


def tree_order(units: dict[str, FileUnit], problems: list[Problem]) -> list[FileUnit]:
    """The units parents first; a missing parent or a cycle becomes a problem on its rows."""
    children: dict[str, list[FileUnit]] = defaultdict(list)
    for unit in units.values():
        if unit.parent and unit.parent not in units:
            problems.append(
                Problem(
                    "units",
                    unit.line,
                    _(
                        "The parent “%(parent)s” of unit “%(id)s” is not in the file. Add the "
                        "parent, or leave parent_id empty for the top unit."
                    )
                    % {"parent": unit.parent, "id": unit.hr_id},
                )
            )
        children[unit.parent].append(unit)
    order: list[FileUnit] = []
    stack = list(reversed(children[""]))
    while stack:
        unit = stack.pop()
        order.append(unit)
        stack.extend(reversed(children.get(unit.hr_id, [])))
    reached = {unit.hr_id for unit in order}
    for unit in units.values():
        if unit.hr_id not in reached and unit.parent in units:
            cycle = _cycle_of(unit, units)
            if cycle:
                problems.append(
                    Problem(
                        "units",
                        unit.line,
                        _(
                            "Unit “%(id)s” is part of a cycle (%(cycle)s): a unit cannot be "
                            "placed below itself. Correct parent_id."
                        )
                        % {"id": unit.hr_id, "cycle": " → ".join(cycle)},
                    )
                )
    return order


def _cycle_of(unit: FileUnit, units: dict[str, FileUnit]) -> list[str]:
    """The cycle through the unit (ids, the first repeated), or [] when it hangs below one."""
    seen: list[str] = []
    current: FileUnit | None = unit
    while current is not None and current.hr_id not in seen:
        seen.append(current.hr_id)
        current = units.get(current.parent)
    if current is None or current.hr_id != unit.hr_id:
        return []
    return [*seen, unit.hr_id]


def parse_people(
    rows: list[Row], units: dict[str, FileUnit], problems: list[Problem]
) -> dict[str, FilePerson]:
    """The people of the file by person id, with their roles; every bad row is a problem."""
    roles = _aliases(Role.choices, ROLE_WORDS)
    people: dict[str, FilePerson] = {}
    emails: dict[str, FilePerson] = {}

    def bad(row: Row, message: str) -> None:
        problems.append(Problem("people", row.line, message))

    for row in rows:
        person_id, email = row.get("person_id"), row.get("email")
        full_name, unit_id, role_text = row.get("full_name"), row.get("unit_id"), row.get("role")
        if row.extra:
            bad(row, _("The row has more values than the header has columns."))
        if not person_id:
            bad(row, _("person_id is empty. Every person needs the HR system's id."))
            continue
        if len(person_id) > MAX_ID:
            bad(row, _("person_id is longer than %(max)d characters.") % {"max": MAX_ID})
            continue
        role = roles.get(role_text.casefold(), "") if role_text else Role.EMPLOYEE
        if not role:
            bad(
                row,
                _("Unknown role “%(role)s”. Use one of: %(roles)s (empty means employee).")
                % {"role": role_text, "roles": _labels(Role.choices)},
            )
        if not unit_id:
            bad(row, _("unit_id is empty: say which unit the person belongs to."))
        elif unit_id not in units:
            bad(
                row,
                _("The unit “%(unit)s” is not in the units file.") % {"unit": unit_id},
            )
        person = people.get(person_id)
        if person is None:
            if not _check_person(row, email, full_name, bad):
                continue
            key = email.casefold()
            if key in emails:
                bad(
                    row,
                    _(
                        "The e-mail address %(email)s is also used by person “%(other)s” "
                        "(line %(line)d). Each person needs their own address."
                    )
                    % {"email": email, "other": emails[key].person_id, "line": emails[key].line},
                )
                continue
            person = people[person_id] = emails[key] = FilePerson(
                person_id, email, full_name, row.line
            )
        elif email.casefold() != person.email.casefold() or full_name != person.full_name:
            bad(
                row,
                _(
                    "Person “%(id)s” has a different e-mail address or name than on line "
                    "%(line)d. All rows of a person must agree."
                )
                % {"id": person_id, "line": person.line},
            )
            continue
        if role and unit_id in units:
            if (unit_id, role) in person.roles:
                bad(
                    row,
                    _("Duplicate row: person “%(id)s” already has this role on this unit.")
                    % {"id": person_id},
                )
            person.roles.add((unit_id, role))
    return people


# The everyday address, checked without Django's (slower, lazily compiled) validator; anything
# else goes through ``validate_email``, so both accept exactly what Django accepts.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}"
)


def _valid_email(email: str) -> bool:
    if PLAIN_EMAIL.fullmatch(email):
        return True
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _check_person(row: Row, email: str, full_name: str, bad) -> bool:
    good = True
    if not _valid_email(email):
        bad(
            row,
            _("“%(email)s” is not a valid e-mail address.") % {"email": email}
            if email
            else _("The e-mail address is empty."),
        )
        good = False
    if len(email) > 254:
        bad(row, _("The e-mail address is longer than 254 characters."))
        good = False
    if not full_name:
        bad(row, _("full_name is empty."))
        good = False
    return good
