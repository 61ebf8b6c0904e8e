from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from buergerbuero.bookings import urls as booking_urls
from buergerbuero.console import urls as console_urls
from buergerbuero.public import urls as public_urls

urlpatterns = [
    path("konsole/", include(console_urls)),
    path("verwaltung/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(booking_urls)),
    path("", include(public_urls)),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
