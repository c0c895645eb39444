from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amg_portal.dashboard import figures, selectors
from amg_portal.dashboard.forms import DashboardFilterForm
from amg_portal.generation import current as data_generation
from amg_portal.organisation.access import Action, can, holds_in, unit_for_user
from amg_portal.organisation.selectors import unit_window

LIVE = "rounds"  # the panel drawn anew on every view
PANELS_TIMEOUT = 60 * 60  # a kept panel is also dropped after an hour, changed or not


def _panels(staff: bool) -> list[tuple[str, str]]:
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
    return [(name, title) for name, title in panels if name != "escalations" or staff]


def _context(request: HttpRequest) -> dict:
    """Filter → scope (the unit through the access module: 404 if not visible) → panels."""
    generation = data_generation()  # first: what is drawn below is at least this new
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
    staff = holds_in(request.user, Action.HOLD_MEETING, unit)
    return {
        "form": form,
        "unit": unit,
        "query": request.GET.urlencode(),
        "staff": staff,
        "panels": _drawn_panels(scope, staff=staff, generation=generation),
    }


def _drawn_panels(
    scope: selectors.Scope, *, staff: bool, generation: int | None
) -> list[tuple[str, str, str]]:
    """(name, title, HTML) of each panel in meeting order.

    Drawn panels are kept per reader, scope, day and language until the organisation's data
    changes (``amg_portal.generation``); the open rounds, which count answers as they come in,
    are drawn anew every time.
    """
    key = None
    # The coordinator's reads of results are audited one by one: never served from what was kept.
    if generation is not None and not getattr(scope.user, "coordinates", False):
        parts = (
            generation,
            scope.user.pk,
            scope.unit.pk if scope.unit else "-",
            scope.start,
            scope.end,
            scope.today,
            get_language(),
            staff,
        )
        key = "dashboard-panels:1:" + ":".join(str(p) for p in parts)
    kept = cache.get(key) if key else None
    if kept is None:
        board = selectors.dashboard(scope, staff=staff)
        context = {
            "board": board,
            "status_chart": figures.status_chart(board.measures),
            "pyramid_chart": figures.pyramid_chart(board.measures),
            "trend_chart": figures.trend_chart(board.trend) if board.trend else None,
            # Short column heads: the table must fit a phone; the pyramid shows the full names.
            "prevention_short": [_("Primary"), _("Secondary"), _("Tertiary")],
        }
        kept = [
            (name, title, None if name == LIVE else _draw(name, context))
            for name, title in _panels(staff)
        ]
        if key:
            cache.set(key, kept, PANELS_TIMEOUT)
        live = board.open_rounds
    else:
        live = selectors.open_rounds(scope)
    live_html = _draw(LIVE, {"board": {"open_rounds": live}})
    return [(name, title, live_html if name == LIVE else html) for name, title, html in kept]


def _draw(name: str, context: dict) -> SafeString:
    return mark_safe(render_to_string(f"dashboard/_{name}.html", context))  # noqa: S308


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
