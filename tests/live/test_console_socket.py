"""The staff console socket: live queues and the staff actions on them."""

import asyncio
from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from buergerbuero.calls.models import Room
from buergerbuero.staff import accounts
from buergerbuero.staff.models import StaffProfile
from buergerbuero.staff.presence import presence_of
from buergerbuero.waiting.models import EntryState, QueueEntry

from .support import receive, receive_close, receive_until, run, send, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)
CONSOLE = "/ws/konsole/"
NOT_YOURS = "No such waiting citizen in your departments."


@pytest.fixture
def two_offices(make_department, make_staff, login):
    """Department A with its clerk, department B with its own; nobody serves both."""
    a = make_department(slug="wohngeld", name="Wohngeld")
    b = make_department(slug="kataster", name="Kataster")
    return a, login(make_staff(a, username="anna")), b, login(make_staff(b, username="bernd"))


def entry_row(entry_id) -> dict:
    entry = QueueEntry.objects.get(pk=entry_id)
    return {
        "id": entry.pk,
        "department": entry.department_id,
        "name": entry.display_name,
        "topic": entry.topic,
        "language": entry.language,
        "since": entry.created_at.isoformat(),
        "booked_for": None,
        "gone_since": None if entry.disconnected_at is None else entry.disconnected_at.isoformat(),
        "background_since": None,
        "called_at": None,
        "passed_on_from": None,
        "note": "",
    }


def line(department, waiting=0, status="open", presence="available") -> dict:
    return {
        "id": department.pk,
        "slug": department.slug,
        "name": department.name,
        "status": status,
        "presence": presence,
        "waiting": waiting,
        "time_zone": "Europe/Berlin",
    }


def test_channel_layer_matches_the_run(settings):
    # The PostgreSQL run must exercise the Redis layer, the SQLite run the in-memory one.
    expected = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert type(get_channel_layer()).__name__ == expected


async def test_console_socket_refuses_anonymous(sockets):
    socket = await sockets.connect(CONSOLE)
    assert await receive(socket) == {
        "type": "error",
        "code": "forbidden",
        "message": "Staff login required.",
    }
    assert await receive_close(socket) == 4403


async def test_console_socket_refuses_user_without_staff_profile(sockets):
    def citizen_account():
        user = get_user_model().objects.create_user(username="citizen", password="pw-for-tests-123")
        client = Client()
        client.force_login(user)
        return session_cookie(client)

    socket = await sockets.connect(CONSOLE, await run(citizen_account)())
    assert (await receive(socket))["code"] == "forbidden"
    assert await receive_close(socket) == 4403


async def test_console_socket_snapshot_shows_own_queues_only(sockets, two_offices, knock):
    a, anna, b, _bernd = two_offices
    ada = await run(knock)(a, "Ada", "Antrag 4711")
    await run(knock)(b, "Bob")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    assert await receive(socket) == {
        "type": "queues",
        "departments": [line(a, waiting=1)],
        "waiting": [await run(entry_row)(ada.entry_id)],
    }


async def test_console_socket_new_knock_sends_only_its_department(
    sockets, make_department, make_staff, login, knock
):
    a, b = await run(make_department)(name="A"), await run(make_department)(name="B")
    anna = await run(login)(await run(make_staff)(a, b))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    assert (await receive(socket))["waiting"] == []
    ada = await run(knock)(a, "Ada")
    # The knock's row travels with the announcement: no read of the queue, nothing removed.
    assert await receive(socket) == {
        "type": "queue-delta",
        "departments": [line(a, waiting=1)],
        "added": [await run(entry_row)(ada.entry_id)],
    }


async def test_console_socket_knock_elsewhere_is_not_heard(sockets, two_offices, knock):
    _a, anna, b, _bernd = two_offices
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    await run(knock)(b, "Bob")
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}


