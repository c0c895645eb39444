from django.core.management.base import BaseCommand

from handlingsplan.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail responsible users about deadlines, milestones and follow-ups due within 7 days "
        "or overdue; at most once per item per day, so it is safe to run every hour."
    )

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder e-mail(s) sent.")
