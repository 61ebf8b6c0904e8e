from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "buergerbuero.calls"
    label = "calls"