async def test_console_socket_citizen_gone_and_back_is_marked(sockets, two_offices, knock):
    a, anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    waiting = await sockets.connect(f"/ws/warteraum/{ada.entry_id}/", ada.cookie)
    await receive(waiting)
    console = await sockets.connect(CONSOLE, anna.cookie)
    assert (await receive(console))["waiting"][0]["gone_since"] is None

    await waiting.disconnect()
    gone = (await receive_until(console, "queue-update"))["waiting"][0]
    entry = await run(QueueEntry.objects.get)(pk=ada.entry_id)
    assert gone["gone_since"] == entry.disconnected_at.isoformat()

    again = await sockets.connect(f"/ws/warteraum/{ada.entry_id}/", ada.cookie)
    await receive(again)
    assert (await receive_until(console, "queue-update"))["waiting"][0]["gone_since"] is None


async def test_console_socket_admit_replies_with_call_url(sockets, two_offices, knock, settings):
    """With the call's address and socket, the staff member's ICE settings: the console
    makes the connection to the citizen while the call's socket opens."""
    settings.ICE_SERVERS = [{"urls": "stun:stun.kreis.example:3478"}]
    settings.ICE_TRANSPORT_POLICY = "relay"
    settings.TURN_URLS = ["turn:turn.kreis.example:3478"]
    settings.TURN_SECRET = "geheim"
    a, anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, {"type": "admit", "entry": ada.entry_id})

    reply = await receive_until(socket, "admitted")
    room = await run(Room.objects.get)(queue_entry_id=ada.entry_id)
    stun, turn = reply.pop("ice_servers")
    assert reply == {
        "type": "admitted",
        "entry": ada.entry_id,
        "call_url": f"/gespraech/{room.pk}/",
        "socket": f"/ws/raum/{room.pk}/",
        "ice_transport_policy": "relay",
    }
    assert stun == {"urls": "stun:stun.kreis.example:3478"}
    # Short-lived TURN credentials of its own, as in the call's welcome.
    assert turn["urls"] == ["turn:turn.kreis.example:3478"] and turn["credential"]


async def test_console_socket_admit_reaches_the_waiting_citizen(sockets, two_offices, knock):
    a, anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    waiting = await sockets.connect(f"/ws/warteraum/{ada.entry_id}/", ada.cookie)
    await receive(waiting)
    console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(console)

    await send(console, {"type": "admit", "entry": ada.entry_id})

    reply = await receive_until(console, "admitted")
    assert await receive(waiting) == {
        "type": "admitted",
        "call_url": reply["call_url"],
        "socket": reply["socket"],
        "ended_url": reply["call_url"] + "beendet/",
    }


@pytest.mark.parametrize(
    "action",
    [
        lambda entry, department: {"type": "admit", "entry": entry},
        lambda entry, department: {"type": "decline", "entry": entry, "message": "Nein"},
        lambda entry, department: {
            "type": "message",
            "department": department,
            "entry": entry,
            "text": "Hallo",
        },
    ],
    ids=["admit", "decline", "message"],
)
async def test_console_socket_entry_of_other_department_looks_unknown(
    sockets, two_offices, knock, action
):
    a, anna, b, _bernd = two_offices
    bob = await run(knock)(b, "Bob")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, action(bob.entry_id, a.pk))
    foreign = await receive_until(socket, "error")
    await send(socket, action("no-such-entry", a.pk))
    unknown = await receive_until(socket, "error")

    request = action("x", a.pk)["type"]
    assert (
        foreign
        == unknown
        == {"type": "error", "code": "not_waiting", "message": NOT_YOURS, "request": request}
    )
    entry = await run(QueueEntry.objects.get)(pk=bob.entry_id)
    assert (entry.state, await run(Room.objects.count)()) == (EntryState.WAITING, 0)


async def test_console_socket_message_to_other_department_queue_refused(
    sockets, two_offices, knock
):
    _a, anna, b, _bernd = two_offices
    await run(knock)(b, "Bob")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, {"type": "message", "department": b.pk, "text": "Hallo"})
    foreign = await receive_until(socket, "error")
    await send(socket, {"type": "message", "department": 999_999, "text": "Hallo"})
    unknown = await receive_until(socket, "error")

    assert (
        foreign
        == unknown
        == {
            "type": "error",
            "code": "not_waiting",
            "message": "No such department among yours.",
            "request": "message",
        }
    )


