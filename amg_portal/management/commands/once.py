import argparse
import hashlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection


def lock_key(name: str) -> int:
    """A stable 64-bit advisory-lock key for a job's name."""
    return int.from_bytes(hashlib.sha256(f"amg-job:{name}".encode()).digest()[:8], signed=True)


class Command(BaseCommand):
    help = (
        "Run a management command only if no other server is running it right now (a PostgreSQL "
        "advisory lock), so cron may run the same job on every app server: "
        "`manage.py once send_reminders`."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", help="The management command to run.")
        parser.add_argument("job_args", nargs=argparse.REMAINDER, help="Its arguments.")

    def handle(self, *args, job: str, job_args: list[str], **options):
        if connection.vendor != "postgresql":  # SQLite: one server by definition
            call_command(job, *job_args, stdout=self.stdout, stderr=self.stderr)
            return
        key = lock_key(job)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                self.stdout.write(f"{job} is running on another server; skipped.")
                return
        try:
            call_command(job, *job_args, stdout=self.stdout, stderr=self.stderr)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
