"""Input that passes a message's schema but means nothing to the domain gets a domain
error with a code and a sentence in the person's language, never "internal"; refusals
and protocol errors speak the person's language too."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buergerbuero.errors import TextRequired
from buergerbuero.waiting import actions
from buergerbuero.waiting.models import STAFF_MESSAGE_MAX

from .support import TIMEOUT, receive, receive_close, receive_until, run, send

pytestmark = pytest.mark.django_db(transaction=True)
CONSOLE = "/ws/konsole/"


def in_language(language: str, sentence) -> str:
    with translation.override(language):
        return str(sentence)


@pytest.fixture
def office(make_department, make_staff, login):
    department = make_department()
    return department, login(make_staff(department))


@pytest.mark.parametrize("language", ["en", "de", "tr", "ar", "uk", "ru"])
async def test_a_message_of_control_characters_is_text_required_in_the_staff_language(
    sockets, office, knock, language
):
    department, staff = office
    await run(knock)(department)
    socket = await sockets.connect(CONSOLE, staff.cookie, language=language)
    assert (await receive(socket))["type"] == "queues"
    await send(socket, {"type": "message", "department": department.pk, "text": "\x07"})
    expected = in_language(language, TextRequired())
    assert await receive_until(socket, "error") == {
        "type": "error",
        "code": "text_required",
        "message": expected,
        "request": "message",
    }
    if language != "en":
        assert expected != in_language("en", TextRequired())  # really translated


async def test_a_message_of_invisible_characters_only_is_text_required(sockets, office, knock):
    # Zero-width space, byte-order mark, zero-width joiner: nothing a citizen could read.
    department, staff = office
    await run(knock)(department)
    socket = await sockets.connect(CONSOLE, staff.cookie)
    assert (await receive(socket))["type"] == "queues"
    text = "\u200b\ufeff\u200d"
    await send(socket, {"type": "message", "department": department.pk, "text": text})
    assert await receive_until(socket, "error") == {
        "type": "error",
        "code": "text_required",
        "message": "Please write a message.",
        "request": "message",
    }


async def test_without_a_language_header_the_office_default_german_is_spoken(sockets):
    socket = await sockets.connect(CONSOLE, language=None)
    with translation.override("de"):
        expected = translation.gettext("Staff login required.")
    assert expected != "Staff login required."
    assert await receive(socket) == {"type": "error", "code": "forbidden", "message": expected}
    assert await receive_close(socket) == 4403


async def test_the_language_cookie_wins_over_the_browser_languages(sockets, settings):
    # The cookie set by the language switcher, as the pages obey it.
    headers = [
        (b"origin", b"http://testserver"),
        (b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}=tr".encode()),
        (b"accept-language", b"en"),
    ]
    socket = WebsocketCommunicator(sockets.app, CONSOLE, headers=headers)
    sockets.opened.append(socket)
    assert (await socket.connect())[0] is True
    with translation.override("tr"):
        expected = translation.gettext("Staff login required.")
    assert (await receive(socket))["message"] == expected


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(min_size=1, max_size=STAFF_MESSAGE_MAX))
def test_any_message_text_is_sent_or_refused_with_a_code(text):
    # Property over the domain action itself: whatever passes the schema is either sent
    # or refused as text_required; nothing else escapes.
    try:
        count = actions.message_waiting(department_id=-1, text=text)
    except TextRequired:
        assert actions.clean_text(text, STAFF_MESSAGE_MAX) == ""
    else:
        assert count == 0


# Texts that pass the schema (1-500 characters): mostly ones that clean to nothing.
SCHEMA_VALID_TEXT = st.one_of(
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), min_size=1),
    st.text(min_size=1, max_size=STAFF_MESSAGE_MAX),
).filter(lambda text: 1 <= len(text) <= STAFF_MESSAGE_MAX)


async def test_fuzzed_message_texts_are_sent_or_refused_never_internal(sockets, office, knock):
    department, staff = office
    await run(knock)(department)
    socket = await sockets.connect(CONSOLE, staff.cookie)
    assert (await receive(socket))["type"] == "queues"
    loop = asyncio.get_running_loop()

    async def exchange(text: str) -> dict:
        await send(socket, {"type": "message", "department": department.pk, "text": text})
        while (reply := await receive(socket))["type"] == "queues":
            pass
        return reply

    @settings(max_examples=60, deadline=None, database=None)
    @given(text=SCHEMA_VALID_TEXT)
    def each_text(text):
        reply = asyncio.run_coroutine_threadsafe(exchange(text), loop).result(TIMEOUT * 4)
        if actions.clean_text(text, STAFF_MESSAGE_MAX):
            assert reply == {"type": "message-sent", "recipients": 1}
        else:
            assert reply == {
                "type": "error",
                "code": "text_required",
                "message": "Please write a message.",
                "request": "message",
            }
        seen.add(reply["type"])

    seen: set[str] = set()
    await asyncio.to_thread(each_text)
    assert seen == {"message-sent", "error"}
