"""The authorization matrix: every URL × every role × the objects of unit A, of unit B, and none.

The expectations come from ``tests/security/matrix.py`` (the right each URL needs, derived per
role from the hand-written rights table). A URL the resolver knows but the matrix does not fails
the test, so a new view cannot go unchecked. Each request is rolled back; a refused one must
change no table.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix import (
    MATRIX,
    expected,
    missing_kwargs,
    mixed_kwargs,
    mixed_statuses,
    no_object,
)
from tests.security.world import (
    ANON,
    CODE,
    COORDINATOR,
    DEAN,
    EMPLOYEE,
    LEADER_A,
    LEADER_B,
    ROLES,
)

# The mark makes pytest-django create the test database; each test's own transaction is a
# savepoint inside the module's world (tests/security/conftest.py).
pytestmark = pytest.mark.django_db

DENIED = {302, 400, 403, 404, 405}
LOGIN_URL = "/konto/log-ind/"
# On B's objects, AMR, TR and AMG of A take the same path as the employee of A (outsiders) and
# the code holder the same as the anonymous visitor; they are left out there to save time.
B_ROLES = [ANON, EMPLOYEE, LEADER_A, LEADER_B, COORDINATOR]


def url_names(patterns=None, namespace: str = "") -> list[str]:
    """Every named URL pattern (with its namespace), skipping the admin site."""
    names = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns == "admin":
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names += url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            names.append(namespace + (pattern.name or f"<unnamed {pattern.pattern}>"))
    return names


URL_NAMES = sorted(set(url_names()))


def _denied(status: int, location: str) -> bool:
    return status in DENIED - {302} or (status == 302 and location.startswith(LOGIN_URL))


def _check(ctx, name, role, side, method, kwargs, problems) -> None:
    entry = MATRIX[name]
    want = expected(entry, role, side, method, ctx.world)
    url = reverse(name, kwargs=kwargs)
    data = entry.data(ctx.world, ctx.world.side(side)) if entry.data and side != "missing" else {}
    outcome = ctx.call(role, method, url, data if method == "POST" else None)
    got = outcome.response.status_code
    location = outcome.response.get("Location", "")
    ok = got in want if isinstance(want, frozenset) else got == want
    if ok and got == 302 and role in (ANON, CODE) and entry.right != "public":
        ok = location.startswith(LOGIN_URL)
    if not ok:
        problems.append(f"{role:11} {side:7} {method:4} {url}: got {got}, expected {want}")
    if got == 200:
        _check_headers(outcome.response, f"{role:11} {side:7} {method:4} {url}", problems)
        _check_unique_ids(outcome.response, f"{role:11} {side:7} {method:4} {url}", problems)
    effective = (
        method == "POST"
        and entry.data is not None
        and entry.right != "public"
        and role not in (ANON, CODE)
    )
    if effective and ok and got == 302 and not outcome.changed:
        # The payload must really write when allowed, or "nothing written" on refusal is hollow.
        problems.append(
            f"{role:11} {side:7} {method:4} {url}: allowed, but the payload wrote nothing"
        )
    refused = got >= 400 if entry.right == "public" else _denied(got, location)
    if refused and outcome.changed:
        problems.append(f"{role:11} {side:7} {method:4} {url}: refused but wrote {outcome.changed}")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id" and value is not None]


def duplicate_ids(html: str) -> list[str]:
    """The ``id`` values that occur more than once (a label then points at the wrong field)."""
    parser = _Ids()
    parser.feed(html)
    return sorted(name for name, n in Counter(parser.ids).items() if n > 1)


def _check_unique_ids(response, label: str, problems: list[str]) -> None:
    if response.get("Content-Type", "").startswith("text/html"):
        duplicates = duplicate_ids(response.content.decode(errors="replace"))
        if duplicates:
            problems.append(f"{label}: duplicate id {duplicates}")


def _check_headers(response, label: str, problems: list[str]) -> None:
    """What every page the app renders must carry: no caching, and a strict CSP on HTML."""
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{label}: Cache-Control {response.get('Cache-Control')!r} lacks no-store")
    if response.get("Content-Type", "").startswith("text/html"):
        policy = response.get("Content-Security-Policy", "")
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            if directive not in policy:
                problems.append(f"{label}: Content-Security-Policy lacks {directive}")
        if "unsafe-inline" in policy:
            problems.append(f"{label}: Content-Security-Policy allows unsafe-inline")


def test_it_has_an_entry_for_every_url():
    unknown = [name for name in URL_NAMES if name not in MATRIX]
    stale = [name for name in MATRIX if name not in URL_NAMES]
    assert not unknown, f"URLs without an entry in tests/security/matrix.py: {unknown}"
    assert not stale, f"Entries for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", URL_NAMES)
def test_it_answers_every_role_as_the_rights_say(security_world, name):
    assert name in MATRIX, f"{name} has no entry in tests/security/matrix.py"
    entry, world, problems = MATRIX[name], security_world.world, []
    # A page without objects looks the same from both sides unless its payload differs.
    one_side = entry.kwargs(world.a) == entry.kwargs(world.b) and entry.data is None
    for method in entry.methods:
        for side in ("A",) if one_side else ("A", "B"):
            for role in ROLES if side == "A" else B_ROLES:
                _check(
                    security_world,
                    name,
                    role,
                    side,
                    method,
                    entry.kwargs(world.side(side)),
                    problems,
                )
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize("name", URL_NAMES)
def test_it_refuses_other_methods(security_world, name):
    entry = MATRIX.get(name)
    assert entry is not None, f"{name} has no entry in tests/security/matrix.py"
    role = ANON if entry.right == "public" else COORDINATOR
    url = reverse(name, kwargs=entry.kwargs(security_world.world.a))
    gaps = []
    for method in ("GET", "POST", "PUT", "DELETE"):
        if method in entry.methods:
            continue
        outcome = security_world.call(role, method, url)
        assert not outcome.changed, f"{method} {url} wrote {outcome.changed}"
        if outcome.response.status_code != 405:
            assert method in entry.known_gaps, f"{method} {url}: {outcome.response.status_code}"
            gaps.append(f"{method}: {entry.known_gaps[method]}")
    if gaps:
        pytest.xfail("; ".join(gaps))


def _normalised(response, url: str) -> str:
    body = response.content.decode(errors="replace")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return body.replace(url, "URL")


# Pages of a unit's objects; public pages (answering, login) and plain lists have none, and the
# round form takes its unit from the form (tampering with it: test_tampering.py).
# The coordinator's upload page has no object either.
OBJECT_URLS = [
    n
    for n in URL_NAMES
    if n in MATRIX
    and MATRIX[n].right not in ("public", "login", "any_manage_round")
    and MATRIX[n].kwargs is not no_object
]


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_it_answers_another_units_object_like_a_missing_one(security_world, name):
    entry, world = MATRIX[name], security_world.world
    kwargs_b, missing = entry.kwargs(world.b), missing_kwargs(entry, world)
    assert kwargs_b and kwargs_b != missing, f"{name}: no object ids to compare"
    method = "GET" if "GET" in entry.methods else "POST"
    problems = []
    # A member without most rights and a leader with all of them; AMR, TR and AMG of A are no
    # different here (the B objects are outside all their units).
    for role in (EMPLOYEE, LEADER_A):
        url_b, url_missing = reverse(name, kwargs=kwargs_b), reverse(name, kwargs=missing)
        b = security_world.call(role, method, url_b, {}).response
        gone = security_world.call(role, method, url_missing, {}).response
        if b.status_code != gone.status_code or _normalised(b, url_b) != _normalised(
            gone, url_missing
        ):
            problems.append(
                f"{role}: {url_b} → {b.status_code}, {url_missing} → {gone.status_code}"
            )
        mixed = mixed_kwargs(entry, world)
        if mixed is not None:
            url_mixed = reverse(name, kwargs=mixed)
            got = security_world.call(role, method, url_mixed, {}).response.status_code
            # A's unit with B's object: the object does not exist there.
            want = mixed_statuses(entry, role, world)
            if got not in want:
                problems.append(f"{role}: {url_mixed} → {got}, expected {want}")
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_coordinator_into_the_admin(security_world, role):
    outcome = security_world.call(role, "GET", reverse("admin:index"))
    if role == COORDINATOR:
        assert outcome.response.status_code == 200
    else:
        assert outcome.response.status_code == 302
        assert "/admin/login/" in outcome.response["Location"]


def test_it_leaves_the_world_as_it_was(security_world):
    """Every request above was rolled back: all tables hold what the world was built with."""
    from tests.security import snapshot

    assert snapshot.changed_tables(security_world.baseline, snapshot.digest()) == []


def _secrets_of(side) -> list[str]:
    """Texts that only people of the side's unit may read."""
    return [
        side.round.title,
        side.closed_round.title,
        side.case.title,
        side.escalation.text,
        side.cycle.title,
        side.measure.title,
        "Fritekst " + side.name,  # a free-text comment of the closed round
    ]


