from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kortlaegning import retention


class Command(BaseCommand):
    help = (
        "Delete the raw responses and free text of rounds closed more than "
        "RESPONSE_RETENTION_DAYS ago; their figures stay in the result snapshot. Also deletes "
        "drawn results sections older than 30 days or drawn by replaced code (drawn again at the "
        "next visit). Idempotent; run daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override RESPONSE_RETENTION_DAYS."
        )

    def handle(self, *args, days: int | None, **options):
        days = settings.RESPONSE_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days cannot be negative.")
        purged = retention.purge_due(today=timezone.localdate(), days=days)
        self.stdout.write(f"{purged} round(s) purged of raw responses (older than {days} days).")
        drawn = retention.purge_drawn_pages(now=timezone.now())
        self.stdout.write(
            f"{drawn} drawn results page(s) deleted (older than {retention.DRAWN_PAGE_DAYS} days "
            "or drawn by replaced code)."
        )
