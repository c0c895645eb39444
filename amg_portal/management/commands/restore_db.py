from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amg_portal.backup import database_restore


class Command(BaseCommand):
    help = "Restore a backup_db FILE into the (empty) database that DATABASE_URL names."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that is not empty.",
        )

    def handle(self, *args, **options):
        try:
            database_restore(path=options["file"], force=options["force"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        self.stdout.write(f"restored {options['file']}; now run: python manage.py migrate")