@pytest.mark.parametrize("name", [n for n in URL_NAMES if MATRIX[n].right == "login"])
def test_it_shows_nothing_of_another_unit_on_list_pages(security_world, name):
    """Lists and overviews name only what the reader may open (escalations: the leader above)."""
    world, problems = security_world.world, []
    url = reverse(name, kwargs=MATRIX[name].kwargs(world.a))
    for role in ROLES:
        if role in (ANON, CODE, COORDINATOR):
            continue
        body = security_world.call(role, "GET", url).response.content.decode()
        outside = [world.a] if role == LEADER_B else [world.b]
        for side in outside:
            problems += [f"{role} sees {text!r}" for text in _secrets_of(side) if text in body]
        if role not in world.a.case_participants and world.a.case.title in body:
            problems.append(f"{role} sees the title of a case they do not take part in")
    assert not problems, f"{url}\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("role", "sees"),
    [(LEADER_A, "A"), (LEADER_B, "B"), (COORDINATOR, "AB"), ("amr", ""), (EMPLOYEE, "")],
)
def test_it_shows_an_escalation_only_to_the_leader_of_the_unit_above(security_world, role, sees):
    """A1's case escalates to A: A's leader answers it; AMR and employees of A do not see it."""
    world = security_world.world
    body = security_world.call(role, "GET", reverse("sten_i_skoen:inbox")).response.content
    for side in (world.a, world.b):
        assert (side.escalation.text in body.decode()) == (side.name in sees), side.name


