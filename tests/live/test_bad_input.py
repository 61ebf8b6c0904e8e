"""Whatever a client sends, it gets an error reply with a code, and the socket keeps working."""

import json

import pytest

from .support import admit, receive, run, send

pytestmark = pytest.mark.django_db(transaction=True)

TAGS = {
    "waiting": "'ping', 'leave', 'hidden', 'visible', 'rejoin', 'reply'",
    "console": "'ping', 'presence', 'admit', 'decline', 'message', 'transfer'",
    "room": "'ping', 'signal', 'chat', 'media-state', 'invite', 'end', 'leave', 'back-to-queue'",
}
PROTOCOL = "The message does not match the protocol."


def invalid(*details) -> dict:
    return {
        "type": "error",
        "code": "invalid",
        "message": PROTOCOL,
        "details": [{"loc": loc, "msg": msg} for loc, msg in details],
    }


TOO_LARGE = {
    "type": "error",
    "code": "too_large",
    "message": "Messages are limited to 65536 bytes.",
}

# (id, kinds it applies to, frame, expected reply); the unknown-tag text depends on the socket.
CASES = [
    ("not-json", "*", "hello", invalid(("", "Invalid JSON: expected value at line 1 column 1"))),
    (
        "truncated-json",
        "*",
        '{"type": "ping"',
        invalid(("", "Invalid JSON: EOF while parsing an object at line 1 column 15")),
    ),
    (
        "binary",
        "*",
        b'{"type": "ping"}',
        {"type": "error", "code": "bad_message", "message": "Only text messages are accepted."},
    ),
    ("oversized", "*", json.dumps({"type": "ping", "pad": "x" * 65536}), TOO_LARGE),
    # 40,000 characters, 80,000 bytes: the cap counts bytes.
    (
        "oversized-multibyte",
        "*",
        json.dumps({"type": "ping", "pad": "ä" * 40_000}, ensure_ascii=False),
        TOO_LARGE,
    ),
    ("not-an-object", "*", "[1]", invalid(("", "Input should be an object"))),
    ("no-type", "*", "{}", invalid(("", "Unable to extract tag using discriminator 'type'"))),
    ("unknown-type", "*", '{"type": "dance"}', "unknown-tag:dance"),
    ("type-not-a-string", "*", '{"type": 5}', "unknown-tag:5"),
    (
        "extra-field",
        "*",
        '{"type": "ping", "admin": true}',
        invalid(("ping.admin", "Extra inputs are not permitted")),
    ),
    (
        "entry-not-a-string",
        "console",
        '{"type": "admit", "entry": 5}',
        invalid(("admit.entry", "Input should be a valid string")),
    ),
    (
        "entry-bad-characters",
        "console",
        '{"type": "admit", "entry": "../../x"}',
        invalid(("admit.entry", "String should match pattern '^[A-Za-z0-9_-]+$'")),
    ),
    (
        "department-as-string",
        "console",
        '{"type": "message", "department": "1", "text": "Hallo"}',
        invalid(("message.department", "Input should be a valid integer")),
    ),
    (
        "unknown-presence",
        "console",
        '{"type": "presence", "presence": "lunch"}',
        invalid(("presence.presence", "Input should be 'available', 'paused' or 'offline'")),
    ),
    (
        "chat-not-a-string",
        "room",
        '{"type": "chat", "text": 5}',
        invalid(("chat.text", "Input should be a valid string")),
    ),
    (
        "chat-empty",
        "room",
        '{"type": "chat", "text": ""}',
        invalid(("chat.text", "String should have at least 1 character")),
    ),
    (
        "chat-too-long",
        "room",
        json.dumps({"type": "chat", "text": "x" * 1001}),
        invalid(("chat.text", "String should have at most 1000 characters")),
    ),
    (
        "boolean-as-string",
        "room",
        '{"type": "media-state", "audio": "yes", "video": false, "screen": false}',
        invalid(("media-state.audio", "Input should be a valid boolean")),
    ),
    (
        "sign-language-mark-as-string",
        "room",
        '{"type": "invite", "label": "Frau Yilmaz", "sign_language": "ja"}',
        invalid(("invite.sign_language", "Input should be a valid boolean")),
    ),
    (
        "signal-with-both-payloads",
        "room",
        json.dumps(
            {
                "type": "signal",
                "to": "abc",
                "description": {"type": "offer", "sdp": "v=0"},
                "candidate": {"candidate": "c"},
            }
        ),
        invalid(
            (
                "signal.candidate",
                "Value error, a signal carries a description or a candidate, not both",
            )
        ),
    ),
    (
        "signal-nested-extra",
        "room",
        json.dumps(
            {"type": "signal", "to": "abc", "description": {"type": "offer", "sdp": "v=0", "x": 1}}
        ),
        invalid(("signal.description.x", "Extra inputs are not permitted")),
    ),
]


def at_the_cap() -> str:
    # Exactly 64 KiB passes the size check; the reply is then about the content.
    prefix, suffix = '{"type": "ping", "pad": "', '"}'
    frame = prefix + "x" * (65536 - len(prefix) - len(suffix)) + suffix
    assert len(frame.encode()) == 65536
    return frame


CASES.append(
    ("at-the-size-cap", "*", at_the_cap(), invalid(("ping.pad", "Extra inputs are not permitted")))
)


def expected_reply(expected, kind):
    if isinstance(expected, str) and expected.startswith("unknown-tag:"):
        tag = expected.removeprefix("unknown-tag:")
        expected_tags = f"does not match any of the expected tags: {TAGS[kind]}"
        return invalid(("", f"Input tag '{tag}' found using 'type' {expected_tags}"))
    return expected


@pytest.fixture
def open_socket(sockets, make_department, make_staff, login, knock):
    department = make_department()
    clerk = make_staff(department)
    staff = login(clerk)

    async def open_kind(kind):
        if kind == "waiting":
            citizen = await run(knock)(department)
            socket = await sockets.connect(f"/ws/warteraum/{citizen.entry_id}/", citizen.cookie)
            assert (await receive(socket))["type"] == "position"
        elif kind == "console":
            socket = await sockets.connect("/ws/konsole/", staff.cookie)
            assert (await receive(socket))["type"] == "queues"
        else:
            citizen = await run(knock)(department)
            room_id, _staff_id, _citizen_id = await run(admit)(citizen.entry_id, clerk)
            socket = await sockets.connect(f"/ws/raum/{room_id}/", staff.cookie)
            assert (await receive(socket))["type"] == "welcome"
        return socket

    return open_kind


@pytest.mark.parametrize("kind", list(TAGS))
async def test_bad_input_gets_error_and_socket_keeps_working(open_socket, subtests, kind):
    # One connection takes every bad message in turn: each gets its error reply, and a ping
    # right after it still gets its pong.
    socket = await open_socket(kind)
    for case_id, kinds, frame, expected in CASES:
        if kinds not in ("*", kind):
            continue
        with subtests.test(case_id):
            if isinstance(frame, bytes):
                await socket.send_to(bytes_data=frame)
            else:
                await socket.send_to(text_data=frame)
            assert await receive(socket) == expected_reply(expected, kind)
            await send(socket, {"type": "ping"})
            assert await receive(socket) == {"type": "pong"}


async def test_a_socket_path_that_does_not_exist_is_refused_not_an_error(sockets, caplog):
    for path in ("/ws/warteraum//", "/ws/nirgendwo/", "/ws/raum/a/b/"):
        _socket, connected = await sockets.attempt(path)
        assert connected is False, path
    assert [r for r in caplog.records if r.levelno >= 40] == []
