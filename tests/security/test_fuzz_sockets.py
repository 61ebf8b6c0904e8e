"""Property-based fuzzing of the three personal sockets: whatever a client sends, the
socket answers once (an error with a documented code, or the valid message's own reply),
stays open, still answers a ping, and the server logs no error.

Each socket is fuzzed on one connection for the whole hypothesis run: hypothesis runs in a
worker thread and hands each frame to the test's event loop, so the connection, the
database rows and the channel layer live once per test and the run stays fast.
"""

import asyncio
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from buergerbuero.live import schemas
from buergerbuero.live.schemas import MAX_MESSAGE_BYTES

from ..live.support import TIMEOUT, admit, receive, receive_close, run
from .fuzz_support import knock_as, live_env, logged_in

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["live_env"]  # the fixture, used by name

EXAMPLES = 50

# The documented codes (docs/websocket-protocol.md, "Error codes") a client message can
# earn on each socket. "internal" is not among them: it means a handler crashed.
CODES = {
    "waiting": {"bad_message", "too_large", "invalid", "not_waiting"},
    "console": {"bad_message", "too_large", "invalid", "not_waiting", "already_handled"},
    "room": {"bad_message", "too_large", "invalid", "forbidden", "room_ended", "unknown_peer"},
}
SCHEMAS = {
    "waiting": schemas.waiting_in,
    "console": schemas.console_in,
    "room": schemas.room_in,
}

# --- strategies --------------------------------------------------------------------

EDGE_TEXT = st.sampled_from(
    [
        "",
        "\x00",
        "\u202e\u202dx",  # bidi overrides
        "\ufeff",
        "\u200b\u200d",
        "e\u0301\u0301\u0301",  # combining marks
        "\U0001f469\u200d\U0001f4bb",  # a joined emoji
        "\U0010ffff",
        "𝕏" * 300,
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "a" * 65,  # one over the id cap
        "Ä" * 1001,  # one over the chat cap
    ]
)
TEXT = st.one_of(st.text(max_size=80), EDGE_TEXT)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.one_of(st.sampled_from(["type", "to", "entry", "text"]), TEXT), children, max_size=4
        )
    ),
    max_leaves=12,
)

# Valid messages of each socket, to be bent. "leave" (and "end" for staff) would close the
# socket we are fuzzing on; the room is fuzzed as its citizen, for whom "end" is refused.
TEMPLATES = {
    "waiting": [{"type": "ping"}],
    "console": [
        {"type": "ping"},
        {"type": "presence", "presence": "available"},
        {"type": "admit", "entry": "abc"},
        {"type": "decline", "entry": "abc", "message": "Bitte morgen"},
        {"type": "message", "department": 1, "entry": None, "text": "Hallo"},
    ],
    "room": [
        {"type": "ping"},
        {"type": "signal", "to": "abc", "description": {"type": "offer", "sdp": "v=0"}},
        {"type": "signal", "to": "abc", "candidate": {"candidate": "c", "sdpMLineIndex": 0}},
        {"type": "chat", "text": "Hallo"},
        {"type": "media-state", "audio": True, "video": False, "screen": False},
        {"type": "invite", "label": "Dolmetscherin"},
        {"type": "end"},
    ],
}
CLOSING = {"leave"}


@st.composite
def near_valid(draw, kind):
    """A valid message with one thing wrong (or nothing): a field's value replaced by any
    JSON value, a field dropped, an extra field, or another type tag."""
    message = dict(draw(st.sampled_from(TEMPLATES[kind])))
    how = draw(st.sampled_from(["value", "drop", "extra", "type", "none"]))
    fields = sorted(message)
    if how == "value":
        message[draw(st.sampled_from(fields))] = draw(JSON)
    elif how == "drop":
        message.pop(draw(st.sampled_from(fields)))
    elif how == "extra":
        message[draw(TEXT)] = draw(JSON)
    elif how == "type":
        message["type"] = draw(
            st.one_of(
                TEXT, st.sampled_from(["ping", "PING", "ping ", "leave", "end", "admit", "chat"])
            )
        )
    return ("text", json.dumps(message, ensure_ascii=draw(st.booleans())))


