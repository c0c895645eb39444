"""Answer a load balancer's health probes before anything else in the middleware stack.

A probe arrives on the app server's internal address over plain HTTP with whatever Host header
the load balancer sends. Answering it first keeps it out of the HTTPS redirect, the host check
(ALLOWED_HOSTS), sessions and the 2FA rules; the probes return no data, so nothing is exposed.
"""

from __future__ import annotations

from amg_portal import views

PROBES = {"/healthz/": views.healthz, "/readyz/": views.readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)
