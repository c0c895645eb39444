"""The organisation import: checking, diff and all-or-nothing apply of the HR export."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import Workbook

from amg_portal.organisation import hr_files, services
from amg_portal.organisation.models import (
    AuditEntry,
    Membership,
    OrganisationImport,
    Role,
    Unit,
    User,
)
from tests.conftest import PASSWORD, give_role, make_user

UNITS_HEADER = "unit_id,parent_id,name,kind,short_name"
PEOPLE_HEADER = "person_id,email,full_name,unit_id,role"
UNITS = [
    "U,,Universitet,university,",
    "F,U,Fakultet,Hovedområde,NAT",
    "A,F,Institut A,institute,",
    "A1,A,Gruppe A1,Forskningsgruppe,",
    "B,F,Institut B,Institut,",
]
PEOPLE = [
    "P1,leder@example.org,Lone Leder,A,leder",
    "P2,amr@example.org,Anders Mikkel Riis,A,AMR",
    "P2,amr@example.org,Anders Mikkel Riis,A1,",
    "P3,ansat@example.org,Ida Ansat,A1,employee",
    "P4,b@example.org,Bo Bech,B,medarbejder",
]


def csv_bytes(header: str, rows: list[str], delimiter: str = ",") -> bytes:
    lines = [header, *rows]
    return ("\n".join(line.replace(",", delimiter) for line in lines) + "\n").encode()


def run(units=UNITS, people=PEOPLE, by=None, **extra):
    return services.organisation_import_apply(
        units_data=csv_bytes(UNITS_HEADER, units),
        people_data=csv_bytes(PEOPLE_HEADER, people),
        by=by,
        source=OrganisationImport.Source.COMMAND,
        **extra,
    )


def check(units=UNITS, people=PEOPLE, units_data=None, people_data=None):
    return services.organisation_import_check(
        units_data=units_data if units_data is not None else csv_bytes(UNITS_HEADER, units),
        people_data=people_data if people_data is not None else csv_bytes(PEOPLE_HEADER, people),
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are written in the active language; these tests read the English ones."""
    with translation.override("en"):
        yield


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def unit(hr_id: str) -> Unit:
    return Unit.objects.get(hr_id=hr_id)


def parent_of(child: Unit) -> Unit:
    return Unit.objects.get(path=child.path[: -Unit.steplen])


def tree_is_valid() -> bool:
    return not any(Unit.objects.find_problems())


@pytest.mark.django_db
class TestFirstImport:
    def test_it_creates_the_tree_people_and_roles(self):
        plan, record = run()
        assert plan.counts["units"]["created"] == 5
        assert plan.counts["people"]["created"] == 4
        assert plan.counts["roles"]["added"] == 5
        assert tree_is_valid()
        assert parent_of(unit("A1")) == unit("A")
        assert unit("F").kind == Unit.Kind.FACULTY and unit("F").short_name == "NAT"
        assert unit("A1").kind == Unit.Kind.RESEARCH_GROUP
        assert [u.name for u in Unit.objects.filter(depth=3)] == ["Institut A", "Institut B"]
        riis = User.objects.get(person_id="P2")
        assert (riis.first_name, riis.last_name, riis.email) == (
            "Anders Mikkel",
            "Riis",
            "amr@example.org",
        )
        assert not riis.has_usable_password()
        roles = set(
            Membership.objects.filter(user=riis).values_list("unit__hr_id", "role", "source")
        )
        assert roles == {("A", Role.AMR, "imported"), ("A1", Role.EMPLOYEE, "imported")}
        assert Membership.objects.filter(organisation_import=record).count() == 5

    def test_headcount_is_the_employees_in_the_file(self):
        run()
        assert unit("A1").headcount == 2  # P2 and P3 are employees of A1
        assert unit("A").headcount == 0  # a leader and an AMR
        assert unit("B").headcount == 1

    def test_every_change_is_audited_with_its_import(self, coordinator):
        _plan, record = run(by=coordinator)
        entries = AuditEntry.objects.filter(organisation_import=record)
        assert entries.filter(target__startswith="unit ").count() == 5
        assert entries.filter(target__startswith="person ").count() == 4
        entry = entries.get(target="person P2")
        assert entry.kind == AuditEntry.Kind.IMPORT and entry.actor == coordinator
        assert (
            "created" in entry.detail
            and "+amr@A" in entry.detail
            and "+employee@A1" in entry.detail
        )
        assert entries.get(target="unit A1").unit == unit("A1")

    def test_a_second_run_changes_nothing_and_says_so(self):
        run()
        before = AuditEntry.objects.count(), OrganisationImport.objects.count()
        plan, record = run()
        assert record is None and plan.changes == 0
        assert plan.counts["units"]["unchanged"] == 5 and plan.counts["people"]["unchanged"] == 4
        assert (AuditEntry.objects.count(), OrganisationImport.objects.count()) == before

    def test_the_dry_run_writes_nothing(self):
        plan = check()
        assert plan.ok and plan.counts["units"]["created"] == 5
        assert not Unit.objects.exists() and not User.objects.exists()

    def test_semicolons_and_a_byte_order_mark_are_read(self):
        units = b"\xef\xbb\xbf" + csv_bytes(UNITS_HEADER, UNITS, ";")
        plan = check(units_data=units, people_data=csv_bytes(PEOPLE_HEADER, PEOPLE, ";"))
        assert plan.ok, messages(plan)
        assert plan.counts["units"]["created"] == 5

    def test_xlsx_files_are_read(self):
        def xlsx(header, rows):
            book = Workbook()
            sheet = book.active
            sheet.append(header.split(","))
            for row in rows:
                sheet.append([int(v) if v.isdigit() else v or None for v in row.split(",")])
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()

        people = [*PEOPLE, "1234,tal@example.org,Tal Person,B,"]
        plan, _record = services.organisation_import_apply(
            units_data=xlsx(UNITS_HEADER, UNITS),
            people_data=xlsx(PEOPLE_HEADER, people),
            by=None,
            source="command",
        )
        assert plan.counts["people"]["created"] == 5
        assert User.objects.filter(person_id="1234").exists()  # not "1234.0"


