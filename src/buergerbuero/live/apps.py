from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "buergerbuero.live"
    label = "live"
