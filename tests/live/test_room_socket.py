"""The call's signalling socket: who may join, who hears what, and hang-up."""

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buergerbuero.calls.models import Participant, Role, Room
from buergerbuero.staff.models import StaffProfile

from .support import (
    Citizen,
    Staff,
    admit,
    nothing_more,
    receive,
    receive_close,
    run,
    send,
    session_cookie,
    stranger_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"}


class AnyConnection:
    """A socket's `connection`: random, and not short enough to guess."""

    def __eq__(self, other) -> bool:
        return isinstance(other, str) and len(other) >= 12

    def __repr__(self) -> str:
        return "<any connection>"


CONNECTION = AnyConnection()


@dataclass
class Call:
    room_id: str
    staff: Staff
    citizen: Citizen
    staff_id: str
    citizen_id: str

    @property
    def path(self) -> str:
        return f"/ws/raum/{self.room_id}/"


@pytest.fixture
def make_call(make_department, make_staff, login, knock):
    """A running consultation: staff admitted a citizen who knocked through the page."""

    def make(citizen_name="Ada") -> Call:
        department = make_department()
        staff = login(make_staff(department))
        citizen = knock(department, citizen_name)
        room_id, staff_id, citizen_id = admit(citizen.entry_id, staff.user)
        return Call(room_id, staff, citizen, staff_id, citizen_id)

    return make


@pytest.fixture
def call(make_call):
    return make_call()


@pytest.fixture
def two_calls(make_call):
    return make_call("Ada"), make_call("Bob")


async def join(sockets, call: Call, cookie: str):
    """Connect and read the welcome."""
    socket = await sockets.connect(call.path, cookie)
    welcome = await receive(socket)
    assert welcome["type"] == "welcome", welcome
    return socket, welcome


async def join_both(sockets, call: Call):
    staff, _ = await join(sockets, call, call.staff.cookie)
    citizen, _ = await join(sockets, call, call.citizen.cookie)
    assert (await receive(staff))["type"] == "peer-joined"
    return staff, citizen


def guest_joins_by_link(path: str, name: str) -> tuple[int, int, str]:
    """A guest opens the invitation link, enters a name; returns statuses and their cookie."""
    client = Client()
    page = client.get(path)
    redeemed = client.post(path, {"display_name": name})
    return (
        page.status_code,
        redeemed.status_code,
        redeemed.get("Location", ""),
        session_cookie(client),
    )


def peer(participant_id, name, role, sign_language=False) -> dict:
    return {"id": participant_id, "name": name, "role": role, "sign_language": sign_language}


async def test_room_socket_refuses_stranger(sockets, call):
    socket = await sockets.connect(call.path, await run(stranger_cookie)())
    assert await receive(socket) == {
        "type": "error",
        "code": "forbidden",
        "message": "You have not been admitted to this consultation.",
    }
    assert await receive_close(socket) == 4403


async def test_room_socket_refuses_participant_of_another_room(sockets, two_calls):
    first, second = two_calls
    for cookie in (second.citizen.cookie, second.staff.cookie):
        socket = await sockets.connect(first.path, cookie)
        assert (await receive(socket))["code"] == "forbidden"
        assert await receive_close(socket) == 4403


async def test_room_socket_welcome_lists_peers_and_ice(sockets, call, settings):
    settings.ICE_SERVERS = [{"urls": "stun:stun.kreis.example:3478"}]
    settings.ICE_TRANSPORT_POLICY = "relay"
    staff_name = await run(lambda: Participant.objects.get(pk=call.staff_id).display_name)()

    _socket, welcome = await join(sockets, call, call.citizen.cookie)

    assert welcome == {
        "type": "welcome",
        "you": peer(call.citizen_id, "Ada", "citizen"),
        "peers": [peer(call.staff_id, staff_name, "staff")],
        "ice_servers": [{"urls": "stun:stun.kreis.example:3478"}],
        "ice_transport_policy": "relay",
    }


async def test_room_socket_announces_joining_peer(sockets, call):
    staff, _ = await join(sockets, call, call.staff.cookie)
    await join(sockets, call, call.citizen.cookie)
    assert await receive(staff) == {
        "type": "peer-joined",
        "peer": peer(call.citizen_id, "Ada", "citizen"),
        "connection": CONNECTION,
    }


async def test_room_socket_signal_reaches_only_the_addressed_participant(sockets, two_calls):
    call, other = two_calls
    staff, citizen = await join_both(sockets, call)
    other_staff, other_citizen = await join_both(sockets, other)

    await send(staff, {"type": "signal", "to": call.citizen_id, "description": OFFER})
    assert await receive(citizen) == {"type": "signal", "from": call.staff_id, "description": OFFER}

    # A chat sent after the signal is the next thing everyone else sees: the signal was not
    # echoed to its sender, and nothing crossed into the other room.
    await send(staff, {"type": "chat", "text": "Hallo"})
    assert (await receive(staff))["type"] == "chat"
    await send(other_staff, {"type": "chat", "text": "Servus"})
    assert (await receive(other_citizen))["text"] == "Servus"
    assert (await receive(other_staff))["text"] == "Servus"
    assert await nothing_more(other_citizen)


async def test_room_socket_signal_with_guest_reaches_only_the_addressed(sockets, call):
    staff, citizen = await join_both(sockets, call)
    await send(staff, {"type": "invite", "label": ""})
    invitation = await receive(staff)
    _page, _redeemed, _location, guest_cookie = await run(guest_joins_by_link)(
        invitation["path"], "Eva"
    )
    guest, welcome = await join(sockets, call, guest_cookie)
    guest_id = welcome["you"]["id"]
    assert (await receive(staff))["type"] == (await receive(citizen))["type"] == "peer-joined"

    candidate = {
        "candidate": "candidate:1 1 udp 2122260223 192.0.2.7 54321 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    await send(guest, {"type": "signal", "to": call.citizen_id, "candidate": candidate})
    await send(guest, {"type": "chat", "text": "Ich bin da"})

    assert await receive(citizen) == {"type": "signal", "from": guest_id, "candidate": candidate}
    assert (await receive(citizen))["type"] == "chat"
    # The staff member's next message is the chat: the signal went to the citizen only.
    assert (await receive(staff))["type"] == "chat"
    assert (await receive(guest))["type"] == "chat"


async def test_room_socket_signal_to_participant_of_another_room_is_unknown_peer(
    sockets, two_calls
):
    call, other = two_calls
    staff, _citizen = await join_both(sockets, call)
    _other_staff, other_citizen = await join_both(sockets, other)

    await send(staff, {"type": "signal", "to": other.citizen_id, "description": OFFER})

    assert await receive(staff) == {
        "type": "error",
        "code": "unknown_peer",
        "message": "No such participant in this call.",
        "request": "signal",
    }
    assert await nothing_more(other_citizen)


@pytest.mark.parametrize("to", ["self", "nobody"])
async def test_room_socket_signal_to_self_or_unknown_is_unknown_peer(sockets, call, to):
    staff, _citizen = await join_both(sockets, call)
    await send(
        staff,
        {"type": "signal", "to": call.staff_id if to == "self" else "nobody", "description": OFFER},
    )
    assert (await receive(staff))["code"] == "unknown_peer"


async def test_room_socket_chat_reaches_everyone_with_sender(sockets, call):
    staff, citizen = await join_both(sockets, call)
    before = timezone.now()

    await send(citizen, {"type": "chat", "text": "Können Sie mich hören?"})

    received = [await receive(staff), await receive(citizen)]
    sent_at = datetime.fromisoformat(received[0]["at"])
    assert before <= sent_at <= timezone.now()
    expected = {
        "type": "chat",
        "from": call.citizen_id,
        "name": "Ada",
        "text": "Können Sie mich hören?",
        "at": received[0]["at"],
    }
    assert received == [expected, expected]


@pytest.mark.parametrize(
    ("text", "relayed"),
    [
        ("Hallo\x00 da", "Hallo da"),  # NUL
        ("\u202eHallo", "Hallo"),  # right-to-left override: text shown reversed
        ("Zeile\x1beins\r\nzwei\u200b", "Zeile eins zwei"),  # escape, line breaks, zero width
    ],
)
async def test_room_socket_chat_is_cleaned_like_every_other_text(sockets, call, text, relayed):
    staff, citizen = await join_both(sockets, call)
    await send(citizen, {"type": "chat", "text": text})
    received = [await receive(staff), await receive(citizen)]
    assert [message["text"] for message in received] == [relayed, relayed]


@pytest.mark.parametrize("text", ["\u200b\ufeff\u200d", "\x00", "\u202e", " \t\n"])
async def test_room_socket_chat_of_nothing_readable_is_text_required(sockets, call, text):
    staff, citizen = await join_both(sockets, call)
    await send(citizen, {"type": "chat", "text": text})
    assert await receive(citizen) == {
        "type": "error",
        "code": "text_required",
        "message": "Please write a message.",
        "request": "chat",
    }
    assert await nothing_more(staff)


async def test_room_socket_media_state_goes_to_the_others(sockets, call):
    staff, citizen = await join_both(sockets, call)
    await send(citizen, {"type": "media-state", "audio": True, "video": False, "screen": False})
    assert await receive(staff) == {
        "type": "media-state",
        "from": call.citizen_id,
        "audio": True,
        "video": False,
        "screen": False,
    }
    assert await nothing_more(citizen)


async def test_room_socket_staff_end_reaches_everyone(sockets, call):
    staff, citizen = await join_both(sockets, call)

    await send(staff, {"type": "end"})

    ended = {"type": "ended", "by": call.staff_id}
    assert (await receive(staff), await receive(citizen)) == (ended, ended)
    # An ended room carries nothing more: both sockets are closed as gone.
    assert (await receive_close(staff), await receive_close(citizen)) == (4410, 4410)
    room = await run(Room.objects.get)(pk=call.room_id)
    assert room.ended_at is not None
    await citizen.disconnect()
    assert await nothing_more(staff)


@pytest.mark.parametrize(
    "action", [{"type": "end"}, {"type": "invite", "label": "Bruder"}, {"type": "back-to-queue"}]
)
async def test_room_socket_citizen_cannot_end_or_invite(sockets, call, action):
    _staff, citizen = await join_both(sockets, call)

    await send(citizen, action)

    assert await receive(citizen) == {
        "type": "error",
        "code": "forbidden",
        "message": "You are not allowed to do this.",
        "request": action["type"],
    }
    room = await run(Room.objects.get)(pk=call.room_id)
    assert (room.ended_at, await run(room.invitations.count)()) == (None, 0)


async def test_room_socket_invitation_link_lets_guest_join(sockets, call, settings):
    settings.INVITATION_TTL_SECONDS = 900
    staff, citizen = await join_both(sockets, call)
    before = timezone.now()

    await send(staff, {"type": "invite", "label": "Dolmetscherin"})

    invitation = await receive(staff)
    token = invitation["path"].removeprefix("/einladung/").removesuffix("/")
    assert invitation == {
        "type": "invitation",
        "path": reverse("public:invitation", args=[token]),
        "expires_at": invitation["expires_at"],
    }
    expires_at = datetime.fromisoformat(invitation["expires_at"])
    assert before + timedelta(seconds=900) <= expires_at <= timezone.now() + timedelta(seconds=900)

    page, redeemed, location, guest_cookie = await run(guest_joins_by_link)(
        invitation["path"], "Eva"
    )
    assert (page, redeemed, location) == (200, 302, f"/gespraech/{call.room_id}/")
    guest_id = await run(
        lambda: Participant.objects.get(room_id=call.room_id, role=Role.GUEST).pk
    )()

    _guest, welcome = await join(sockets, call, guest_cookie)

    assert welcome["you"] == peer(guest_id, "Eva", "guest")
    assert [p["id"] for p in welcome["peers"]] == [call.staff_id, call.citizen_id]
    joined = {
        "type": "peer-joined",
        "peer": peer(guest_id, "Eva", "guest"),
        "connection": CONNECTION,
    }
    assert (await receive(staff), await receive(citizen)) == (joined, joined)
    # Single use: the same link lets nobody else in.
    again = await run(lambda: Client().get(invitation["path"]).status_code)()
    assert again == 410


async def test_room_socket_sign_language_interpreter_is_marked_for_everyone(sockets, call):
    staff, citizen = await join_both(sockets, call)

    await send(staff, {"type": "invite", "label": "Frau Yilmaz", "sign_language": True})

    invitation = await receive(staff)
    page, redeemed, _location, guest_cookie = await run(guest_joins_by_link)(
        invitation["path"], "Frau Yilmaz"
    )
    assert (page, redeemed) == (200, 302)
    guest = await run(lambda: Participant.objects.get(room_id=call.room_id, role=Role.GUEST))()
    assert guest.sign_language is True

    _guest, welcome = await join(sockets, call, guest_cookie)

    interpreter = peer(guest.pk, "Frau Yilmaz", "guest", sign_language=True)
    assert welcome["you"] == interpreter
    joined = {"type": "peer-joined", "peer": interpreter, "connection": CONNECTION}
    assert (await receive(staff), await receive(citizen)) == (joined, joined)
    # Whoever comes (back) later learns it from the welcome.
    await citizen.disconnect()
    assert (await receive(staff))["type"] == "peer-gone"
    _citizen, again = await join(sockets, call, call.citizen.cookie)
    assert interpreter in again["peers"]


async def test_room_socket_leave_tells_the_others(sockets, call):
    staff, citizen = await join_both(sockets, call)

    await send(citizen, {"type": "leave"})

    assert await receive(citizen) == {"type": "left"}
    assert await receive_close(citizen) == 4410
    assert await receive(staff) == {"type": "peer-left", "id": call.citizen_id}
    left_at = await run(lambda: Participant.objects.get(pk=call.citizen_id).left_at)()
    assert left_at is not None


async def test_room_socket_signal_to_whoever_left_is_unknown_peer(sockets, call):
    # The socket remembers whom it may signal to (so that a negotiation's candidates need
    # no lookup each): one who left the call is forgotten at once.
    staff, citizen = await join_both(sockets, call)
    await send(staff, {"type": "signal", "to": call.citizen_id, "description": OFFER})
    assert (await receive(citizen))["type"] == "signal"

    await send(citizen, {"type": "leave"})
    assert await receive(citizen) == {"type": "left"}
    assert await receive(staff) == {"type": "peer-left", "id": call.citizen_id}
    await send(staff, {"type": "signal", "to": call.citizen_id, "description": OFFER})

    assert (await receive(staff))["code"] == "unknown_peer"


async def test_room_socket_disconnect_tells_the_others(sockets, call):
    staff, citizen = await join_both(sockets, call)
    await citizen.disconnect()
    assert await receive(staff) == {
        "type": "peer-gone",
        "id": call.citizen_id,
        "connection": CONNECTION,
    }


async def test_a_second_socket_of_the_same_participant_takes_the_call_over(sockets, call):
    # Another window, another device, or a reload whose old socket is not yet closed:
    # one socket per participant carries the call, the newest.
    staff, first = await join_both(sockets, call)
    second, welcome = await join(sockets, call, call.citizen.cookie)
    assert [p["id"] for p in welcome["peers"]] == [call.staff_id]

    assert await receive(first) == {"type": "moved"}
    assert await receive_close(first) == 4409
    joined = await receive(staff)
    assert (joined["type"], joined["peer"]["id"]) == ("peer-joined", call.citizen_id)
    # Offers now reach the new socket only; the staff page is not told the citizen left.
    await send(staff, {"type": "signal", "to": call.citizen_id, "description": OFFER})
    assert (await receive(second))["description"] == OFFER
    # What the old window sent before it heard `moved` goes nowhere (its answer would
    # meet the new connection's offer).
    await send(first, {"type": "signal", "to": call.staff_id, "description": OFFER})
    await first.disconnect()
    assert await nothing_more(staff)


async def test_a_peer_gone_names_the_socket_that_closed(sockets, call):
    # A page that reloads: whoever hears both can tell that the closed socket is not the
    # one that came back (call-session.js ignores a peer-gone of a replaced socket).
    staff, citizen = await join_both(sockets, call)
    await citizen.disconnect()
    gone = await receive(staff)
    _again, _ = await join(sockets, call, call.citizen.cookie)
    joined = await receive(staff)
    assert (gone["type"], joined["type"]) == ("peer-gone", "peer-joined")
    assert gone["connection"] != joined["connection"]


async def test_room_socket_after_end_reconnect_is_told_it_ended(sockets, call):
    staff, _citizen = await join_both(sockets, call)
    await send(staff, {"type": "end"})
    await receive(staff)

    socket = await sockets.connect(call.path, call.citizen.cookie)

    assert await receive(socket) == {"type": "ended", "by": None}
    assert await receive_close(socket) == 4410


async def test_room_socket_ping_keeps_participant_and_staff_presence_fresh(sockets, call):
    old = timezone.now() - timedelta(minutes=10)

    def make_stale():
        Participant.objects.filter(pk=call.staff_id).update(seen_at=old)
        StaffProfile.objects.filter(user=call.staff.user).update(seen_at=old)

    staff, _citizen = await join_both(sockets, call)
    await run(make_stale)()

    await send(staff, {"type": "ping"})

    assert await receive(staff) == {"type": "pong"}
    participant_seen = await run(lambda: Participant.objects.get(pk=call.staff_id).seen_at)()
    profile_seen = await run(lambda: StaffProfile.objects.get(user=call.staff.user).seen_at)()
    assert (participant_seen > old, profile_seen > old) == (True, True)


async def test_a_citizen_whose_connection_dropped_and_who_was_taken_back_finds_the_front(
    sockets, call
):
    staff, citizen = await join_both(sockets, call)
    # The citizen's connection drops; staff take them back to the waiting room.
    await citizen.disconnect()
    assert (await receive(staff))["type"] == "peer-gone"
    await send(staff, {"type": "back-to-queue"})
    assert (await receive(staff))["reason"] == "returned"

    # The citizen's page comes back (its socket reconnects): led to its place at the
    # front, not told "not admitted" or only "ended".
    waiting_url = f"/warteraum/{call.citizen.entry_id}/?zurueck=1"
    back = await sockets.connect(call.path, call.citizen.cookie)
    ended = await receive(back)
    assert (ended["type"], ended["reason"], ended["waiting_url"]) == (
        "ended",
        "returned",
        waiting_url,
    )
    assert await receive_close(back) == 4410
    # A reload of the call's address leads there too.
    response = await run(call.citizen.client.get)(f"/gespraech/{call.room_id}/")
    assert (response.status_code, response["Location"]) == (302, waiting_url)
    # Nobody else is led anywhere by it.
    stranger = await sockets.connect(call.path, await run(stranger_cookie)())
    assert (await receive(stranger))["code"] == "forbidden"


async def test_room_socket_signalling_does_not_wait_for_the_database_thread(sockets, call):
    """One thread does the database work of every socket of a process. Signalling between
    two participants who know each other needs no database, and must not queue behind
    whatever that thread is doing (Channels' own dispatch made a trip there for every
    message and every relayed event)."""
    staff, citizen = await join_both(sockets, call)
    busy = asyncio.create_task(database_sync_to_async(time.sleep)(3))
    await asyncio.sleep(0.05)  # the thread has started sleeping
    started = time.monotonic()
    await send(citizen, {"type": "signal", "to": call.staff_id, "description": OFFER})
    assert await staff.receive_json_from(timeout=1) == {
        "type": "signal",
        "from": call.citizen_id,
        "description": OFFER,
    }
    assert time.monotonic() - started < 1
    await busy


async def test_room_sockets_open_beside_a_busy_database_thread(sockets, call):
    """At an admission the database thread is busy with what the admission announces just
    when the call's two sockets open: their reads (who is on the socket, the room, the
    others in it) do not queue behind it (live/opening_reads.py)."""
    busy = asyncio.create_task(database_sync_to_async(time.sleep)(3))
    await asyncio.sleep(0.05)  # the thread has started sleeping
    started = time.monotonic()
    staff, citizen = await asyncio.wait_for(join_both(sockets, call), timeout=1.5)
    assert time.monotonic() - started < 1.5
    assert not busy.done()
    await busy
    for socket in (staff, citizen):
        await socket.disconnect()
