"""The error pages: in the office's design and the visitor's language (LocaleMiddleware
has chosen it before any of these run), each with a way back.

Rendered with a small context of their own, without the context processors: a 500 may
come from a database that is away, and the session, the login and the messages all live
in the database. Django's handlers would render the same templates, but the 500 without
a request (no language switcher that works, no way back) and the CSRF page with its own
English-only template.
"""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def _back(request: HttpRequest) -> str:
    """The page the visitor came from, if it is one of ours."""
    referer = request.headers.get("referer", "")
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: the very reason for a 400
        return ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _render(
    request: HttpRequest,
    template_name: str,
    response_class: type[HttpResponse],
    status: int | None = None,
):
    context = {
        "request": request,
        # The language switcher's form, as on every page (no database: a cookie).
        "csrf_token": get_token(request),
        "back": _back(request),
    }
    content = loader.get_template(template_name).render(context)
    return response_class(content) if status is None else response_class(content, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "400.html", HttpResponseBadRequest)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "403.html", HttpResponseForbidden)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "404.html", HttpResponseNotFound)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "500.html", HttpResponseServerError)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The database is away or has no free connection (operations.busy)."""
    return _render(request, "503.html", HttpResponse, status=503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the reason is for the log (django.security.csrf), not the page."""
    return _render(request, "403_csrf.html", HttpResponseForbidden)
