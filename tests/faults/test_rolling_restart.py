"""A rolling restart loses no queue place: a process told to stop (SIGTERM, as systemd and
Kubernetes do) tells its sockets to reconnect, closes them with 1012, finishes the request
under way and exits within its graceful timeout; the citizen whose socket it closed
reconnects to the other process and is still where they were in the queue."""

import asyncio
import json
import re
import signal
import time
import urllib.parse
from pathlib import Path

import websockets

from .harness import OPEN_DEPARTMENT, Citizen, start_office

REDIS_DB = 2  # this test's own Redis database
GRACEFUL_SECONDS = 10
RECONNECT = {"type": "reconnect"}


def knock(citizen: Citizen, name: str) -> None:
    status, location = citizen.knock("wohngeld", citizen.knock_form("wohngeld"), name)
    assert status == 302, location
    citizen.entry_id = location.rstrip("/").rsplit("/", 1)[-1]


def waiting_socket(citizen: Citizen, base_url: str, cookie: str = ""):
    url = base_url.replace("http://", "ws://") + f"/ws/warteraum/{citizen.entry_id}/"
    headers = {"Cookie": cookie or citizen.cookie_header(), "Accept-Language": "en"}
    return websockets.connect(url, origin=base_url, additional_headers=headers)


async def start_knock(citizen: Citizen, base_url: str, name: str):
    """A knock whose body is only half sent: a request under way. Returns the connection
    and the rest of the body."""
    token = citizen.knock_form("wohngeld")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "display_name": name}).encode()
    host, port = urllib.parse.urlsplit(base_url).netloc.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        f"POST /fachbereich/wohngeld/anklopfen/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {citizen.cookie_header()}\r\nReferer: {base_url}/\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    half = len(body) // 2
    writer.write(head.encode() + body[:half])
    await writer.drain()
    return reader, writer, body[half:]


async def until_logged(log: Path, text: str) -> None:
    for _ in range(GRACEFUL_SECONDS * 20):
        logged = await asyncio.to_thread(log.read_text)
        if text in logged:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} not logged:\n{logged}")


async def messages_until_closed(ws) -> tuple[list[dict], int, str]:
    """Everything the socket says until the server closes it; the close code and reason."""
    received = []
    try:
        async with asyncio.timeout(GRACEFUL_SECONDS):
            async for text in ws:
                received.append(json.loads(text))
    except websockets.ConnectionClosed:
        pass
    return received, ws.close_code, ws.close_reason


def test_a_stopped_process_sends_its_sockets_elsewhere_and_nobody_loses_their_place(
    own_postgres, tmp_path
):
    office = start_office(
        tmp_path,
        own_postgres.url,
        count=2,
        redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}",
        flags=("--timeout-graceful-shutdown", str(GRACEFUL_SECONDS)),
    )
    staying, stopping = office.processes
    try:
        office.shell(OPEN_DEPARTMENT)
        first, second, third = Citizen(staying.url), Citizen(stopping.url), Citizen(stopping.url)
        knock(first, "Erste Bürgerin")
        knock(second, "Zweiter Bürger")

        async def scenario():
            async with (
                waiting_socket(first, staying.url) as first_ws,
                waiting_socket(second, stopping.url) as second_ws,
                websockets.connect(
                    stopping.url.replace("http://", "ws://") + "/ws/status/"
                ) as board,
            ):
                assert json.loads(await first_ws.recv())["position"] == 1
                assert json.loads(await second_ws.recv())["position"] == 2
                assert json.loads(await board.recv())["type"] == "status"

                reader, writer, rest = await start_knock(third, stopping.url, "Dritte")

                started = time.monotonic()
                stopping.process.send_signal(signal.SIGTERM)
                told, code, reason = await messages_until_closed(second_ws)
                assert (told, code, reason) == ([RECONNECT], 1012, "service restart")
                told, code, reason = await messages_until_closed(board)
                assert (told, code, reason) == ([RECONNECT], 1012, "service restart")
                # The other process's socket is untouched.
                await first_ws.send('{"type":"ping"}')
                assert json.loads(await first_ws.recv()) == {"type": "pong"}

                # The request under way when the stop came is served to its end: the
                # rest of its body is sent only once uvicorn is shutting down.
                await until_logged(office.logs[1], "Shutting down")
                writer.write(rest)
                await writer.drain()
                async with asyncio.timeout(GRACEFUL_SECONDS):
                    answer = await reader.read()
                writer.close()
                status_line, _, rest_of_answer = answer.decode().partition("\r\n")
                assert status_line == "HTTP/1.1 302 Found", answer
                location = re.search(r"(?im)^location: (\S+)", rest_of_answer).group(1)
                third.entry_id = location.rstrip("/").rsplit("/", 1)[-1]
                # The browser keeps the session the answer set (it holds the entry).
                session = re.search(r"(?im)^set-cookie: sessionid=([^;]+)", rest_of_answer)
                third.jar.clear()
                third_cookie = f"sessionid={session.group(1)}"

                returncode = await asyncio.to_thread(stopping.process.wait, GRACEFUL_SECONDS)
                assert time.monotonic() - started < GRACEFUL_SECONDS
                # uvicorn re-raises the signal once it has shut down cleanly, so the
                # parent sees "stopped by SIGTERM": systemd and Kubernetes count it clean.
                assert returncode == -signal.SIGTERM

                # The browser comes back to the process that stays: same place.
                async with waiting_socket(second, staying.url) as again:
                    position = json.loads(await again.recv())
                    assert (position["type"], position["position"]) == ("position", 2)
                # The one who knocked while the process stopped is in the queue, behind.
                async with waiting_socket(third, staying.url, third_cookie) as latest:
                    position = json.loads(await latest.recv())
                    assert (position["type"], position["position"]) == ("position", 3)

        asyncio.run(scenario())
        log = office.logs[1].read_text()
        assert "stopping: told 2 WebSocket clients to reconnect" in log, log
        assert "Application shutdown complete." in log, log
        assert "Traceback" not in office.log_text(), office.log_text()[-3000:]
    finally:
        office.stop()
