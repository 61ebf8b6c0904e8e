from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "buergerbuero.audit"
    label = "audit"
