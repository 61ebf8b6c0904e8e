"""Per-process background work, started by the ASGI lifespan.

Every ten seconds, aligned to the wall clock so that a tick falls on each full minute
(when schedules open and close): expire waiting citizens whose browser is gone, end
consultations whose staff side is gone, and refresh this process's status board if
anything a citizen sees has changed. Once an hour, purge personal data whose retention
period has ended (privacy/purge.py).
"""

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async

from .statusboard import hub

log = logging.getLogger(__name__)
TICK_SECONDS = 10


def board_text() -> str:
    from buergerbuero.departments.status import board

    return json.dumps({"type": "status", "departments": board()}, separators=(",", ":"))


async def snapshot() -> str:
    return await database_sync_to_async(board_text)()


async def tick() -> None:
    from buergerbuero.bookings.mails import send_due as send_due_mails
    from buergerbuero.calls.actions import end_abandoned_rooms
    from buergerbuero.privacy.purge import purge_if_due
    from buergerbuero.waiting.actions import expire_stale

    await database_sync_to_async(expire_stale)()
    await database_sync_to_async(end_abandoned_rooms)()
    await database_sync_to_async(send_due_mails)()
    await hub.broadcast_if_changed(await snapshot())
    # Last, so that a long purge never delays what citizens see.
    await database_sync_to_async(purge_if_due)()


async def run_forever(stop: asyncio.Event) -> None:
    while not stop.is_set():
        delay = TICK_SECONDS - (time.time() % TICK_SECONDS) + 0.05
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            await tick()
        except Exception:
            log.exception("tick failed")
