"""Each HTTP request and WebSocket connection gets an id for its log lines: the proxy's
`X-Request-ID` when it is a safe token, a new random one otherwise; the answer carries it."""

import logging
import re

import pytest

from buergerbuero import logs
from buergerbuero.live.request_ids import RequestIds


async def answer(headers: list[tuple[bytes, bytes]], kind: str = "http"):
    """What the app saw as the request id, and the response's X-Request-ID header."""
    seen = []

    async def app(scope, receive, send):
        seen.append(logs.request_id.get())
        await send({"type": "http.response.start", "status": 200, "headers": []})

    sent = []

    async def send(message):
        sent.append(message)

    await RequestIds(app)({"type": kind, "headers": headers}, None, send)
    response_ids = [v.decode() for k, v in sent[0]["headers"] if k == b"x-request-id"]
    return seen[0], response_ids


async def test_a_safe_incoming_id_is_kept_and_returned():
    assert await answer([(b"x-request-id", b"nginx-4f2a9c01d3")]) == (
        "nginx-4f2a9c01d3",
        ["nginx-4f2a9c01d3"],
    )


@pytest.mark.parametrize(
    "incoming",
    [b"", b"short", b"with space 12345", b"new\nline-injected", b"x" * 65, b"<script>alert1"],
)
async def test_an_unsafe_or_missing_id_is_replaced(incoming):
    seen, returned = await answer([(b"x-request-id", incoming)] if incoming else [])
    assert re.fullmatch(r"[0-9a-f]{32}", seen)
    assert returned == [seen]
    assert logs.request_id.get() == logs.NO_REQUEST  # reset after the request


def test_uvicorns_lines_lose_the_client_address():
    access = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5123", "GET", "/", "1.1", 200), None,
    )  # fmt: skip
    assert logs.WithoutClientAddress().filter(access) is True
    assert access.getMessage() == '"GET / HTTP/1.1" 200'
    handshake = logging.LogRecord(
        "uvicorn.error", logging.INFO, "", 0, '%s - "WebSocket %s" [accepted]',
        ("203.0.113.7:5123", "/ws/status/"), None,
    )  # fmt: skip
    logs.WithoutClientAddress().filter(handshake)
    assert handshake.getMessage() == '"WebSocket /ws/status/" [accepted]'


def test_a_text_line_names_the_request():
    record = logging.LogRecord("buergerbuero.x", logging.WARNING, "", 0, "hello", None, None)
    token = logs.request_id.set("abcdef0123456789")
    try:
        logs.RequestId().filter(record)
    finally:
        logs.request_id.reset(token)
    line = logs.text_formatter().format(record)
    assert line.endswith(" WARNING buergerbuero.x [abcdef0123456789] hello")
