"""Redis stopped for ten seconds under a running server, then started again on the same
port (docs/deploy.md, "When Redis is down").

A real uvicorn on SQLite with REDIS_URL pointing at a redis-server of this test's own;
waiting citizens connected over real WebSockets, pinging, and reconnecting as socket.js
does (back-off 0.5 s doubling to 30 s, ±25 %, reset after 10 s open). While Redis is
down, knocking, booking codes and staff sign-in answer (no 500); each citizen's browser
is turned away with 1013 and comes back only a handful of times; nothing is logged with
a traceback. Once Redis is back every citizen is waiting still, in their place, and hears
queue changes again.
"""

import asyncio
import contextlib
import json
import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ..clients import Browser
from ..factories import PASSWORD
from ..server import Uvicorn, manage, server_env
from ..services import OwnRedis

CITIZENS = 4
OUTAGE_SECONDS = 10
SEED = """
from tests import factories
department = factories.make_department(slug="wohngeld", name="Wohngeld")
factories.make_staff(department, username="clerk", password=factories.PASSWORD)
"""


@dataclass
class Citizen:
    """A waiting room socket that reconnects as socket.js does."""

    entry_id: str
    browser: Browser
    port: int
    handshakes: int = 0
    closes: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    leave: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stop: asyncio.Event) -> None:
        attempt = 0
        while not stop.is_set():
            self.handshakes += 1
            opened = time.monotonic()
            try:
                async with connect(
                    f"ws://127.0.0.1:{self.port}/ws/warteraum/{self.entry_id}/",
                    origin=f"http://127.0.0.1:{self.port}",
                    additional_headers={"Cookie": self.browser.cookie_header()},
                    open_timeout=5,
                ) as ws:
                    await self._talk(ws, stop)
            except ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except (OSError, InvalidStatus, TimeoutError) as error:
                self.closes.append(type(error).__name__)
            if time.monotonic() - opened >= 10:
                attempt = 0
            delay = min(30.0, 0.5 * 2**attempt) * random.uniform(0.75, 1.25)  # noqa: S311
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    async def _talk(self, ws, stop: asyncio.Event) -> None:
        async def ping() -> None:
            while True:
                await asyncio.sleep(1)
                if self.leave.is_set():
                    await ws.send('{"type": "leave"}')
                    return
                await ws.send('{"type": "ping"}')

        pinger = asyncio.create_task(ping())
        try:
            async for text in ws:
                message = json.loads(text)
                if message["type"] == "position":
                    self.positions.append(message["position"])
                if stop.is_set():
                    return
        finally:
            pinger.cancel()
        # The server closed: ConnectionClosed carries its code.
        await ws.recv()


def entry_states(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT id, state FROM waiting_queueentry"))


async def until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


@pytest.fixture
def office(tmp_path):
    """Redis of its own, uvicorn on SQLite with REDIS_URL pointing at it; both stopped after."""
    redis = OwnRedis(tmp_path / "redis.log")
    redis.start()
    database = tmp_path / "office.sqlite3"
    env = server_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        REDIS_URL=redis.url(),
        PYTHONWARNINGS="default",
    )
    env.pop("DEBUG", None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "-c", SEED)
    server = Uvicorn(env, ["--lifespan", "on"], tmp_path / "server.log")
    # Its own address is the one origin its pages open sockets from (live/origins.py).
    server.env["SITE_URL"] = server.url
    server.start()
    yield redis, server, database
    server.stop()
    redis.stop()


def knock(base: str, name: str) -> tuple[Browser, int, str]:
    browser = Browser(base)
    page = "/fachbereich/wohngeld/"
    status, location = browser.post(page + "anklopfen/", {"display_name": name}, page)
    return browser, status, location


def sign_in(base: str, password: str) -> int:
    page = "/konsole/anmelden/"
    return Browser(base).post(page, {"username": "clerk", "password": password}, page)[0]


async def test_a_redis_restart_loses_no_waiting_citizen(office):
    redis, server, database = office
    citizens = []
    for n in range(CITIZENS):
        browser, status, location = knock(server.url, f"Citizen {n}")
        assert status == 302, location
        entry_id = location.rstrip("/").rsplit("/", 1)[-1]
        citizens.append(Citizen(entry_id, browser, server.port))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in citizens]
    try:
        await until(lambda: all(c.positions for c in citizens), 15)
        assert [c.positions[-1] for c in citizens] == [1, 2, 3, 4]

        redis.stop()
        outage_started = time.monotonic()
        # While Redis is down: a knock, a booking code and staff sign-in still answer.
        _late, knocked, _ = await asyncio.to_thread(knock, server.url, "Late")
        code = await asyncio.to_thread(
            lambda: Browser(server.url).post(
                "/fachbereich/wohngeld/code/", {"code": "AAAAAAAAAA"}, "/fachbereich/wohngeld/"
            )[0]
        )
        wrong = await asyncio.to_thread(sign_in, server.url, "wrong")
        right = await asyncio.to_thread(sign_in, server.url, PASSWORD)
        assert (knocked, code, wrong, right) == (302, 302, 200, 302)
        await asyncio.sleep(OUTAGE_SECONDS - (time.monotonic() - outage_started))
        turned_away = [list(c.closes) for c in citizens]
        redis.start()

        # Every citizen comes back by itself, each within its back-off.
        counts = [len(c.positions) for c in citizens]
        await until(
            lambda: all(len(c.positions) > n for c, n in zip(citizens, counts, strict=True)), 45
        )
        assert [c.positions[-1] for c in citizens] == [1, 2, 3, 4]
        states = entry_states(database)
        assert [states[c.entry_id] for c in citizens] == ["waiting"] * CITIZENS
        # Cut off once, then refused with "try again later", a handful of times at most.
        assert all(2 <= c.handshakes <= 8 for c in citizens), [c.handshakes for c in citizens]
        assert all(set(closes) == {1013} for closes in turned_away), turned_away

        # Queue changes reach them again: the first leaves, everyone moves up.
        citizens[0].leave.set()
        await until(lambda: [c.positions[-1] for c in citizens[1:]] == [1, 2, 3], 10)
        states = entry_states(database)
        assert [states[c.entry_id] for c in citizens] == ["left"] + ["waiting"] * 3
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    logged = server.log_path.read_text()
    assert "Traceback" not in logged, logged
    assert " 500" not in logged and "Internal Server Error" not in logged, logged
