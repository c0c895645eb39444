from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KortlaegningConfig(AppConfig):
    """Bilag 1: mapping rounds with the IGLO question guide."""

    name = "kortlaegning"
    verbose_name = _("Mapping (bilag 1)")