@st.composite
def sized(draw, kind):
    """Frames of a few bytes either side of the 64 KiB cap, in one- or multi-byte text."""
    template = {"room": {"type": "signal", "to": "abc"}, "console": {"type": "ping"}}.get(
        kind, {"type": "ping"}
    )
    char = draw(st.sampled_from(["x", "ä", "€", "𝕏"]))
    target = MAX_MESSAGE_BYTES + draw(st.integers(min_value=-4, max_value=4))
    if kind == "room":
        # The description's sdp may be 64 Ki characters: near the cap, the size check decides.
        head = json.dumps({**template, "description": {"type": "offer", "sdp": ""}})[:-2]
        tail = '"}}'
    else:
        head, tail = json.dumps({**template, "pad": ""})[:-2], '"}'
    room = target - len(head.encode()) - len(tail.encode())
    pad = char * max(0, room // len(char.encode()))
    return ("text", head + pad + tail)


def nested(depth: int, kind: str) -> str:
    inner = "[" * depth + "]" * depth
    return (
        json.dumps({"type": "chat" if kind == "room" else "ping", "x": 0})[:-2] + ": " + inner + "}"
    )


def frames(kind):
    return st.one_of(
        JSON.map(lambda value: ("text", json.dumps(value))),
        near_valid(kind),
        sized(kind),
        st.integers(min_value=1, max_value=20_000).map(lambda d: ("text", nested(d, kind))),
        st.binary(max_size=64).map(lambda data: ("bytes", data)),
        st.sampled_from(
            [
                ("bytes", b"\xff\xfe\xfd"),
                ("bytes", b'{"type": "ping"}'),
                ("text", '{"type": "ping"'),
                ("text", '{"type": "\\ud800"}'),  # a lone surrogate, escaped
                ("text", '{"type": "ping", "type": "leave"}'),  # duplicate keys
                ("text", "NaN"),
                ("text", "1e999999"),
                ("text", "\x00"),
                ("text", " " * 70_000),
            ]
        ),
        TEXT.map(lambda text: ("text", text)),
    )


# --- the oracle ---------------------------------------------------------------------


def expectation(kind: str, frame: tuple[str, object]) -> tuple[str, object]:
    """("error", code) or ("reply", type or None for no reply) or ("skip", None)."""
    form, data = frame
    if form == "bytes":
        return ("error", "bad_message")
    if len(data.encode()) > MAX_MESSAGE_BYTES:
        return ("error", "too_large")
    try:
        message = SCHEMAS[kind].validate_json(data)
    except ValidationError:
        return ("error", "invalid")
    if message.type in CLOSING:
        return ("skip", None)
    if message.type == "ping":
        return ("reply", "pong")
    if kind == "console":
        return {
            # Its reply is a "queue-update", filtered out like every snapshot.
            "presence": ("reply", None),
            "admit": ("error", "not_waiting"),
            "decline": ("error", "not_waiting"),
            "message": ("error", "not_waiting"),
        }[message.type]
    return {
        "signal": ("error", "unknown_peer"),
        "chat": ("reply", "chat"),
        "media-state": ("reply", None),
        "invite": ("error", "forbidden"),
        "end": ("error", "forbidden"),
    }[message.type]


async def exchange(socket, kind, frame) -> list[dict]:
    """Send the frame, then a ping; everything that came back before the pong (and a chat,
    which travels through the channel layer and may come after it)."""
    form, data = frame
    # send_input, not send_to: an empty frame is a frame too.
    await socket.send_input({"type": "websocket.receive", form: data})
    await socket.send_to(text_data='{"type":"ping"}')
    want_chat = expectation(kind, frame) == ("reply", "chat")
    replies, pongs = [], 0
    # The message itself may be a ping: then two pongs end the exchange.
    wanted_pongs = 2 if expectation(kind, frame) == ("reply", "pong") else 1
    while pongs < wanted_pongs or (want_chat and not any(r["type"] == "chat" for r in replies)):
        message = await receive(socket)
        if message["type"] == "pong":
            pongs += 1
            if pongs < wanted_pongs:
                replies.append(message)
            continue
        if kind == "console" and message["type"] in ("queues", "queue-update", "queue-delta"):
            continue  # snapshots and updates follow any queue or presence change
        replies.append(message)
    return replies


def check(kind, frame, replies):
    what, value = expectation(kind, frame)
    if what == "error":
        assert len(replies) == 1, (frame, replies)
        reply = replies[0]
        assert reply["type"] == "error", (frame, reply)
        assert reply["code"] == value, (frame, reply)
        assert reply["code"] in CODES[kind]
        assert isinstance(reply["message"], str) and reply["message"]
    elif value is None:
        assert replies == [], (frame, replies)
    else:
        assert [r["type"] for r in replies] == [value], (frame, replies)


# --- the sockets ----------------------------------------------------------------------


@pytest.fixture
def no_errors_logged(caplog):
    caplog.set_level(logging.WARNING, logger="buergerbuero")
    yield
    errors = [
        r
        for r in caplog.records
        if r.name.startswith("buergerbuero") and r.levelno >= logging.ERROR
    ]
    assert errors == []


async def open_socket(kind, sockets, department, clerk):
    if kind == "waiting":
        citizen = await run(knock_as)(department)
        socket = await sockets.connect(f"/ws/warteraum/{citizen.entry_id}/", citizen.cookie)
        assert (await receive(socket))["type"] == "position"
    elif kind == "console":
        _client, staff = await run(logged_in)(clerk)
        socket = await sockets.connect("/ws/konsole/", staff.cookie)
        assert (await receive(socket))["type"] == "queues"
    else:
        citizen = await run(knock_as)(department)
        room_id, _staff_id, _citizen_id = await run(admit)(citizen.entry_id, clerk)
        socket = await sockets.connect(f"/ws/raum/{room_id}/", citizen.cookie)
        assert (await receive(socket))["type"] == "welcome"
    return socket


@pytest.mark.parametrize("kind", ["waiting", "console", "room"])
async def test_fuzzed_frames_get_one_documented_reply_and_the_socket_lives(
    kind, sockets, live_env, office_with_clerk, no_errors_logged
):
    department, clerk = office_with_clerk
    socket = await open_socket(kind, sockets, department, clerk)
    loop = asyncio.get_running_loop()

    def on_loop(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=TIMEOUT * 4)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frame=frames(kind))
    def each_frame_answered(frame):
        if expectation(kind, frame)[0] == "skip":
            return
        check(kind, frame, on_loop(exchange(socket, kind, frame)))
        answered.append(frame)

    answered = []
    await asyncio.to_thread(each_frame_answered)
    assert len(answered) >= EXAMPLES * 0.8

    # Still open, still answering, and nothing left over.
    await socket.send_to(text_data='{"type": "ping"}')
    while (message := await receive(socket))["type"] == "queues":
        pass
    assert message == {"type": "pong"}
    assert await socket.receive_nothing(timeout=0.2) is True


@pytest.mark.parametrize("kind", ["waiting", "room"])
async def test_leave_after_fuzzing_still_closes_cleanly(
    kind, sockets, live_env, office_with_clerk, no_errors_logged
):
    # The one message the fuzzer leaves out: it ends the socket, as documented.
    department, clerk = office_with_clerk
    socket = await open_socket(kind, sockets, department, clerk)
    await socket.send_to(text_data='{"type": "leave", "x": 1}')
    assert (await receive(socket))["code"] == "invalid"
    await socket.send_to(text_data='{"type": "leave"}')
    messages = []
    while (message := await receive(socket))["type"] != "left":
        messages.append(message)
    assert messages == []
    assert await receive_close(socket) == 4410
