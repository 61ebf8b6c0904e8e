"""ASGI entry point: HTTP through Django, WebSockets through Channels, lifespan for the
per-process background work (status board subscription, queue sweeper, minute ticker)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerbuero.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from buergerbuero.live.application import build_application  # noqa: E402

application = build_application(django_asgi_app)
