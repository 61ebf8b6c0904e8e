"""A graceful stop (docs/operations.md, "Restarts and upgrades").

When uvicorn is told to stop (SIGTERM from systemd or Kubernetes, SIGINT), this process
stops accepting connections, tells each of its WebSocket clients to reconnect elsewhere
(`reconnect`, then close code 1012 "service restart"), and only then hands the signal on
to uvicorn, which lets running HTTP requests finish (`--timeout-graceful-shutdown`) and
runs the lifespan's shutdown. The browsers (static/bb/socket.js) come back after a
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
# Handshakes under way when the stop came (a socket's first read waiting for the
# database): accepted and told to reconnect, rather than left to uvicorn's stop, which
# answers each with HTTP 500. Bounded: a handshake that hangs gets uvicorn's answer.
HANDSHAKE_WAIT_SECONDS = 3.0

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


def _stop_accepting(server_handler: Handler) -> None:
    """Close the server's listening sockets before the clients are told to come back.
    uvicorn closes them only once it has the signal, after the telling (seconds, with
    thousands of sockets): the first browsers to come back reached this stopping process
    again, waited in its accept queue and were dropped when it exited, 500-1,000 failed
    attempts in a 10,000-socket restart (docs/benchmarks.md, "Reconnect storm"). Now
    they are refused at once and retried, by nginx on another process. uvicorn's own
    stop closes them again, which does nothing; under another server (no uvicorn
    handler to find them through) the order stays uvicorn's."""
    server = getattr(server_handler, "__self__", None)
    for listener in getattr(server, "servers", None) or ():
        try:
            listener.close()
        except Exception:  # what we could not close, uvicorn's stop will
            log.exception("stopping: could not stop accepting connections")


async def _tell_then(hand_on: Handler, sig: int) -> None:
    _stop_accepting(hand_on)
    try:
        async with asyncio.timeout(TELL_TIMEOUT_SECONDS):
            told = await connections.restart_all()
        log.info("stopping: told %d WebSocket clients to reconnect", told)
        try:
            async with asyncio.timeout(HANDSHAKE_WAIT_SECONDS):
                await connections.handshakes_finished()
        except TimeoutError:
            left = connections.handshakes_under_way()
            log.warning("stopping: %d WebSocket handshakes still under way", left)
    except Exception:
        log.exception("stopping: could not tell every WebSocket client to reconnect")
    finally:
        hand_on(sig, None)
