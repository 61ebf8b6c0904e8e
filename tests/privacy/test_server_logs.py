"""The server writes no IP address to its log, with the flags of docs/deploy.md or
without them; no key from a path (logs.py), and no error for a client's bad frame.

uvicorn logs every request with the client's address in its access log, and every
WebSocket handshake at INFO level on its error logger, where --no-access-log does not
reach; --log-level warning silences both. Without the flags the lines are written, and
logs.WithoutClientAddress has taken the address out of them.
"""

import contextlib
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect

from ..server import Uvicorn, manage, server_env

CLIENT = "203.0.113.77"  # TEST-NET-3: the citizen's address, as nginx forwards it
IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
DOCUMENTED = ["--no-access-log", "--log-level", "warning"]
# docs/deploy.md's command line, less what every test server gets (app, host, port).
DEPLOY = ["--lifespan", "on", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]


@pytest.fixture(scope="module")
def office_env(tmp_path_factory):
    """SQLite in a directory of its own, whatever the surrounding test run uses: the log,
    not the database, is under test."""
    env = server_env(tmp_path_factory.mktemp("logs-server"))
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(name, None)
    manage(env, "migrate", "--no-input", "-v0")
    return env


def _get(url: str) -> None:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": CLIENT})
    with contextlib.suppress(urllib.error.HTTPError):  # a 404 is part of the visit
        urllib.request.urlopen(request, timeout=5).read()


def serve_and_visit(env: dict, flags: list[str], log_path: Path) -> str:
    """Start uvicorn as in docs/deploy.md plus `flags`, visit a page, a missing page and
    the status socket as a citizen behind the proxy; return everything it logged."""
    server = Uvicorn(env, [*DEPLOY, *flags], log_path, probe_headers={"X-Forwarded-For": CLIENT})
    server.start()
    try:
        _get(server.url + "/datenschutz/")
        _get(server.url + "/termin/no-such-booking/")
        with connect(
            f"ws://127.0.0.1:{server.port}/ws/status/",
            additional_headers={"X-Forwarded-For": CLIENT},
            open_timeout=5,
        ) as status:
            status.recv(timeout=5)
    finally:
        server.stop()
    return log_path.read_text()


def test_documented_flags_keep_ip_addresses_out_of_the_log(office_env, tmp_path):
    logged = serve_and_visit(office_env, DOCUMENTED, tmp_path / "server.log")
    assert "Not Found: /termin/***/" in logged  # the log is written at all
    assert IPV4.findall(logged) == []


def messages(logged: str) -> list[str]:
    """Each line's message (the log is JSON: LOG_FORMAT's default without DEBUG)."""
    return [json.loads(line)["message"] for line in logged.splitlines()]


def test_without_the_flags_uvicorn_logs_each_request_without_the_address(office_env, tmp_path):
    logged = serve_and_visit(office_env, [], tmp_path / "server.log")
    assert '"GET /datenschutz/ HTTP/1.1" 200' in messages(logged), logged
    assert '"WebSocket /ws/status/" [accepted]' in messages(logged), logged
    assert CLIENT not in logged
    assert [line for line in logged.splitlines() if IPV4.findall(line)] == [
        line for line in logged.splitlines() if "Uvicorn running on http://127.0.0.1:" in line
    ]


SECRET = "Kx9-secret_Token0123456789abcdef"  # any key: a guess, or a real one mistyped


def test_no_key_from_a_path_reaches_the_server_log(office_env, tmp_path):
    # Without the documented flags: the access log and every handshake are written too.
    log_path = tmp_path / "server.log"
    server = Uvicorn(office_env, DEPLOY, log_path, probe_headers={"X-Forwarded-For": CLIENT})
    server.start()
    try:
        for path in [
            f"/termin/{SECRET}/",
            f"/termin/{SECRET}/termin.ics",
            f"/einladung/{SECRET}/",
            f"/warteraum/{SECRET}/",
            f"/gespraech/{SECRET}/beendet/",
            f"/fachbereich/no-such-office/termin/?verschieben={SECRET}",
        ]:
            _get(server.url + path)
        for path in [f"/ws/warteraum/{SECRET}/", f"/ws/raum/{SECRET}/"]:
            with pytest.raises(InvalidStatus):  # no session, no origin: refused
                connect(f"ws://127.0.0.1:{server.port}{path}", open_timeout=5)
    finally:
        server.stop()
    logged = log_path.read_text()
    assert SECRET not in logged
    lines = messages(logged)
    for written in [
        "Not Found: /termin/***/",
        '"GET /termin/***/termin.ics HTTP/1.1" 404',
        "Gone: /einladung/***/",
        '"GET /fachbereich/no-such-office/termin/?verschieben=*** HTTP/1.1" 404',
        '"WebSocket /ws/warteraum/***/" 403',
        '"WebSocket /ws/raum/***/" 403',
    ]:
        assert any(written in line for line in lines), (written, logged)


def test_a_text_frame_of_invalid_utf8_is_no_error_in_the_server_log(office_env, tmp_path):
    # uvicorn logged the UnicodeDecodeError with its traceback at ERROR; any client can
    # send such a frame, to the public status socket too.
    log_path = tmp_path / "server.log"
    server = Uvicorn(office_env, DEPLOY, log_path)
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}/ws/status/", open_timeout=5) as status:
            status.recv(timeout=5)
            status.send(b"\xff\xfe{}", text=True)
            with pytest.raises(ConnectionClosedError) as closed:
                status.recv(timeout=5)
    finally:
        server.stop()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
    logged = log_path.read_text()
    assert "Traceback" not in logged and "ERROR" not in logged, logged
    assert "WebSocket closed (1007): the client sent text that is not UTF-8." in logged
