"""The role × action table, written out by hand (DESIGN.md, "Who may do what").

This is deliberately a literal copy, not derived from ``access.RIGHTS``: the URL matrix
(tests/security/matrix.py) and the access tests take their expectations from here, and
tests/security/test_rights_table.py checks that ``access.RIGHTS`` says the same. A change to the
rights must therefore be made twice, on purpose: in ``access.RIGHTS`` and here.

Columns: the coordinator, then the role held on the unit (or above it). ✔ = may, — = may not.
"""

from __future__ import annotations

ROLE_COLUMNS = ["coordinator", "leader", "amr", "tr", "amg", "employee"]

TABLE = """
action               coordinator  leader  amr  tr  amg  employee
view_unit                 ✔          ✔     ✔   ✔    ✔     ✔
manage_unit               ✔          ✔     —   —    —     —
manage_round              ✔          ✔     —   —    —     —
collect_responses         ✔          ✔     ✔   ✔    —     —
answer_as_leader          —          ✔     —   —    —     —
view_results              ✔          ✔     ✔   ✔    ✔     —
create_case               ✔          ✔     ✔   ✔    —     —
answer_escalation         ✔          ✔     —   —    —     —
manage_cycle              ✔          ✔     —   —    —     —
edit_plan                 ✔          ✔     ✔   ✔    ✔     —
hold_meeting              ✔          ✔     ✔   ✔    ✔     —
read_apv                  ✔          ✔     ✔   ✔    ✔     ✔
view_dashboard            ✔          ✔     ✔   ✔    ✔     ✔
"""

# Besides its opener and the people added to it, a confidential case is seen by these roles held
# on the case's own unit (not above it); the coordinator sees it exceptionally, audited.
CASE_OWN_UNIT = """
role                 coordinator  leader  amr  tr  amg  employee
sees_case                 ✔          ✔     ✔   ✔    —     —
"""


def parse(text: str) -> dict[str, set[str]]:
    """{action: the columns with ✔}."""
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert header == ROLE_COLUMNS, header
    table = {}
    for action, *marks in rows:
        assert len(marks) == len(header) and set(marks) <= {"✔", "—"}, action
        table[action] = {col for col, mark in zip(header, marks, strict=True) if mark == "✔"}
    return table


RIGHTS_TABLE = parse(TABLE)
CASE_TABLE = parse(CASE_OWN_UNIT)["sees_case"]


def allowed(role: str, action: str) -> bool:
    """Does the table give ``role`` (a Role value or "coordinator") the right ``action``?"""
    return role in RIGHTS_TABLE[str(action)]
