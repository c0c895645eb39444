from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from amg_portal.organisation.models import User
from kortlaegning import services


class Command(BaseCommand):
    help = "Close open mapping rounds whose closing date has passed (run daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="Coordinator to log as.")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username, is_coordinator=True).first()
        if user is None:
            raise CommandError(f"No coordinator called {username!r}.")
        closed = services.round_close_due(today=timezone.localdate(), closed_by=user)
        self.stdout.write(f"{closed} round(s) closed.")
