"""A rolling restart loses no queue place: a process told to stop (SIGTERM, as systemd and
Kubernetes do) tells its sockets to reconnect, closes them with 1012, finishes and exits
within its graceful timeout; the citizen whose socket it closed reconnects to the other
process and is still where they were in the queue."""

import asyncio
import json
import signal
import time

import websockets

from .harness import OPEN_DEPARTMENT, Citizen, start_office

REDIS_DB = 2  # this test's own Redis database
GRACEFUL_SECONDS = 10
RECONNECT = {"type": "reconnect"}


def knock(citizen: Citizen, name: str) -> None:
    status, location = citizen.knock("wohngeld", citizen.knock_form("wohngeld"), name)
    assert status == 302, location
    citizen.entry_id = location.rstrip("/").rsplit("/", 1)[-1]


def waiting_socket(citizen: Citizen, base_url: str):
    url = base_url.replace("http://", "ws://") + f"/ws/warteraum/{citizen.entry_id}/"
    headers = {"Cookie": citizen.cookie_header(), "Accept-Language": "en"}
    return websockets.connect(url, origin=base_url, additional_headers=headers)


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
        redis_db=REDIS_DB,
        flags=("--timeout-graceful-shutdown", str(GRACEFUL_SECONDS)),
    )
    staying, stopping = office.processes
    try:
        office.shell(OPEN_DEPARTMENT)
        first, second = Citizen(staying.url), Citizen(stopping.url)
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

                started = time.monotonic()
                stopping.process.send_signal(signal.SIGTERM)
                told, code, reason = await messages_until_closed(second_ws)
                assert (told, code, reason) == ([RECONNECT], 1012, "service restart")
                told, code, reason = await messages_until_closed(board)
                assert (told, code, reason) == ([RECONNECT], 1012, "service restart")
                # The other process's socket is untouched.
                await first_ws.send('{"type":"ping"}')
                assert json.loads(await first_ws.recv()) == {"type": "pong"}

                returncode = await asyncio.to_thread(stopping.process.wait, GRACEFUL_SECONDS)
                assert time.monotonic() - started < GRACEFUL_SECONDS
                # uvicorn re-raises the signal once it has shut down cleanly, so the
                # parent sees "stopped by SIGTERM": systemd and Kubernetes count it clean.
                assert returncode == -signal.SIGTERM

                # The browser comes back to the process that stays: same place.
                async with waiting_socket(second, staying.url) as again:
                    position = json.loads(await again.recv())
                    assert (position["type"], position["position"]) == ("position", 2)

        asyncio.run(scenario())
        log = office.logs[1].read_text()
        assert "stopping: told 2 WebSocket clients to reconnect" in log, log
        assert "Application shutdown complete." in log, log
        assert "Traceback" not in office.log_text(), office.log_text()[-3000:]
    finally:
        office.stop()
