"""Keeps the garbage collector's full collections short in a server process.

CPython's full collection walks every tracked object and stops the event loop while it
does. A process holding 10,000 status-board watchers tracks about a million objects
(Django's modules, and some 90 per open socket: uvicorn's protocol, the handshake, the
ASGI coroutines), and a full collection of them took 0.5-1.0 s; it fell into one
broadcast in five (docs/benchmarks.md, "Status board fan-out").

Almost all of those objects live as long as the process or the socket, so walking them
again and again finds nothing. `settle()` moves them out of the collector's sight
(`gc.freeze()`, which costs nothing: it links the generations' lists onto the permanent
one); a full collection then walks only what arrived since, a few thousand objects. The
thresholds are left as they are: the pause came from the size of the oldest generation,
not from how often collections run, and raising them would only make each one longer.

What freezing costs: an object frozen while alive and later left in a reference cycle
is not reclaimed until it is unfrozen. Measured here: about two objects per closed status
socket (uvicorn's HTTP protocol that did the upgrade, in a cycle with its parser). So
`sweep_if_due()` unfreezes and runs one full collection when it is cheap, when fewer
than `QUIET_WATCHERS` watch the board (at night, the office closed), at most once an hour;
and at the latest a day after the last one, whatever the load, so the leak stays bounded.

Only the ASGI lifespan turns this on (`enable()`): tests, management commands and the
in-process test client keep the collector's ordinary behaviour.
"""

import gc
import time

QUIET_WATCHERS = 100
QUIET_SWEEP_SECONDS = 3600
LONGEST_WITHOUT_SWEEP_SECONDS = 24 * 3600
# Settle after this many new watchers, not only on the ticker's ten seconds: after a
# restart thousands reconnect within a few seconds.
SETTLE_AFTER_ATTACHES = 1000


class Collector:
    def __init__(self) -> None:
        self.enabled = False
        self.last_sweep = time.monotonic()
        self.attaches = 0
        self.sweeps = 0

    def enable(self) -> None:
        """From the lifespan, once the application is loaded: freeze what start-up made."""
        self.enabled = True
        self.last_sweep = time.monotonic()
        gc.collect()
        gc.freeze()

    def disable(self) -> None:
        if self.enabled:
            self.enabled = False
            gc.unfreeze()

    def settle(self) -> None:
        """Freeze what survived so far. The young generations are collected first, so
        the garbage of the last seconds (finished requests, closed upgrades) is freed,
        not frozen. Costs a young collection: milliseconds."""
        if not self.enabled:
            return
        self.attaches = 0
        gc.collect(1)
        gc.freeze()

    def attached(self) -> None:
        """A new watcher: settle after a burst of them (a reconnect storm)."""
        if not self.enabled:
            return
        self.attaches += 1
        if self.attaches >= SETTLE_AFTER_ATTACHES:
            self.settle()

    def sweep_if_due(self, watchers: int) -> bool:
        """Reclaim the cycles left among frozen objects: cheap when few watch the board,
        and at least once a day. Returns whether it swept."""
        if not self.enabled:
            return False
        since = time.monotonic() - self.last_sweep
        quiet = watchers < QUIET_WATCHERS and since >= QUIET_SWEEP_SECONDS
        if not (quiet or since >= LONGEST_WITHOUT_SWEEP_SECONDS):
            return False
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.last_sweep = time.monotonic()
        self.sweeps += 1
        return True


collector = Collector()
