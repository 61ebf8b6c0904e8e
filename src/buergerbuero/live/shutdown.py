"""A graceful stop (docs/operations.md, "Restarts and upgrades").

When uvicorn is told to stop (SIGTERM from systemd or Kubernetes, SIGINT), this process
first tells each of its WebSocket clients to reconnect elsewhere (`reconnect`, then close
code 1012 "service restart"), and only then hands the signal on to uvicorn, which stops
accepting connections, lets running HTTP requests finish (`--timeout-graceful-shutdown`)
and runs the lifespan's shutdown. The browsers (static/bb/socket.js) come back after a
random pause of up to a few seconds, to another process behind nginx or to this one
restarted; everything a socket shows is read from the database on connecting, so a
waiting citizen keeps their place (the entry stays waiting for QUEUE_GRACE_SECONDS).

uvicorn installs its handlers with `signal.signal` before the lifespan starts; `install`
(called from the lifespan's startup) puts ours in front and keeps uvicorn's to call.
"""

import asyncio
import contextvars
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from . import connections

Handler = Callable[[int, FrameType | None], Any]

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)
# The clients are told at once; this only bounds a process whose sockets all hang.
TELL_TIMEOUT_SECONDS = 5.0

_draining = False


def draining() -> bool:
    """Whether this process is stopping (then /readyz answers 503)."""
    return _draining


def install(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Put our handler in front of the server's for SIGTERM and SIGINT; returns a
    function that puts the server's back."""
    previous: dict[int, Handler] = {}
    for sig in SIGNALS:
        handler = signal.getsignal(sig)
        if not callable(handler):
            # Not under a server that handles the signals itself (a test's lifespan):
            # leave them alone, a stop there is nobody's restart.
            return lambda: None
        previous[sig] = handler

    def handle(sig: int, frame: FrameType | None) -> None:
        global _draining
        hand_on = previous[sig]
        if _draining:
            hand_on(sig, frame)  # a second signal: the server's own impatience
            return
        _draining = True
        # In a context of its own: the signal may arrive while a request's runs.
        loop.call_soon_threadsafe(
            lambda: loop.create_task(_tell_then(hand_on, sig), context=contextvars.Context())
        )

    for sig in SIGNALS:
        signal.signal(sig, handle)

    def uninstall() -> None:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, handler)

    return uninstall


async def _tell_then(hand_on: Handler, sig: int) -> None:
    try:
        async with asyncio.timeout(TELL_TIMEOUT_SECONDS):
            told = await connections.restart_all()
        log.info("stopping: told %d WebSocket clients to reconnect", told)
    except Exception:
        log.exception("stopping: could not tell every WebSocket client to reconnect")
    finally:
        hand_on(sig, None)
