"""The demo organisation: realistic, idempotent, and its logins work."""

import json
from io import StringIO

from django.core.management import call_command
from django.http import HttpRequest

from amg_portal.organisation.access import Action, can
from amg_portal.organisation.demo import DEMO_PASSWORD
from amg_portal.organisation.models import Membership, Role, Unit, User


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (Unit.objects.count(), User.objects.count(), Membership.objects.count())


def test_it_builds_a_realistic_organisation(db):
    seed()
    assert Unit.objects.filter(kind=Unit.Kind.FACULTY).count() == 1
    institutes = Unit.objects.filter(kind=Unit.Kind.INSTITUTE)
    assert institutes.count() == 3
    for institute in institutes:
        assert institute.subtree().count() >= 3  # the institute and its groups/sections
    employees = Membership.objects.filter(role=Role.EMPLOYEE).count()
    assert 35 <= employees <= 50
    assert Unit.find_problems() == ([], [], [], [], [])


def test_it_is_idempotent(db):
    seed()
    first = counts()
    paths = list(Unit.objects.values_list("path", "name"))
    seed()
    assert counts() == first
    assert list(Unit.objects.values_list("path", "name")) == paths


def test_it_prints_a_table_of_logins(db):
    out = seed()
    assert "Brugernavn" in out and "Adgangskode" in out
    for username in ["koordinator", "leder", "amr", "tr", "amg", "medarbejder"]:
        assert username in out
    assert DEMO_PASSWORD in out


def test_it_prints_json_for_scripts(db):
    data = json.loads(seed("--json"))
    users = {row["username"]: row for row in data["users"]}
    assert set(users["leder"]) >= {"username", "password", "role", "unit"}
    roles = {row["role"] for row in data["users"]}
    assert {"coordinator", "leader", "amr", "tr", "amg", "employee"} <= roles
    assert users["leder"]["unit"] == "Institut for Biologi"


def test_every_demo_login_works_and_has_its_role(client, db):
    data = json.loads(seed("--json"))
    for row in data["users"]:
        assert client.login(
            request=HttpRequest(), username=row["username"], password=row["password"]
        ), row
        user = User.objects.get(username=row["username"])
        if row["role"] == "coordinator":
            assert user.coordinates and user.is_staff
        else:
            unit = Unit.objects.get(name=row["unit"])
            assert Membership.objects.filter(user=user, unit=unit, role=row["role"]).exists()
        client.logout()


def test_the_demo_leader_and_the_second_leader_are_strangers(db):
    seed()
    leder = User.objects.get(username="leder")
    other = Unit.objects.get(name="Institut for Fysik, Kemi og Farmaci")
    assert not can(leder, Action.VIEW_UNIT, other)


def test_it_refuses_to_run_on_a_production_server(db, settings):
    import pytest
    from django.core.management import CommandError

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="DEBUG off"):
        seed()
    assert not User.objects.exists()
    seed("--allow-production")
    assert User.objects.filter(is_coordinator=True).exists()
