"""ASGI entry point: HTTP through Django, WebSockets through Channels, lifespan for the
per-process background work (status board subscription, queue sweeper, minute ticker)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerbuero.settings")

import django

# What django.core.asgi.get_asgi_application does, with a handler that runs the office's
# synchronous middleware and views in one trip to a thread (http_handler.py).
django.setup(set_prefix=False)

from buergerbuero.http_handler import SyncStackASGIHandler  # noqa: E402

django_asgi_app = SyncStackASGIHandler()

from buergerbuero.live.application import build_application  # noqa: E402

application = build_application(django_asgi_app)