@pytest.fixture
def shared_office(make_department, make_staff, login):
    """One department, two clerks."""
    department = make_department()
    return department, login(make_staff(department)), login(make_staff(department))


async def test_console_socket_admit_race_exactly_one_wins(sockets, shared_office, knock):
    department, first_staff, second_staff = shared_office
    first = await sockets.connect(CONSOLE, first_staff.cookie)
    second = await sockets.connect(CONSOLE, second_staff.cookie)
    ada = await run(knock)(department, "Ada")

    # Both click "admit" before either has an answer.
    await asyncio.gather(
        send(first, {"type": "admit", "entry": ada.entry_id}),
        send(second, {"type": "admit", "entry": ada.entry_id}),
    )
    replies = [await first_reply(first), await first_reply(second)]

    room = await run(Room.objects.get)(queue_entry_id=ada.entry_id)
    admitted = {
        "type": "admitted",
        "entry": ada.entry_id,
        "call_url": f"/gespraech/{room.pk}/",
        "socket": f"/ws/raum/{room.pk}/",
        "ice_servers": [],
        "ice_transport_policy": "all",
    }
    refused = {
        "type": "error",
        "code": "already_handled",
        "message": "Someone else has already handled this knock.",
        "request": "admit",
    }
    assert sorted(replies, key=lambda r: r["type"]) == [admitted, refused]
    assert await run(Room.objects.count)() == 1


async def first_reply(socket) -> dict:
    """The answer to an admit: "admitted" or an error, past any live snapshots."""
    while True:
        message = await receive(socket)
        if message["type"] in ("admitted", "error"):
            return message
        assert message["type"] in ("queues", "queue-update", "queue-delta"), message


async def test_console_socket_decline_and_message(sockets, two_offices, knock):
    a, anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    bob = await run(knock)(a, "Bob")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, {"type": "message", "department": a.pk, "text": "Kurze Pause."})
    assert await receive_until(socket, "message-sent") == {"type": "message-sent", "recipients": 2}
    await send(
        socket, {"type": "message", "department": a.pk, "entry": bob.entry_id, "text": "Gleich!"}
    )
    assert await receive_until(socket, "message-sent") == {"type": "message-sent", "recipients": 1}
    await send(
        socket, {"type": "decline", "entry": ada.entry_id, "message": "Bitte Termin buchen."}
    )
    assert await receive_until(socket, "declined") == {"type": "declined", "entry": ada.entry_id}

    entry = await run(QueueEntry.objects.get)(pk=ada.entry_id)
    assert (entry.state, entry.decline_message) == (EntryState.DECLINED, "Bitte Termin buchen.")


async def test_console_socket_presence_change_closes_the_office(sockets, two_offices):
    _a, anna, _b, _bernd = two_offices
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, {"type": "presence", "presence": "paused"})

    update = await receive(socket)
    assert update == {
        "type": "queue-update",
        "departments": [line(_a, status="closed", presence="paused")],
        "waiting": [],
    }
    assert await run(presence_of)(anna.user.staff_profile.pk) == {_a.pk: "paused"}


async def test_console_socket_presence_in_one_department(
    sockets, make_department, make_staff, login
):
    a, b, c = [await run(make_department)(name=n) for n in "ABC"]
    anna = await run(login)(await run(make_staff)(a, b, presence="offline"))
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await send(socket, {"type": "presence", "presence": "available", "departments": [b.pk, c.pk]})

    assert await receive(socket) == {
        "type": "queue-update",
        "departments": [line(b)],
        "waiting": [],
    }
    assert await run(presence_of)(anna.user.staff_profile.pk) == {
        a.pk: "offline",
        b.pk: "available",
    }
    await send(socket, {"type": "presence", "presence": "available", "departments": [c.pk]})
    assert (await receive_until(socket, "error"))["code"] == "not_waiting"


