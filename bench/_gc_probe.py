"""The office's ASGI application, plus a log of the garbage collector's pauses.

Used by `bench/status_fanout.py --gc-log`: uvicorn loads `_gc_probe:application`, which
is `buergerbuero.asgi.application` unchanged; every collection of 10 ms or more is
appended to the file named by BB_BENCH_GC_LOG as "end-time generation milliseconds".
"""

import gc
import os
import time

from buergerbuero.asgi import application  # noqa: F401 - what uvicorn serves

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
