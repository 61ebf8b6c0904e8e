"""A callback request tells the consoles of its department, and only those, to read their
list again; the number never travels over the socket."""

import pytest

from buergerbuero.waiting import callbacks

from .support import nothing_more, receive, receive_until, run

pytestmark = pytest.mark.django_db(transaction=True)
CONSOLE = "/ws/konsole/"


def _request(department):
    department.accepts_callbacks = True
    department.save()
    key = callbacks.callback_windows(department)[0].key
    return callbacks.request_callback(department, "030 1234567", key)


@pytest.fixture
def two_offices(make_department, make_staff, login):
    a = make_department(slug="wohngeld")
    b = make_department(slug="kataster")
    return a, login(make_staff(a, username="anna")), login(make_staff(b, username="bernd"))


async def test_callback_request_reaches_only_its_departments_consoles(sockets, two_offices):
    a, anna, bernd = two_offices
    anna_console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(anna_console)
    bernd_console = await sockets.connect(CONSOLE, bernd.cookie)
    await receive(bernd_console)

    await run(_request)(a)

    assert await receive_until(anna_console, "callbacks") == {
        "type": "callbacks",
        "department": a.pk,
    }
    await nothing_more(bernd_console)


async def test_a_withdrawn_callback_request_is_told_as_withdrawn(sockets, two_offices):
    """Staff may be about to dial: the console says the citizen withdrew it, not only that
    the list changed (a colleague's "done" is not announced)."""
    a, anna, _bernd = two_offices
    request = await run(_request)(a)
    anna_console = await sockets.connect(CONSOLE, anna.cookie)
    await receive(anna_console)

    await run(callbacks.withdraw_callback)(request.pk)

    assert await receive_until(anna_console, "callbacks") == {
        "type": "callbacks",
        "department": a.pk,
        "withdrawn": True,
    }