@pytest.mark.django_db
class TestSync:
    def test_renamed_and_moved_units_are_updated_and_the_tree_stays_valid(self):
        run()
        a1 = unit("A1")
        units = [row for row in UNITS if not row.startswith("A1,")]
        units.append("A1,B,Gruppe Et,research_group,")
        plan, _record = run(units=units)
        assert plan.counts["units"]["moved"] == 1 and plan.counts["units"]["updated"] == 1
        moved = unit("A1")
        assert moved.pk == a1.pk and moved.name == "Gruppe Et"
        assert parent_of(moved) == unit("B")
        assert unit("A").numchild == 0 and unit("B").numchild == 1
        assert tree_is_valid()
        # Roles move with their unit: P3 still works in the group.
        assert Membership.objects.filter(user__person_id="P3", unit=moved).exists()

    def test_a_whole_subtree_can_change_parent(self):
        run()
        units = [*UNITS, "C,U,Nyt fakultet,faculty,"]
        units = [r for r in units if not r.startswith("A,")] + ["A,C,Institut A,institute,"]
        run(units=units)
        assert parent_of(unit("A")) == unit("C")
        assert parent_of(unit("A1")) == unit("A")
        assert unit("A1").path.startswith(unit("C").path)
        assert tree_is_valid()

    def test_units_missing_from_the_file_are_archived_and_come_back(self):
        run()
        units = [row for row in UNITS if not row.startswith("B,")]
        people = [row for row in PEOPLE if ",B," not in row]
        plan, _record = run(units=units, people=people)
        assert plan.counts["units"]["archived"] == 1
        b = unit("B")
        assert b.is_archived and parent_of(b) == unit("F")  # kept where it was
        plan, _record = run()
        assert plan.counts["units"]["updated"] == 1
        assert not unit("B").is_archived

    def test_people_who_left_are_deactivated_and_cannot_log_in(self):
        run()
        person = User.objects.get(person_id="P4")
        person.set_password(PASSWORD)
        person.save()
        client = Client()
        client.force_login(person)
        assert client.get("/konto/profil/").status_code == 200
        plan, record = run(people=PEOPLE[:-1])
        assert plan.counts["people"]["deactivated"] == 1
        person.refresh_from_db()
        assert not person.is_active
        refused = Client().post(
            "/konto/log-ind/", {"username": person.username, "password": PASSWORD}
        )
        assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
        assert client.get("/konto/profil/").status_code == 302  # the session has ended
        assert not Membership.objects.filter(user=person).exists()  # imported role removed
        assert AuditEntry.objects.get(organisation_import=record, target="person P4").detail == (
            "deactivated; roles -employee@B"
        )
        plan, _record = run()
        person.refresh_from_db()
        assert person.is_active and plan.counts["people"]["updated"] == 1

    def test_a_coordinator_missing_from_the_file_keeps_the_account(self):
        run()
        User.objects.filter(person_id="P4").update(is_coordinator=True)
        plan, _record = run(people=PEOPLE[:-1])
        assert plan.counts["people"]["deactivated"] == 0
        assert User.objects.get(person_id="P4").is_active
        assert any("coordinator" in warning for warning in plan.warnings)

    def test_imported_roles_are_replaced_and_roles_by_hand_kept(self):
        run()
        leader = User.objects.get(person_id="P1")
        give_role(leader, unit("B"), Role.AMG)  # assigned by hand in the app
        people = ["P1,leder@example.org,Lone Leder,B,leder", *PEOPLE[1:]]
        plan, _record = run(people=people)
        assert plan.counts["roles"] == {"added": 1, "removed": 1, "kept_by_hand": 0}
        roles = set(
            Membership.objects.filter(user=leader).values_list("unit__hr_id", "role", "source")
        )
        assert roles == {("B", Role.LEADER, "imported"), ("B", Role.AMG, "manual")}

    def test_a_role_in_the_file_already_given_by_hand_stays_by_hand(self):
        run()
        leader = User.objects.get(person_id="P1")
        give_role(leader, unit("B"), Role.AMG)
        plan, _record = run(people=[*PEOPLE, "P1,leder@example.org,Lone Leder,B,amg"])
        assert plan.counts["roles"] == {"added": 0, "removed": 0, "kept_by_hand": 1}
        assert Membership.objects.get(user=leader, unit=unit("B")).source == "manual"

    def test_changed_e_mail_and_name_update_the_person(self):
        run()
        people = ["P1,lone@example.org,Lone Leder-Lund,A,leder", *PEOPLE[1:]]
        plan, _record = run(people=people)
        assert plan.counts["people"]["updated"] == 1
        person = User.objects.get(person_id="P1")
        assert person.email == "lone@example.org" and person.last_name == "Leder-Lund"

    def test_the_first_import_adopts_units_and_accounts_made_by_hand(self, faculty, unit_a):
        person = make_user("lone")
        User.objects.filter(pk=person.pk).update(email="LEDER@example.org")
        units = ["F,,Fakultet,faculty,", "A,F,Institut A,institute,", "N,F,Ny,,"]
        people = ["P1,leder@example.org,Lone Leder,A,leder"]
        plan, _record = run(units=units, people=people)
        assert plan.counts["units"] == {
            "created": 1,
            "updated": 2,
            "moved": 0,
            "archived": 0,
            "unchanged": 0,
        }
        assert unit("F") == faculty and unit("A") == unit_a
        assert unit("N").kind == Unit.Kind.DEPARTMENT
        person.refresh_from_db()
        assert person.person_id == "P1" and person.username == "lone"
        assert User.objects.count() == 1
        assert tree_is_valid()

    def test_units_made_by_hand_elsewhere_are_kept_and_mentioned(self, faculty, unit_a):
        plan, _record = run()
        assert plan.counts["units"]["created"] == 5
        assert Unit.objects.get(pk=unit_a.pk).archived_at is None
        assert any("by hand" in warning for warning in plan.warnings)


