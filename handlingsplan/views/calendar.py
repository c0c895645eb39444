"""The personal iCalendar feed: a secret URL, stored hashed, revocable."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from handlingsplan import selectors, services
from handlingsplan.models import CalendarToken
from handlingsplan.reminders import calendar_ics, user_for_token


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Create, renew or revoke one's calendar feed; the secret URL is shown only once."""
    feed_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("Your calendar feed has been revoked."))
            return redirect("handlingsplan:calendar_settings")
        token = services.calendar_token_create(user=request.user)
        feed_url = request.build_absolute_uri(reverse("handlingsplan:calendar_feed", args=[token]))
        messages.success(request, _("A new calendar address has been made; old ones stop working."))
    context = {
        "active": CalendarToken.objects.filter(user=request.user).first(),
        "feed_url": feed_url,
        "mine": selectors.my_measures(request.user),
    }
    return render(request, "handlingsplan/calendar.html", context)


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar document of the token's user; 404 for an unknown or revoked token."""
    user = user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="amg-portal.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
