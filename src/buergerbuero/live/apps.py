from django.apps import AppConfig
from django.core import checks


class LiveConfig(AppConfig):
    name = "buergerbuero.live"
    label = "live"

    def ready(self) -> None:
        from buergerbuero import notify

        from . import announce, deploy_checks

        # Here, not at import: the listener needs the app registry (it reads the board).
        notify.listen(announce.deliver)
        checks.register(deploy_checks.ice_servers_are_valid)
