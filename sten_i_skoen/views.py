from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amg_portal.organisation.access import Action
from amg_portal.organisation.models import Unit


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Stone-in-the-shoe cases the user takes part in."""
    may_create = Unit.objects.permitting(request.user, Action.CREATE_CASE).exists()
    return render(request, "sten_i_skoen/index.html", {"may_create": may_create})
