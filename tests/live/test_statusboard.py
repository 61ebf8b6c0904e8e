"""The public status board's hub: snapshot on connect, direct fan-out, Redis across processes."""

import asyncio
import os
import secrets

import pytest
from channels.testing import WebsocketCommunicator

from buergerbuero.live import statusboard
from buergerbuero.live.statusboard import StatusBoardApp, StatusHub, hub, publish, subscribe_forever
from buergerbuero.staff.presence import set_presence

from .support import TIMEOUT, receive, run

# Redis mode is tested in every run (not skipped in the SQLite one): the Redis of the
# test run, or the local one; an unreachable Redis fails these tests.
TEST_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
)


@pytest.fixture
def redis_mode(settings):
    settings.REDIS_URL = TEST_REDIS_URL
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": settings.REDIS_CHANNEL_LAYER,
            "CONFIG": {"hosts": [TEST_REDIS_URL], "prefix": f"bbtest{secrets.token_hex(4)}"},
        }
    }
    return settings


needs_redis = pytest.mark.usefixtures("redis_mode")


@pytest.fixture
def fresh_hub():
    """The process-wide hub, emptied before and after: it outlives every test."""

    def reset():
        hub.watchers.clear()
        hub.last_text = None
        hub.loop = None

    reset()
    yield hub
    reset()


@pytest.fixture
def in_memory_mode(settings):
    settings.REDIS_URL = ""


class Watcher:
    """An ASGI `send` that records what the hub writes to it."""

    def __init__(self):
        self.received: asyncio.Queue = asyncio.Queue()

    async def __call__(self, message):
        await self.received.put(message)

    async def next_text(self) -> str:
        message = await asyncio.wait_for(self.received.get(), TIMEOUT)
        assert message["type"] == "websocket.send", message
        return message["text"]


async def snapshot_text() -> str:
    return '{"type":"status","departments":[]}'


async def connect_watcher(app) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, "/ws/status/")
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected is True
    return communicator


async def test_status_board_app_sends_snapshot_on_connect():
    own_hub = StatusHub()
    watcher = await connect_watcher(StatusBoardApp(own_hub, snapshot_text))
    assert await watcher.receive_from(timeout=TIMEOUT) == '{"type":"status","departments":[]}'
    assert len(own_hub.watchers) == 1
    await watcher.disconnect()
    assert own_hub.watchers == set()


async def test_status_board_app_sends_last_broadcast_instead_of_a_query():
    own_hub = StatusHub()
    own_hub.last_text = '{"type":"status","departments":["cached"]}'

    async def must_not_run():
        raise AssertionError("snapshot queried although the hub has the latest board")

    watcher = await connect_watcher(StatusBoardApp(own_hub, must_not_run))
    assert (
        await watcher.receive_from(timeout=TIMEOUT) == '{"type":"status","departments":["cached"]}'
    )
    await watcher.disconnect()


async def test_status_board_app_ignores_what_watchers_send():
    own_hub = StatusHub()
    watcher = await connect_watcher(StatusBoardApp(own_hub, snapshot_text))
    await watcher.receive_from(timeout=TIMEOUT)
    await watcher.send_to(text_data='{"type":"admit","entry":"x"}')
    assert await watcher.receive_nothing(timeout=0.1)
    assert await broadcast(own_hub, "next") == 1
    assert await watcher.receive_from(timeout=TIMEOUT) == "next"
    await watcher.disconnect()


async def test_hub_broadcast_reaches_every_attached_watcher():
    own_hub = StatusHub()
    app = StatusBoardApp(own_hub, snapshot_text)
    watchers = [await connect_watcher(app) for _ in range(3)]
    for watcher in watchers:
        await watcher.receive_from(timeout=TIMEOUT)

    assert await broadcast(own_hub, '{"type":"status","departments":[1]}') == 3

    assert [await w.receive_from(timeout=TIMEOUT) for w in watchers] == [
        '{"type":"status","departments":[1]}'
    ] * 3
    assert own_hub.last_text == '{"type":"status","departments":[1]}'
    for watcher in watchers:
        await watcher.disconnect()


async def broadcast(own_hub, text) -> int:
    # Bounded: a hub that hangs on one watcher fails here instead of stalling the run.
    return await asyncio.wait_for(own_hub.broadcast(text), TIMEOUT)


async def test_hub_broadcast_drops_a_watcher_whose_send_raises():
    own_hub = StatusHub()
    healthy = Watcher()
    offered = []

    async def broken(message):
        offered.append(message)
        raise OSError("connection reset")

    own_hub.attach(healthy)
    own_hub.attach(broken)

    assert await broadcast(own_hub, "one") == 1
    assert await healthy.next_text() == "one"
    assert own_hub.watchers == {healthy}
    # It was asked to come back later, once, and then left alone.
    assert offered == [
        {"type": "websocket.send", "text": "one"},
        {"type": "websocket.close", "code": 1013},
    ]
    assert await broadcast(own_hub, "two") == 1
    assert len(offered) == 2


