"""Two uvicorn processes, A and B, on one PostgreSQL and one Redis (both the test's own), as
docs/deploy.md runs them: whatever happens on one process reaches the people connected to
the other, a process killed with SIGKILL loses none of the citizens waiting on it, and a
Redis restart is survived without restarting either process.

Real HTTP (knocking, staff sign-in) and real WebSockets that reconnect as socket.js does.
The tests share one office and run in order; the kill comes last."""

import asyncio
import contextlib

import pytest

from ..clients import Browser
from ..services import OwnPostgres, OwnRedis
from .harness import OPEN_DEPARTMENT, Citizen, LiveSocket, start_office

PASSWORD = "pw-for-fault-tests"  # OPEN_DEPARTMENT's clerk


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("several")
    cluster = OwnPostgres(max_connections=100)
    redis = OwnRedis(tmp_path / "redis.log")
    redis.start()
    office = None
    try:
        office = start_office(tmp_path, cluster.url, redis_url=redis.url(5))
        office.shell(OPEN_DEPARTMENT)
        yield office, redis
    finally:
        if office is not None:
            office.stop()
        redis.stop()
        cluster.drop()
    assert "Traceback" not in office.log_text(), office.log_text()[-4000:]


def knock(base: str, name: str) -> Citizen:
    citizen = Citizen(base)
    status, location = citizen.knock("wohngeld", citizen.knock_form("wohngeld"), name)
    assert status == 302, location
    citizen.entry_id = location.rstrip("/").rsplit("/", 1)[-1]
    return citizen


def waiting_room(citizen: Citizen, *bases: str) -> LiveSocket:
    return LiveSocket(
        list(bases), f"/ws/warteraum/{citizen.entry_id}/", cookie=citizen.cookie_header()
    )


def console_of(base: str) -> LiveSocket:
    browser = Browser(base)
    page = "/konsole/anmelden/"
    status, _ = browser.post(page, {"username": "clerk", "password": PASSWORD}, page)
    assert status == 302
    return LiveSocket([base], "/ws/konsole/", cookie=browser.cookie_header())


def waiting_list():
    """Folds the console's messages as the browser does (one department: a snapshot or a
    queue-update carries the whole list, a queue-delta adds who joined); called with each
    message in turn, it answers the ids waiting after it (None for other messages)."""
    ids: list[str] = []

    def fold(message: dict) -> list[str] | None:
        nonlocal ids
        if message["type"] in ("queues", "queue-update"):
            ids = [citizen["id"] for citizen in message["waiting"]]
        elif message["type"] == "queue-delta":
            ids = ids + [c["id"] for c in message["added"] if c["id"] not in ids]
        else:
            return None
        return ids

    return fold


async def shows(console: LiveSocket, ids: list[str], after: int = 0, tail: bool = False):
    """Until the console's queue (folded from message `after` on, which must be a
    snapshot) is `ids`, or ends with them (`tail`)."""
    fold = waiting_list()

    def wanted(message: dict) -> bool:
        now = fold(message)
        return now is not None and (now[-len(ids) :] if tail else now) == ids

    return await console.next(wanted, after=after)


async def serve(console: LiveSocket) -> None:
    """Signing in starts offline: choose "available" as the member does in the console."""
    await console.next(lambda m: m["type"] == "queues", after=0)
    mark = len(console.received)
    await console.send({"type": "presence", "presence": "available"})
    await console.next(lambda m: m["type"] == "queue-update", after=mark)


def states(message: dict) -> list[tuple[str, str]] | None:
    if message["type"] != "status":
        return None
    return [(row["slug"], row["state"]) for row in message["departments"]]


@contextlib.asynccontextmanager
async def running(*sockets: LiveSocket):
    stop = asyncio.Event()
    tasks = [asyncio.create_task(socket.run(stop)) for socket in sockets]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_a_knock_on_one_process_reaches_staff_on_the_other_and_back(office):
    office, _redis = office
    a, b = (process.url for process in office.processes)
    watchers = [
        LiveSocket([a], "/ws/status/", ping=False),
        LiveSocket([b], "/ws/status/", ping=False),
    ]
    console = console_of(b)
    async with running(*watchers, console):
        await serve(console)
        for watcher in watchers:
            await watcher.next(lambda m: states(m) == [("wohngeld", "open")], after=0)
        await shows(console, [], after=0)

        citizen = await asyncio.to_thread(knock, a, "Erika Muster")
        room = waiting_room(citizen, a)
        async with running(room):
            first = await room.next(lambda m: m["type"] == "position", after=0)
            assert (first["position"], first["office"]) == (1, "open")
            # The knock on A reaches the console on B.
            await shows(console, [citizen.entry_id], after=0)

            await console.send({"type": "admit", "entry": citizen.entry_id})

            reply = await console.next(lambda m: m["type"] == "admitted", after=0)
            assert reply["entry"] == citizen.entry_id
            assert reply["call_url"].startswith("/gespraech/")
            # The admission on B reaches the citizen's socket on A, with the room's link.
            admitted = await room.next(lambda m: m["type"] == "admitted", after=0)
            assert admitted == {
                "type": "admitted",
                "call_url": reply["call_url"],
                "socket": reply["socket"],
                "ended_url": reply["call_url"] + "beendet/",
            }
            # Both status boards see the only clerk in a consultation.
            for watcher in watchers:
                await watcher.next(lambda m: states(m) == [("wohngeld", "busy")], after=0)


