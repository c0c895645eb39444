"""The demo organisation is also available as the two import files (docs/demo-import)."""

from __future__ import annotations

from pathlib import Path

from amg_portal.organisation import services
from amg_portal.organisation.demo import import_files, seed_organisation
from amg_portal.organisation.models import Membership, Unit, User

FILES = Path(__file__).resolve().parents[2] / "docs" / "demo-import"


def apply(units: bytes, people: bytes):
    return services.organisation_import_apply(
        units_data=units, people_data=people, by=None, source="command"
    )


def committed() -> tuple[bytes, bytes]:
    return (FILES / "units.csv").read_bytes(), (FILES / "people.csv").read_bytes()


def test_the_committed_files_are_the_demo():
    units, people = import_files()
    assert committed() == (units.encode(), people.encode())


def test_they_build_the_demo_organisation_in_an_empty_portal(db):
    plan, _record = apply(*committed())
    assert plan.counts["units"]["created"] == 11
    assert plan.counts["people"]["created"] == 46
    leader = User.objects.get(email="leder@demo.amg-portal.invalid")
    assert leader.memberships.get().unit.name == "Institut for Biologi"
    assert Unit.objects.get(hr_id="NAT-BIO-OEK").headcount == 6
    assert not any(Unit.objects.find_problems())


def test_they_link_the_seeded_demo_and_change_nothing_else(db):
    seed_organisation()
    before = set(Membership.objects.values_list("user_id", "unit_id", "role"))
    paths = dict(Unit.objects.values_list("name", "path"))
    plan, _record = apply(*committed())
    assert plan.counts["units"] == {
        "created": 0,
        "updated": 11,
        "moved": 0,
        "archived": 0,
        "unchanged": 0,
    }
    assert plan.counts["people"] == {"created": 0, "updated": 46, "deactivated": 0, "unchanged": 0}
    assert plan.counts["roles"] == {"added": 0, "removed": 0, "kept_by_hand": 46}
    assert set(Membership.objects.values_list("user_id", "unit_id", "role")) == before
    assert User.objects.get(username="leder").person_id == "P-leder"
    assert User.objects.get(username="koordinator").is_active  # not in the file, not touched
    assert dict(Unit.objects.values_list("name", "path")).keys() == paths.keys()
    plan, record = apply(*committed())
    assert record is None and plan.changes == 0
