from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amg_portal.dashboard import figures, selectors
from amg_portal.dashboard.forms import DashboardFilterForm
from amg_portal.organisation.access import Action, can, holds_in, unit_for_user
from amg_portal.organisation.selectors import unit_window


def _panels(board: selectors.Dashboard) -> list[tuple[str, str]]:
    """(partial, title) in meeting order; the sten-i-skoen panel is not for the reduced view."""
    panels = [
        ("meeting", _("Next status meeting")),
        ("follow_ups", _("Follow-ups")),
        ("measures", _("Tiltag")),
        ("heatmap", _("Latest results")),
        ("trend", _("Trend")),
        ("rounds", _("Open mapping rounds")),
        ("escalations", _("Sten i skoen")),
        ("apv", _("APV status")),
    ]
    return [(name, title) for name, title in panels if name != "escalations" or board.staff]


def _context(request: HttpRequest) -> dict:
    """Filter → scope (the unit through the access module: 404 if not visible) → panels."""
    form = DashboardFilterForm(request.GET or None)
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # apply whatever was valid; the errors are shown on the form
        data = form.cleaned_data
    pk = data.get("unit")
    units = unit_window(request.user, pk)  # the chosen unit comes with its window
    form.offer_units(units)
    unit = next((u for u in units if u.pk == pk), None)
    if pk is not None and (unit is None or not can(request.user, Action.VIEW_DASHBOARD, unit)):
        # The access module decides: 404 for a unit the user may not see, 403 without the right
        # (audited).
        unit = unit_for_user(request.user, pk, Action.VIEW_DASHBOARD)
    scope = selectors.Scope(
        user=request.user,
        unit=unit,
        start=data.get("start"),
        end=data.get("end"),
        today=timezone.localdate(),
    )
    board = selectors.dashboard(scope, staff=holds_in(request.user, Action.HOLD_MEETING, unit))
    return {
        "form": form,
        "board": board,
        "unit": unit,
        "query": request.GET.urlencode(),
        "status_chart": figures.status_chart(board.measures),
        "pyramid_chart": figures.pyramid_chart(board.measures),
        "trend_chart": figures.trend_chart(board.trend) if board.trend else None,
        # Short column heads: the table must fit a phone; the pyramid shows the full names.
        "prevention_short": [_("Primary"), _("Secondary"), _("Tertiary")],
        "panels": _panels(board),
    }


@login_required
@require_http_methods(["GET"])
def index(request: HttpRequest) -> HttpResponse:
    """The status picture of the units the user may see, filtered by unit and period."""
    return render(request, "dashboard/index.html", _context(request))


@login_required
@require_http_methods(["GET"])
def meeting(request: HttpRequest) -> HttpResponse:
    """The same panels for the projector: large type, one panel per screen, keyboard navigation."""
    return render(request, "dashboard/meeting.html", _context(request))