@pytest.mark.django_db
class TestProblems:
    def test_every_bad_row_is_reported_with_its_line_and_nothing_changes(self):
        units = [
            "U,,Universitet,,",
            "X,MISSING,Forældreløs,,",
            "U,,Dublet,,",
            "C1,C2,Cyklus 1,,",
            "C2,C1,Cyklus 2,,",
            "K,U,Kontor,kontor,",
        ]
        people = [
            "P1,ikke-en-adresse,Anna A,U,",
            "P2,b@example.org,Bo B,U,chefen",
            "P3,c@example.org,Cai C,NOPE,",
            "P4,b@example.org,Dan D,U,",
        ]
        plan = check(units=units, people=people)
        assert not plan.ok
        found = messages(plan)
        expected = [
            "units file, line 3: The parent “MISSING”",
            "units file, line 4: unit_id “U” appears twice (also on line 2)",
            "units file, line 5: Unit “C1” is part of a cycle (C1 → C2 → C1)",
            "units file, line 6: Unit “C2” is part of a cycle",
            "units file, line 7: Unknown kind “kontor”",
            "people file, line 2: “ikke-en-adresse” is not a valid e-mail address",
            "people file, line 3: Unknown role “chefen”",
            "people file, line 4: The unit “NOPE” is not in the units file",
            "people file, line 5: The e-mail address b@example.org is also used by person “P2”",
        ]
        for start in expected:
            assert any(text.startswith(start) for text in found), (start, found)
        assert len(found) == len(expected)
        assert not Unit.objects.exists()

    def test_apply_refuses_a_bad_file_and_writes_nothing(self):
        run()
        before = list(Unit.objects.values_list("path", "name"))
        with pytest.raises(services.ImportRejected) as rejected:
            run(units=[*UNITS, "Z,NOPE,Z,,"], people=PEOPLE[:1])
        assert len(rejected.value.plan.problems) == 1
        assert list(Unit.objects.values_list("path", "name")) == before
        assert User.objects.filter(is_active=True).count() == 4

    def test_problems_are_in_the_users_language(self):
        with translation.override("da"):
            plan = check(units=["U,,Universitet,,", "X,NOPE,X,,"])
            assert str(plan.problems[0]) == (
                "enhedsfilen, linje 3: Overenheden “NOPE” for enheden “X” findes ikke i filen. "
                "Tilføj overenheden, eller lad parent_id være tom for den øverste enhed."
            )

    def test_a_person_with_disagreeing_rows_is_reported(self):
        people = [*PEOPLE, "P1,other@example.org,Lone Leder,B,"]
        assert (
            "different e-mail address or name than on line 2" in messages(check(people=people))[0]
        )

    def test_a_duplicate_row_is_reported(self):
        assert "Duplicate row" in messages(check(people=[*PEOPLE, PEOPLE[0]]))[0]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"", "The file is empty."),
            (b"unit_id,name\nU,Uni\n", "The header row lacks the column(s) parent_id."),
            (b"unit_id,parent_id,name\n", "The file has a header row but no data rows."),
            (
                "unit_id,parent_id,name\nU,,Å\n".encode("latin-1"),
                "The file is not UTF-8 (first bad character on line 2)",
            ),
            (b"\xd0\xcf\x11\xe0rest", "This is the old Excel format (.xls)"),
            (b"PK\x03\x04broken", "The file is not a readable XLSX workbook."),
            (b"unit_id,parent_id,name,name\nU,,A,B\n", "The column “name” appears twice"),
        ],
    )
    def test_a_malformed_file_gets_a_clear_message(self, data, message):
        found = messages(check(units_data=data))
        assert len(found) == 1 and found[0].startswith(f"units file: {message}"), found

    @pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
    def test_a_broken_workbook_gets_a_clear_message(self, part):
        book = Workbook()
        book.active.append(["unit_id", "parent_id", "name"])
        good, broken = io.BytesIO(), io.BytesIO()
        book.save(good)
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                target.writestr(item, b"<broken" if item.filename == part else data)
        found = messages(check(units_data=broken.getvalue()))
        assert found == ["units file: The file is not a readable XLSX workbook."]

    def test_a_workbook_that_unpacks_to_too_much_is_refused(self, settings):
        settings.ORGANISATION_IMPORT_MAX_BYTES = 1024 * 1024
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b" " * (11 * 1024 * 1024))
        assert len(packed.getvalue()) < 1024 * 1024
        found = messages(check(units_data=packed.getvalue()))
        assert found == [
            "units file: The workbook unpacks to 11 MB, more than an HR export can be. "
            "Save it as CSV."
        ]

    def test_a_file_above_the_cap_is_refused_before_reading(self, settings):
        settings.ORGANISATION_IMPORT_MAX_BYTES = 1024 * 1024
        data = b"#" * (1536 * 1024)
        found = messages(check(units_data=data))
        assert found == [
            "units file: The file is 1.5 MB; the limit is 1 MB. Split it or remove columns."
        ]
        with pytest.raises(hr_files.FileProblem):
            hr_files.check_size(1024 * 1024 + 1)


