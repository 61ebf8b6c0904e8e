from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "buergerbuero.privacy"
    label = "privacy"
