import importlib
import importlib.util
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from amg_portal.organisation.demo import DEMO_APPS, seed_organisation
from amg_portal.organisation.models import Role


class Command(BaseCommand):
    help = "Build the demo organisation and accounts (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (creates accounts with published passwords).",
        )

    def handle(self, *args, **options):
        # The test suite runs with DEBUG off (Django forces it) but is no production server.
        if not (settings.DEBUG or settings.TESTING) and not options["allow_production"]:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates a coordinator with a "
                "published password. Use --allow-production for a demo server."
            )
        with translation.override("da"):
            org = seed_organisation()
            for app in DEMO_APPS:
                if importlib.util.find_spec(f"{app}.demo") is not None:
                    importlib.import_module(f"{app}.demo").seed(org)
        if options["json"]:
            self.stdout.write(json.dumps({"users": org.logins, **org.extra}, ensure_ascii=False))
            return
        self._table(org.logins)

    def _table(self, logins: list[dict[str, str]]) -> None:
        labels = {**dict(Role.choices), "coordinator": "Arbejdsmiljøkoordinator"}
        logins = [
            {**row, "role": str(labels[row["role"]]), "unit": row["unit"] or "(alle enheder)"}
            for row in logins
        ]
        columns = ["username", "password", "role", "unit"]
        headers = {
            "username": "Brugernavn",
            "password": "Adgangskode",
            "role": "Rolle",
            "unit": "Enhed",
        }
        widths = {c: max(len(headers[c]), *(len(row[c]) for row in logins)) for c in columns}
        line = "  ".join(headers[c].ljust(widths[c]) for c in columns)
        self.stdout.write(line)
        self.stdout.write("  ".join("-" * widths[c] for c in columns))
        for row in logins:
            self.stdout.write("  ".join(row[c].ljust(widths[c]) for c in columns))
