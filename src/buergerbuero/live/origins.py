"""Which pages may open a personal socket: exactly the office's own origins.

Channels' AllowedHostsOriginValidator compares the Origin's host with ALLOWED_HOSTS and
ignores scheme and port, so a page on `http://127.0.0.1:9999` (any other program on the
same host) or on plain `http://` beside an `https://` office could open a citizen's socket
with the visitor's cookies. Here scheme, host and port must all match one of
settings.WEBSOCKET_ALLOWED_ORIGINS, read on every handshake.
"""

from urllib.parse import ParseResult, urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalised(origin: ParseResult) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the scheme's default port filled in; None for anything
    that is not an http(s) origin (`null`, a bare word, a bad port)."""
    scheme = origin.scheme.lower()
    try:
        port = origin.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not origin.hostname or origin.path not in ("", "/"):
        return None
    return scheme, origin.hostname.lower(), port or DEFAULT_PORTS[scheme]


def allowed_origins() -> set[tuple[str, str, int]]:
    return {
        origin
        for text in settings.WEBSOCKET_ALLOWED_ORIGINS
        if (origin := normalised(urlparse(text))) is not None
    }


class ExactOriginValidator(OriginValidator):
    """Refuses the handshake (403) unless the Origin is one of the office's own."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    def valid_origin(self, parsed_origin) -> bool:
        if parsed_origin is None:
            return False
        origin = normalised(parsed_origin)
        return origin is not None and origin in allowed_origins()
