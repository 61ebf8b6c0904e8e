"""The citizen's waiting room socket."""

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from buergerbuero.waiting import actions
from buergerbuero.waiting.models import EntryState, QueueEntry

from .support import (
    admit,
    nothing_more,
    receive,
    receive_close,
    receive_until,
    run,
    send,
    stranger_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def path(entry_id):
    return f"/ws/warteraum/{entry_id}/"


async def waiting_rooms(sockets, knock, department, count: int):
    """`count` citizens knocked, each with their waiting room open and its first place read."""
    citizens = [await run(knock)(department, f"Bürger {n}") for n in range(count)]
    opened = []
    for citizen in citizens:
        socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
        await receive(socket)
        opened.append(socket)
    return citizens, opened


async def test_waiting_socket_refuses_browser_without_the_entry(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), await run(stranger_cookie)())
    assert await receive(socket) == {
        "type": "error",
        "code": "forbidden",
        "message": "This waiting room belongs to another browser.",
    }
    assert await receive_close(socket) == 4403


async def test_waiting_socket_refuses_browser_without_session(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id))
    assert (await receive(socket))["code"] == "forbidden"
    assert await receive_close(socket) == 4403


async def test_waiting_socket_refuses_other_citizens_entry(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    bob = await run(knock)(department, "Bob")
    socket = await sockets.connect(path(ada.entry_id), bob.cookie)
    assert (await receive(socket))["code"] == "forbidden"
    assert await receive_close(socket) == 4403


async def test_waiting_socket_foreign_origin_is_rejected(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    _socket, connected = await sockets.attempt(
        path(citizen.entry_id), citizen.cookie, origin=b"https://evil.example"
    )
    assert connected is False


@pytest.mark.parametrize(
    ("origin", "opens"),
    [
        ("http://testserver", True),  # the test client's pages (support.ORIGIN)
        ("http://testserver:80", True),  # the default port, written out
        ("HTTP://TestServer", True),  # scheme and host know no case
        ("https://testserver", False),  # wrong scheme
        ("http://testserver:9999", False),  # wrong port: another program on the host
        ("http://evil.example", False),  # wrong host
        ("http://testserver.evil.example", False),
        ("null", False),  # a sandboxed frame or a file
        ("http://testserver:x", False),
    ],
)
async def test_waiting_socket_origin_must_match_scheme_host_and_port(
    sockets, office_with_clerk, knock, origin, opens
):
    # Channels' host-only check (AllowedHostsOriginValidator) let any port and either
    # scheme in: `http://127.0.0.1:9999` opened a citizen's socket on 127.0.0.1:8000.
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    _socket, connected = await sockets.attempt(
        path(citizen.entry_id), citizen.cookie, origin=origin.encode()
    )
    assert connected is opens


async def test_waiting_socket_sends_position_on_connect(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(socket) == {
        "type": "position",
        "position": 1,
        "estimate_minutes": 0,
        "office": "open",
        "department": "Wohngeld",
    }


async def test_waiting_socket_position_moves_up_when_first_leaves(
    sockets, office_with_clerk, knock, settings
):
    settings.DEFAULT_CONSULTATION_MINUTES = 10
    department, _clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    bob = await run(knock)(department, "Bob")
    ada_socket = await sockets.connect(path(ada.entry_id), ada.cookie)
    bob_socket = await sockets.connect(path(bob.entry_id), bob.cookie)
    assert await receive(ada_socket) == {
        "type": "position",
        "position": 1,
        "estimate_minutes": 0,
        "office": "open",
        "department": "Wohngeld",
    }
    assert await receive(bob_socket) == {
        "type": "position",
        "position": 2,
        "estimate_minutes": 10,
        "office": "open",
        "department": "Wohngeld",
    }

    await send(ada_socket, {"type": "leave"})

    assert await receive(ada_socket) == {"type": "left"}
    assert await receive_close(ada_socket) == 4410
    assert await receive(bob_socket) == {
        "type": "position",
        "position": 1,
        "estimate_minutes": 0,
        "office": "open",
        "department": "Wohngeld",
    }
    assert await run(lambda: QueueEntry.objects.get(pk=ada.entry_id).state)() == EntryState.LEFT
    # The closed socket is told nothing after its close frame.
    assert await nothing_more(ada_socket)


async def test_waiting_socket_hears_no_knock_behind_it_but_a_booked_check_in_ahead(
    sockets, office_with_clerk, knock
):
    """A knock lands last in line, so the places and estimates already shown stay right
    and nobody's waiting room reads its place again; a booked citizen checking in goes
    ahead, and that moves everyone."""
    department, _clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    socket = await sockets.connect(path(ada.entry_id), ada.cookie)
    assert (await receive(socket))["position"] == 1
    await run(knock)(department, "Bob")
    await run(knock)(department, "Cem")
    assert await nothing_more(socket)
    booked = SimpleNamespace(
        department_id=department.pk,
        display_name="Dora",
        topic="",
        language="de",
        starts_at=timezone.now(),
    )
    await run(actions.knock_booked)(booked)
    assert (await receive(socket))["position"] == 2


async def test_waiting_socket_admitted_citizen_receives_call_url(sockets, office_with_clerk, knock):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)  # position

    room_id, _staff_id, _citizen_id = await run(admit)(citizen.entry_id, clerk)

    assert await receive(socket) == {
        "type": "admitted",
        "call_url": f"/gespraech/{room_id}/",
        "socket": f"/ws/raum/{room_id}/",
        "ended_url": f"/gespraech/{room_id}/beendet/",
    }


async def test_waiting_socket_declined_citizen_receives_message(sockets, office_with_clerk, knock):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)  # position

    await run(actions.decline)(citizen.entry_id, clerk, "Bitte buchen Sie einen Termin.")

    assert await receive(socket) == {
        "type": "declined",
        "message": "Bitte buchen Sie einen Termin.",
        "lang": "",
    }


async def test_waiting_socket_declined_tells_the_language_of_the_message(
    sockets, office_with_clerk, knock
):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)  # position

    await run(actions.decline)(citizen.entry_id, clerk, "Please book an appointment.", "en")

    expected = {"type": "declined", "message": "Please book an appointment.", "lang": "en"}
    assert await receive(socket) == expected
    # A page that comes back later hears the same.
    again = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(again) == expected


