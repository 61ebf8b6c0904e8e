"""A production-like office for fault tests: a PostgreSQL cluster of the test's own (so it
can be stopped), Redis, and several uvicorn processes started as docs/deploy.md says,
plus citizens that knock over HTTP and wait on real WebSockets.

The cluster (tests/services.py) is made with Debian's pg_createcluster on a free port and
dropped afterwards; a machine without it fails the test loudly. Redis is the machine's
(db 14) unless the test passes the URL of one of its own (`OwnRedis`), which it may
restart.
"""

import asyncio
import contextlib
import http.cookiejar
import json
import re
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets

from ..clients import NoRedirect
from ..server import ROOT, Uvicorn, manage, server_env


@dataclass
class Office:
    """Several uvicorn processes on one database and one Redis."""

    processes: list[Uvicorn]
    env: dict[str, str]
    logs: list[Path]

    def log_text(self) -> str:
        return "\n".join(path.read_text() for path in self.logs)

    def shell(self, code: str) -> str:
        result = subprocess.run(
            [*manage_command(), "shell", "--verbosity", "0", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def manage_command() -> list[str]:
    return [sys.executable, str(ROOT / "manage.py")]


def start_office(
    tmp_path: Path,
    database_url: str,
    count: int = 2,
    redis_url: str = "redis://127.0.0.1:6379/14",
    flags: tuple[str, ...] = (),
    **settings: str,
) -> Office:
    """`redis_url`: the test's own Redis (a restartable server, or a database number of
    its own); `flags`: added to every process's uvicorn command line."""
    env = server_env(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        REDIS_PREFIX=f"bbfault{secrets.token_hex(3)}",
        STATUS_PUBSUB_CHANNEL=f"bb:fault:{secrets.token_hex(3)}",
        **settings,
    )
    manage(env, "migrate", "--no-input", stdout=subprocess.DEVNULL)
    processes, logs = [], []
    for index in range(count):
        log = tmp_path / f"uvicorn-{index}.log"
        # As docs/deploy.md starts them: no access log (it would hold citizens' addresses).
        process = Uvicorn(dict(env), ["--no-access-log", *flags], log)
        process.env["SITE_URL"] = process.url
        process.env["CSRF_TRUSTED_ORIGINS"] = process.url
        process.start()
        processes.append(process)
        logs.append(log)
    return Office(processes, env, logs)


OPEN_DEPARTMENT = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
department = Department.objects.create(slug="wohngeld", name="Wohngeld")
OpeningHours.objects.bulk_create(
    OpeningHours(department=department, weekday=d, opens_minute=0, closes_minute=1440)
    for d in range(7)
)
user = get_user_model().objects.create_user("clerk", password="pw-for-fault-tests")
profile = StaffProfile.objects.create(user=user, seen_at=timezone.now())
profile.departments.set([department], through_defaults={"presence": "available"})
# Announced as the administration's own actions do: the processes' status boards follow
# at once rather than at their next tick (a board a tick behind showed no department).
from buergerbuero import notify
notify.announce(notify.StaffingChanged((department.pk,)))
"""


@dataclass
class Citizen:
    base_url: str
    entry_id: str = ""
    opener: urllib.request.OpenerDirector = field(init=False)
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    received: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def knock_form(self, slug: str) -> str:
        """GET the knock page; returns its CSRF token."""
        page = self.opener.open(f"{self.base_url}/fachbereich/{slug}/anklopfen/", timeout=30)
        html = page.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def knock(self, slug: str, token: str, name: str) -> tuple[int, str]:
        """POST the knock; (status, Location or body)."""
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "display_name": name})
        request = urllib.request.Request(
            f"{self.base_url}/fachbereich/{slug}/anklopfen/",
            data=data.encode(),
            headers={"Referer": f"{self.base_url}/", "Accept-Language": "en"},
        )
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location") or error.read().decode()
        if response.status == 302:
            return response.status, response.headers["Location"]
        return response.status, response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    async def wait(self, ping_seconds: float, stop: asyncio.Event) -> None:
        """The waiting room page: open the socket, ping, remember every message."""
        url = self.base_url.replace("http://", "ws://") + f"/ws/warteraum/{self.entry_id}/"
        headers = {"Cookie": self.cookie_header(), "Accept-Language": "en"}
        async with websockets.connect(url, origin=self.base_url, additional_headers=headers) as ws:

            async def reader():
                async for text in ws:
                    self.received.append(json.loads(text))

            reading = asyncio.create_task(reader())
            try:
                while not stop.is_set():
                    await ws.send('{"type":"ping"}')
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), ping_seconds)
            finally:
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reading


@dataclass
class LiveSocket:
    """One page's socket as socket.js keeps it: reconnects after every close or refusal
    (0.5 s doubling, here at most 4 s so that a test stays short) and, when its process does
    not answer at all, on the next one (as nginx passes a refused connection on to the next
    upstream). Pings every second unless `ping` is off; keeps every message received."""

    bases: list[str]
    path: str
    cookie: str = ""
    ping: bool = True
    received: list[dict] = field(default_factory=list)
    opened_on: list[str] = field(default_factory=list)  # the process of each connection
    opened_at: list[int] = field(default_factory=list)  # len(received) when it opened
    closes: list = field(default_factory=list)
    current: int = 0
    _ws: object = None

    async def run(self, stop: asyncio.Event) -> None:
        attempt = 0
        while not stop.is_set():
            base = self.bases[self.current % len(self.bases)]
            url = base.replace("http://", "ws://") + self.path
            headers = {"Cookie": self.cookie, "Accept-Language": "en"}
            try:
                async with websockets.connect(
                    url, origin=base, additional_headers=headers, open_timeout=5
                ) as ws:
                    self._ws = ws
                    self.opened_on.append(base)
                    self.opened_at.append(len(self.received))
                    attempt = 0
                    await self._talk(ws, stop)
            except websockets.ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except (OSError, TimeoutError, websockets.InvalidStatus) as error:
                self.closes.append(type(error).__name__)
                if isinstance(error, OSError):
                    self.current += 1
            finally:
                self._ws = None
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), min(4.0, 0.5 * 2 ** (attempt - 1)))

    async def _talk(self, ws, stop: asyncio.Event) -> None:
        async def read() -> None:
            async for text in ws:
                self.received.append(json.loads(text))

        async def ping() -> None:
            while True:
                await asyncio.sleep(1)
                await ws.send('{"type": "ping"}')

        jobs = [read(), stop.wait(), *([ping()] if self.ping else [])]
        tasks = [asyncio.create_task(job) for job in jobs]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()  # a closed connection raises here, with its code
        if stop.is_set():
            return
        await ws.recv()  # the reader ended: the server closed; raises ConnectionClosed

    async def send(self, message: dict) -> None:
        assert self._ws is not None, "not connected"
        await self._ws.send(json.dumps(message))

    async def reopened(self, connections: int, seconds: float = 30) -> int:
        """Wait for connection number `connections` + 1; the index of its first message."""
        deadline = asyncio.get_running_loop().time() + seconds
        while len(self.opened_at) <= connections:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.path} did not come back: {self.closes}")
            await asyncio.sleep(0.05)
        return self.opened_at[connections]

    async def next(self, wanted, seconds: float = 20, after: int | None = None) -> dict:
        """The first message from index `after` on (default: from now) that `wanted` accepts."""
        index = len(self.received) if after is None else after
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            while index < len(self.received):
                if wanted(self.received[index]):
                    return self.received[index]
                index += 1
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no such message on {self.path}: {self.received[-5:]}")
            await asyncio.sleep(0.05)
