"""The open WebSockets of this process, per endpoint: counted for /metrics and told to
reconnect elsewhere when the process stops (`restart_all`, from live/shutdown.py).

`Tracked` wraps an endpoint's ASGI app and watches what it sends: a socket counts from
its `websocket.accept` until its app returns. Once the process has sent a socket its
`reconnect` message and close frame, whatever the app still sends to it is dropped
(uvicorn refuses anything after a close).
"""

import asyncio
import contextlib
import json

from prometheus_client import Gauge

from . import outgoing

# RFC 6455 1012, "service restart": the browser comes back, after a spread pause.
CLOSE_SERVICE_RESTART = 1012
# How long one socket may take to accept the message and the close frame.
SEND_TIMEOUT_SECONDS = 1.0

open_sockets = Gauge(
    "bb_websocket_connections",
    "Open WebSocket connections, by endpoint.",
    ["endpoint"],
    multiprocess_mode="livesum",  # summed over the processes alive
)
ENDPOINTS = ("status", "waiting", "console", "room")
for _endpoint in ENDPOINTS:
    open_sockets.labels(endpoint=_endpoint)  # every series from the start, at 0


class Connection:
    def __init__(self, send) -> None:
        self.send = send
        self.restarted = False


_open: set[Connection] = set()
# Sockets whose app has neither accepted nor refused them yet. A stopping process lets
# them finish before uvicorn's own stop, which answers every handshake still open with
# HTTP 500 (docs/benchmarks.md, "Reconnect storm"); accepted while the process stops, a
# socket is told to reconnect at once, like those open before.
_handshaking = 0
_restarting = False


class Tracked:
    def __init__(self, endpoint: str, app) -> None:
        self.endpoint = endpoint
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        global _handshaking
        connection = Connection(send)
        gauge = open_sockets.labels(endpoint=self.endpoint)
        accepted = False
        handshaking = True
        _handshaking += 1

        def handshake_over() -> None:
            global _handshaking
            nonlocal handshaking
            if handshaking:
                handshaking = False
                _handshaking -= 1

        async def tracking_send(message) -> None:
            nonlocal accepted
            if connection.restarted:
                return
            await send(message)
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                _open.add(connection)
                gauge.inc()
                if _restarting:
                    await _restart(connection, _reconnect_text())
                handshake_over()
            elif message["type"] == "websocket.close":
                handshake_over()

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            handshake_over()
            if accepted:
                _open.discard(connection)
                gauge.dec()


def opened(endpoint: str, send) -> Connection:
    """For an endpoint that must write to the server's own `send` (the status board's
    fan-out, where a wrapper per watcher and message is measurable): call it after the
    accept, and `closed` when the socket ends. Counted and told to reconnect like a
    `Tracked` socket; what the endpoint sends after that fails at the server (it refuses
    anything after a close), which the endpoint has to take as a gone socket anyway."""
    connection = Connection(send)
    _open.add(connection)
    open_sockets.labels(endpoint=endpoint).inc()
    if _restarting:
        # Opened while the process stops: told like the others, after what the endpoint
        # sends first. Kept until done (the loop holds tasks only weakly).
        task = asyncio.get_running_loop().create_task(_restart(connection, _reconnect_text()))
        _late.add(task)
        task.add_done_callback(_late.discard)
    return connection


_late: set[asyncio.Task] = set()


def closed(endpoint: str, connection: Connection) -> None:
    _open.discard(connection)
    open_sockets.labels(endpoint=endpoint).dec()


def count() -> int:
    return len(_open)


def _reconnect_text() -> str:
    return json.dumps(outgoing.Reconnect().dump(), separators=(",", ":"))


async def restart_all() -> int:
    """Tell every open socket of this process to reconnect, and close it with 1012; from
    now on, also every socket accepted later. Returns how many were told."""
    global _restarting
    _restarting = True
    text = _reconnect_text()
    connections = list(_open)
    await asyncio.gather(*(_restart(connection, text) for connection in connections))
    return len(connections)


async def _restart(connection: Connection, text: str) -> None:
    connection.restarted = True
    with contextlib.suppress(Exception):  # a socket that is already going needs nothing
        async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
            await connection.send({"type": "websocket.send", "text": text})
            await connection.send(
                {
                    "type": "websocket.close",
                    "code": CLOSE_SERVICE_RESTART,
                    "reason": "service restart",
                }
            )


async def handshakes_finished() -> None:
    """Return once no handshake is under way: each one accepted and told, or refused."""
    while _handshaking:  # noqa: ASYNC110 - a count every socket keeps; polled only at a stop
        await asyncio.sleep(0.02)


def handshakes_under_way() -> int:
    return _handshaking
