"""Navigation that shows each role what it can do."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from amg_portal.organisation.access import role_paths


def _nav_items(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = [("home", "home", _("Home"))]
    # Everything below is about units: only for people who hold a role somewhere (the user's
    # roles, loaded once per request by the access module).
    if user.coordinates or role_paths(user):
        items += [
            ("dashboard", "dashboard:index", _("Dashboard")),
            ("units", "organisation:unit_list", _("Units")),
            ("kortlaegning", "kortlaegning:index", _("Mapping")),
            # Every member may take part in a case; each list shows only what its reader may see.
            ("sten_i_skoen", "sten_i_skoen:index", _("Stone in the shoe")),
            ("handlingsplan", "handlingsplan:index", _("Action plan")),
        ]
    if user.coordinates:
        # The coordinator's own pages: syncing the organisation from the HR system.
        items.append(("import", "organisation:import", _("HR import")))
    if user.coordinates and user.is_staff:
        items.append(("admin", "admin:index", _("Administration")))
    return [{"name": name, "url": reverse(url), "label": label} for name, url, label in items]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(user))}
