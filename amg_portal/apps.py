from django.apps import AppConfig


class AmgPortalConfig(AppConfig):
    """The project package itself: base templates, the home page and shared helpers."""

    name = "amg_portal"
    verbose_name = "AMG-portal"
