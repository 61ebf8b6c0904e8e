"""The console's deltas and its recovery: a knock is sent as its row, the desk the
console builds from its messages is the desk a fresh console reads, and a console that
missed an announcement (a full channel drops it) is sent its department afresh."""

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from buergerbuero.live import sequence
from buergerbuero.waiting import actions
from buergerbuero.waiting.models import QueueEntry

from .support import receive, run, send
from .test_console_socket import CONSOLE, entry_row, line

pytestmark = pytest.mark.django_db(transaction=True)


def applied(desk: dict, message: dict) -> dict:
    """What console.js (desk-state.js) makes of a message: department lines and rows
    by id."""
    departments, rows = dict(desk["departments"]), dict(desk["rows"])
    if message["type"] == "queues":
        departments, rows = {}, {}
    if message["type"] == "queue-update":
        scope = {d["id"] for d in message["departments"]}
        rows = {k: v for k, v in rows.items() if v["department"] not in scope}
    for department in message["departments"]:
        departments[department["id"]] = department
    incoming = message["added"] if message["type"] == "queue-delta" else message["waiting"]
    rows.update((row["id"], row) for row in incoming)
    return {"departments": departments, "rows": rows}


async def collected(socket, desk: dict) -> tuple[dict, list[str]]:
    """Every message until the console is quiet for a moment, applied to `desk`."""
    types = []
    while not await socket.receive_nothing(timeout=0.5):
        message = await receive(socket)
        types.append(message["type"])
        desk = applied(desk, message)
    return desk, types


async def fresh_desk(sockets, cookie) -> dict:
    socket = await sockets.connect(CONSOLE, cookie)
    desk = applied({"departments": {}, "rows": {}}, await receive(socket))
    await socket.disconnect()
    return desk


async def test_console_delta_burst_builds_the_desk_a_fresh_console_reads(
    sockets, make_department, make_staff, login, knock
):
    """A burst of knocks with other changes among them (a citizen leaving, one marked
    gone): what the console shows at the end is exactly the desk."""
    a, b = await run(make_department)(name="A"), await run(make_department)(name="B")
    anna = await run(login)(await run(make_staff)(a, b))
    early = [await run(knock)(d, f"Early {n}") for n, d in enumerate((a, b, a))]
    socket = await sockets.connect(CONSOLE, anna.cookie)
    desk = applied({"departments": {}, "rows": {}}, await receive(socket))

    def burst():
        # One after another in one thread while the console's socket answers on the
        # loop: its coalescing and its deltas race the changes, as under load.
        for n in range(8):
            for department in (a, b):
                actions.knock(department, f"{department.name} {n}")
            if n == 3:
                actions.leave(early[0].entry_id)
                actions.disconnected(early[2].entry_id)

    await run(burst)()
    desk, types = await collected(socket, desk)
    assert "queue-delta" in types
    assert desk == await fresh_desk(sockets, anna.cookie)
    assert len(desk["rows"]) == 2 + 16
    assert [d["waiting"] for d in desk["departments"].values()] == [9, 9]


async def test_console_delta_row_is_the_snapshot_row(sockets, make_department, make_staff, login):
    """The row sent with the announcement is the row a snapshot reads, field for field."""
    a = await run(make_department)(name="A")
    anna = await run(login)(await run(make_staff)(a))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    entry = await run(actions.knock)(a, "Ada", "Wohngeld", "tr")
    delta = await receive(socket)
    assert delta == {
        "type": "queue-delta",
        "departments": [line(a, waiting=1)],
        "added": [await run(entry_row)(entry.pk) | {"topic": "Wohngeld", "language": "tr"}],
    }
    assert delta["added"] == [(await fresh_desk(sockets, anna.cookie))["rows"][entry.pk]]


def lost_knock(department, name: str) -> str:
    """A knock whose announcement the channel layer dropped (a full channel): numbered,
    as every announcement is, but never delivered."""
    entry = QueueEntry.objects.create(
        department=department, display_name=name, seen_at=timezone.now()
    )
    sequence.next_number(department.pk)
    return entry.pk


async def test_console_delta_missed_announcement_brings_the_department_afresh(
    sockets, make_department, make_staff, login, knock
):
    a = await run(make_department)(name="A")
    anna = await run(login)(await run(make_staff)(a))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    lost = await run(lost_knock)(a, "Lost")
    bob = await run(knock)(a, "Bob")
    # Bob's announcement comes after a number the console never heard: not a delta with
    # Bob alone, but the department as it is, with the citizen whose alert was lost.
    assert await receive(socket) == {
        "type": "queue-update",
        "departments": [line(a, waiting=2)],
        "waiting": [await run(entry_row)(lost), await run(entry_row)(bob.entry_id)],
    }
    assert await socket.receive_nothing(timeout=0.3)


async def test_console_delta_last_announcement_missed_is_found_on_the_heartbeat(
    sockets, make_department, make_staff, login
):
    """Nothing follows the lost announcement: the console's heartbeat finds the counter
    ahead of what it heard, and once it still is at the next one (an event merely on its
    way would have arrived by then), the department is sent afresh, never left silent."""
    a = await run(make_department)(name="A")
    anna = await run(login)(await run(make_staff)(a))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    lost = await run(lost_knock)(a, "Lost")
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    assert await socket.receive_nothing(timeout=0.3)
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    assert await receive(socket) == {
        "type": "queue-update",
        "departments": [line(a, waiting=1)],
        "waiting": [await run(entry_row)(lost)],
    }
    # Up to date now: the next heartbeats are only heartbeats.
    for _ in range(2):
        await send(socket, {"type": "ping"})
        assert await receive(socket) == {"type": "pong"}
    assert await socket.receive_nothing(timeout=0.3)


async def test_console_delta_event_on_its_way_at_the_heartbeat_costs_no_read(
    sockets, make_department, make_staff, login, knock
):
    """The counter is ahead at one heartbeat because the event is still on its way: it
    arrives, and the next heartbeat reads nothing."""
    a = await run(make_department)(name="A")
    anna = await run(login)(await run(make_staff)(a))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    layer_event = await run(lambda: sequence.next_number(a.pk))()
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    # What the announcement on its way would have carried, arriving after the heartbeat.
    await get_channel_layer().group_send(
        f"staff.{a.pk}", {"type": "queue.changed", "department": a.pk, "seq": layer_event}
    )
    assert (await receive(socket))["type"] == "queue-update"
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    assert await socket.receive_nothing(timeout=0.3)
