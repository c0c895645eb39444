"""Work a request leaves for after its response has been sent.

Issue 15: the PDF of a changed plan is rendered while its editor reads the next page, not when a
leader clicks at the meeting. A service calls ``after_response(key, work)``; inside a request the
``AfterResponseMiddleware`` keeps the work (one per key: ten changes to one plan render it once),
and when the WSGI server has written the whole response and closes it (Django's
``request_finished``), each piece runs as ``work(user)`` with the request's user, in the request's
language. Under gunicorn's sync worker the response is on its way before this starts; the worker
takes its next request afterwards (the PDF's own time limit bounds it).

Outside a request (a management command, a service called from a test) the call does nothing:
whatever must happen anyway is queued in the database by the caller and done by a scheduled job.
A failure is logged, never raised (the response has been sent). With
``settings.RENDER_AFTER_RESPONSE`` off (the default under tests) nothing is run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

logger = logging.getLogger(__name__)
_local = threading.local()

Work = Callable[[Any], None]


def after_response(key: Hashable, work: Work) -> None:
    """Run ``work(user)`` after the current request's response has been sent (or not at all
    outside a request). A later call with the same ``key`` replaces the earlier one."""
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending[key] = work


class AfterResponseMiddleware:
    """Collects the request's after-response work and hands it to ``request_finished``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _local.pending, _local.ready = {}, None
        try:
            response = self.get_response(request)
        finally:
            pending, _local.pending = _local.pending, None
        if pending and getattr(settings, "RENDER_AFTER_RESPONSE", False):
            user = getattr(request, "user", None)
            _local.ready = (list(pending.values()), user, translation.get_language())
        return response


@receiver(request_finished, dispatch_uid="amg_portal.afterresponse")
def run_after_response(sender: Any = None, **kwargs: Any) -> None:
    """Run what the finished request left (connected to ``request_finished``)."""
    ready, _local.ready = getattr(_local, "ready", None), None
    if not ready:
        return
    works, user, language = ready
    with translation.override(language):
        for work in works:
            try:
                work(user)
            except Exception:
                logger.exception("work after the response failed: %r", work)
