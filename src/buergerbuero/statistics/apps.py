from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "buergerbuero.statistics"
    label = "statistics"