async def test_console_socket_last_console_closed_sets_offline(sockets, two_offices, settings):
    settings.CONSOLE_RELEASE_SECONDS = 0
    a, anna, _b, _bernd = two_offices
    first = await sockets.connect(CONSOLE, anna.cookie)
    await receive(first)
    second = await sockets.connect(CONSOLE, anna.cookie)
    await receive(second)
    await first.disconnect()
    assert await run(presence_of)(anna.user.staff_profile.pk) == {a.pk: "available"}
    await second.disconnect()
    assert await run(presence_of)(anna.user.staff_profile.pk) == {a.pk: "offline"}


async def test_console_socket_ping_is_a_heartbeat(sockets, two_offices):
    _a, anna, _b, _bernd = two_offices
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    old = timezone.now() - timedelta(minutes=10)
    await run(lambda: StaffProfile.objects.filter(user=anna.user).update(seen_at=old))()

    await send(socket, {"type": "ping"})

    assert await receive(socket) == {"type": "pong"}
    assert (await run(StaffProfile.objects.get)(user=anna.user)).seen_at > old


async def test_console_socket_burst_of_changes_ends_with_the_current_state(
    sockets, two_offices, knock
):
    # Updates are coalesced while one is being built (never more updates than changes),
    # and the last one is the current state.
    a, anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)
    layer = get_channel_layer()
    for _ in range(30):
        await layer.group_send(f"staff.{a.pk}", {"type": "queue.changed", "department": a.pk})
    await send(socket, {"type": "ping"})
    updates = []
    while (message := await receive(socket))["type"] != "pong":
        updates.append(message)
    # Whatever arrived after the pong is the tail of the same burst.
    while not await socket.receive_nothing(timeout=0.3):
        updates.append(await receive(socket))
    assert 1 <= len(updates) <= 30, len(updates)
    assert updates[-1] == {
        "type": "queue-update",
        "departments": [line(a, waiting=1)],
        "waiting": [await run(entry_row)(ada.entry_id)],
    }


async def test_console_socket_of_a_suspended_member_closes_at_once(
    sockets, two_offices, make_staff, knock
):
    _a, anna, _b, _bernd = two_offices
    administrator = await run(make_staff)(administrator=True)
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    await run(accounts.suspend)(anna.user, administrator)

    assert await receive_until(socket, "error") == {
        "type": "error",
        "code": "forbidden",
        "message": "Your access has changed. Please sign in again.",
    }
    assert await receive_close(socket) == 4403


async def test_console_socket_follows_a_membership_removed_and_added(
    sockets, two_offices, make_staff, knock
):
    a, anna, b, _bernd = two_offices
    administrator = await run(make_staff)(administrator=True)
    socket = await sockets.connect(CONSOLE, anna.cookie)
    await receive(socket)

    # Added to B: a fresh snapshot with both, and B's knocks are heard.
    await run(accounts.set_memberships)(anna.user, {a.pk: "staff", b.pk: "staff"}, administrator)
    both = await receive_until(socket, "queues")
    assert sorted(line["id"] for line in both["departments"]) == sorted([a.pk, b.pk])
    bob = await run(knock)(b, "Bob")
    update = await receive_until(socket, "queue-delta")
    assert [row["id"] for row in update["added"]] == [bob.entry_id]

    # Removed from A (a colleague stays there): A is gone from the desk and no longer heard.
    await run(make_staff)(a)
    await run(accounts.remove_member)(anna.user, administrator, a.pk)
    only_b = await receive_until(socket, "queues")
    assert [line["id"] for line in only_b["departments"]] == [b.pk]
    await run(knock)(a, "Ada")
    await send(socket, {"type": "ping"})
    heard = []
    while (message := await receive(socket))["type"] != "pong":
        heard.append(message)
    assert [
        row for message in heard for row in message.get("waiting", []) + message.get("added", [])
    ] == []
