"""The probes are answered first, before every other middleware: over plain HTTP and for
any Host header (an orchestrator asks the process at its own address, e.g. a pod's IP),
without the HTTPS redirect, the session, CSRF, the language or the login, so a probe reads
no session, sets no cookie and cannot be slowed by them (docs/operations.md)."""

from . import views

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)
