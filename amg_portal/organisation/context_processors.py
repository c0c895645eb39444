"""Navigation that shows each role what it can do."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Unit


def _nav_items(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    # One query: which actions the user may take anywhere.
    visible = Unit.objects.visible_to(user)
    items = [{"label": _("Home"), "url": reverse("home"), "name": "home"}]
    if user.coordinates or visible.exists():
        items.append(
            {"label": _("Units"), "url": reverse("organisation:unit_list"), "name": "units"}
        )
        items.append(
            {"label": _("Mapping"), "url": reverse("kortlaegning:index"), "name": "kortlaegning"}
        )
        if Unit.objects.permitting(user, Action.CREATE_CASE).exists() or user.coordinates:
            items.append(
                {
                    "label": _("Stone in the shoe"),
                    "url": reverse("sten_i_skoen:index"),
                    "name": "sten_i_skoen",
                }
            )
        items.append(
            {
                "label": _("Action plan"),
                "url": reverse("handlingsplan:index"),
                "name": "handlingsplan",
            }
        )
    if user.coordinates and user.is_staff:
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "name": "admin"})
    return items


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(user))}
