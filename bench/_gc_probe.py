"""The office's ASGI application, plus a log of the garbage collector's pauses and of
the event loop's.

Used by `--gc-log` of `bench/status_fanout.py` and `bench/knock_alert.py`: uvicorn
loads `_gc_probe:application`, which is `buergerbuero.asgi.application` unchanged; every
collection of 10 ms or more is appended to the file named by BB_BENCH_GC_LOG as
"end-time generation milliseconds", and every time a 10 ms timer of the event loop fires
30 ms or more late as "end-time loop milliseconds-late" (a pause of the loop, whatever
its cause).
"""

import asyncio
import gc
import os
import time

from buergerbuero.asgi import application as office

_log = open(os.environ["BB_BENCH_GC_LOG"], "a", buffering=1)  # noqa: SIM115 - process lifetime
_started = [0.0]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    pause = time.perf_counter() - _started[0]
    if pause >= 0.01:
        _log.write(f"{time.time():.3f} {info['generation']} {pause * 1000:.1f}\n")


gc.callbacks.append(_on_gc)


_watching = [False]


def _watch(loop) -> None:
    expected = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        late = now - expected[0]
        if expected[0] and late >= 0.03:
            _log.write(f"{time.time():.3f} loop {late * 1000:.1f}\n")
        expected[0] = now + 0.01
        loop.call_later(0.01, tick)

    tick()


async def application(scope, receive, send):
    if not _watching[0]:
        _watching[0] = True
        _watch(asyncio.get_running_loop())
    return await office(scope, receive, send)
