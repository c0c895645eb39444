"""Template helpers of the mapping pages."""

from __future__ import annotations

from django import template
from django.urls import reverse

from amg_portal.domain import Level

register = template.Library()


@register.simple_tag
def measure_create_url(unit, round, question) -> str:
    """The action plan's "create tiltag" page pre-filled with the round and the question (a link:
    kortlaegning never imports handlingsplan)."""
    base = reverse("handlingsplan:measure_create", args=[unit.pk])
    return f"{base}?round={round.pk}&question={question.pk}"


@register.filter
def level_label(code: str) -> str:
    try:
        return Level(code).label
    except ValueError:
        return code


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
