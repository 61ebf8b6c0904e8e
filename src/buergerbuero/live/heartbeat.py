"""This process's ticker as the readiness probe sees it (`operations.views.readyz`).

`live.ticker.run_forever` reports when it starts, after every tick (whatever the tick's
outcome: the probe checks the database itself) and when it stops. The ticker counts as
running while it ticked within `STALE_AFTER_TICKS` intervals, or started less than that
long ago and has not ticked yet. Per process, in memory: every uvicorn process has its own
ticker and answers its own probe.
"""

import time
from typing import Literal

STALE_AFTER_TICKS = 3

TickerState = Literal["running", "starting", "stalled", "not started"]

_interval: float = 0.0
_started_at: float | None = None
_ticked_at: float | None = None


def started(interval: float, now: float | None = None) -> None:
    global _interval, _started_at, _ticked_at
    _interval = interval
    _started_at = time.monotonic() if now is None else now
    _ticked_at = None


def ticked(now: float | None = None) -> None:
    global _ticked_at
    _ticked_at = time.monotonic() if now is None else now


def stopped() -> None:
    global _started_at, _ticked_at
    _started_at = _ticked_at = None


def state(now: float | None = None) -> TickerState:
    if _started_at is None:
        return "not started"
    now = time.monotonic() if now is None else now
    limit = STALE_AFTER_TICKS * _interval
    if _ticked_at is not None:
        return "running" if now - _ticked_at <= limit else "stalled"
    return "starting" if now - _started_at <= limit else "stalled"


def is_running(now: float | None = None) -> bool:
    return state(now) in {"running", "starting"}
