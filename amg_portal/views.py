from __future__ import annotations

import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from amg_portal.organisation import selectors

logger = logging.getLogger(__name__)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The user's roles, their units with the units right below them, and the guide's steps."""
    memberships = list(selectors.memberships_of(request.user))
    units = selectors.unit_window(request.user)
    return render(
        request,
        "home.html",
        {"memberships": memberships, "forest": selectors.unit_forest(units)},
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """A Danish/English 500 page that needs no database (the failure may be the database).

    When the database could not be reached and the view asked for names its own page for that
    (``view.database_unavailable``, same arguments), that page answers instead: the answer steps
    show the respondent's answers again with a "try again" (503)."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        page = _database_unavailable_page(request)
        if page is not None:
            return page
    return render(request, "500.html", status=500)


def _database_unavailable_page(request: HttpRequest) -> HttpResponse | None:
    try:
        match = request.resolver_match or resolve(request.path_info)
    except Http404:
        return None
    page = getattr(match.func, "database_unavailable", None)
    return page(request, *match.args, **match.kwargs) if page is not None else None


def _probe_answer(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches no database, so a database outage restarts nothing."""
    return _probe_answer("ok")


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers and every migration is applied; otherwise 503.

    The reason goes to the log, never to the client.
    """
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.error("readyz: database unreachable: %s", " ".join(str(exc).split()))
        return _probe_answer("unavailable", status=503)
    if pending:
        logger.error("readyz: %d unapplied migrations, first %s", len(pending), pending[0][0])
        return _probe_answer("unavailable", status=503)
    return _probe_answer("ready")
