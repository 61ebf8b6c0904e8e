"""A console's silence counts only while the server could have read it: while the socket
handles a message whose database trip waits behind others (after a restart, every
socket's does), the browser's answers wait unread, and the console must not be closed
as gone for that (it was, in a reconnect storm: docs/benchmarks.md). A browser that
really says nothing is still found."""

import asyncio
import contextlib
import time

import pytest
from channels.db import database_sync_to_async

from .support import receive_until, run, send

pytestmark = pytest.mark.django_db(transaction=True)
CONSOLE = "/ws/konsole/"


async def test_a_console_busy_with_the_database_is_not_silent_but_a_dead_one_is(
    sockets, make_department, make_staff, login, settings
):
    settings.CONSOLE_PING_SECONDS = 0.2
    settings.CONSOLE_SILENCE_SECONDS = 0.8
    department = await run(make_department)()
    anna = await run(login)(await run(make_staff)(department))
    console = await sockets.connect(CONSOLE, anna.cookie)
    await receive_until(console, "queues", skip=())

    async def answer_like_a_browser():
        while True:
            await send(console, {"type": "ping"})
            await asyncio.sleep(0.2)

    browser = asyncio.create_task(answer_like_a_browser())
    try:
        # The database thread is held for 2.5 s; the console's next message needs it.
        held = asyncio.create_task(database_sync_to_async(time.sleep)(2.5))
        await asyncio.sleep(0.05)
        await send(console, {"type": "presence", "presence": "available"})
        await held
        # Not closed, then or in the second after, while the browser goes on answering.
        until = time.monotonic() + 1.5
        while time.monotonic() < until:
            if await console.receive_nothing(timeout=0.1):
                continue
            message = await console.receive_output()
            assert message["type"] == "websocket.send", message
    finally:
        browser.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await browser
    # Now really silent: found within the silence and a ping or two.
    started = time.monotonic()
    while True:
        message = await console.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            assert message["code"] == 4000
            break
    assert time.monotonic() - started < 0.8 + 1.0
