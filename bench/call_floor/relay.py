"""The floor's signalling relay: the least a call set-up needs from a server.

A bare ASGI application (no framework, no database, no channel layer) that serves the
floor page and forwards JSON between the peers of a room over WebSocket. bench/call_setup.py
runs it under uvicorn with the same options as the office, so the difference it measures
is the office's own work, not the web server's.

Protocol (one JSON object per message):
  server -> newcomer   {"type": "welcome", "id": <own id>, "peers": [<ids already there>]}
  peer -> server       {"to": <id>, ...}      forwarded as {..., "from": <sender id>}
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = {
    "/": ("index.html", b"text/html; charset=utf-8"),
    "/floor.js": ("floor.js", b"text/javascript; charset=utf-8"),
}
# room name -> {peer id -> ASGI send}
rooms: dict[str, dict[int, object]] = {}
ids = itertools.count(1)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    elif scope["type"] == "http":
        await serve_file(scope, send)
    elif scope["type"] == "websocket" and scope["path"].startswith("/ws/"):
        await relay(scope["path"][4:], receive, send)
    else:
        await send({"type": "websocket.close", "code": 4404})


async def serve_file(scope, send) -> None:
    name, content_type = FILES.get(scope["path"], (None, b"text/plain"))
    body = (HERE / name).read_bytes() if name else b"not found"
    await send(
        {
            "type": "http.response.start",
            "status": 200 if name else 404,
            "headers": [(b"content-type", content_type), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def relay(room: str, receive, send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    me = next(ids)
    peers = rooms.setdefault(room, {})
    # In the room before the welcome is sent: two peers joining at once see each other.
    welcome = {"type": "welcome", "id": me, "peers": list(peers)}
    peers[me] = send
    await send({"type": "websocket.send", "text": json.dumps(welcome)})
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            message = json.loads(event.get("text") or "{}")
            target = peers.get(message.get("to"))
            if target is not None:
                message["from"] = me
                await target({"type": "websocket.send", "text": json.dumps(message)})
    finally:
        peers.pop(me, None)
        if not peers:
            rooms.pop(room, None)
