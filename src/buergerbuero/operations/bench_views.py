"""The yardstick of bench/pages.py: a view through the whole middleware stack that does
nothing else. Mounted only with BENCH_TRIVIAL_VIEW=1 (buergerbuero.urls)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")
