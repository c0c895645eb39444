"""``manage.py import_organisation --units UNITS --people PEOPLE [--dry-run]``: the HR sync."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from amg_portal.organisation import hr_files, services
from amg_portal.organisation.hr_import import Plan, problems_text
from amg_portal.organisation.models import OrganisationImport
from amg_portal.organisation.reporting import summary_lines


class Command(BaseCommand):
    help = (
        "Synchronise units, people and roles with two HR export files (CSV UTF-8 or XLSX). "
        "All or nothing; --dry-run only shows what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", required=True, help="units file (unit_id, parent_id, name)")
        parser.add_argument(
            "--people", required=True, help="people file (person_id, email, full_name, unit_id)"
        )
        parser.add_argument("--dry-run", action="store_true", help="show the changes, write none")
        parser.add_argument("--language", choices=["da", "en"], default="da")

    def handle(self, *args, units: str, people: str, dry_run: bool, language: str, **options):
        translation.activate(language)
        units_data, people_data = self._read(units), self._read(people)
        if dry_run:
            plan = services.organisation_import_check(
                units_data=units_data, people_data=people_data
            )
            self._report(plan)
            if plan.ok:
                self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            plan, record = services.organisation_import_apply(
                units_data=units_data,
                people_data=people_data,
                by=None,
                source=OrganisationImport.Source.COMMAND,
                units_name=Path(units).name,
                people_name=Path(people).name,
            )
        except services.ImportRejected as rejected:
            self._report(rejected.plan)
        else:
            self._report(plan)
            if record is not None:
                self.stdout.write(
                    self.style.SUCCESS(_("Applied as import no. %(id)d.") % {"id": record.pk})
                )

    def _read(self, name: str) -> bytes:
        path = Path(name)
        try:
            hr_files.check_size(path.stat().st_size)
            return path.read_bytes()
        except hr_files.FileProblem as problem:
            raise CommandError(f"{name}: {problem.message}") from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": name, "error": error.strerror}
            ) from None

    def _report(self, plan: Plan) -> None:
        if not plan.ok:
            for line in problems_text(plan.problems):
                self.stderr.write(line)
            message = _("%(count)d problem(s) found; nothing was changed. Correct the files.")
            raise CommandError(message % {"count": len(plan.problems)})
        for line in summary_lines(plan.summary()):
            self.stdout.write(line)
