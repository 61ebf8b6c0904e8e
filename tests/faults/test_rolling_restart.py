"""A rolling restart loses no queue place: a process told to stop (SIGTERM, as systemd and
Kubernetes do) tells its sockets to reconnect, closes them with 1012, finishes the request
under way and exits within its graceful timeout; the citizen whose socket it closed
reconnects to the other process and is still where they were in the queue."""

import asyncio
import contextlib
import json
import re
import signal
import time
import urllib.parse
from pathlib import Path

import websockets

from ..clients import Browser
from ..server import Uvicorn
from .harness import OPEN_DEPARTMENT, Citizen, LiveSocket, start_office

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
                # A watcher hears the board whenever it changes, the stop included.
                assert all(message["type"] == "status" for message in told[:-1]), told
                assert (told[-1:], code, reason) == ([RECONNECT], 1012, "service restart")
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


# --- A whole roll with a call under way -----------------------------------------------------


@contextlib.asynccontextmanager
async def running(*sockets: LiveSocket):
    stop = asyncio.Event()
    tasks = [asyncio.create_task(socket.run(stop)) for socket in sockets]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


PASSWORD = "pw-for-fault-tests"  # OPEN_DEPARTMENT's clerk
OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
ANSWER = {"type": "answer", "sdp": "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\n"}


def signed_in_clerk(base: str) -> str:
    """The clerk's session cookie, signed in over HTTP as a browser would."""
    browser = Browser(base)
    page = "/konsole/anmelden/"
    status, _ = browser.post(page, {"username": "clerk", "password": PASSWORD}, page)
    assert status == 302
    return browser.cookie_header()


async def stop_gracefully(process: Uvicorn) -> None:
    started = time.monotonic()
    process.process.send_signal(signal.SIGTERM)
    returncode = await asyncio.to_thread(process.process.wait, GRACEFUL_SECONDS)
    assert (returncode, time.monotonic() - started < GRACEFUL_SECONDS) == (-signal.SIGTERM, True)
    process.stop()  # closes its log; the process is gone already


async def told_to_reconnect(socket: LiveSocket, connections: int) -> int:
    """After connection number `connections` was told `reconnect` and closed with 1012,
    the socket is back (on the other process): the index of its first message there."""
    await socket.next(lambda m: m == RECONNECT, after=socket.opened_at[connections - 1])
    first = await socket.reopened(connections)
    # Then, maybe, refused by the stopped process before the other took it.
    assert socket.closes.count(1012) == connections, socket.closes
    return first


async def the_call_still_works(staff: LiveSocket, citizen: LiveSocket, after: dict) -> None:
    """Both sides are welcomed back into the same room with each other as peer; an offer,
    its answer and a chat line still go from one to the other."""
    me = {}
    for socket, role in ((staff, "staff"), (citizen, "citizen")):
        welcome = await socket.next(lambda m: m["type"] == "welcome", after=after[role])
        me[role] = welcome["you"]["id"]
    # Whoever connected second sees the other as a peer at once; the first hears them join.
    for socket, role, other in ((staff, "staff", "citizen"), (citizen, "citizen", "staff")):
        await socket.next(
            lambda m, other=other: (
                (m["type"] == "welcome" and other_in(m["peers"], me[other]))
                or (m["type"] == "peer-joined" and m["peer"]["id"] == me[other])
            ),
            after=after[role],
        )
    mark = len(citizen.received)
    await staff.send({"type": "signal", "to": me["citizen"], "description": OFFER})
    offer = await citizen.next(lambda m: m["type"] == "signal", after=mark)
    assert offer == {"type": "signal", "from": me["staff"], "description": OFFER}
    mark = len(staff.received)
    await citizen.send({"type": "signal", "to": me["staff"], "description": ANSWER})
    answer = await staff.next(lambda m: m["type"] == "signal", after=mark)
    assert (answer["from"], answer["description"]) == (me["citizen"], ANSWER)
    await citizen.send({"type": "chat", "text": "Hören Sie mich noch?"})
    chat = await staff.next(lambda m: m["type"] == "chat", after=mark)
    assert (chat["from"], chat["text"]) == (me["citizen"], "Hören Sie mich noch?")
    for socket in (staff, citizen):
        assert not [m for m in socket.received if m["type"] in ("ended", "error")], socket.received


