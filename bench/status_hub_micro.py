#!/usr/bin/env python
"""Where a status-board fan-out spends its time per watcher, without sockets.

Complements bench/status_fanout.py: times StatusHub.broadcast() against do-nothing
`send` callables (the hub's own cost, mostly the per-watcher asyncio.timeout), the same
loop without the timeout, and permessage-deflate of the real board text with uvicorn's
settings (12-bit window, memLevel 5), which uvicorn does once per watcher because every
connection has its own compression context.

    .venv/bin/python bench/status_hub_micro.py
"""

import asyncio
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buergerbuero.settings")

WATCHERS = 10_000
ROUNDS = 5


def board_like_text() -> str:
    # The shape and size of the real board (11 demo departments), without a database.
    from buergerbuero.departments.demo import DEMO_DEPARTMENTS

    rows = [
        {
            "slug": slug,
            "name": name,
            "state": "closed",
            "next_opening": "2026-11-25T08:00:00+01:00",
            "time_zone": "Europe/Berlin",
        }
        for slug, name, _summary, _hours in DEMO_DEPARTMENTS
    ]
    return json.dumps({"type": "status", "departments": rows}, separators=(",", ":"))


async def per_watcher_us(broadcast, text: str) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await broadcast(text)
        best = min(best, time.perf_counter() - started)
    return best / WATCHERS * 1e6


async def main() -> None:
    import django

    django.setup()
    from buergerbuero.live.statusboard import StatusHub

    text = board_like_text()

    async def send(message: dict) -> None:
        return None

    hub = StatusHub()
    for _ in range(WATCHERS):
        # Distinct callables, as each connection's `send` is.
        async def own_send(message: dict, _send=send) -> None:
            return None

        hub.attach(own_send)

    async def without_timeout(text: str) -> None:
        message = {"type": "websocket.send", "text": text}
        for watcher in list(hub.watchers):
            try:
                await watcher(message)
            except Exception:
                hub.watchers.discard(watcher)

    hub_us = await per_watcher_us(hub.broadcast, text)
    plain_us = await per_watcher_us(without_timeout, text)

    from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
    from websockets.frames import TEXT as OP_TEXT
    from websockets.frames import Frame

    factory = ServerPerMessageDeflateFactory(
        server_max_window_bits=12, client_max_window_bits=12, compress_settings={"memLevel": 5}
    )
    _, extensions = factory.process_request_params([("client_max_window_bits", None)], [])
    frame = Frame(OP_TEXT, text.encode())
    contexts = [
        factory.process_request_params([("client_max_window_bits", None)], [])[1]
        for _ in range(1000)
    ]
    started = time.perf_counter()
    for extension in contexts:
        extension.encode(frame)
    first_us = (time.perf_counter() - started) / len(contexts) * 1e6
    started = time.perf_counter()
    for extension in contexts:
        extension.encode(frame)
    again_us = (time.perf_counter() - started) / len(contexts) * 1e6
    compressed = len(extensions.encode(frame).data)

    print(
        f"board text: {len(text)} bytes; {WATCHERS:,} watchers; best of {ROUNDS}; "
        f"loop {type(asyncio.get_running_loop()).__module__}"
    )
    print(f"StatusHub.broadcast, no-op send:             {hub_us:6.2f} µs per watcher")
    print(f"same loop without asyncio.timeout:           {plain_us:6.2f} µs per watcher")
    print(f"permessage-deflate, first message on a conn: {first_us:6.2f} µs per watcher")
    print(
        f"permessage-deflate, later message:           {again_us:6.2f} µs per watcher "
        f"({compressed} bytes on the wire for the first)"
    )


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