async def test_hub_broadcast_drops_a_watcher_that_does_not_take_the_message(monkeypatch):
    monkeypatch.setattr(statusboard, "SEND_TIMEOUT_SECONDS", 0.05)
    own_hub = StatusHub()
    healthy = Watcher()

    async def stuck(message):
        await asyncio.Event().wait()

    own_hub.attach(stuck)
    own_hub.attach(healthy)

    assert await broadcast(own_hub, "one") == 1
    assert await healthy.next_text() == "one"
    assert own_hub.watchers == {healthy}


async def test_hub_broadcast_if_changed_skips_repeats():
    own_hub = StatusHub()
    watcher = Watcher()
    own_hub.attach(watcher)
    assert [
        await own_hub.broadcast_if_changed("a"),
        await own_hub.broadcast_if_changed("a"),
        await own_hub.broadcast_if_changed("b"),
    ] == [True, False, True]
    assert [await watcher.next_text(), await watcher.next_text()] == ["a", "b"]
    assert watcher.received.empty()


async def test_publish_in_memory_mode_reaches_the_hub_from_another_thread(
    fresh_hub, in_memory_mode
):
    watcher = Watcher()
    fresh_hub.attach(watcher)
    await asyncio.to_thread(publish, '{"type":"status","departments":["threaded"]}')
    assert await watcher.next_text() == '{"type":"status","departments":["threaded"]}'


def test_publish_in_memory_mode_without_running_hub_keeps_the_text(fresh_hub, in_memory_mode):
    publish('{"type":"status","departments":["later"]}')
    assert fresh_hub.last_text == '{"type":"status","departments":["later"]}'


@pytest.fixture
def wohngeld(make_department, make_staff):
    """An always-open department whose only clerk is offline; returns the clerk."""
    department = make_department(slug="wohngeld", name="Wohngeld")
    return make_staff(department, presence="offline")


@pytest.mark.django_db(transaction=True)
async def test_status_socket_routed_snapshot_is_the_board(fresh_hub, wohngeld, sockets):
    socket = await sockets.connect("/ws/status/", origin=None)
    assert await receive(socket) == {
        "type": "status",
        "departments": [
            {
                "slug": "wohngeld",
                "name": "Wohngeld",
                "state": "closed",
                "next_opening": None,
                "time_zone": "Europe/Berlin",
            }
        ],
    }


@pytest.mark.django_db(transaction=True)
async def test_status_socket_staff_presence_updates_watchers_in_memory_mode(
    fresh_hub, in_memory_mode, wohngeld, sockets
):
    socket = await sockets.connect("/ws/status/", origin=b"https://www.kreis.example")
    assert (await receive(socket))["departments"][0]["state"] == "closed"

    await run(lambda: set_presence(wohngeld.staff_profile, "available"))()

    assert (await receive(socket))["departments"][0]["state"] == "open"


# --- Redis mode: one pub/sub channel feeds each process's hub ------------------------------
async def wait_for_subscriber(channel: str) -> None:
    """Until the subscription is live; a Redis that is not there fails the test here."""
    import redis.asyncio as aioredis
    from django.conf import settings

    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        async with asyncio.timeout(TIMEOUT):
            while True:
                counts = dict(await client.pubsub_numsub(channel))
                if counts.get(channel.encode(), 0) >= 1:
                    return
                await asyncio.sleep(0.01)
    finally:
        await client.aclose()


@needs_redis
async def test_publish_redis_mode_goes_through_pubsub_not_the_local_hub(fresh_hub, settings):
    import redis.asyncio as aioredis

    assert settings.REDIS_URL
    watcher = Watcher()
    fresh_hub.attach(watcher)
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(settings.STATUS_PUBSUB_CHANNEL)
            await asyncio.to_thread(publish, '{"type":"status","departments":["redis"]}')
            async with asyncio.timeout(TIMEOUT):
                while (
                    message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                ) is None:
                    pass
    finally:
        await client.aclose()
    assert message["data"] == b'{"type":"status","departments":["redis"]}'
    # Only the subscription feeds the hub; nothing was written to the watcher directly.
    assert watcher.received.empty()


