"""WSGI entry point."""

import os

from amg_portal import startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amg_portal.settings")
startup.load_settings()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
