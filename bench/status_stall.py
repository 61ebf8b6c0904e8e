#!/usr/bin/env python
"""What watchers that stop reading do to everyone else on the status board.

StatusHub.broadcast() awaits each watcher's `send` in turn, with a 2-second timeout, and
after a timeout tries to send a close frame (another 2 seconds at most). uvicorn's
`send` waits while that connection's write buffer is over its high-water mark. This
script opens N ordinary watchers and K watchers that stop reading (a 4 KiB receive
buffer, like a phone that has lost its radio but not its TCP connection), fills the
latter's buffers with one large message, and then times one ordinary status change.

The change is published three seconds before the server's ticker runs, so the ticker's
own refresh of the board (it sees a board that differs from the last text sent) starts
while the change is still held up; the script counts the watchers who got the two in
the wrong order. Last, the stalled watchers read again and the script checks whether
they hear about the next change.

    .venv/bin/python bench/status_stall.py --watchers 200 --stalled 3

Redis mode only: messages are published straight to the run's pub/sub channel, as
buergerbuero.live.statusboard.publish() would. 127.0.0.1 only; everything started here
is stopped at the end.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import status_fanout as fanout

FILLER_BYTES = 6 * 1024 * 1024  # more than the largest kernel send buffer here (4 MiB)
BEFORE_TICK_SECONDS = 3.0


def open_stalled(port: int) -> tuple[socket.socket, bytes]:
    """A handshaken WebSocket that will not read again (no compression offered)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: small window
    sock.settimeout(10)
    sock.connect((fanout.HOST, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/status/ HTTP/1.1\r\nHost: {fanout.HOST}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"handshake failed: {head[:100]!r}")
    return sock, head.split(b"\r\n\r\n", 1)[1]  # and the start of the first frame


def drain(sock: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """Read whatever arrives for `seconds`; returns the bytes and whether the peer closed."""
    sock.settimeout(0.1)
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(data) < 256 * 1024 * 1024:
        try:
            chunk = sock.recv(1 << 20)
        except TimeoutError:
            continue
        except OSError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def frames(data: bytes):
    """(opcode, payload) of each complete unmasked server frame in `data`."""
    i = 0
    while i + 2 <= len(data):
        opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if length == 126:
            length, i = int.from_bytes(data[i : i + 2], "big"), i + 2
        elif length == 127:
            length, i = int.from_bytes(data[i : i + 8], "big"), i + 8
        if i + length > len(data):
            return
        yield opcode, data[i : i + length]
        i += length


async def run(args) -> int:
    import redis.asyncio as aioredis

    fanout.raise_nofile(args.watchers + 1024)
    bench = fanout.Bench(fanout.parse_args(["--mode", "redis", "--redis-url", args.redis_url]))
    channel = f"bench:status:{secrets.token_hex(6)}"
    env = bench.env("redis", channel)
    stalled: list[socket.socket] = []
    leftover: dict[int, bytes] = {}
    publisher = aioredis.Redis.from_url(args.redis_url)
    try:
        await bench.prepare_database()
        port = fanout.free_port()
        log = bench.tmp / "uvicorn.log"
        server = await bench.start_server(port, env, log)
        await bench.wait_ready(port, server, log)
        await asyncio.sleep(fanout.TICK_SECONDS - time.time() % fanout.TICK_SECONDS + 0.5)
        (client,) = await bench.start_clients(1)
        url = f"ws://{fanout.HOST}:{port}/ws/status/"
        command = {
            "cmd": "connect",
            "urls": [url],
            "count": args.watchers,
            "compression": "deflate",
            "max_size": 2 * FILLER_BYTES,
        }
        answer = await bench.ask(client, command, 120)
        if answer["ok"] != args.watchers:
            raise RuntimeError(f"watchers did not connect: {answer}")
        for _ in range(args.stalled):
            sock, rest = open_stalled(port)
            stalled.append(sock)
            leftover[id(sock)] = rest
        await asyncio.sleep(0.5)

        # 1. One large message: the stalled watchers' buffers are full after it. Sent just
        # after a tick, so that the next tick comes after the change below, not before it.
        tick_now = time.time() % fanout.TICK_SECONDS
        await asyncio.sleep((fanout.TICK_SECONDS + 0.3 - tick_now) % fanout.TICK_SECONDS)
        marker = f"filler-{secrets.token_hex(4)}"
        await bench.ask(client, {"cmd": "arm", "marker": marker}, 30)
        filler = "x" * FILLER_BYTES
        await publisher.publish(channel, f'{{"type":"status","note":"{marker}","x":"{filler}"}}')
        got = await bench.ask(client, {"cmd": "collect", "timeout": 60}, 90)
        if len(got["times"]) < args.watchers:
            raise RuntimeError("the large message did not reach every ordinary watcher")

        # 2. A small change, three seconds before the ticker runs.
        marker = f"change-{secrets.token_hex(4)}"
        arm = {"cmd": "arm", "marker": marker, "also": '"departments"'}
        await bench.ask(client, arm, 30)
        tick = (time.time() // fanout.TICK_SECONDS + 1) * fanout.TICK_SECONDS + fanout.TICK_OFFSET
        if tick - time.time() < BEFORE_TICK_SECONDS + 0.5:
            tick += fanout.TICK_SECONDS
        await asyncio.sleep(tick - BEFORE_TICK_SECONDS - time.time())
        started = time.time()
        await publisher.publish(channel, f'{{"type":"status","note":"{marker}"}}')
        got = await bench.ask(client, {"cmd": "collect", "timeout": 60}, 90)
        change = [p[0] for p in got["pairs"] if p[0] is not None]
        board = [p[1] for p in got["pairs"] if p[1] is not None]
        inverted = sum(1 for a, b in got["pairs"] if a is not None and b is not None and b < a)
        held_up = sum(1 for t in change if t - started > 1.0)

        # 3. The stalled watchers read again, as a browser that got its radio back would.
        received = {id(sock): drain(sock, 2.0) for sock in stalled}
        marker = f"recovered-{secrets.token_hex(4)}"
        await publisher.publish(channel, f'{{"type":"status","note":"{marker}"}}')
        reached = closed = 0
        close_codes: list[int] = []
        for sock in stalled:
            first, eof = received[id(sock)]
            more, eof_later = drain(sock, 3.0)
            parsed = list(frames(leftover[id(sock)] + first + more))
            reached += any(op == 1 and marker.encode() in payload for op, payload in parsed)
            codes = [int.from_bytes(payload[:2], "big") for op, payload in parsed if op == 8]
            close_codes += codes
            closed += eof or eof_later or bool(codes)
    finally:
        for sock in stalled:
            with contextlib.suppress(OSError):
                sock.close()
        await publisher.aclose()
        await bench.stop_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)

    def after(times: list[float], since: float) -> str:
        return f"{(max(times) - since) * 1000:,.0f} ms" if times else "never"

    result = {
        "ordinary": args.watchers,
        "stalled": args.stalled,
        "change_every_watcher_after": after(change, started),
        "change_got": len(change),
        "held_up_over_1s": held_up,
        "tick_board_every_watcher_after_tick": after(board, tick),
        "got_tick_board_before_the_older_change": inverted,
        "stalled_got_next_change": reached,
        "stalled_still_open": len(stalled) - closed,
        "close_codes_received": close_codes,  # 1013 from the hub, 1011 from uvicorn's keepalive
    }
    print(bench.version)
    print(json.dumps(result, indent=1))
    print(
        f"\n{args.watchers} ordinary watchers, {args.stalled} that stopped reading: a change "
        f"reached every ordinary watcher after {result['change_every_watcher_after']} "
        f"({held_up} of them waited over a second). The ticker's board, started "
        f"{BEFORE_TICK_SECONDS:.0f} s later, reached {inverted} watchers before that older "
        f"change, which then replaced it on their screens. After reading again, {reached} of "
        f"{args.stalled} stalled watchers got the next change; {len(stalled) - closed} of "
        f"{args.stalled} connections were still open; close codes received: {close_codes} "
        "(1013 would be the hub's, 1011 is uvicorn's keepalive timeout)."
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watchers", type=int, default=200)
    parser.add_argument("--stalled", type=int, default=3)
    parser.add_argument("--redis-url", default=fanout.REDIS_URL_DEFAULT)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
