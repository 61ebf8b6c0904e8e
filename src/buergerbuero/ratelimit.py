"""Per-client rate limits over Django's cache (Redis with several processes).

Fixed windows: good enough to stop a script hammering booking or code guessing, cheap
enough to run on every request.
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    # Behind the documented reverse proxy, X-Forwarded-For's last hop is the proxy's view
    # of the client; without one, REMOTE_ADDR.
    forwarded = (
        request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.TRUST_X_FORWARDED_FOR else ""
    )
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "unknown")


def allow(request, action: str) -> bool:
    """Count this request; False once the client is over the limit for `action`."""
    limit, window = settings.RATE_LIMITS[action]
    key = f"rl:{action}:{client_address(request)}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
