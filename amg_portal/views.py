from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from amg_portal.organisation import selectors
from amg_portal.organisation.models import Unit


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The user's roles, their units with sub-units, and the guide's four steps."""
    memberships = list(selectors.memberships_of(request.user))
    units = Unit.objects.visible_to(request.user)
    return render(
        request,
        "home.html",
        {"memberships": memberships, "forest": selectors.unit_forest(units)},
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """A Danish/English 500 page that needs no database (the failure may be the database)."""
    return render(request, "500.html", status=500)