@needs_redis
async def test_subscribe_forever_delivers_published_board_to_the_hub(fresh_hub, settings):
    assert settings.REDIS_URL
    watcher = Watcher()
    fresh_hub.attach(watcher)
    stop = asyncio.Event()
    task = asyncio.create_task(subscribe_forever(stop))
    try:
        await wait_for_subscriber(settings.STATUS_PUBSUB_CHANNEL)
        await asyncio.to_thread(publish, '{"type":"status","departments":["one"]}')
        # A change that leaves the board as it was is not sent to every watcher again.
        await asyncio.to_thread(publish, '{"type":"status","departments":["one"]}')
        await asyncio.to_thread(publish, '{"type":"status","departments":["two"]}')
        assert [await watcher.next_text(), await watcher.next_text()] == [
            '{"type":"status","departments":["one"]}',
            '{"type":"status","departments":["two"]}',
        ]
        assert watcher.received.empty()
        assert fresh_hub.last_text == '{"type":"status","departments":["two"]}'
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)
    assert task.result() is None


@needs_redis
@pytest.mark.django_db(transaction=True)
async def test_status_socket_staff_presence_updates_watchers_redis_mode(
    fresh_hub, settings, wohngeld, sockets
):
    assert settings.REDIS_URL
    stop = asyncio.Event()
    task = asyncio.create_task(subscribe_forever(stop))
    try:
        await wait_for_subscriber(settings.STATUS_PUBSUB_CHANNEL)
        socket = await sockets.connect("/ws/status/", origin=None)
        assert (await receive(socket))["departments"][0]["state"] == "closed"

        await run(lambda: set_presence(wohngeld.staff_profile, "available"))()

        assert (await receive(socket))["departments"][0]["state"] == "open"
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)


async def test_hub_a_stuck_watcher_costs_the_others_one_send_timeout_at_most():
    """bench/status_stall.py: a watcher that stopped reading held everyone up for 4 s."""
    from buergerbuero.live.statusboard import SEND_TIMEOUT_SECONDS

    stuck_forever = asyncio.Event()

    async def stuck(message):
        await stuck_forever.wait()

    hub_ = StatusHub()
    healthy = Watcher()
    hub_.attach(stuck)
    hub_.attach(healthy)
    started = asyncio.get_running_loop().time()
    assert await hub_.broadcast('{"n":1}') == 1
    assert asyncio.get_running_loop().time() - started < SEND_TIMEOUT_SECONDS + 0.3
    assert await healthy.next_text() == '{"n":1}'
    assert hub_.watchers == {healthy}


async def test_hub_concurrent_broadcasts_arrive_in_order():
    hub_ = StatusHub()
    slow_then_fast = Watcher()
    gate = asyncio.Event()

    async def slow(message):
        await gate.wait()

    hub_.attach(slow)
    hub_.attach(slow_then_fast)
    first = asyncio.create_task(hub_.broadcast('{"n":1}'))
    await asyncio.sleep(0)
    second = asyncio.create_task(hub_.broadcast('{"n":2}'))
    gate.set()
    await asyncio.gather(first, second)
    assert [await slow_then_fast.next_text(), await slow_then_fast.next_text()] == [
        '{"n":1}',
        '{"n":2}',
    ]
    assert hub_.last_text == '{"n":2}'


async def test_hub_a_full_socket_holds_up_nobody_and_gets_the_board_once_it_drains(monkeypatch):
    """Only a watcher whose send suspends is finished under the timeout, alongside the
    others: the healthy one has the board while the full one is still waiting."""
    monkeypatch.setattr(statusboard, "SEND_TIMEOUT_SECONDS", 5.0)
    drained = asyncio.Event()
    written = []

    async def full(message):
        await drained.wait()
        written.append(message["text"])

    hub_ = StatusHub()
    healthy = Watcher()
    hub_.attach(full)
    hub_.attach(healthy)
    broadcasting = asyncio.create_task(hub_.broadcast('{"n":1}'))
    assert await asyncio.wait_for(healthy.next_text(), 1.0) == '{"n":1}'
    assert written == []
    assert not broadcasting.done()  # the next broadcast waits for the full socket
    drained.set()
    assert await asyncio.wait_for(broadcasting, TIMEOUT) == 2
    assert written == ['{"n":1}']
    assert hub_.watchers == {full, healthy}


async def test_hub_timeout_cancels_the_send_that_did_not_finish(monkeypatch):
    monkeypatch.setattr(statusboard, "SEND_TIMEOUT_SECONDS", 0.05)
    ended = []

    async def stuck(message):
        if message["type"] == "websocket.close":
            return
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise

    hub_ = StatusHub()
    hub_.attach(stuck)
    assert await hub_.broadcast('{"n":1}') == 0
    assert ended == ["cancelled"]
    assert hub_.watchers == set()


async def test_hub_writes_through_a_send_that_is_not_a_coroutine():
    """ASGI allows any awaitable; a future that is already done is written at once."""
    hub_ = StatusHub()
    written = []

    def send(message):
        written.append(message["text"])
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    hub_.attach(send)
    assert await hub_.broadcast('{"n":1}') == 1
    assert written == ['{"n":1}']
