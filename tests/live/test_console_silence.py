"""A console whose connection dies without a close (the network gone, a laptop lid shut)
sets its member offline within CONSOLE_SILENCE_SECONDS, and the public board follows.

A real uvicorn on SQLite; the staff member's console is a real `websockets` client that
answers the server's pings as socket.js does, through a TCP relay of this test's own. The
relay then swallows every byte both ways and keeps both connections open: neither side
sees a close or a reset, as when a network is cut. The status board is watched over its
own socket, straight to the server.
"""

import asyncio
import contextlib
import json
import sqlite3
import time

import pytest
from websockets.asyncio.client import connect

from ..clients import Browser
from ..factories import PASSWORD
from ..server import Uvicorn, free_port, manage, server_env

PING_SECONDS = 0.5
SILENCE_SECONDS = 2.0
SEED = """
from tests import factories
department = factories.make_department(slug="wohngeld", name="Wohngeld")
factories.make_staff(department, username="clerk", password=factories.PASSWORD)
"""


class Relay:
    """A TCP relay that can be cut: afterwards it reads and drops what either side sends."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.port = free_port()
        self.cut = False
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        self.writers += [writer, up_writer]
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )

    async def _pump(self, reader, writer) -> None:
        while data := await reader.read(65536):
            if not self.cut:
                writer.write(data)
                await writer.drain()


def presence_of(database, username: str) -> list[str]:
    with sqlite3.connect(database) as db:
        return [
            row[0]
            for row in db.execute(
                "SELECT m.presence FROM staff_membership m"
                " JOIN staff_staffprofile p ON p.id = m.profile_id"
                " JOIN auth_user u ON u.id = p.user_id WHERE u.username = ?",
                (username,),
            )
        ]


@pytest.fixture
def office(tmp_path):
    database = tmp_path / "office.sqlite3"
    env = server_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        CONSOLE_PING_SECONDS=str(PING_SECONDS),
        CONSOLE_SILENCE_SECONDS=str(SILENCE_SECONDS),
    )
    for name in ("REDIS_URL", "DEBUG"):
        env.pop(name, None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "-c", SEED)
    server = Uvicorn(env, ["--lifespan", "on"], tmp_path / "server.log")
    server.env["SITE_URL"] = server.url
    server.start()
    yield server, database
    server.stop()


async def test_a_console_cut_off_without_a_close_goes_offline_within_the_silence(office):
    server, database = office
    clerk = Browser(server.url)
    page = "/konsole/anmelden/"
    status, location = await asyncio.to_thread(
        clerk.post, page, {"username": "clerk", "password": PASSWORD}, page
    )
    assert (status, location) == (302, "/konsole/")
    relay = Relay(server.port)
    await relay.start()
    boards: list[tuple[float, str]] = []
    pings = 0

    async def watch_board() -> None:
        async with connect(f"ws://127.0.0.1:{server.port}/ws/status/", origin=server.url) as board:
            async for text in board:
                message = json.loads(text)
                boards.append((time.monotonic(), message["departments"][0]["state"]))

    async def until(condition, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, boards
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch_board())
    console = await connect(
        f"ws://127.0.0.1:{relay.port}/ws/konsole/",
        origin=server.url,
        additional_headers={"Cookie": clerk.cookie_header()},
        # The client library's own keep-alive would notice the cut itself; socket.js has
        # none (a browser's WebSocket sends no pings of its own).
        ping_interval=None,
    )

    async def answer_pings() -> None:
        nonlocal pings
        async for text in console:
            if json.loads(text)["type"] == "ping":
                pings += 1
                await console.send('{"type": "ping"}')

    answering = asyncio.create_task(answer_pings())
    try:
        await until(lambda: boards and boards[-1][1] == "closed", 10)  # signed in: offline
        await console.send('{"type": "presence", "presence": "available"}')
        await until(lambda: boards[-1][1] == "open", 10)
        assert presence_of(database, "clerk") == ["available"]

        # Answering the server's pings keeps the member present past the silence limit.
        await asyncio.sleep(2 * SILENCE_SECONDS)
        assert boards[-1][1] == "open"
        assert pings >= 2 * SILENCE_SECONDS / PING_SECONDS - 2
        assert presence_of(database, "clerk") == ["available"]

        relay.cut = True
        cut_at = time.monotonic()
        await until(lambda: boards[-1][1] == "closed", SILENCE_SECONDS + 5)
        offline_after = boards[-1][0] - cut_at
        # Not before the silence has passed, and soon after (one ping late at most, and
        # the board's own announcement).
        assert SILENCE_SECONDS - PING_SECONDS <= offline_after <= SILENCE_SECONDS + 2
        assert presence_of(database, "clerk") == ["offline"]
    finally:
        for task in (answering, watcher):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(console.close(), 1)
        await relay.stop()
    logged = server.log_path.read_text()
    assert "not heard for" in logged, logged
    assert "Traceback" not in logged, logged
