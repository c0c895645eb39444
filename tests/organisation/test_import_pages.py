"""The coordinator's HR import page and the import_organisation command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from amg_portal.organisation.models import AuditEntry, OrganisationImport, Unit, User
from tests.organisation.test_import import PEOPLE, PEOPLE_HEADER, UNITS, UNITS_HEADER, csv_bytes

URL = reverse("organisation:import")


def files(units=UNITS, people=PEOPLE) -> dict:
    return {
        "units": SimpleUploadedFile("enheder.csv", csv_bytes(UNITS_HEADER, units)),
        "people": SimpleUploadedFile("personer.csv", csv_bytes(PEOPLE_HEADER, people)),
    }


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/konto/log-ind/" in response.url


def test_the_page_does_not_exist_for_anyone_but_the_coordinator(login, leader_a):
    assert login(leader_a).get(URL).status_code == 404
    assert login(leader_a).post(URL, files()).status_code == 404
    assert AuditEntry.objects.filter(kind="access_denied", actor=leader_a).exists()
    assert not Unit.objects.filter(hr_id__isnull=False).exists()


def test_the_coordinator_finds_it_in_the_navigation(login, coordinator, leader_a):
    def nav(user):
        return {item["name"] for item in login(user).get(reverse("home")).context["nav_items"]}

    assert "import" in nav(coordinator)
    assert "import" not in nav(leader_a)


def test_upload_preview_and_apply(login, coordinator):
    client = login(coordinator)
    page = client.get(URL)
    assert page.status_code == 200 and "HR-import" in page.content.decode()
    response = client.post(URL, files())
    record = OrganisationImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "organisation:import_detail", args=[record.pk]
    )
    assert record.status == "preview" and not Unit.objects.exists()  # nothing written yet
    preview = client.get(response.url).content.decode()
    assert 'data-count="units-created">5<' in preview
    assert "Gennemfør importen" in preview
    applied = client.post(reverse("organisation:import_apply", args=[record.pk]))
    assert applied.status_code == 302
    record.refresh_from_db()
    assert record.status == "applied" and record.by == coordinator
    assert bytes(record.units_data) == b"" and bytes(record.people_data) == b""  # files wiped
    assert Unit.objects.count() == 5 and User.objects.filter(person_id__isnull=False).count() == 4
    assert AuditEntry.objects.filter(organisation_import=record, actor=coordinator).count() == 9
    detail = client.get(applied.url).content.decode()
    assert "Gennemført import" in detail and "9 poster i revisionsloggen" in detail


def test_the_same_files_again_say_nothing_changes(login, coordinator):
    client = login(coordinator)
    client.post(reverse("organisation:import_apply", args=[_preview(client).pk]))
    response = client.post(URL, files())
    assert response.status_code == 200
    assert (
        "Intet at ændre: organisationen svarer allerede til filerne." in response.content.decode()
    )
    assert not OrganisationImport.objects.filter(status="preview").exists()


def _preview(client) -> OrganisationImport:
    client.post(URL, files())
    return OrganisationImport.objects.get(status="preview")


def test_problems_are_listed_with_line_numbers_in_english(login, coordinator):
    coordinator.language = "en"
    coordinator.save()
    response = login(coordinator).post(URL, files(units=[*UNITS, "X,NOPE,X,,"]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "The files have 1 problem. Nothing was changed." in text
    assert "units file, line 7: The parent “NOPE” of unit “X” is not in the file." in text
    assert not OrganisationImport.objects.exists() and not Unit.objects.exists()


def test_a_malformed_file_is_explained(login, coordinator):
    upload = files()
    upload["people"] = SimpleUploadedFile("personer.xls", b"\xd0\xcf\x11\xe0 old excel")
    text = login(coordinator).post(URL, upload).content.decode()
    assert "Det er det gamle Excel-format (.xls)" in text


def test_a_file_above_the_cap_is_refused(login, coordinator, settings):
    settings.ORGANISATION_IMPORT_MAX_BYTES = 100
    response = login(coordinator).post(URL, files())
    assert response.status_code == 200
    assert "Filen fylder 1 kB; grænsen er 1 kB." in response.content.decode()
    assert not OrganisationImport.objects.exists()


def test_a_huge_body_is_refused_before_it_is_read(login, coordinator, settings):
    settings.ORGANISATION_IMPORT_MAX_BYTES = 1000
    response = login(coordinator).post(URL, files(people=PEOPLE * 2000))
    assert response.status_code == 413
    assert "Filerne er for store" in response.content.decode()


def test_a_preview_made_stale_by_changes_is_not_applied(login, coordinator):
    client = login(coordinator)
    record = _preview(client)
    # Meanwhile someone else created unit B by hand (with its HR id):
    Unit.objects.add_root(create_kwargs={"name": "Ny", "kind": "group", "hr_id": "B"})
    response = client.post(reverse("organisation:import_apply", args=[record.pk]))
    assert response.status_code == 302 and response.url.endswith(f"/{record.pk}/")
    assert Unit.objects.count() == 1  # nothing applied
    record.refresh_from_db()
    assert record.status == "preview" and record.summary["counts"]["units"]["updated"] == 1
    client.post(reverse("organisation:import_apply", args=[record.pk]))
    assert Unit.objects.count() == 5


def test_only_the_newest_preview_can_be_applied(login, coordinator):
    client = login(coordinator)
    first = _preview(client)
    _preview(client)
    response = client.post(reverse("organisation:import_apply", args=[first.pk]))
    assert response.status_code == 404


def test_apply_is_post_only(login, coordinator):
    record = _preview(login(coordinator))
    assert (
        login(coordinator).get(reverse("organisation:import_apply", args=[record.pk])).status_code
        == 405
    )


@pytest.mark.django_db
class TestCommand:
    def write(self, tmp_path, units=UNITS, people=PEOPLE):
        (tmp_path / "u.csv").write_bytes(csv_bytes(UNITS_HEADER, units))
        (tmp_path / "p.csv").write_bytes(csv_bytes(PEOPLE_HEADER, people))
        return ["--units", str(tmp_path / "u.csv"), "--people", str(tmp_path / "p.csv")]

    def test_dry_run_prints_the_diff_and_writes_nothing(self, tmp_path, capsys):
        call_command("import_organisation", *self.write(tmp_path), "--dry-run", "--language", "en")
        out = capsys.readouterr().out
        assert "Units created" in out and "Dry run: nothing was written." in out
        assert "Institut A (A)" in out
        assert not Unit.objects.exists()

    def test_it_applies_and_a_second_run_says_nothing_changes(self, tmp_path, capsys):
        args = self.write(tmp_path)
        call_command("import_organisation", *args, "--language", "en")
        assert "Applied as import no." in capsys.readouterr().out
        assert OrganisationImport.objects.get().source == "command"
        call_command("import_organisation", *args, "--language", "en")
        assert "Nothing to change" in capsys.readouterr().out
        assert OrganisationImport.objects.count() == 1

    def test_problems_fail_the_command_with_every_line(self, tmp_path, capsys):
        args = self.write(tmp_path, units=[*UNITS, "X,NOPE,X,,", "A,U,Dublet,,"])
        with pytest.raises(CommandError, match="2 problem"):
            call_command("import_organisation", *args, "--language", "en")
        err = capsys.readouterr().err
        assert "line 7: The parent “NOPE”" in err and "line 8: unit_id “A” appears twice" in err
        assert not Unit.objects.exists()

    def test_a_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command(
                "import_organisation",
                "--units",
                str(tmp_path / "x.csv"),
                "--people",
                "y",
                "--language",
                "en",
            )
