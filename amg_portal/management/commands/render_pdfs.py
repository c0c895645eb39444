from django.core.management.base import BaseCommand

from amg_portal.pdf import QUEUED_RENDERERS


class Command(BaseCommand):
    help = (
        "Render the PDFs queued by changes (a changed APV, a changed sten-i-skoen case) that the "
        "web worker did not render right after its response, so the first click finds them "
        "stored. Run from cron: `manage.py once render_pdfs`."
    )

    def handle(self, *args, **options):
        for name, render_queued in sorted(QUEUED_RENDERERS.items()):
            done = render_queued()
            if options["verbosity"] > 1 or done:
                self.stdout.write(f"{name}: {done} PDF(s) rendered")
