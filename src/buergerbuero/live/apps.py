from django.apps import AppConfig
from django.core import checks

from buergerbuero import notify


class LiveConfig(AppConfig):
    name = "buergerbuero.live"
    label = "live"

    def ready(self) -> None:
        # Here, not at module level: both read models, which need the app registry.
        from . import announce, deploy_checks

        notify.listen(announce.deliver)
        checks.register(deploy_checks.ice_servers_are_valid)
