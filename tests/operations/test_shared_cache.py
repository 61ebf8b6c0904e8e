"""The Redis cache (rate limits) shares one connection pool per process: Django makes a
cache object per request under ASGI, and with its own backend each of them opened a
connection of its own. A real redis-server of this test's own, stopped and started."""

import threading

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from buergerbuero.shared_cache import SharedPoolRedisCache

from ..services import OwnRedis


@pytest.fixture
def redis_server(tmp_path):
    server = OwnRedis(tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


def connections_received(cache) -> int:
    info = cache._cache.get_client(write=True).info("stats")
    return int(info["total_connections_received"])


def count_in_new_objects(backend, url: str, times: int) -> None:
    """What Django does under ASGI: a cache object per request, each from its own thread."""

    def one():
        cache = backend(url, {"KEY_PREFIX": "t"})
        if not cache.add("hits", 1):
            cache.incr("hits")

    for _ in range(times):
        thread = threading.Thread(target=one)
        thread.start()
        thread.join()


def test_requests_share_one_connection_where_django_opened_one_each(redis_server):
    url = redis_server.url()
    probe = RedisCache(url, {"KEY_PREFIX": "t"})
    before = connections_received(probe)
    count_in_new_objects(RedisCache, url, 20)
    django_default = connections_received(probe) - before
    count_in_new_objects(SharedPoolRedisCache, url, 20)
    shared = connections_received(probe) - before - django_default
    assert django_default >= 20
    assert shared <= 1
    assert probe.get("hits") == 40


def test_the_shared_pool_reconnects_after_redis_restarts(redis_server):
    cache = SharedPoolRedisCache(redis_server.url(), {"KEY_PREFIX": "t"})
    cache.set("before", 1)
    redis_server.stop()
    with pytest.raises(RedisConnectionError):
        cache.get("before")
    redis_server.start()  # the same port, nothing kept
    # The pool's dead connection is dropped on the failure; the next call connects anew.
    assert SharedPoolRedisCache(redis_server.url(), {"KEY_PREFIX": "t"}).get("before") is None
    assert cache.add("after", 2) and cache.get("after") == 2
