from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Unit


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Mapping rounds of the units the user may see."""
    units = Unit.objects.visible_to(request.user)
    managed = Unit.objects.permitting(request.user, Action.MANAGE_ROUND)
    return render(
        request, "kortlaegning/index.html", {"units": units, "may_manage": managed.exists()}
    )
