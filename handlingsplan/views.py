from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amg_portal.organisation.models import Unit


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """APV cycles and action plans of the units the user may see."""
    units = Unit.objects.visible_to(request.user)
    return render(request, "handlingsplan/index.html", {"units": units})
