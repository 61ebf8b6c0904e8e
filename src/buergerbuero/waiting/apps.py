from django.apps import AppConfig


class WaitingConfig(AppConfig):
    name = "buergerbuero.waiting"
    label = "waiting"