async def test_waiting_socket_staff_message_to_one_and_to_all(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    bob = await run(knock)(department, "Bob")
    ada_socket = await sockets.connect(path(ada.entry_id), ada.cookie)
    bob_socket = await sockets.connect(path(bob.entry_id), bob.cookie)
    await receive(ada_socket)
    await receive(bob_socket)

    await run(actions.message_waiting)(department.pk, "Nur für Sie.", bob.entry_id)
    await run(actions.message_waiting)(department.pk, "Für alle.")

    assert await receive(bob_socket) == {
        "type": "staff-message",
        "text": "Nur für Sie.",
        "to_all": False,
    }
    assert await receive(bob_socket) == {
        "type": "staff-message",
        "text": "Für alle.",
        "to_all": True,
    }
    # Ada's first message is the one to everybody: the personal one never reached her.
    assert await receive(ada_socket) == {
        "type": "staff-message",
        "text": "Für alle.",
        "to_all": True,
    }


async def test_waiting_socket_ping_refreshes_seen_at(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    old = timezone.now() - timedelta(seconds=60)
    await run(lambda: QueueEntry.objects.filter(pk=citizen.entry_id).update(seen_at=old))()
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)
    await run(lambda: QueueEntry.objects.filter(pk=citizen.entry_id).update(seen_at=old))()

    await send(socket, {"type": "ping"})

    assert await receive(socket) == {"type": "pong"}
    assert await run(lambda: QueueEntry.objects.get(pk=citizen.entry_id).seen_at > old)() is True


async def test_waiting_socket_disconnect_starts_grace_period(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)
    old = timezone.now() - timedelta(seconds=60)
    await run(lambda: QueueEntry.objects.filter(pk=citizen.entry_id).update(seen_at=old))()

    await socket.disconnect()

    entry = await run(QueueEntry.objects.get)(pk=citizen.entry_id)
    assert (entry.state, entry.seen_at > old) == (EntryState.WAITING, True)


@pytest.mark.parametrize(
    ("resolve", "final"),
    [
        ("decline", {"type": "declined", "message": "Heute nicht mehr.", "lang": ""}),
        ("leave", {"type": "expired"}),
        ("expire", {"type": "expired"}),
    ],
)
async def test_waiting_socket_reconnect_after_resolution_gets_final_word(
    sockets, office_with_clerk, knock, resolve, final
):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)

    def resolve_entry():
        if resolve == "decline":
            actions.decline(citizen.entry_id, clerk, "Heute nicht mehr.")
        elif resolve == "leave":
            actions.leave(citizen.entry_id)
        else:
            QueueEntry.objects.filter(pk=citizen.entry_id).update(
                seen_at=timezone.now() - timedelta(hours=1)
            )
            assert actions.expire_stale() == 1

    await run(resolve_entry)()
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(socket) == final
    assert await receive_close(socket) == 4410


