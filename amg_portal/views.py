from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
    """A Danish/English 500 page that needs no database (the failure may be the database)."""
    return render(request, "500.html", status=500)


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
