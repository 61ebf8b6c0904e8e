"""Per-client rate limits over Django's cache (Redis with several processes).

Fixed windows: good enough to stop a script hammering booking or code guessing, cheap
enough to run on every request.

Fail safe: when the shared cache cannot be reached, the counters live in this process's
memory until it answers again (one WARNING in the log). A limit then holds per process
rather than across all of them, but it still holds, and no request fails because Redis
is down. Stopping Redis therefore never lifts a limit.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from .outage import UNREACHABLE, Outage

log = logging.getLogger(__name__)
# After a failure the shared cache is asked again only after this pause, so an outage
# costs a request no connection attempt (or timeout) of its own.
RETRY_SHARED_AFTER_SECONDS = 5.0

_local = LocMemCache("buergerbuero-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_outage = Outage(
    log, "the shared cache (rate limits)", "counting in this process until it answers again"
)
_retry_at = 0.0
_retry_lock = threading.Lock()


def client_address(request) -> str:
    # Behind the documented reverse proxy, X-Forwarded-For's last hop is the proxy's view
    # of the client; without one, REMOTE_ADDR.
    forwarded = (
        request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.TRUST_X_FORWARDED_FOR else ""
    )
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "unknown")


def _count_in(store: BaseCache, key: str, window: int) -> int:
    if store.add(key, 1, timeout=window):
        return 1
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr: a new window
        store.add(key, 1, timeout=window)
        return 1


def count(key: str, window: int) -> int:
    """Count one more event under `key` for `window` seconds; the count so far."""
    global _retry_at
    if time.monotonic() >= _retry_at:
        try:
            counted = _count_in(cache, key, window)
        except UNREACHABLE as error:
            _outage.failed(error)
            with _retry_lock:
                _retry_at = time.monotonic() + RETRY_SHARED_AFTER_SECONDS
        else:
            _outage.recovered()
            return counted
    return _count_in(_local, key, window)


def forget(key: str) -> None:
    """Drop a count (shared and local)."""
    _local.delete(key)
    try:
        cache.delete(key)
    except UNREACHABLE as error:
        _outage.failed(error)


def allow(request, action: str) -> bool:
    """Count this request; False once the client is over the limit for `action`."""
    limit, window = settings.RATE_LIMITS[action]
    key = f"rl:{action}:{client_address(request)}:{int(time.time() // window)}"
    return count(key, window) <= limit
