"""Per-process background work, started by the ASGI lifespan.

Every ten seconds, aligned to the wall clock so that a tick falls on each full minute
(when schedules open and close): the office's due work (`buergerbuero.housekeeping`),
then this process's status board, refreshed if anything a citizen sees has changed, then
the hourly purge of personal data.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async
from django.db import DatabaseError

from buergerbuero import housekeeping

from . import heartbeat
from .announce import board_text
from .collector import collector
from .statusboard import hub

log = logging.getLogger(__name__)
TICK_SECONDS = 10


async def snapshot() -> str:
    return await database_sync_to_async(board_text)()


async def tick() -> None:
    await database_sync_to_async(housekeeping.run_due_work)()
    await hub.broadcast_if_changed(await snapshot())
    # Last, so that a long purge never delays what citizens see.
    await database_sync_to_async(housekeeping.run_purge_if_due)()
    # What survived the last ten seconds (new sockets, mostly) out of the full
    # collections' way; now and then, when it is cheap, the cycles among it reclaimed.
    if not collector.sweep_if_due(len(hub.watchers)):
        collector.settle()


async def run_forever(stop: asyncio.Event) -> None:
    heartbeat.started(TICK_SECONDS)
    try:
        await _loop(stop)
    finally:
        heartbeat.stopped()


async def _loop(stop: asyncio.Event) -> None:
    while not stop.is_set():
        delay = TICK_SECONDS - (time.time() % TICK_SECONDS) + 0.05
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            await tick()
        except DatabaseError as error:
            # Every ten seconds for as long as the outage lasts: one line each, no traceback.
            log.warning("tick skipped: database unavailable (%s)", error)
        except Exception:
            log.exception("tick failed")
        heartbeat.ticked()
