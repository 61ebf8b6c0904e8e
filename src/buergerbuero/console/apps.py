from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "buergerbuero.console"
    label = "console"
