from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingsplanConfig(AppConfig):
    """The four-step APV cycle and its action plan."""

    name = "handlingsplan"
    verbose_name = _("APV action plan")

    def ready(self) -> None:
        from amg_portal.pdf import register_queued_renderer
        from handlingsplan import pdf

        register_queued_renderer(self.name, pdf.render_queued)
