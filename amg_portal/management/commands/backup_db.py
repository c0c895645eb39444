from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from amg_portal.backup import database_backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (pg_dump custom format; restore with restore_db)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        try:
            path = database_backup(path=options["file"])
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        self.stdout.write(f"backup written to {path} ({path.stat().st_size} bytes)")
