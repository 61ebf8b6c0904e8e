from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "buergerbuero.departments"
    label = "departments"
