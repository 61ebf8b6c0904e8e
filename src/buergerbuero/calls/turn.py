"""ICE server configuration with short-lived TURN credentials.

coturn's REST-API scheme (`use-auth-secret` + `static-auth-secret`): the username is
"<expiry unix time>:<id>", the password base64(HMAC-SHA1(secret, username)). coturn
recomputes the HMAC and refuses expired usernames, so no per-user state is shared.
"""

import base64
import hashlib
import hmac
import secrets
import time

from django.conf import settings


def turn_credentials(user_id: str, secret: str, ttl_seconds: int, now: float | None = None) -> dict:
    expiry = int((now if now is not None else time.time()) + ttl_seconds)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode()}


def ice_servers_for(participant_id: str) -> list[dict]:
    """ICE servers for one participant. The TURN user part is random, not the participant
    id, so the relay's logs cannot be linked to a consultation (docs/deploy.md)."""
    del participant_id  # each call gets fresh, unlinkable credentials
    servers = [dict(server) for server in settings.ICE_SERVERS]
    if settings.TURN_URLS and settings.TURN_SECRET:
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                **turn_credentials(
                    secrets.token_hex(8), settings.TURN_SECRET, settings.TURN_CREDENTIAL_TTL_SECONDS
                ),
            }
        )
    return servers
