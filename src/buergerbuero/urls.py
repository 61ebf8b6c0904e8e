from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from buergerbuero.administration import urls as administration_urls
from buergerbuero.api.v1 import api, unknown_path
from buergerbuero.bookings import urls as booking_urls
from buergerbuero.console import urls as console_urls
from buergerbuero.console.login_forms import AdminStaffLoginForm
from buergerbuero.operations import bench_views, error_views
from buergerbuero.privacy import urls as privacy_urls
from buergerbuero.public import urls as public_urls

# The admin's login obeys the console's: throttled, and the authenticator code if set up.
admin.site.login_form = AdminStaffLoginForm
admin.site.login_template = "admin/staff_login.html"
# Django's own admin is for superusers only; administrators and leads use /konsole/verwaltung/.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    # Before "konsole/": the record of processing activities lives under it.
    path("", include(privacy_urls)),
    path("konsole/verwaltung/", include(administration_urls)),
    path("konsole/", include(console_urls)),
    path("verwaltung/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_path, name="api_unknown"),
    path("", include(booking_urls)),
    path("", include(public_urls)),
]

# In the office's design and the visitor's language (operations/error_views.py).
handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error

if settings.BENCH_TRIVIAL_VIEW:
    urlpatterns.insert(0, path("bench/trivial/", bench_views.trivial))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
