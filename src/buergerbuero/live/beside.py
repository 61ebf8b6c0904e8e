"""Database writes a socket does not wait for.

Some writes only record that someone is there (a staff session's activity, a participant
present in a call). A socket that awaited them would hold back what it passes on
meanwhile behind the database thread, which is busy for seconds after a restart and at
every admission (docs/benchmarks.md, "Call set-up", "Reconnect storm"). They run beside
it; one that fails is logged, and the next one writes the same again."""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import DatabaseError

log = logging.getLogger(__name__)
# Held here so the event loop keeps the tasks until they are done.
_running: set[asyncio.Task] = set()


def write_beside(function, *args, failing: str) -> asyncio.Task:
    """`function(*args)` on the database thread, not awaited; `failing`: what the
    warning says when the database refuses it."""

    async def write() -> None:
        try:
            await database_sync_to_async(function)(*args)
        except DatabaseError as error:
            log.warning("%s: %s", failing, error)

    task = asyncio.create_task(write())
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task
