from django.apps import AppConfig
from django.core import checks


class OperationsConfig(AppConfig):
    """Probes, error pages and the deployment checks: the office as the county's IT runs it
    (docs/operations.md)."""

    name = "buergerbuero.operations"
    label = "operations"

    def ready(self) -> None:
        # Here, not at module level: the checks read settings once the registry is ready.
        from django.db.backends.signals import connection_created

        from . import db_metrics, deploy_checks

        connection_created.connect(db_metrics.install, dispatch_uid="bb-db-metrics")
        for check in deploy_checks.ALL:
            checks.register(check, checks.Tags.security, deploy=True)
