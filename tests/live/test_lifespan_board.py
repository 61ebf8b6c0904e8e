"""A process holds the status board before it takes its first connection: after a restart
every overview page comes back at once, and the first of them must not wait for the board
behind every other socket's trip to the database thread."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError

from buergerbuero.live import application, ticker
from buergerbuero.live.announce import board_text
from buergerbuero.live.statusboard import hub

pytestmark = pytest.mark.django_db(transaction=True)


async def nothing(scope, receive, send) -> None:
    pass


async def lifespan_started(monkeypatch) -> tuple[asyncio.Queue, asyncio.Queue, asyncio.Task]:
    monkeypatch.setattr(hub, "last_text", None)
    monkeypatch.setattr(hub, "kept_current", False)
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    running = asyncio.create_task(
        application.Lifespan(nothing)({"type": "lifespan"}, inbox.get, outbox.put)
    )
    async with asyncio.timeout(10):
        assert (await outbox.get())["type"] == "lifespan.startup.complete"
    return inbox, outbox, running


async def stopped(inbox, outbox, running) -> None:
    await inbox.put({"type": "lifespan.shutdown"})
    async with asyncio.timeout(10):
        assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
        await running


async def test_the_board_is_read_before_the_process_takes_connections(
    office_with_clerk, monkeypatch
):
    inbox, outbox, running = await lifespan_started(monkeypatch)
    try:
        assert hub.last_text == await database_sync_to_async(board_text)()
    finally:
        await stopped(inbox, outbox, running)


async def test_without_a_database_the_process_starts_and_the_first_watcher_reads_it(
    office_with_clerk, monkeypatch, caplog
):
    async def unreachable() -> str:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(ticker, "snapshot", unreachable)
    inbox, outbox, running = await lifespan_started(monkeypatch)
    try:
        assert hub.last_text is None
        assert "no status board at the start (DatabaseError: connection refused)" in caplog.text
    finally:
        await stopped(inbox, outbox, running)
