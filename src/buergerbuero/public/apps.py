from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "buergerbuero.public"
    label = "public"
