"""Passing a waiting citizen on from the console, and the citizen's replies to the office."""

import pytest
from channels.layers import get_channel_layer

from buergerbuero.audit.models import Action, AuditEvent
from buergerbuero.live import groups
from buergerbuero.waiting.models import EntryState, QueueEntry

from .support import nothing_more, receive, receive_until, run, send

pytestmark = pytest.mark.django_db(transaction=True)
CONSOLE = "/ws/konsole/"


def path(entry_id):
    return f"/ws/warteraum/{entry_id}/"


@pytest.fixture
def two_offices(make_department, make_staff, login):
    """Department A with its clerk, department B with its own; nobody serves both."""
    a = make_department(slug="wohngeld", name="Wohngeld")
    b = make_department(slug="kataster", name="Kataster")
    return a, login(make_staff(a, username="anna")), b, login(make_staff(b, username="bernd"))


def position(number, department, estimate=0):
    return {
        "type": "position",
        "position": number,
        "estimate_minutes": estimate,
        "office": "open",
        "department": department,
    }


async def test_transfer_moves_the_citizen_to_the_other_queue_with_the_note(
    sockets, two_offices, knock, settings
):
    settings.DEFAULT_CONSULTATION_MINUTES = 10
    a, anna, b, bernd = two_offices
    ada = await run(knock)(a, "Ada")
    ada_room = await sockets.connect(path(ada.entry_id), ada.cookie)
    assert await receive(ada_room) == position(1, "Wohngeld")
    bob = await run(knock)(b, "Bob")  # knocked after Ada: stays behind her
    anna_console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(anna_console)
    bernd_console = await sockets.connect(CONSOLE, bernd.cookie)
    await receive(bernd_console)

    await send(
        anna_console,
        {"type": "transfer", "entry": ada.entry_id, "department": b.pk, "note": "Ummeldung"},
    )

    assert await receive_until(anna_console, "transferred") == {
        "type": "transferred",
        "entry": ada.entry_id,
        "department": b.pk,
    }
    # The new department's page and alternatives: the waiting room's link back and what it
    # offers while that department is closed are the new department's from now on.
    assert await receive(ada_room) == {
        "type": "transferred",
        "department": "Kataster",
        "note": "",
        "page": "/fachbereich/kataster/",
        "alternatives": "/fachbereich/kataster/alternativen/",
    }
    assert await receive(ada_room) == position(1, "Kataster")
    update = await receive_until(bernd_console, "queue-update", skip=())
    assert [(w["name"], w["passed_on_from"], w["note"]) for w in update["waiting"]] == [
        ("Ada", "Wohngeld", "Ummeldung"),
        ("Bob", None, ""),
    ]
    assert await run(lambda: QueueEntry.objects.get(pk=bob.entry_id).state)() == (
        EntryState.WAITING
    )
    assert await run(
        lambda: list(AuditEvent.objects.filter(action=Action.TRANSFER).values_list("detail"))
    )() == [(f"to department {b.pk}, with note",)]

    # From now on the waiting room hears the new queue, not the old one.
    while not await nothing_more(ada_room):
        await receive(ada_room)  # positions from the knocks and staffing of both queues
    layer = get_channel_layer()
    await layer.group_send(groups.queue(a.pk), {"type": "queue.changed"})
    assert await nothing_more(ada_room)
    await layer.group_send(groups.queue(b.pk), {"type": "queue.changed"})
    assert await receive(ada_room) == position(1, "Kataster")


async def test_transfer_shows_the_note_to_the_citizen_only_when_asked(sockets, two_offices, knock):
    a, anna, b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    ada_room = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(ada_room)
    console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(console)
    await send(
        console,
        {
            "type": "transfer",
            "entry": ada.entry_id,
            "department": b.pk,
            "note": "Bitte Ausweis bereithalten",
            "tell_citizen": True,
        },
    )
    assert await receive(ada_room) == {
        "type": "transferred",
        "department": "Kataster",
        "note": "Bitte Ausweis bereithalten",
        "page": "/fachbereich/kataster/",
        "alternatives": "/fachbereich/kataster/alternativen/",
    }


async def test_transfer_refusals_have_their_codes(
    sockets, two_offices, knock, make_department, english
):
    a, anna, b, _bernd = two_offices
    closed = await run(make_department)(slug="closed", name="Geschlossen", hours=[])
    ada = await run(knock)(a, "Ada")
    bob = await run(knock)(b, "Bob")
    console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(console)
    cases = [
        ({"entry": ada.entry_id, "department": closed.pk}, "closed", "That department is not open right now."),
        ({"entry": ada.entry_id, "department": a.pk}, "same_department", "The citizen is already waiting in that department."),
        ({"entry": "unknown", "department": b.pk}, "not_waiting", "No such waiting citizen in your departments."),
        # Another department's citizen: told apart from an unknown one by nothing.
        ({"entry": bob.entry_id, "department": a.pk}, "not_waiting", "No such waiting citizen in your departments."),
    ]  # fmt: skip
    for fields, code, message in cases:
        await send(console, {"type": "transfer", **fields})
        assert await receive_until(console, "error") == {
            "type": "error",
            "code": code,
            "message": message,
            "request": "transfer",
        }
    await send(
        console, {"type": "transfer", "entry": ada.entry_id, "department": b.pk, "note": "x" * 201}
    )
    assert (await receive_until(console, "error"))["code"] == "invalid"
    departments = await run(
        lambda: list(QueueEntry.objects.order_by("display_name").values_list("department_id"))
    )()
    assert departments == [(a.pk,), (b.pk,)]


async def test_reply_reaches_the_consoles_of_its_department_only(
    sockets, two_offices, knock, make_staff, login
):
    a, anna, _b, bernd = two_offices
    ada = await run(knock)(a, "Ada")
    ada_room = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(ada_room)
    anna_console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(anna_console)
    bernd_console = await sockets.connect(CONSOLE, bernd.cookie)
    await receive(bernd_console)

    await send(ada_room, {"type": "reply", "text": " Aktenzeichen\t4711 "})

    assert await receive(ada_room) == {"type": "reply-sent"}
    reply = await receive_until(anna_console, "reply")
    assert {k: v for k, v in reply.items() if k != "at"} == {
        "type": "reply",
        "entry": ada.entry_id,
        "department": a.pk,
        "text": "Aktenzeichen 4711",
    }
    assert await nothing_more(bernd_console)
    stored = await run(lambda: [str(row) for row in QueueEntry.objects.values_list()])()
    assert [row for row in stored if "4711" in row] == []


async def test_reply_is_rate_limited_and_checked(sockets, two_offices, knock, settings, english):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reply": (1, 300)}
    a, _anna, _b, _bernd = two_offices
    ada = await run(knock)(a, "Ada")
    ada_room = await sockets.connect(path(ada.entry_id), ada.cookie)
    await receive(ada_room)
    await send(ada_room, {"type": "reply", "text": "eins"})
    assert await receive(ada_room) == {"type": "reply-sent"}
    await send(ada_room, {"type": "reply", "text": "zwei"})
    assert await receive(ada_room) == {
        "type": "error",
        "code": "rate_limited",
        "message": "Too many messages in a short time. Please wait a moment.",
        "request": "reply",
    }
    await send(ada_room, {"type": "reply", "text": "x" * 501})
    assert (await receive(ada_room))["code"] == "invalid"
