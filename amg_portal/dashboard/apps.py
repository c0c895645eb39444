from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The AMG status picture; reads from all three domain apps."""

    name = "amg_portal.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
