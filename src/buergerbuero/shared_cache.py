"""Django's Redis cache with one connection pool per process and server.

Django keeps a cache object per async context, and its Redis client keeps a connection
pool per cache object. Under ASGI every request runs in a context of its own, so every
request that counted a rate limit built a pool and opened a new connection to Redis (a
tenth of a knock's server time in the profile: docs/benchmarks.md, "Knock to staff
alert"), and left it for the garbage collector to close. redis-py's pools are
thread-safe, so the processes' requests share one.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


class SharedPoolClient(RedisCacheClient):
    # Set by RedisCacheClient itself; django-stubs leave its private parts out.
    _servers: list[str]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _get_connection_pool_index: Callable[[bool], int]

    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, repr(sorted(self._pool_options.items())))
        pool = _pools.get(key)
        if pool is None:
            with _lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(server, **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolClient
