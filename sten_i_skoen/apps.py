from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StenISkoenConfig(AppConfig):
    """Bilag 2: the stone-in-the-shoe model for one concrete problem."""

    name = "sten_i_skoen"
    verbose_name = _("Stone in the shoe (bilag 2)")

    def ready(self) -> None:
        from amg_portal.pdf import register_queued_renderer
        from sten_i_skoen import pdf

        register_queued_renderer(self.name, pdf.render_queued)
