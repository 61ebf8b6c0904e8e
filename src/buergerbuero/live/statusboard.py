"""The public status board's fan-out: one message per process, one direct write per watcher.

Thousands of overview pages watch the board. A Channels consumer per watcher would wake
one coroutine and do one channel-layer operation per watcher for every change
(../shared/notes/live-fanout-measurements.md: 15-25x slower, and the in-memory layer
collapses at a few thousand). Instead each process keeps the ASGI `send` callables of
its watchers in a StatusHub and writes the serialised snapshot to each directly.

Across processes the snapshot travels once per process over a Redis pub/sub channel;
with a single process (no REDIS_URL) the publisher hands it to the hub's loop.
"""

import asyncio
import contextlib
import logging
import types
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from django.conf import settings

from . import connections
from .collector import collector

log = logging.getLogger(__name__)

Send = Callable[[dict], Awaitable[None]]
# A watcher whose socket cannot take a message within this time is dropped rather than
# allowed to hold up everyone after it.
SEND_TIMEOUT_SECONDS = 0.5


class StatusHub:
    def __init__(self) -> None:
        self.watchers: set[Send] = set()
        self.last_text: str | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        # Set by the ASGI lifespan while this process's ticker (and, with Redis, its
        # subscription) keep `last_text` current; only then may pages read the board from
        # memory instead of the database (`board_text`).
        self.kept_current = False
        # One broadcast at a time: a later board never overtakes an earlier one on its
        # way to a watcher (bench/status_stall.py showed it did without).
        self._sending = asyncio.Lock()
        self._snapshot_lock = asyncio.Lock()
        self._closing: set[asyncio.Task] = set()

    def board_text(self) -> str | None:
        """The board as last broadcast, if something keeps it current in this process:
        every announced change arrives here at once (across processes through Redis) and
        the ticker catches anything else (a schedule opening, an admin's edit) within
        one tick. None before the first board, and in a process without the lifespan (a
        test client, a management command): the caller then reads the database."""
        return self.last_text if self.kept_current else None

    def attach(self, send: Send) -> None:
        self.loop = asyncio.get_running_loop()
        self.watchers.add(send)
        collector.attached()

    def detach(self, send: Send) -> None:
        self.watchers.discard(send)

    async def current(self, snapshot: Callable[[], Awaitable[str]]) -> str:
        """The board for a new watcher: after a restart every overview page reconnects at
        once, and only the first of them may compute it from the database."""
        if self.last_text is None:
            async with self._snapshot_lock:
                if self.last_text is None:
                    self.last_text = await snapshot()
        return self.last_text

    async def broadcast(self, text: str) -> int:
        """Write `text` to every watcher of this process; returns how many got it.

        Each watcher's `send` is started by hand (`_start`) rather than awaited: a socket
        that takes the frame at once, which is nearly every one, finishes right there,
        without a timer, a task or a suspension. Only a watcher whose socket is full (its
        send suspends) gets the rest of its send finished under a timeout, alongside the
        others; the broadcast returns when those are done or dropped, so the next one
        cannot overtake it. Per watcher this is what a bare `websockets.broadcast()`
        does; the `asyncio.timeout()` around every send cost 4-7 us each
        (docs/benchmarks.md)."""
        async with self._sending:
            return await self._write_all(text)

    async def broadcast_if_changed(self, text: str) -> bool:
        """Broadcast unless `text` is the board as last broadcast. Compared under the
        lock: a repeat of an older board must not be skipped while a newer one waits."""
        async with self._sending:
            if text == self.last_text:
                return False
            await self._write_all(text)
            return True

    async def _write_all(self, text: str) -> int:
        self.last_text = text
        message = {"type": "websocket.send", "text": text}
        delivered = 0
        behind = []
        for send in list(self.watchers):
            try:
                pending = _start(send(message))
            except Exception:
                self.drop(send)
                continue
            if pending is None:
                delivered += 1
            else:
                behind.append(self._finish(send, pending))
        if behind:
            delivered += sum(await asyncio.gather(*behind))
        return delivered

    async def _finish(self, send: Send, pending: "_Suspended") -> int:
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await pending
        except Exception:
            self.drop(send)
            return 0
        return 1

    def drop(self, send: Send) -> None:
        """Give up on a watcher that cannot take a message. Its close frame is written in
        the background, so a stuck socket holds up nobody else; the browser reconnects."""
        self.watchers.discard(send)

        async def close() -> None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    await send({"type": "websocket.close", "code": 1013})  # try again later

        task = asyncio.get_running_loop().create_task(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


class _Suspended:
    """The rest of a coroutine that `_start` ran up to its first suspension: awaiting
    this goes on driving it, passing the event loop's answers (and a cancellation)
    through, so a timeout around it cancels the send itself."""

    __slots__ = ("coro", "yielded")

    def __init__(self, coro, yielded) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, yielded = self.coro, self.yielded
        while True:
            try:
                value = yield yielded
            except BaseException as error:  # handed on to the send itself, cancellation too
                try:
                    yielded = coro.throw(error)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = coro.send(value)
                except StopIteration as done:
                    return done.value


def _start(awaitable: Awaitable[None]) -> _Suspended | None:
    """Run an ASGI send up to its first suspension: None if it finished (the frame is
    written), else what is left of it. A send that raises raises here."""
    coro = awaitable if type(awaitable) is types.CoroutineType else _awaiting(awaitable)
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    return _Suspended(coro, yielded)


async def _awaiting(awaitable: Awaitable[None]) -> None:
    # ASGI allows a send to return any awaitable (a future, say), not only a coroutine.
    await awaitable


hub = StatusHub()


def publish(text: str) -> None:
    """Called from sync code after a change: reach every process's hub."""
    if settings.REDIS_URL:
        _redis().publish(settings.STATUS_PUBSUB_CHANNEL, text)
        return
    loop = hub.loop
    if loop is not None and not loop.is_closed():
        asyncio.run_coroutine_threadsafe(hub.broadcast_if_changed(text), loop)
    else:
        hub.last_text = text


_redis_client = None


def _redis():
    global _redis_client
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_client


async def subscribe_forever(stop: asyncio.Event) -> None:
    """Feed this process's hub from the Redis pub/sub channel until `stop` is set."""
    import redis.asyncio as aioredis

    backoff = 0.5
    while not stop.is_set():
        client = aioredis.Redis.from_url(settings.REDIS_URL)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(settings.STATUS_PUBSUB_CHANNEL)
                backoff = 0.5
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        data = message["data"]
                        # A change that leaves the board as it was (one clerk of several
                        # stepping away) is not sent again to every watcher.
                        text = data.decode() if isinstance(data, bytes) else data
                        await hub.broadcast_if_changed(text)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # One line when the subscription is lost, not one (with a traceback) per retry.
            if backoff == 0.5:
                log.warning(
                    "status board subscription lost (%s: %s); retrying until Redis answers",
                    type(error).__name__,
                    error,
                )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10)
        finally:
            await client.aclose()


class StatusBoardApp:
    """Raw ASGI WebSocket endpoint: no consumer, no channel layer, no session lookup.

    The watcher only listens; anything it sends is ignored (it cannot change anything).
    The hub keeps the server's own `send` (no wrapper per watcher; the socket is counted
    by `connections.opened`), and this coroutine is the only one a watcher keeps
    besides the server's: `application.StatusFirst` routes it here directly.
    """

    def __init__(self, hub: StatusHub, snapshot: Callable[[], Awaitable[str]]):
        self.hub = hub
        self.snapshot = snapshot

    async def __call__(self, scope, receive, send) -> None:
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        connection = connections.opened("status", send)
        try:
            await send({"type": "websocket.send", "text": await self.hub.current(self.snapshot)})
            # Nothing reads the request's headers after the handshake, but the server keeps
            # the scope for the socket's life: about a twentieth of an idle watcher.
            if isinstance(scope.get("headers"), list):
                scope["headers"].clear()
            self.hub.attach(send)
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
        finally:
            self.hub.detach(send)
            connections.closed("status", connection)
