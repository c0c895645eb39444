from django.core.management.base import BaseCommand

from kortlaegning.services import invitation_mails_send


class Command(BaseCommand):
    help = (
        "Send queued invitation and reminder e-mails that are due, retrying failed ones "
        "(run every few minutes, e.g. from cron)."
    )

    def handle(self, *args, **options):
        sent, failed = invitation_mails_send()
        self.stdout.write(f"{sent} invitation e-mail(s) sent, {failed} failed (retried later).")
