"""The office's URLs and error handlers, plus views that fail in each way the handlers
answer (for tests/operations/test_error_pages.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from buergerbuero import urls as office


def bad(request):
    raise SuspiciousOperation("a request that makes no sense")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/400/", bad),
    path("test/403/", forbidden),
    path("test/500/", broken),
    *office.urlpatterns,
]
handler400 = office.handler400
handler403 = office.handler403
handler404 = office.handler404
handler500 = office.handler500