@pytest.fixture
def imported_open_round():
    """The sample organisation imported, with an open mapping round on institute A."""
    from kortlaegning import services as rounds

    run()
    leader = User.objects.get(person_id="P1")
    today = timezone.localdate()
    round = rounds.round_create(
        unit=unit("A"),
        created_by=leader,
        title="Trivsel",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
    )
    return rounds.round_open(round=round, opened_by=leader)


@pytest.mark.django_db
class TestOpenRounds:
    def test_a_unit_may_not_leave_an_open_rounds_scope(self, imported_open_round):
        units = [row for row in UNITS if not row.startswith("A1,")] + ["A1,B,Gruppe A1,,"]
        plan = check(units=units)
        assert messages(plan) == [
            "units file, line 6: Unit “Gruppe A1” would move out of “Institut A”, whose mapping "
            "round “Trivsel” is open. Keep parent_id as it is until the round is closed."
        ]

    def test_the_rounds_own_unit_may_move_with_its_subtree(self, imported_open_round):
        units = [row for row in UNITS if not row.startswith("A,")] + ["A,U,Institut A,,"]
        plan, _record = run(units=units)
        assert plan.counts["units"]["moved"] == 1

    def test_the_rounds_unit_may_not_be_archived(self, imported_open_round):
        units = [row for row in UNITS if not row.startswith(("A,", "A1,"))]
        people = [row for row in PEOPLE if ",A," not in row and ",A1," not in row]
        found = messages(check(units=units, people=people))
        assert len(found) == 1 and "its mapping round “Trivsel” is open" in found[0]

    def test_archived_units_get_no_new_rounds(self):
        from django.core.exceptions import ValidationError

        from kortlaegning import services as rounds

        run()
        run(units=[r for r in UNITS if not r.startswith("B,")], people=PEOPLE[:-1])
        today = timezone.localdate()
        with translation.override("en"), pytest.raises(ValidationError, match="archived"):
            rounds.round_create(
                unit=unit("B"),
                created_by=None,
                title="Ny",
                opens_on=today,
                closes_on=today + datetime.timedelta(days=7),
            )
