"""When the database is overloaded or away, people are told to try again in a moment.

A knock storm can take every connection of the pool (settings.py, DB_POOL_MAX_SIZE); a
request that waits longer than DB_POOL_TIMEOUT for one, or finds the database down, gets
"503 Service Unavailable" with Retry-After and a page that says so, instead of a 500. The
error comes before anything was written (a request holds its one connection from its first
query to its end), so a citizen told to try again has not been put in the queue.
"""

import logging

from django.db import InterfaceError, OperationalError

from buergerbuero.logs import redact

from .error_views import service_unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning(
            "%s %s: database unavailable (%s)", request.method, redact(request.path), exception
        )
        # Like every error page, without the context processors: the session and the
        # messages live in the database that just failed.
        response = service_unavailable(request)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
