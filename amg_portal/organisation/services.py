"""Write operations on units and users."""

from __future__ import annotations

from django.db import transaction

from amg_portal.organisation.models import Unit, User


def unit_create(*, parent: Unit | None, name: str, kind: str, headcount: int = 0) -> Unit:
    """Add a unit under ``parent`` (or a new root); siblings stay ordered by name."""
    fields = {"name": name, "kind": kind, "headcount": headcount}
    if parent is None:
        return Unit.objects.add_root(create_kwargs=fields)
    return Unit.objects.add_child(parent, create_kwargs=fields)


@transaction.atomic
def unit_update(*, unit: Unit, name: str, short_name: str, headcount: int) -> Unit:
    """Rename a unit or change its headcount."""
    unit.name = name
    unit.short_name = short_name
    unit.headcount = headcount
    unit.save(update_fields=["name", "short_name", "headcount"])
    return unit


def user_set_language(*, user: User, language: str) -> None:
    """Remember a user's preferred language (called from the header switch and the profile)."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
