from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from buergerbuero import logs, notify


class LiveConfig(AppConfig):
    name = "buergerbuero.live"
    label = "live"

    def ready(self) -> None:
        # Here, not at module level: both read models, which need the app registry.
        from . import announce, deploy_checks

        notify.listen(announce.deliver)
        # After settings.LOGGING: no secret path segment, no client's fault as an error.
        logs.install(settings.LOG_FORMAT)
        checks.register(deploy_checks.ice_servers_are_valid)
