"""The probes and /metrics are answered first, before every other middleware: over plain
HTTP and for any Host header (an orchestrator asks the process at its own address, e.g. a
pod's IP), without the HTTPS redirect, the session, CSRF, the language or the login, so a
probe reads no session, sets no cookie and cannot be slowed by them (docs/operations.md).

/metrics only for the monitoring's addresses (operations/metrics.py): anyone else is
passed on to the ordinary URL routing, which has no such page (404).
"""

import time

from . import metrics, views

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        if request.path_info == metrics.PATH and metrics.allowed(request):
            return metrics.metrics(request)
        return self.get_response(request)


class RequestMetricsMiddleware:
    """Counts and times every request the office answers (not the probes or /metrics)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_request(request, response.status_code, started)
        return response
