"""A handshake under way when the process is told to stop (its first read waiting for the
database) is finished and told to reconnect, like the sockets already open: left to
uvicorn's own stop it got HTTP 500, which the browser takes as a failure and backs off
from (docs/benchmarks.md, "Reconnect storm")."""

import asyncio
import json
import signal

import websockets

from buergerbuero.live import connections, shutdown

from .stopping import stopping_server

RECONNECT = {"type": "reconnect"}


async def stop_during_a_handshake(monkeypatch, accept_after: float | None):
    """Start a server whose socket accepts `accept_after` seconds after the stop's signal
    (never: None); stop it during the handshake. What the browser heard, and its close
    code; or the error the handshake failed with."""
    monkeypatch.setattr(shutdown, "_draining", False)
    monkeypatch.setattr(connections, "_restarting", False)
    connecting, release = asyncio.Event(), asyncio.Event()

    async def slow_to_accept(scope, receive, send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        connecting.set()
        await release.wait()  # the socket's first read, behind a busy database
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": '{"type":"position"}'})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    async with stopping_server(connections.Tracked("waiting", slow_to_accept)) as served:

        async def browser():
            told = []
            url = f"ws://127.0.0.1:{served.port}/ws/warteraum/x/"
            try:
                async with websockets.connect(url) as ws:
                    try:
                        async for text in ws:
                            told.append(json.loads(text))
                    except websockets.ConnectionClosed:
                        pass
                    return told, ws.close_code
            except websockets.InvalidStatus as refused:
                return refused.response.status_code

        try:
            opening = asyncio.create_task(browser())
            await asyncio.wait_for(connecting.wait(), 10)
            signal.raise_signal(signal.SIGTERM)
            if accept_after is not None:
                await asyncio.sleep(accept_after)
                release.set()
            async with asyncio.timeout(10):
                heard = await opening
                release.set()  # uvicorn waits for its apps' ends (up to its graceful timeout)
                await served.serving
        finally:
            release.set()
    return heard


async def test_a_handshake_under_way_at_the_stop_is_told_to_reconnect_not_refused(monkeypatch):
    # Longer than uvicorn takes to stop once it has the signal.
    heard = await stop_during_a_handshake(monkeypatch, accept_after=0.5)
    assert heard == ([RECONNECT], 1012)
    assert connections.handshakes_under_way() == 0


async def test_a_handshake_that_hangs_does_not_hold_up_the_stop(monkeypatch):
    monkeypatch.setattr(shutdown, "HANDSHAKE_WAIT_SECONDS", 0.3)
    # uvicorn's own answer then: the stop is not held up for longer.
    assert await stop_during_a_handshake(monkeypatch, accept_after=None) == 500


async def test_a_status_watcher_opened_while_the_process_stops_is_told_too(monkeypatch):
    monkeypatch.setattr(connections, "_restarting", True)
    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    connection = connections.opened("status", send)
    try:
        async with asyncio.timeout(5):
            while len(sent) < 2:  # noqa: ASYNC110 - told by a task of its own
                await asyncio.sleep(0.01)
    finally:
        connections.closed("status", connection)
    assert [json.loads(sent[0]["text"]), sent[1]["type"], sent[1]["code"]] == [
        RECONNECT,
        "websocket.close",
        1012,
    ]
