"""The Redis channel layer loses no event when a socket closes (live/channel_layer.py).

A real redis-server of the test's own. Socket A's receive holds the layer's lock and
waits in Redis for the process's next event; an event for socket B arrives just as A's
socket closes (its receive is cancelled). B must get it. With channels-redis's own layer
the event was lost in most such moments; which moment loses it depends on the event
loop's steps, so every step from 0 to 11 is tried, three times.
"""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer as PlainRedisChannelLayer

from buergerbuero.live.channel_layer import RedisChannelLayer

from ..services import OwnRedis

ROUNDS = 3
STEPS = 12


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    redis = OwnRedis(tmp_path_factory.mktemp("redis") / "redis.log")
    redis.start()
    yield redis.url()
    redis.stop()


async def events_lost(layer) -> int:
    lost = 0
    for number in range(ROUNDS * STEPS):
        a, b = await layer.new_channel(), await layer.new_channel()
        closing = asyncio.ensure_future(layer.receive(a))
        await asyncio.sleep(0.02)  # A holds the lock, waiting in Redis
        waiting = asyncio.ensure_future(layer.receive(b))
        await asyncio.sleep(0.01)
        sending = asyncio.ensure_future(layer.send(b, {"type": "offer", "n": number}))
        for _ in range(number % STEPS):
            await asyncio.sleep(0)
        closing.cancel()  # A's socket closes
        await sending
        try:
            assert (await asyncio.wait_for(waiting, 1))["n"] == number
        except TimeoutError:
            lost += 1
            waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
    await layer.flush()
    return lost


def test_an_event_arriving_as_another_socket_closes_is_not_lost(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url], prefix="bb-test")
    assert asyncio.run(events_lost(layer)) == 0


def test_channels_redis_alone_loses_such_events(redis_url):
    """Why the layer of our own is there: the moment is real and the test finds it."""
    layer = PlainRedisChannelLayer(hosts=[redis_url], prefix="bb-test-plain")
    assert asyncio.run(events_lost(layer)) > 0


def test_events_for_a_closed_socket_are_not_kept(redis_url):
    """A socket that closed reads nothing more: what still comes for it (a group event
    sent before it left its groups) is dropped, not kept in a buffer for ever."""

    async def scenario():
        layer = RedisChannelLayer(hosts=[redis_url], prefix="bb-test-closed")
        gone, here = await layer.new_channel(), await layer.new_channel()
        closing = asyncio.ensure_future(layer.receive(gone))
        await asyncio.sleep(0.02)
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await closing
        waiting = asyncio.ensure_future(layer.receive(here))
        await layer.send(gone, {"type": "late"})
        await layer.send(here, {"type": "on time"})
        assert (await asyncio.wait_for(waiting, 3))["type"] == "on time"
        kept = set(layer.receive_buffer)
        await layer.flush()
        return kept

    assert asyncio.run(scenario()) == set()