def test_duplicate_ids_are_found():
    """The check itself: two fields sharing an id are reported, distinct ones are not."""
    html = '<label for="id_due_on">A</label><input id="id_due_on"><input id="id_due_on">'
    assert duplicate_ids(html) == ["id_due_on"]
    assert duplicate_ids('<input id="milestone-due_on"><input id="follow_up-due_on">') == []


CASE_URLS = [n for n in URL_NAMES if MATRIX[n].right == "case"]


@pytest.mark.parametrize("name", CASE_URLS)
def test_a_leader_above_gets_404_on_every_case_url(security_world, name):
    """The dean leads the faculty above both cases' units: no page, PDF, export or write."""
    entry, world, problems = MATRIX[name], security_world.world, []
    for side in (world.a, world.b):
        url = reverse(name, kwargs=entry.kwargs(side))
        for method in entry.methods:
            data = entry.data(world, side) if entry.data else None
            outcome = security_world.call(DEAN, method, url, data if method == "POST" else None)
            if outcome.response.status_code != 404 or outcome.changed:
                problems.append(f"{method} {url}: {outcome.response.status_code}")
    assert not problems, "\n" + "\n".join(problems)


def test_a_leader_above_sees_the_escalations_and_nothing_else_of_the_cases(security_world):
    world = security_world.world
    for name in ("sten_i_skoen:index", "sten_i_skoen:inbox", "dashboard:index", "home"):
        body = security_world.call(DEAN, "GET", reverse(name)).response.content.decode()
        for side in (world.a, world.b):
            assert side.case.title not in body, (name, side.name)
            assert side.case.get_absolute_url() not in body, (name, side.name)
            assert (side.escalation.text in body) == (name == "sten_i_skoen:inbox"), name
    for side in (world.a, world.b):
        url = reverse("sten_i_skoen:escalation_detail", kwargs={"pk": side.escalation.pk})
        body = security_world.call(DEAN, "GET", url).response.content.decode()
        assert side.escalation.text in body and side.case.title not in body