async def test_a_redis_restart_is_survived_without_restarting_the_processes(office):
    office, redis = office
    a, b = (process.url for process in office.processes)
    watchers = [
        LiveSocket([a], "/ws/status/", ping=False),
        LiveSocket([b], "/ws/status/", ping=False),
    ]
    console = console_of(b)
    async with running(*watchers, console):
        await serve(console)
        early = await asyncio.to_thread(knock, a, "Vor dem Neustart")
        early_room = waiting_room(early, a)
        async with running(early_room):
            await early_room.next(lambda m: m["type"] == "position", after=0)
            await shows(console, [early.entry_id], after=0)
            connected = (len(console.opened_on), len(early_room.opened_on))

            await asyncio.to_thread(redis.stop)
            await asyncio.sleep(3)
            await asyncio.to_thread(redis.start)

            # Both sockets were cut off and came back by themselves, on the same processes,
            # with the state as it is.
            back = await console.reopened(connected[0])
            await shows(console, [early.entry_id], after=back)
            back = await early_room.reopened(connected[1])
            await early_room.next(lambda m: m["type"] == "position", after=back)
            assert 1013 in console.closes and 1013 in early_room.closes
            # Across processes again: a knock on A reaches B, an admission on B reaches A.
            late = await asyncio.to_thread(knock, a, "Nach dem Neustart")
            # From the start: the update may arrive while the knock's request still returns.
            await shows(console, [early.entry_id, late.entry_id], after=0)
            await console.send({"type": "admit", "entry": early.entry_id})
            await early_room.next(lambda m: m["type"] == "admitted", after=0)
            # The status boards of both processes hear a change made on B again.
            for presence, state in (("paused", "closed"), ("available", "busy")):
                marks = [len(watcher.received) for watcher in watchers]
                await console.send({"type": "presence", "presence": presence})
                for watcher, mark in zip(watchers, marks, strict=True):
                    await watcher.next(
                        lambda m, s=state: states(m) == [("wohngeld", s)], after=mark
                    )
    # Nobody lost their place: the late citizen is still waiting.
    assert (
        office.shell(
            "from buergerbuero.waiting.models import QueueEntry\n"
            f"print(QueueEntry.objects.get(pk='{late.entry_id}').state)"
        )
        == "waiting"
    )


async def test_a_killed_process_loses_none_of_the_citizens_waiting_on_it(office):
    office, _redis = office
    process_a, process_b = office.processes
    a, b = process_a.url, process_b.url
    console = console_of(b)
    async with running(console):
        await serve(console)
        citizens = [await asyncio.to_thread(knock, a, f"Wartend {n}") for n in range(3)]
        rooms = [waiting_room(citizen, a, b) for citizen in citizens]
        async with running(*rooms):
            before = [
                (await room.next(lambda m: m["type"] == "position", after=0)) for room in rooms
            ]

            process_a.process.kill()  # SIGKILL: no shutdown, no disconnect handler
            process_a.process.wait(10)

            after = []
            for room in rooms:
                back = await room.reopened(1)
                after.append(await room.next(lambda m: m["type"] == "position", after=back))
            # Each came back on B, to the same entry, in the same place.
            assert [room.opened_on for room in rooms] == [[a, b]] * 3
            assert [(m["position"], m["office"]) for m in after] == [
                (m["position"], m["office"]) for m in before
            ]
            # They are in B's queue too: a knock on B shows the console all of them, in order.
            ids = [citizen.entry_id for citizen in citizens]
            newcomer = await asyncio.to_thread(knock, b, "Neu auf B")
            await shows(console, [*ids, newcomer.entry_id], tail=True)
    stored = office.shell(
        "from buergerbuero.waiting.models import QueueEntry\n"
        f"print(' '.join(QueueEntry.objects.get(pk=pk).state for pk in {ids!r}))"
    )
    assert stored == "waiting waiting waiting"