def other_in(peers: list[dict], participant: str) -> bool:
    return participant in [peer["id"] for peer in peers]


def test_a_whole_rolling_restart_keeps_the_call_and_the_queue(own_postgres, tmp_path):
    """Both processes restarted one after the other (B, then A, as a roll does) while a
    citizen and a clerk are in a call and another citizen waits: the call's sockets follow
    to the process that runs, the room is the same and its signalling and chat still
    relay between the two, and the waiting citizen keeps their place throughout."""
    office = start_office(
        tmp_path,
        own_postgres.url,
        count=2,
        redis_url=f"redis://127.0.0.1:6379/{REDIS_DB}",
        flags=("--timeout-graceful-shutdown", str(GRACEFUL_SECONDS)),
    )
    a, b = office.processes
    try:
        office.shell(OPEN_DEPARTMENT)
        caller, waiting = Citizen(b.url), Citizen(a.url)
        knock(caller, "Erika Muster")
        knock(waiting, "Zweiter Bürger")
        clerk = signed_in_clerk(b.url)

        async def scenario():
            # Each page's socket as socket.js keeps it; nginx passes a refused connection
            # on to the next process.
            console = LiveSocket([b.url, a.url], "/ws/konsole/", cookie=clerk)
            queue = LiveSocket(
                [a.url, b.url], f"/ws/warteraum/{waiting.entry_id}/", cookie=waiting.cookie_header()
            )
            async with running(console, queue):
                await console.next(lambda m: m["type"] == "queues", after=0)
                mark = len(console.received)
                await console.send({"type": "presence", "presence": "available"})
                await console.next(lambda m: m["type"] == "queue-update", after=mark)
                await console.send({"type": "admit", "entry": caller.entry_id})
                admitted = await console.next(lambda m: m["type"] == "admitted", after=0)
                assert admitted["entry"] == caller.entry_id
                # Second behind the caller, first once the caller is in the call.
                await queue.next(lambda m: m["type"] == "position" and m["position"] == 1, after=0)

                path = admitted["socket"]
                staff = LiveSocket([b.url, a.url], path, cookie=clerk)
                citizen = LiveSocket([b.url, a.url], path, cookie=caller.cookie_header())
                async with running(staff, citizen):
                    await the_call_still_works(staff, citizen, {"staff": 0, "citizen": 0})

                    # B stops: the call's sockets and the console go to A; A's waiting
                    # room is untouched.
                    await stop_gracefully(b)
                    after = {
                        "staff": await told_to_reconnect(staff, 1),
                        "citizen": await told_to_reconnect(citizen, 1),
                    }
                    assert (staff.opened_on, citizen.opened_on) == ([b.url, a.url],) * 2
                    await the_call_still_works(staff, citizen, after)
                    assert queue.opened_on == [a.url]

                    # B is back; then A stops: everything goes to B.
                    await asyncio.to_thread(b.start)
                    await stop_gracefully(a)
                    after = {
                        "staff": await told_to_reconnect(staff, 2),
                        "citizen": await told_to_reconnect(citizen, 2),
                    }
                    assert (staff.opened_on, citizen.opened_on) == ([b.url, a.url, b.url],) * 2
                    await the_call_still_works(staff, citizen, after)

                    # The waiting citizen came along to B and is still first.
                    back = await told_to_reconnect(queue, 1)
                    assert queue.opened_on == [a.url, b.url]
                    place = await queue.next(lambda m: m["type"] == "position", after=back)
                    assert place["position"] == 1
                    # The console followed too and still lists them.
                    await console.reopened(2)
                    assert console.opened_on == [b.url, a.url, b.url]

        asyncio.run(scenario())
        for log in office.logs:
            assert "stopping: told" in log.read_text(), log.read_text()
        assert "Traceback" not in office.log_text(), office.log_text()[-3000:]
    finally:
        office.stop()
