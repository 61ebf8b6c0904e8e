"""Chat messages are passed on, never stored: after a chat through the real call socket,
no table of the database contains its text."""

import pytest
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY
from tests.live.support import (
    admit,
    receive,
    run,
    send,
    session_cookie,
)

from .scan import occurrences

pytestmark = pytest.mark.django_db(transaction=True)

CHAT = "Mein Befund vom Quastenflosser-Labor"


def consultation(department, clerk) -> tuple[str, str, str]:
    """A citizen knocks through the page and is admitted; returns the room and both
    browsers' session keys."""
    citizen = Client()
    citizen.post(reverse("public:knock", args=[department.slug]), {"display_name": "Ada"})
    room_id, _staff_id, _citizen_id = admit(citizen.session[ENTRIES_KEY][-1], clerk)
    staff = Client()
    staff.force_login(clerk)
    return room_id, session_cookie(staff), session_cookie(citizen)


async def test_chat_reaches_the_call_and_leaves_no_trace_in_the_database(
    sockets, make_department, make_staff
):
    department = await run(make_department)()
    clerk = await run(make_staff)(department)
    room_id, staff_cookie, citizen_cookie = await run(consultation)(department, clerk)
    path = f"/ws/raum/{room_id}/"
    staff = await sockets.connect(path, staff_cookie)
    assert (await receive(staff))["type"] == "welcome"
    citizen = await sockets.connect(path, citizen_cookie)
    assert (await receive(citizen))["type"] == "welcome"
    assert (await receive(staff))["type"] == "peer-joined"

    await send(citizen, {"type": "chat", "text": CHAT})

    assert (await receive(staff))["text"] == CHAT
    assert (await receive(citizen))["text"] == CHAT
    assert await run(occurrences)(["Quastenflosser"]) == []
