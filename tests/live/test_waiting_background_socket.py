"""The waiting room socket of a page that goes to the background: "hidden" marks the
place as kept for the longer grace and the consoles hear it; "visible" clears the mark and
answers with where the citizen stands; after a call missed meanwhile the socket offers the
front of the queue and "rejoin" takes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buergerbuero.waiting import actions
from buergerbuero.waiting.models import EntryState, QueueEntry

from .support import admit, hang_up, nothing_more, receive, receive_close, receive_until, run, send

pytestmark = pytest.mark.django_db(transaction=True)

CONSOLE = "/ws/konsole/"
POSITION_1 = {
    "type": "position",
    "position": 1,
    "estimate_minutes": 0,
    "office": "open",
    "department": "Wohngeld",
}


def path(entry_id):
    return f"/ws/warteraum/{entry_id}/"


def entry_of(entry_id) -> QueueEntry:
    return QueueEntry.objects.get(pk=entry_id)


async def test_hidden_marks_the_place_and_the_console_hears_it(
    sockets, office_with_clerk, knock, login
):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department, "Ada")
    waiting = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(waiting) == POSITION_1
    console = await sockets.connect(CONSOLE, (await run(login)(clerk)).cookie)
    assert (await receive(console))["waiting"][0]["background_since"] is None

    await send(waiting, {"type": "hidden"})

    row = (await receive_until(console, "queue-update"))["waiting"][0]
    entry = await run(entry_of)(citizen.entry_id)
    assert row["background_since"] == entry.backgrounded_at.isoformat()
    # Its own queue changed too: the page hears its (unchanged) place.
    assert await receive(waiting) == POSITION_1

    await send(waiting, {"type": "visible"})

    assert await receive(waiting) == POSITION_1
    assert (await receive_until(console, "queue-update"))["waiting"][0]["background_since"] is None


async def test_a_ping_keeps_the_background_mark(sockets, office_with_clerk, knock):
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    waiting = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(waiting)
    await send(waiting, {"type": "hidden"})
    await send(waiting, {"type": "ping"})
    assert await receive_until(waiting, "pong", skip=("position",)) == {"type": "pong"}
    # A desktop browser keeps pinging a hidden tab now and then: still in the background.
    assert (await run(entry_of)(citizen.entry_id)).backgrounded_at is not None


async def test_hidden_page_whose_socket_dies_outlives_the_normal_grace(
    sockets, office_with_clerk, knock, settings
):
    settings.QUEUE_GRACE_SECONDS = 120
    settings.QUEUE_BACKGROUND_GRACE_SECONDS = 600
    department, _clerk = office_with_clerk
    citizen = await run(knock)(department)
    waiting = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(waiting)
    await send(waiting, {"type": "hidden"})
    await send(waiting, {"type": "ping"})
    await receive_until(waiting, "pong", skip=("position",))
    # The phone suspends the tab and its connection is cut.
    await waiting.disconnect()

    later = timezone.now() + timedelta(seconds=300)
    assert await run(actions.expire_stale)(later) == 0

    again = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(again) == POSITION_1
    await send(again, {"type": "visible"})
    assert await receive(again) == POSITION_1
    entry = await run(entry_of)(citizen.entry_id)
    assert (entry.state, entry.backgrounded_at, entry.disconnected_at) == (
        EntryState.WAITING,
        None,
        None,
    )


async def test_missed_call_is_offered_and_rejoin_takes_the_front(
    sockets, office_with_clerk, knock, settings
):
    settings.CALL_NO_SHOW_SECONDS = 90
    department, clerk = office_with_clerk
    ahead = await run(knock)(department, "Ahead")
    citizen = await run(knock)(department, "Ada")
    waiting = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(waiting)
    await send(waiting, {"type": "hidden"})
    await send(waiting, {"type": "ping"})
    await receive_until(waiting, "pong", skip=("position",))
    await waiting.disconnect()
    room_id, _staff, _citizen = await run(admit)(citizen.entry_id, clerk)
    # Staff hang up before the citizen came.
    await run(hang_up)(room_id)

    back = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    assert await receive(back) == {"type": "missed-call"}
    # Left open for the answer.
    assert await nothing_more(back)
    await send(back, {"type": "rejoin"})
    assert await receive(back) == POSITION_1
    ahead_socket = await sockets.connect(path(ahead.entry_id), ahead.cookie)
    assert (await receive(ahead_socket))["position"] == 2

    # Now waiting as anyone else: staff admitting them reach this socket.
    room_id, _staff, _citizen = await run(admit)(citizen.entry_id, clerk)
    assert await receive_until(back, "admitted", skip=("position",)) == {
        "type": "admitted",
        "call_url": f"/gespraech/{room_id}/",
        "socket": f"/ws/raum/{room_id}/",
        "ended_url": f"/gespraech/{room_id}/beendet/",
    }


async def test_rejoin_without_a_missed_call_is_refused(sockets, office_with_clerk, knock):
    department, clerk = office_with_clerk
    citizen = await run(knock)(department)
    room_id, _staff, _citizen = await run(admit)(citizen.entry_id, clerk)
    await run(hang_up)(room_id)
    socket = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    # Called while the page was shown: the call is over, nothing to come back to.
    assert await receive(socket) == {"type": "ended"}
    assert await receive_close(socket) == 4410


async def test_a_hidden_page_holding_its_admission_hears_its_place_at_the_front(
    sockets, office_with_clerk, knock, settings
):
    settings.CALL_NO_SHOW_SECONDS = 90
    department, clerk = office_with_clerk
    ahead = await run(knock)(department, "Ahead")
    citizen = await run(knock)(department, "Ada")
    waiting = await sockets.connect(path(citizen.entry_id), citizen.cookie)
    await receive(waiting)
    await send(waiting, {"type": "hidden"})
    # "hidden" has no answer: a ping's answer says it was handled before the admission.
    await send(waiting, {"type": "ping"})
    await receive_until(waiting, "pong", skip=("position",))
    room_id, _staff, _citizen = await run(admit)(citizen.entry_id, clerk)
    assert (await receive_until(waiting, "admitted", skip=("position", "pong")))["socket"] == (
        f"/ws/raum/{room_id}/"
    )
    # The page keeps its socket open and pings while it waits for the citizen. (The
    # staffing change of the admission may tell it once more where it stands: admitted.)
    await send(waiting, {"type": "ping"})
    await receive_until(waiting, "pong", skip=("admitted",))
    assert await run(actions.end_unanswered_admissions)(timezone.now() + timedelta(seconds=91)) == 1
    assert await receive(waiting) == POSITION_1
    ahead_socket = await sockets.connect(path(ahead.entry_id), ahead.cookie)
    assert (await receive(ahead_socket))["position"] == 2
    # Shown again, the place is what the page hears, not a call.
    await send(waiting, {"type": "visible"})
    assert await receive(waiting) == POSITION_1