async def test_waiting_socket_reconnect_after_admission_gets_call_url(
    sockets, office_with_clerk, knock
):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    room_id, _staff_id, _citizen_id = await run(admit)(citizen.entry_id, clerk)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(socket) == {
        "type": "admitted",
        "call_url": f"/gespraech/{room_id}/",
        "socket": f"/ws/raum/{room_id}/",
        "ended_url": f"/gespraech/{room_id}/beendet/",
    }
    assert await receive_close(socket) == 4410


async def test_waiting_socket_position_reports_closed_office(sockets, office_with_clerk, knock):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    from buergerbuero.staff.presence import set_presence

    await run(lambda: set_presence(clerk.staff_profile, "paused"))()
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    # Nobody available: counted as one staff member, all busy.
    assert await receive(socket) == {
        "type": "position",
        "position": 1,
        "estimate_minutes": 5,
        "office": "closed",
        "department": "Wohngeld",
    }


async def test_waiting_socket_without_origin_is_rejected(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    _socket, connected = await sockets.attempt(path(citizen.entry_id), citizen.cookie, origin=None)
    assert connected is False


async def test_waiting_socket_entry_gone_is_not_found(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    await run(lambda: QueueEntry.objects.filter(pk=citizen.entry_id).delete())()
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(socket) == {
        "type": "error",
        "code": "not_found",
        "message": "Unknown queue entry.",
    }
    assert await receive_close(socket) == 4410


async def test_waiting_socket_a_citizen_going_and_coming_back_is_told_to_staff_only(
    sockets, office_with_clerk, knock, login
):
    """Another citizen's page closing and reopening moves nobody in the queue: the other
    waiting rooms hear nothing (after a restart every citizen comes back at once, and each
    telling all the others made reconnecting quadratic), the consoles see the mark."""
    department, clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    bob = await run(knock)(department, "Bob")
    staff = await run(login)(clerk)
    bob_socket = await sockets.connect(path(bob.entry_id), bob.cookie)
    assert (await receive(bob_socket))["position"] == 2
    ada_socket = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(ada_socket)
    console = await sockets.connect("/ws/konsole/", staff.cookie)
    await receive(console)

    await ada_socket.disconnect()
    gone = (await receive_until(console, "queue-update"))["waiting"]
    assert [row["gone_since"] is not None for row in gone] == [True, False]
    again = await sockets.connect(path(ada.entry_id), ada.cookie)
    assert (await receive(again))["position"] == 1
    back = (await receive_until(console, "queue-update"))["waiting"]
    assert [row["gone_since"] for row in back] == [None, None]

    assert await nothing_more(bob_socket)


async def test_a_page_closing_while_another_of_the_same_place_is_open_leaves_no_gone_mark(
    sockets, office_with_clerk, knock, login
):
    """A reload or a switch of language: the new page's socket opens before the old one's
    close is handled. The citizen is still there; staff must not see them as gone (and be
    asked to confirm their admission) until the new page's next ping."""
    department, clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    staff = await run(login)(clerk)
    old = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(old)
    new = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(new)
    console = await sockets.connect("/ws/konsole/", staff.cookie)
    await receive(console)

    await old.disconnect()

    async def marked():
        return (await run(QueueEntry.objects.get)(pk=ada.entry_id)).disconnected_at

    for _ in range(50):
        if await marked() is None:
            break
        await asyncio.sleep(0.05)
    assert await marked() is None
    # The console saw the mark come and go (or never): its last word is "here".
    rows = (await receive_until(console, "queue-update"))["waiting"]
    while rows[0]["gone_since"] is not None:
        rows = (await receive_until(console, "queue-update"))["waiting"]
    assert await nothing_more(console)
    assert (await run(QueueEntry.objects.get)(pk=ada.entry_id)).state == EntryState.WAITING


async def test_a_stopping_process_marks_its_waiting_rooms_seen_in_batches(
    sockets, office_with_clerk, knock, monkeypatch
):
    """All of a stopping process's waiting rooms close at once: their marks are written
    together, not one trip to the database thread each (a 1,000-citizen stop took 13 s)."""
    from buergerbuero.live import shutdown
    from buergerbuero.waiting import actions as queue_actions

    department, _clerk = office_with_clerk
    citizens, opened = await waiting_rooms(sockets, knock, department, 6)
    old = timezone.now() - timedelta(seconds=60)
    await run(lambda: QueueEntry.objects.update(seen_at=old))()
    writes: list[set] = []
    touch_all = queue_actions.touch_all
    monkeypatch.setattr(
        queue_actions, "touch_all", lambda ids: (writes.append(set(ids)), touch_all(ids))
    )
    monkeypatch.setattr(shutdown, "_draining", True)

    await asyncio.gather(*(socket.disconnect() for socket in opened))

    seen = await run(lambda: list(QueueEntry.objects.values_list("seen_at", flat=True)))()
    assert len(seen) == 6 and all(at > old for at in seen)
    assert set().union(*writes) == {c.entry_id for c in citizens}
    assert len(writes) < 6


async def test_waiting_rooms_asking_at_once_are_answered_together(
    sockets, office_with_clerk, knock, monkeypatch
):
    """When the first in line leaves, every waiting room of the department asks for its
    new place at once (and after a restart, all of them): they are answered together, a
    few department-wide queries for all, each with its own right place and estimate."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from buergerbuero.live import waiting_consumer

    department, _clerk = office_with_clerk
    citizens, opened = await waiting_rooms(sockets, knock, department, 8)
    asked: list[set] = []
    queries: list[int] = []
    answer = waiting_consumer.positions.function

    def answer_counted(ids):
        asked.append(set(ids))
        with CaptureQueriesContext(connection) as captured:
            answers = answer(ids)
        queries.append(len(captured))
        return answers

    monkeypatch.setattr(waiting_consumer.positions, "function", answer_counted)

    await send(opened[0], {"type": "leave"})
    assert await receive(opened[0]) == {"type": "left"}
    moved = [await receive(socket) for socket in opened[1:]]

    assert [m["position"] for m in moved] == list(range(1, 8))
    assert [m["estimate_minutes"] for m in moved] == [0, *range(10, 70, 10)]
    assert set().union(*asked) == {c.entry_id for c in citizens[1:]}
    assert len(asked) < 7
    # One at a time, each place cost seven queries: 49 for these seven.
    assert sum(queries) < 30, queries


async def test_waiting_socket_closed_by_a_stopping_process_is_not_marked_gone(
    sockets, office_with_clerk, knock, monkeypatch
):
    """A process that stops tells its browsers to come back (1012): their places are not
    marked as gone (staff would see every citizen leave and return) and nobody is told,
    but the grace period counts from the close, should the page not come back."""
    from buergerbuero import notify
    from buergerbuero.live import shutdown

    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(socket)
    old = timezone.now() - timedelta(seconds=60)
    await run(lambda: QueueEntry.objects.filter(pk=citizen.entry_id).update(seen_at=old))()
    heard: list = []
    notify.listen(heard.append)
    monkeypatch.setattr(shutdown, "_draining", True)
    try:
        await socket.disconnect()
    finally:
        notify.unlisten(heard.append)

    entry = await run(QueueEntry.objects.get)(pk=citizen.entry_id)
    assert (entry.state, entry.disconnected_at, entry.seen_at > old) == (
        EntryState.WAITING,
        None,
        True,
    )
    assert heard == []
