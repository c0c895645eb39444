"""Write operations on units and users."""

from __future__ import annotations

from django.db import transaction

from amg_portal.organisation.models import Unit, User


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
