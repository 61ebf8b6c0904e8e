"""The ASGI application: HTTP to Django, WebSockets to the live endpoints, lifespan for
the per-process background tasks."""

import asyncio
import contextlib
import logging
import os

from channels.db import database_sync_to_async
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.db import DatabaseError
from django.urls import path, re_path

from buergerbuero.operations import metrics, running

from . import shutdown, ticker
from .collector import collector
from .connections import Tracked
from .console_consumer import ConsoleConsumer
from .opening_reads import opening_read
from .origins import ExactOriginValidator
from .request_ids import RequestIds
from .room_consumer import RoomConsumer
from .staff_sessions import StaffSessionAuthStack
from .statusboard import StatusBoardApp, hub, subscribe_forever
from .waiting_consumer import WaitingConsumer

log = logging.getLogger(__name__)
# How long a start may wait for the first board (a database that hangs rather than refuses).
FIRST_BOARD_SECONDS = 5.0


def personal(consumer, opening=database_sync_to_async):
    """Sockets that carry one person's data: session and login, and our own origin only,
    scheme, host and port (so another site cannot open them with the visitor's cookies);
    staff sessions under the idle timeout and second-factor rule of the pages.
    `opening`: where the look-up of who is on the socket runs (opening_reads.py)."""
    return ExactOriginValidator(StaffSessionAuthStack(consumer.as_asgi(), opening))


def websocket_router():
    # /ws/status/ does not reach the URL router: StatusFirst takes it before.
    # (Plain ASGI apps in Django's path(), as Channels routes them; django-stubs' path()
    # knows only views.) Each counted for /metrics and told to reconnect when the process
    # stops (connections.py).
    routes = [
        path("ws/warteraum/<slug:entry_id>/", Tracked("waiting", personal(WaitingConsumer))),  # type: ignore[arg-type]
        path("ws/konsole/", Tracked("console", personal(ConsoleConsumer))),  # type: ignore[arg-type]
        # A call's sockets open beside the database thread (opening_reads.py).
        path("ws/raum/<slug:room_id>/", Tracked("room", personal(RoomConsumer, opening_read))),  # type: ignore[arg-type]
        # Anything else: refused at the handshake (HTTP 403), not a routing error.
        re_path(r"", no_such_socket),  # type: ignore[arg-type]
    ]
    return StatusFirst(StatusBoardApp(hub, ticker.snapshot), URLRouter(routes))  # type: ignore[arg-type]


async def no_such_socket(scope, receive, send) -> None:
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


class Lifespan:
    """Starts the ticker and (with Redis) the status subscription in each process, and
    puts the graceful stop's signal handler in front of the server's (shutdown.py)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        stop = asyncio.Event()
        tasks: list[asyncio.Task] = []
        uninstall = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Marks the SQLite file as in use (a restore refuses meanwhile); waits
                # for a restore under way.
                await asyncio.to_thread(running.hold)
                tasks.append(asyncio.create_task(ticker.run_forever(stop)))
                if settings.REDIS_URL:
                    tasks.append(asyncio.create_task(subscribe_forever(stop)))
                hub.loop = asyncio.get_running_loop()
                uninstall = shutdown.install(hub.loop)
                await first_board()
                hub.kept_current = True
                # Last: what start-up made lives as long as the process (collector.py).
                collector.enable()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                hub.kept_current = False
                collector.disable()
                stop.set()
                if uninstall is not None:
                    uninstall()
                metrics.process_exited(os.getpid())
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                running.release()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def first_board() -> None:
    """The status board read before the process listens (uvicorn runs the lifespan's
    start first). After a restart the first watcher would otherwise wait for it behind
    every other socket's trip to the database thread: 7 s in a 10,000-watcher storm
    (docs/benchmarks.md, "Reconnect storm"). Without a database the start goes on, and
    the first watcher asks again."""
    try:
        async with asyncio.timeout(FIRST_BOARD_SECONDS):
            await hub.current(ticker.snapshot)
    except (DatabaseError, TimeoutError) as error:
        log.warning(
            "no status board at the start (%s: %s): the first watcher will read it",
            type(error).__name__,
            error,
        )


class StatusFirst:
    """The public board's sockets straight to their endpoint, everything else on.

    The board is read-only public data: no session, no origin check, so the county's own
    homepage may watch it too. Ten thousand of them may be open in one process, so each
    should cost as little as the bare `websockets` library's: skipping the lifespan
    wrapper, Channels' two routers (each a coroutine kept for the socket's life, the
    URL router a copy of the scope too) is about a fifth of an idle watcher's memory and
    of the objects the garbage collector walks (docs/benchmarks.md). Not a coroutine
    itself, for the same reason: it returns the endpoint's."""

    # For asgiref (Channels' routers, the test communicator): one call with all three
    # arguments, although __call__ is not a coroutine function.
    _asgi_single_callable = True

    def __init__(self, status, app) -> None:
        self.status = status
        self.app = app

    def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and scope["path"] == STATUS_PATH:
            return self.status(scope, receive, send)
        return self.app(scope, receive, send)


STATUS_PATH = "/ws/status/"


def build_application(django_app):
    sockets = websocket_router()
    # The board's sockets leave before the lifespan wrapper and Channels' protocol
    # router too; the others pass `sockets`' own check on their way to the URL router.
    return RequestIds(
        StatusFirst(
            sockets.status,
            Lifespan(ProtocolTypeRouter({"http": django_app, "websocket": sockets})),
        )
    )
