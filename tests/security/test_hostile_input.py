"""Hostile input on every form of the matrix: no 500, nothing stored that breaks a rule, and
whatever comes back is escaped.

Each payload of ``tests/security/matrix.py`` is posted by a role allowed to use the form, with
every field replaced by one hostile value at a time (overlong, control characters, markup, huge
numbers, a list for a scalar). A deterministic sweep, not a property-based search: it is cheap
enough to run on every change. Query parameters of every page get the same treatment.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.security.matrix import MATRIX
from tests.security.world import COORDINATOR, LEADER_A

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE = {
    "overlong": "x" * 100_000,
    "control characters": "a\x00b\r\nForged: line\x1b[31m\u202e",
    "markup": SCRIPT,
    "huge number": "9" * 40,
    "negative": "-1",
    "list": ["1", "2"],
    "empty": "",
}
FORMS = sorted(name for name, entry in MATRIX.items() if entry.data and "POST" in entry.methods)


def _role(name: str) -> str:
    return COORDINATOR if MATRIX[name].right == "coordinator" else LEADER_A


@pytest.mark.parametrize("name", FORMS)
def test_it_survives_hostile_input(security_world, name):
    world, entry = security_world.world, MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world.a))
    honest = entry.data(world, world.a)
    problems = []
    for label, value in HOSTILE.items():
        payload = dict.fromkeys(honest, value)
        try:
            outcome = security_world.call(_role(name), "POST", url, payload)
        except Exception as error:  # a 500 in production
            problems.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
            continue
        response = outcome.response
        if response.status_code >= 500:
            problems.append(f"{label}: status {response.status_code}")
        if SCRIPT in response.content.decode(errors="replace"):
            problems.append(f"{label}: markup came back unescaped")
    assert not problems, f"{url}\n" + "\n".join(problems)


TEXT_VALUES = {k: HOSTILE[k] for k in ("markup", "control characters", "overlong")}


@pytest.mark.parametrize("name", FORMS)
def test_it_stores_hostile_text_harmlessly(security_world, name):
    """One field at a time, the others honest: what is stored and shown again stays inert."""
    world, entry = security_world.world, MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world.a))
    honest = entry.data(world, world.a)
    client = security_world.clients[_role(name)]
    problems = []

    def shown_after(response):
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/"):
            return client.get(location).content.decode(errors="replace")
        return ""

    for field in honest:
        for label, value in TEXT_VALUES.items():
            try:
                outcome = security_world.call(
                    _role(name), "POST", url, {**honest, field: value}, inspect=shown_after
                )
            except Exception as error:  # a 500 in production
                problems.append(f"{field} {label}: {type(error).__name__}: {str(error)[:120]}")
                continue
            if outcome.response.status_code >= 500:
                problems.append(f"{field} {label}: status {outcome.response.status_code}")
            for body in (outcome.response.content.decode(errors="replace"), outcome.inspected):
                if SCRIPT in body:
                    problems.append(f"{field} {label}: markup shown unescaped")
    assert not problems, f"{url}\n" + "\n".join(problems)


PAGES = sorted(name for name, entry in MATRIX.items() if "GET" in entry.methods)
QUERY = {
    "unit": ["abc", "9" * 30],
    "round": "<x>",
    "question": "-1",
    "start": "2026-13-45",
    "end": "9" * 30,
    "status": SCRIPT,
    "prevention": "\x00",
    "level": "ZZ",
    "sort": "../../etc/passwd",
    "next": "https://evil.example/",
}


@pytest.mark.parametrize("name", PAGES)
def test_it_survives_hostile_query_parameters(security_world, name):
    world, entry = security_world.world, MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world.a))
    for role in (_role(name), "anonymous"):
        try:
            outcome = security_world.call(role, "GET", url + "?" + urlencode(QUERY, doseq=True))
        except Exception as error:  # a 500 in production
            pytest.fail(f"{role} {url}: {type(error).__name__}: {str(error)[:200]}")
        assert outcome.response.status_code < 500
        assert SCRIPT not in outcome.response.content.decode(errors="replace")
        assert not outcome.response.get("Location", "").startswith("https://evil.example")
