"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without activity; activity slides
the deadline, on pages and on the staff sockets. Citizens' sessions have no such clock."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from buergerbuero.access import ENTRIES_KEY
from buergerbuero.staff.idle import ACTIVE_KEY

from ..factories import PASSWORD
from ..live.support import receive, receive_close, run, send, session_cookie

IDLE = 30 * 60
CONSOLE = "/ws/konsole/"


@pytest.fixture(autouse=True)
def idle_setting(settings):
    settings.STAFF_SESSION_IDLE_SECONDS = IDLE


def last_active(client: Client, seconds_ago: int) -> None:
    session = client.session
    session[ACTIVE_KEY] = int(time.time()) - seconds_ago
    session.save()


@pytest.mark.django_db
def test_idle_staff_session_is_logged_out(clerk, english):
    english.force_login(clerk)
    last_active(english, IDLE + 1)
    response = english.get(reverse("console:home"))
    assert response["Location"] == reverse("console:login") + "?next=/konsole/"
    assert SESSION_KEY not in english.session
    login_page = english.get(response["Location"])
    assert [str(m) for m in login_page.context["messages"]] == [
        "You were logged out after 30 minutes without activity."
    ]


@pytest.mark.django_db
def test_active_staff_session_slides(clerk, english):
    english.force_login(clerk)
    last_active(english, IDLE - 5)
    before = int(time.time())
    assert english.get(reverse("console:home")).status_code == 200
    assert before <= english.session[ACTIVE_KEY] <= int(time.time())
    # Thirty more minutes from now, not from the old mark.
    last_active(english, IDLE - 5)
    assert english.get(reverse("console:home")).status_code == 200


@pytest.mark.django_db
def test_the_clock_starts_at_login(clerk, english):
    before = int(time.time())
    english.post(reverse("console:login"), {"username": clerk.username, "password": PASSWORD})
    assert before <= english.session[ACTIVE_KEY] <= int(time.time())


@pytest.mark.django_db
def test_citizen_sessions_have_no_idle_clock(department, clerk):
    citizen = Client()
    response = citizen.post(
        reverse("public:knock", args=[department.slug]), {"display_name": "Ada"}
    )
    entry_id = citizen.session[ENTRIES_KEY][-1]
    assert response["Location"] == reverse("public:waiting", args=[entry_id])
    assert citizen.get(response["Location"]).status_code == 200
    assert ACTIVE_KEY not in citizen.session


def stored_session(key) -> dict:
    store = SessionStore(key)
    return dict(store.items()) if store.exists(key) else {}


@pytest.mark.django_db(transaction=True)
async def test_idle_staff_session_cannot_open_the_console(clerk, english, sockets):
    await run(english.force_login)(clerk)
    await run(last_active)(english, IDLE + 1)
    cookie = session_cookie(english)
    socket = await sockets.connect(CONSOLE, cookie)
    assert await receive(socket) == {
        "type": "error",
        "code": "forbidden",
        "message": "Staff login required.",
    }
    assert await receive_close(socket) == 4403
    # Ended as a page request would have ended it.
    assert await run(stored_session)(cookie) == {}


@pytest.mark.django_db(transaction=True)
async def test_console_heartbeat_keeps_the_staff_session_alive(clerk, english, sockets):
    await run(english.force_login)(clerk)
    await run(last_active)(english, IDLE - 5)
    cookie = session_cookie(english)
    socket = await sockets.connect(CONSOLE, cookie)
    assert (await receive(socket))["type"] == "queues"
    before = int(time.time())
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    stored = await run(stored_session)(cookie)
    assert before <= stored[ACTIVE_KEY] <= int(time.time())
    assert stored[SESSION_KEY] == str(clerk.pk)
