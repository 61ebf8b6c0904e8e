"""Sockets when the channel layer (Redis) cannot be reached, or the database fails while
an event is answered: a clean 1013 ("try again later") or an open socket, one WARNING,
never a traceback. Redis here is a port nobody answers on; Redis stopped and started
under a running server is tests/live/test_redis_restart.py."""

import logging

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from buergerbuero.live import groups
from buergerbuero.waiting.models import EntryState, QueueEntry

from ..server import free_port
from .support import admit, nothing_more, receive, receive_close, run, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_goes_down(sockets, settings):
    """redis_goes_down(): from then on the channel layer is a Redis that does not answer.
    (Depends on `sockets`, so the real layer is back before they are closed and it is
    flushed.)"""
    before = settings.CHANNEL_LAYERS

    def go_down() -> None:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": settings.REDIS_CHANNEL_LAYER,
                "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"], "prefix": "bbdown"},
            }
        }

    yield sync_to_async(go_down)
    settings.CHANNEL_LAYERS = before


def logged(caplog) -> list[tuple[str, str, object]]:
    """Our own records and anything at ERROR or above (a traceback from Channels, say)."""
    return [
        (r.name, r.levelname, r.exc_info)
        for r in caplog.records
        if r.name.startswith("buergerbuero") or r.levelno >= logging.ERROR
    ]


async def test_every_personal_socket_is_refused_with_1013_while_redis_is_down(
    sockets, office_with_clerk, knock, login, redis_goes_down, caplog
):
    department, clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    bob = await run(knock)(department, "Bob")
    staff = await run(login)(clerk)
    room_id, _staff_id, _bob_id = await run(admit)(bob.entry_id, clerk)
    seen_before = (await run(QueueEntry.objects.get)(pk=ada.entry_id)).seen_at
    await redis_goes_down()
    closes = []
    with caplog.at_level(logging.INFO):
        for path, cookie in [
            (f"/ws/warteraum/{ada.entry_id}/", ada.cookie),
            ("/ws/konsole/", staff.cookie),
            (f"/ws/raum/{room_id}/", bob.cookie),
        ]:
            socket = await sockets.connect(path, cookie)
            closes.append(await receive_close(socket))
    assert closes == [1013, 1013, 1013]
    # One line for the outage, however many sockets it turns away; no traceback.
    assert logged(caplog) == [("buergerbuero.live.protocol", "WARNING", None)]
    # The citizen turned away keeps their place: their browser is still there, trying.
    entry = await run(QueueEntry.objects.get)(pk=ada.entry_id)
    assert (entry.state, entry.seen_at > seen_before) == (EntryState.WAITING, True)


async def test_a_knock_while_redis_is_down_is_taken_and_logged_once(
    sockets, office_with_clerk, knock, redis_goes_down, caplog
):
    department, _clerk = office_with_clerk
    await redis_goes_down()
    with caplog.at_level(logging.INFO):
        citizens = [await run(knock)(department, name) for name in ("Ada", "Bob")]
    states = await run(lambda: [QueueEntry.objects.get(pk=c.entry_id).state for c in citizens])()
    assert states == [EntryState.WAITING, EntryState.WAITING]
    assert logged(caplog) == [("buergerbuero.live.announce", "WARNING", None)]


def rename_table(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")


async def test_an_event_the_database_cannot_answer_leaves_the_socket_open(
    sockets, office_with_clerk, knock, caplog
):
    department, _clerk = office_with_clerk
    ada = await run(knock)(department, "Ada")
    socket = await sockets.connect(f"/ws/warteraum/{ada.entry_id}/", ada.cookie)
    assert (await receive(socket))["position"] == 1
    layer = get_channel_layer()
    # A real database failure: the table the position is read from is gone for a moment.
    await run(rename_table)("departments_department", "departments_department_away")
    try:
        with caplog.at_level(logging.INFO):
            await layer.group_send(groups.queue(department.pk), {"type": "queue.changed"})
            assert await nothing_more(socket)
    finally:
        await run(rename_table)("departments_department_away", "departments_department")
    [(name, level, exc_info)] = logged(caplog)
    assert (name, level, exc_info) == ("buergerbuero.live.protocol", "WARNING", None)
    assert caplog.records[-1].getMessage().startswith("could not answer queue.changed: ")
    # Still open, and the next event brings the citizen up to date.
    await send(socket, {"type": "ping"})
    assert await receive(socket) == {"type": "pong"}
    await layer.group_send(groups.queue(department.pk), {"type": "queue.changed"})
    assert (await receive(socket))["position"] == 1
