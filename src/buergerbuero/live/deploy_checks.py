"""`manage.py check` for the live part's settings: a mistake shows at start-up, not in
the first call of the day."""

from django.conf import settings
from django.core import checks
from pydantic import ValidationError

from .outgoing import IceServer


def ice_servers_are_valid(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for index, server in enumerate(settings.ICE_SERVERS):
        try:
            IceServer.model_validate(server)
        except ValidationError as error:
            errors.append(
                checks.Error(
                    f"ICE_SERVERS[{index}] is not an RTCIceServer: {error.errors()[0]['msg']}",
                    hint='Each entry needs "urls" (a string or list); only "username" and '
                    '"credential" may be added.',
                    id="buergerbuero.E101",
                )
            )
    return errors
