"""Bare views: what Django costs through the same middleware, without the app's work."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

TABLE = "bench_insert"  # created by bench/http_bench.py


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    """One INSERT, then the same kind of answer as the final answer step (a redirect)."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (on_date) VALUES (CURRENT_DATE)")  # noqa: S608
    response = HttpResponse(status=302)
    response["Location"] = "/bench/bare/"
    return response
