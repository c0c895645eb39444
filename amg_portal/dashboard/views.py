from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The status picture for AMG meetings (built in the dashboard issue)."""
    return render(request, "dashboard/index.html")
