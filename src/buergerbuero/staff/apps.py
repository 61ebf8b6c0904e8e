from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "buergerbuero.staff"
    label = "staff"

    def ready(self) -> None:
        # Inside ready(): the signal handlers import models (see docs/architecture.md).
        from . import signals  # noqa: F401
