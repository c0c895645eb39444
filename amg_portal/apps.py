from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AmgPortalConfig(AppConfig):
    """The project package itself: base templates, the home page and shared helpers."""

    name = "amg_portal"
    verbose_name = "AMG-portal"

    def ready(self) -> None:
        from django.urls import register_converter

        from amg_portal import generation
        from amg_portal.urlconverters import IdConverter

        register_converter(IdConverter, "id")  # <id:pk> in every URLconf, before any is loaded

        # After every migrate: a trigger on every tracked table, also on tables added since.
        post_migrate.connect(generation._after_migrate, sender=self)
