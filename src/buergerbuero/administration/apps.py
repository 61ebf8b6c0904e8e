from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "buergerbuero.administration"
    label = "administration"
