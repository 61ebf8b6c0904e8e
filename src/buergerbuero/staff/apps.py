from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "buergerbuero.staff"
    label = "staff"
