"""Helpers of the socket tests: sessions, the router, and reading what a socket says."""

import json
import secrets
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY
from buergerbuero.calls import actions as call_actions
from buergerbuero.calls.models import Participant, Role
from buergerbuero.live import outgoing
from buergerbuero.live.application import websocket_router
from buergerbuero.staff.models import Membership
from buergerbuero.waiting import actions

# Generous for Redis on a busy machine; only reached when a test is failing.
TIMEOUT = 3
ORIGIN = b"http://testserver"

run = database_sync_to_async


@dataclass
class Citizen:
    entry_id: str
    cookie: str
    client: Client


@dataclass
class Staff:
    user: object
    cookie: str


def session_cookie(client: Client) -> str:
    return client.cookies["sessionid"].value


def stranger_cookie() -> str:
    """A browser with a session of its own that holds nothing here."""
    session = SessionStore()
    session["visited"] = True
    session.save()
    return session.session_key


def knock_through_page(department, name="Ada", topic="", client=None) -> Citizen:
    """A citizen knocks through the real page; their browser's session holds the entry."""
    client = client or Client()
    response = client.post(
        reverse("public:knock", args=[department.slug]), {"display_name": name, "topic": topic}
    )
    assert response.status_code == 302, response.content
    return Citizen(client.session[ENTRIES_KEY][-1], session_cookie(client), client)


def logged_in_staff(user, client=None) -> Staff:
    """A staff member's browser, logged in; `client` keeps its own session."""
    client = client or Client()
    # Signing in starts offline; these tests model a member already serving as set up by
    # make_staff, so their presence is kept as it was.
    memberships = Membership.objects.filter(profile__user=user)
    before = dict(memberships.values_list("pk", "presence"))
    client.force_login(user)
    for pk, presence in before.items():
        memberships.filter(pk=pk).update(presence=presence)
    return Staff(user, session_cookie(client))


def participant(room_id, role, **filters) -> Participant:
    return Participant.objects.get(room_id=room_id, role=role, **filters)


def admit(entry_id, user):
    """Admit through the domain, returns (room id, staff participant id, citizen participant id)."""
    room = actions.admit(entry_id, user)
    return room.pk, participant(room.pk, Role.STAFF).pk, participant(room.pk, Role.CITIZEN).pk


def hang_up(room_id):
    """The staff side ends the call through the domain."""
    call_actions.end_room(room_id, participant(room_id, Role.STAFF))


class Sockets:
    """Opens sockets through the real router and closes every one after the test."""

    def __init__(self):
        self.app = websocket_router()
        self.opened: list[WebsocketCommunicator] = []

    async def attempt(self, path, cookie=None, origin=ORIGIN, language="en"):
        """`language`: the browser's Accept-Language (English, so that tests read the
        sentences as written in the code; None: no header, the office's default)."""
        headers = [(b"origin", origin)] if origin else []
        if cookie:
            headers.append((b"cookie", f"sessionid={cookie}".encode()))
        if language:
            headers.append((b"accept-language", language.encode()))
        communicator = WebsocketCommunicator(self.app, path, headers=headers)
        self.opened.append(communicator)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        return communicator, connected

    async def connect(self, path, cookie=None, origin=ORIGIN, language="en"):
        communicator, connected = await self.attempt(path, cookie, origin, language)
        assert connected is True
        return communicator

    async def close_all(self):
        for communicator in self.opened:
            await communicator.disconnect(timeout=TIMEOUT)


# What each endpoint may send (live/outgoing.py): every message a test receives is checked.
OUTGOING = {
    "/ws/status/": outgoing.status_out,
    "/ws/warteraum/": outgoing.waiting_out,
    "/ws/konsole/": outgoing.console_out,
    "/ws/raum/": outgoing.room_out,
}


def check_outgoing(path: str, message: dict) -> None:
    """`message` must be valid for the endpoint at `path`, and exactly what its model
    dumps (no field the model does not know, none it would leave out)."""
    [adapter] = [a for prefix, a in OUTGOING.items() if path.startswith(prefix)]
    model = adapter.validate_python(message)
    assert model.dump() == message, (model.dump(), message)


async def receive(communicator) -> dict:
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    check_outgoing(communicator.scope["path"], message)
    return message


async def receive_close(communicator) -> int:
    message = await communicator.receive_output(timeout=TIMEOUT)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def receive_until(
    communicator, message_type: str, skip=("queues", "queue-update", "queue-delta")
) -> dict:
    """The next message of `message_type`, skipping live snapshots the console may interleave."""
    while True:
        message = await receive(communicator)
        if message["type"] == message_type:
            return message
        assert message["type"] in skip, message


async def send(communicator, payload: dict) -> None:
    await communicator.send_to(text_data=json.dumps(payload))


async def nothing_more(communicator) -> bool:
    return await communicator.receive_nothing(timeout=0.2)


def socket_test_settings(settings) -> None:
    """What every socket test needs: the origin check passes for the test client, no ICE
    servers, and our own channel names on a shared Redis, so another test run there cannot
    cross our messages."""
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.WEBSOCKET_ALLOWED_ORIGINS = [ORIGIN.decode()]
    settings.ICE_SERVERS = []
    settings.TURN_URLS = []
    settings.TURN_SECRET = ""
    settings.ICE_TRANSPORT_POLICY = "all"
    # Closing a console sets its member offline at once, not after a background delay that
    # would outlive the test's event loop.
    settings.CONSOLE_RELEASE_SECONDS = 0
    # No server pings or silence closes in the middle of a test that does not ask for them.
    settings.CONSOLE_PING_SECONDS = 600
    settings.CONSOLE_SILENCE_SECONDS = 1800
    settings.STATUS_PUBSUB_CHANNEL = f"bb:test:{secrets.token_hex(4)}"
    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": settings.REDIS_CHANNEL_LAYER,
                "CONFIG": {
                    "hosts": [settings.REDIS_URL],
                    "prefix": f"bbtest{secrets.token_hex(4)}",
                },
            }
        }
