"""One counter per department, raised with every announcement to its consoles.

The channel layer drops an event for a socket whose channel is full ("over capacity")
and says nothing to the socket. So every event to `staff.<department>` carries the
department's next number, and a console that sees a number skipped, or finds on its
heartbeat that the counter went past what it heard, knows it missed something and
starts afresh with a snapshot instead of staying silent. The counters live in Redis when
there is one (several processes announce for the same department); without Redis there
is one process, and they live in its memory.
"""

import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_local: dict[int, int] = {}
_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


def _key(department_id: int) -> str:
    layer: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    prefix = layer.get("CONFIG", {}).get("prefix", "bb")
    return f"{prefix}:staff-seq:{department_id}"


def next_number(department_id: int) -> int:
    """The number of the announcement about to be sent for this department."""
    if settings.REDIS_URL:
        return int(_redis().incr(_key(department_id)))
    with _lock:
        _local[department_id] = _local.get(department_id, 0) + 1
        return _local[department_id]


def current(department_ids: Iterable[int]) -> dict[int, int]:
    """The number of the latest announcement for each department (0: none yet)."""
    ids = list(department_ids)
    if not ids:
        return {}
    if settings.REDIS_URL:
        values = _redis().mget([_key(d) for d in ids])
        return {d: int(v or 0) for d, v in zip(ids, values, strict=True)}
    with _lock:
        return {d: _local.get(d, 0) for d in ids}
