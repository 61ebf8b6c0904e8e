#!/usr/bin/env python
"""The reconnect storm: every browser of a restarted server process comes back.

One command, self-contained: makes a throw-away PostgreSQL database (`storm_…`) and uses
Redis db 13 under a key prefix of its own, migrates and seeds the office, creates the
waiting citizens (queue entries in the database, each with a browser session holding its
place, as a knock leaves it) and signed-in staff members, starts the real office under
uvicorn with the flags of docs/deploy.md, and connects from separate client processes:

- `--watchers` status watchers (/ws/status/, 10,000),
- `--citizens` waiting rooms (/ws/warteraum/<entry>/ with the session cookie, 1,000),
- `--staff` consoles (/ws/konsole/ with a signed-in staff session, 50).

Then the server is stopped as systemd stops it (SIGTERM: live/shutdown.py sends every
socket `reconnect` and closes it with 1012) and started again on the same port, and every
client comes back the way static/bb/socket.js does: after a 1012 a random pause of
0.25-3 s (or the back-off, if longer), after a failed attempt the back-off (0.5 s doubling
to 30 s, ±25 %), reset only after a connection stayed open for 10 s. The constants are
read from socket.js itself, so the benchmark follows the browser code. A waiting room
says `visible` when it opens (waiting-room.js); every client pings every 20 s.

Measured, from the SIGTERM:
- until every client is back (status: its first board; waiting room: its first position;
  console: its first `queues` snapshot on a connection opened after the restart);
- every failed attempt: refused (nothing listened: the process was down), an HTTP error
  answer, a handshake timeout, or a connection closed with anything but 1012/1000;
- lost places: every citizen's position after the restart against the one before.

The reference, measured in the same run with the same client processes and the same
reconnect logic: a bare `websockets` server that sends each socket one message of the
same size (the real board text; the citizen's position; a small snapshot for consoles)
and closes them with 1012 on SIGTERM. Its time is the floor the browsers' pauses set.

    .venv/bin/python bench/reconnect_storm.py                  # 10,000 / 1,000 / 50
    .venv/bin/python bench/reconnect_storm.py --watchers 2000 --citizens 200 --staff 10

Everything listens on 127.0.0.1 only; every process started here is stopped in a
`finally`, the database dropped and the Redis keys under the prefix deleted. A restart is
made only after other programs on the machine have used less than `--quiet` of a core for
a second (waiting at most `--quiet-wait`), and the CPU they used during the storm is
reported. The code measured is a copy of src/ taken at the start.
"""

# A benchmark driver, not server code: its few blocking reads of /proc and small files
# happen between measurements; `git` is found on PATH like any developer tool.
# Its random numbers are the browsers' jitter, not secrets.
# ruff: noqa: ASYNC109, ASYNC110, ASYNC230, ASYNC240, S311

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from status_fanout import (  # the sibling benchmark's helpers
    PYTHON,
    UVICORN,
    Processes,
    ask,
    commit_measured,
    copy_of_the_code,
    have_uvloop,
    helper_pipe,
    process_total_cpu_ns,
    raise_nofile,
    run_loop,
    start_helpers,
    system_busy_ns,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SOCKET_JS = ROOT / "src" / "buergerbuero" / "static" / "bb" / "socket.js"
PG_ADMIN_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL_DEFAULT = "redis://127.0.0.1:6379/13"
PING_SECONDS = 20


def browser_policy(text: str | None = None) -> dict:
    """socket.js's reconnect constants, read from the file the browsers load."""
    text = SOCKET_JS.read_text() if text is None else text
    names = (
        "FIRST_DELAY_MS",
        "MAX_DELAY_MS",
        "JITTER",
        "STABLE_MS",
        "RESTART_SPREAD_MS",
        "RESTART_RETRY_MS",
        "RESTART_PATIENCE_MS",
    )
    policy = {}
    for name in names:
        found = re.search(rf"^const {name} = ([0-9_.]+);", text, re.MULTILINE)
        if found:
            policy[name] = float(found.group(1).replace("_", ""))
    # The pause after a 1012 starts at 0.25 s (restartDelay); a socket.js without the
    # capped retries of a restart (before they were added) backs off as after any failure.
    policy.setdefault("RESTART_MIN_MS", 250.0)
    policy.setdefault("RESTART_PATIENCE_MS", 0.0)
    policy.setdefault("RESTART_RETRY_MS", policy.get("MAX_DELAY_MS", 0.0))
    missing = {"FIRST_DELAY_MS", "MAX_DELAY_MS", "JITTER", "STABLE_MS", "RESTART_SPREAD_MS"}
    if missing - policy.keys():
        raise SystemExit(f"socket.js lacks {sorted(missing - policy.keys())}")
    return policy


class Policy:
    def __init__(self, constants: dict) -> None:
        self.c = constants

    def reconnect_delay(self, attempt: int) -> float:
        c = self.c
        base = min(c["MAX_DELAY_MS"], c["FIRST_DELAY_MS"] * 2**attempt)
        return base * (1 - c["JITTER"] + 2 * c["JITTER"] * random.random()) / 1000

    def restart_delay(self) -> float:
        c = self.c
        low = c["RESTART_MIN_MS"]
        return (low + random.random() * (c["RESTART_SPREAD_MS"] - low)) / 1000

    def restart_retry_delay(self, attempt: int) -> float:
        c = self.c
        ceiling = c["RESTART_RETRY_MS"] * (1 - c["JITTER"] + 2 * c["JITTER"] * random.random())
        return min(self.reconnect_delay(attempt), ceiling / 1000)

    def delay(self, attempt: int, code: int, restarted_at: float | None) -> float:
        """socket.js's pause before the next attempt, after a close with `code`."""
        if code == 1012:
            return max(self.restart_delay(), self.reconnect_delay(attempt))
        patience = self.c["RESTART_PATIENCE_MS"] / 1000
        if restarted_at is not None and time.monotonic() - restarted_at < patience:
            return self.restart_retry_delay(attempt)
        return self.reconnect_delay(attempt)


# --- client process -----------------------------------------------------------------------


class Agent:
    """One browser page's socket, reconnecting as socket.js does."""

    def __init__(self, spec: dict, port: int, policy: Policy, compression) -> None:
        self.kind = spec["kind"]
        self.id = spec.get("id")
        self.url = f"ws://{HOST}:{port}{spec['path']}"
        self.origin = f"http://{HOST}:{port}"
        self.cookie = spec.get("cookie")
        self.policy = policy
        self.compression = compression
        self.generation = 0  # connections opened so far
        self.armed_generation = None  # the connection open when armed
        self.back_at: float | None = None
        self.opened_at: float | None = None  # the first handshake completed since armed
        self.first_back = asyncio.Event()
        self.position: int | None = None
        self.position_before: int | None = None
        self.final: str | None = None
        self.failures: dict[str, int] = {}
        # (noted, what, attempt started) since armed
        self.failed_at: list[tuple[float, str, float]] = []
        self.attempt_started = 0.0
        self.attempts = 0
        self.closes: dict[str, int] = {}
        self.stopped = False

    def arm(self) -> None:
        self.armed_generation = self.generation
        self.back_at = self.opened_at = None
        self.position_before = self.position
        self.failures, self.closes, self.attempts, self.failed_at = {}, {}, 0, []

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1
        self.failed_at.append((time.time(), what, self.attempt_started))

    def on_message(self, text: str) -> None:
        message = json.loads(text)
        kind = message.get("type")
        if self.kind == "waiting":
            if kind == "position":
                self.position = message["position"]
            elif kind in ("expired", "declined", "left", "ended", "admitted", "missed-call"):
                self.final = kind
                return
            else:
                return
        elif kind != {"status": "status", "console": "queues"}[self.kind]:
            return
        if self.back_at is None and (
            self.armed_generation is None or self.generation > self.armed_generation
        ):
            self.back_at = time.time()
            self.first_back.set()

    async def run(self, gate: asyncio.Semaphore | None) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        attempt = 0
        restarted_at: float | None = None  # the last 1012, until a connection opens
        while not self.stopped:
            self.attempts += 1
            self.attempt_started = time.time()
            code = 1006
            headers = [("Cookie", f"sessionid={self.cookie}")] if self.cookie else None
            opened_for = 0.0
            ws_opened = False
            try:
                if gate is not None and self.generation == 0:
                    # The first connection holds the gate until it has its first message,
                    # so the setup connects in waves, not as a storm of its own.
                    async with gate:
                        ws = await self._connect(headers)
                        ws_opened = True
                        serving = asyncio.ensure_future(self._serve(ws))
                        waiter = asyncio.ensure_future(self.first_back.wait())
                        await asyncio.wait(
                            [serving, waiter], timeout=60, return_when=asyncio.FIRST_COMPLETED
                        )
                        waiter.cancel()
                    code, opened_for = await serving
                else:
                    ws = await self._connect(headers)
                    ws_opened = True
                    code, opened_for = await self._serve(ws)
                self.closes[str(code)] = self.closes.get(str(code), 0) + 1
                if code not in (1000, 1012):
                    self.fail(f"closed {code}")
            except ConnectionRefusedError:
                self.fail("refused")
            except InvalidStatus as error:
                self.fail(f"http {error.response.status_code}")
            except TimeoutError:
                self.fail("timeout")
            except ConnectionClosed:
                self.fail("closed during handshake")
            except OSError as error:
                self.fail(type(error).__name__)
            except Exception as error:  # the handshake failed some other way
                self.fail(type(error).__name__)
            if 4400 <= code < 4500:
                self.final = self.final or f"close {code}"
                return
            if self.stopped:
                return
            if opened_for * 1000 >= self.policy.c["STABLE_MS"]:
                attempt = 0
            if ws_opened:
                restarted_at = None
            if code == 1012:
                restarted_at = time.monotonic()
            delay = self.policy.delay(attempt, code, restarted_at)
            attempt += 1
            await asyncio.sleep(delay)

    async def _connect(self, headers):
        from websockets.asyncio.client import connect

        ws = await connect(
            self.url,
            origin=self.origin,
            additional_headers=headers,
            compression=self.compression,
            ping_interval=None,
            open_timeout=30,
            max_size=1 << 22,
            max_queue=16,
        )
        self.generation += 1
        if self.armed_generation is not None and self.opened_at is None:
            self.opened_at = time.time()
        return ws

    async def _serve(self, ws) -> tuple[int, float]:
        from websockets.exceptions import ConnectionClosed

        opened = time.monotonic()

        async def ping() -> None:
            while True:
                await asyncio.sleep(PING_SECONDS)
                await ws.send('{"type":"ping"}')

        pinger = asyncio.create_task(ping())
        try:
            if self.kind == "waiting":
                await ws.send('{"type":"visible"}')  # waiting-room.js, onOpen
            async for text in ws:
                self.on_message(text)
        except ConnectionClosed:
            pass
        finally:
            pinger.cancel()
        code = ws.close_code if ws.close_code is not None else 1006
        return code, time.monotonic() - opened


@contextlib.asynccontextmanager
async def _nothing():
    yield


async def client_main() -> None:
    raise_nofile(1 << 20)
    stdin, answer = await helper_pipe(limit=1 << 26)

    agents: list[Agent] = []
    tasks: list[asyncio.Task] = []
    while True:
        line = await stdin.readline()
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "start":
            policy = Policy(command["policy"])
            gate = asyncio.Semaphore(command["concurrency"])
            compression = command["compression"]
            agents = [Agent(s, command["port"], policy, compression) for s in command["clients"]]
            started = time.time()
            tasks = [asyncio.create_task(a.run(gate)) for a in agents]
            waits = [asyncio.wait_for(a.first_back.wait(), command["timeout"]) for a in agents]
            results = await asyncio.gather(*waits, return_exceptions=True)
            answer(
                {
                    "ok": sum(1 for r in results if not isinstance(r, BaseException)),
                    "failed": sum(1 for r in results if isinstance(r, BaseException)),
                    "seconds": time.time() - started,
                    "failures": _sum_dicts(a.failures for a in agents),
                }
            )
        elif command["cmd"] == "arm":
            for agent in agents:
                agent.arm()
            answer({"armed": len(agents)})
        elif command["cmd"] == "collect":
            deadline = time.monotonic() + command["timeout"]
            while time.monotonic() < deadline and any(
                a.back_at is None and a.final is None for a in agents
            ):
                await asyncio.sleep(0.1)
            answer(
                {
                    "agents": [
                        {
                            "kind": a.kind,
                            "id": a.id,
                            "back_at": a.back_at,
                            "opened_at": a.opened_at,
                            "attempts": a.attempts,
                            "failed_at": a.failed_at,
                            "closes": a.closes,
                            "before": a.position_before,
                            "after": a.position,
                            "final": a.final,
                        }
                        for a in agents
                    ]
                }
            )
        elif command["cmd"] == "quit":
            break
    for agent in agents:
        agent.stopped = True
    for task in tasks:
        task.cancel()
    answer({"bye": True})
    os._exit(0)  # the kernel closes the sockets, as when browser tabs go away


def _sum_dicts(dicts) -> dict:
    total: dict[str, int] = {}
    for d in dicts:
        for key, value in d.items():
            total[key] = total.get(key, 0) + value
    return total


# --- the bare reference server ------------------------------------------------------------


async def bare_main(port: int, data_path: str) -> None:
    """What a server that does nothing but accept and answer costs: one message per socket
    from memory, and on SIGTERM `reconnect` + 1012 to everybody, as shutdown.py does."""
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    data = json.loads(Path(data_path).read_text())
    board, positions = data["board"], data["positions"]
    console = json.dumps({"type": "queues", "departments": [], "waiting": []})
    reconnect = json.dumps({"type": "reconnect"})
    stop = asyncio.Event()
    open_sockets: set = set()

    async def handler(ws) -> None:
        path = ws.request.path
        entry = path.strip("/").split("/")[-1]
        open_sockets.add(ws)
        # A client that goes away mid-send is no error worth a traceback here.
        with contextlib.suppress(ConnectionClosed):
            try:
                if path == "/ws/status/":
                    await ws.send(board)
                elif path.startswith("/ws/warteraum/"):
                    await ws.send(json.dumps({"type": "position", "position": positions[entry]}))
                else:
                    await ws.send(console)
                async for text in ws:
                    if '"visible"' in text and path.startswith("/ws/warteraum/"):
                        position = positions[entry]
                        await ws.send(json.dumps({"type": "position", "position": position}))
            finally:
                open_sockets.discard(ws)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with serve(handler, HOST, port, ping_interval=20, max_size=1 << 20) as server:
        await stop.wait()
        # Stop accepting, tell everybody (bounded, as shutdown.py), and go: the kernel
        # closes what is left, as it does for uvicorn's process.
        server.close(close_connections=False)

        async def tell(ws) -> None:
            with contextlib.suppress(Exception):
                await ws.send(reconnect)
                await ws.close(1012, "service restart")

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await asyncio.gather(*(tell(ws) for ws in list(open_sockets)))
        os._exit(0)


# --- controller ---------------------------------------------------------------------------

SETUP = r"""
import json, random
from django.test import Client
from django.utils import timezone
from buergerbuero.access import remember_entry
from buergerbuero.departments.models import Department
from buergerbuero.staff.models import StaffProfile
from buergerbuero.waiting import queue
from buergerbuero.waiting.models import QueueEntry
from django.contrib.auth import get_user_model
from django.conf import settings
from importlib import import_module

Store = import_module(settings.SESSION_ENGINE).SessionStore
departments = list(Department.objects.filter(is_active=True).order_by("pk"))
rng = random.Random(17)
# Citizens as knocks leave them: an entry, waiting, seen now; a session that holds it.
now = timezone.now()
entries = QueueEntry.objects.bulk_create(
    QueueEntry(department=departments[i % len(departments)], display_name=f"Bürger {i}",
               topic="", seen_at=now)
    for i in range(__CITIZENS__)
)
citizens = []
for entry in entries:
    session = Store()
    remember_entry(session, entry.pk)
    session.save()
    citizens.append({"id": entry.pk, "cookie": session.session_key,
                     "position": queue.position_of(entry)})
staff = []
for i in range(__STAFF__):
    user = get_user_model().objects.create_user(username=f"storm{i}", password=None,
                                                first_name="Sam", last_name=f"Storm{i}")
    profile = StaffProfile.objects.create(user=user, seen_at=timezone.now())
    serves = rng.sample(departments, 2)
    profile.departments.set(serves, through_defaults={"role": "staff", "presence": "available"})
    client = Client()
    client.force_login(user)
    staff.append({"cookie": client.cookies["sessionid"].value})
print("RESULT " + json.dumps({"citizens": citizens, "staff": staff,
                              "departments": len(departments)}))
"""


REFRESH = (
    "from django.utils import timezone; from buergerbuero.waiting.models import QueueEntry; "
    "QueueEntry.objects.filter(state='waiting').update(seen_at=timezone.now())"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Storm(Processes):
    STOP_GRACE = 30.0
    STOP_ALL_GRACE = 10.0

    def __init__(self, args) -> None:
        self.args = args
        self.tmp = copy_of_the_code("bb-storm-")
        self.version = commit_measured()
        self.src = self.tmp / "src"
        self.manage = str(self.tmp / "manage.py")
        # The browsers' reconnect policy: the measured copy's socket.js, or another version
        # of it (--socket-js, e.g. an older one from git, to compare).
        socket_js = (
            Path(args.socket_js)
            if args.socket_js
            else self.src / SOCKET_JS.relative_to(ROOT / "src")
        )
        self.policy = browser_policy(socket_js.read_text())
        self.name = f"storm_{secrets.token_hex(5)}"
        base = args.pg_admin_url.rsplit("/", 1)[0]
        self.database_url = f"{base}/{self.name}"
        self.env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
        self.env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=args.redis_url,
            REDIS_PREFIX=self.name,
            STATUS_PUBSUB_CHANNEL=f"{self.name}:status",
            BB_VAR_DIR=str(self.tmp),
            DEBUG="0",
            LOG_FORMAT="text",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(self.src),
        )
        self.procs: list[asyncio.subprocess.Process] = []
        self.database_made = False

    # processes

    async def run(self, *argv, timeout: float) -> str:
        return await self.run_to_end(*argv, cwd=self.tmp, env=self.env, timeout=timeout)

    # the office's data

    def make_database(self) -> None:
        import psycopg

        with psycopg.connect(self.args.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.database_made = True

    def drop_database(self) -> None:
        import psycopg

        if self.database_made:
            with psycopg.connect(self.args.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        import redis

        with contextlib.suppress(redis.RedisError):
            r = redis.Redis.from_url(self.args.redis_url)
            for pattern in (f"{self.name}*",):
                keys = list(r.scan_iter(match=pattern, count=1000))
                for i in range(0, len(keys), 500):
                    r.delete(*keys[i : i + 500])

    async def prepare(self) -> dict:
        await asyncio.to_thread(self.make_database)
        await self.run(PYTHON, self.manage, "migrate", "--no-input", timeout=600)
        await self.run(PYTHON, self.manage, "seed_demo", timeout=120)
        code = SETUP.replace("__CITIZENS__", str(self.args.citizens)).replace(
            "__STAFF__", str(self.args.staff)
        )
        out = await self.run(PYTHON, self.manage, "shell", "-c", code, timeout=600)
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])

    # servers

    async def start_office(self, port: int, log: Path):
        argv = [
            UVICORN,
            "buergerbuero.asgi:application",
            "--app-dir",
            str(self.src),
            "--host",
            HOST,
            "--port",
            str(port),
            # docs/deploy.md's unit file
            "--lifespan",
            "on",
            "--proxy-headers",
            "--forwarded-allow-ips",
            "127.0.0.1",
            "--ws-max-size",
            "1048576",
            "--no-server-header",
            "--timeout-graceful-shutdown",
            "20",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if have_uvloop():
            argv += ["--loop", "uvloop"]
        # The pages' origin, which the personal sockets must come from (live/origins.py).
        return await self._spawn(argv, log, WEBSOCKET_ALLOWED_ORIGINS=f"http://{HOST}:{port}")

    async def start_bare(self, port: int, log: Path, data: Path):
        argv = [PYTHON, __file__, "--_bare", str(port), str(data)]
        if have_uvloop():
            argv.append("--_uvloop")
        return await self._spawn(argv, log)

    async def _spawn(self, argv, log: Path, **env):
        out = open(log, "ab")  # noqa: SIM115 - closed once handed to the process
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self.tmp,
            env=dict(self.env, **env),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
        out.close()
        self.procs.append(proc)
        return proc

    async def wait_listening(self, port: int, proc, log: Path, timeout: float = 90) -> float:
        """Until the port accepts a TCP connection; the time it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.returncode is None:
            try:
                _, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            return time.time()
        raise RuntimeError(f"nothing listens on {port}:\n{log.read_text()[-3000:]}")

    async def wait_ready(self, port: int, timeout: float = 60) -> float:
        """Until /readyz answers 200; the time it did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(f"GET /readyz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                await writer.drain()
                status = await asyncio.wait_for(reader.readline(), 10)
                writer.close()
                if b" 200 " in status:
                    return time.time()
            await asyncio.sleep(0.05)
        raise RuntimeError(f"/readyz on {port} never answered 200")

    # clients

    async def start_clients(self, count: int) -> list:
        clients = await start_helpers(__file__, "--_client", count, self.tmp, limit=1 << 26)
        self.procs.extend(clients)
        return clients

    ask = staticmethod(ask)

    async def wait_quiet(self, own_procs) -> float:
        """Up to --quiet-wait seconds until other programs use under --quiet of a core;
        the share they used in the last second."""
        deadline = time.monotonic() + self.args.quiet_wait
        while True:
            t0 = time.monotonic()
            busy0 = system_busy_ns() / 1e9 - self.own_cpu(own_procs)
            await asyncio.sleep(1.0)
            busy1 = system_busy_ns() / 1e9 - self.own_cpu(own_procs)
            share = (busy1 - busy0) / (time.monotonic() - t0)
            if share < self.args.quiet or time.monotonic() > deadline:
                return share

    async def case(self, kind: str, data: dict, round_no: int) -> dict:
        """One storm against `kind` ("office" or "bare")."""
        port = free_port()
        log = self.tmp / f"{kind}-{round_no}.log"
        bare_data = self.tmp / "bare.json"
        result: dict = {"kind": kind, "round": round_no}
        clients: list = []
        server = None
        try:
            if kind == "office":
                # The citizens' pages were open all along (the reference's storm may have
                # taken minutes): seen now, or the sweeper would expire their places.
                await self.run(PYTHON, self.manage, "shell", "-c", REFRESH, timeout=120)
            start = self.start_office if kind == "office" else self.start_bare
            extra = (bare_data,) if kind == "bare" else ()
            server = await start(port, log, *extra)
            await self.wait_listening(port, server, log)
            if kind == "office":
                await self.wait_ready(port)
            specs = self.client_specs(data)
            clients = await self.start_clients(self.args.client_processes)
            shares: list[list] = [specs[i :: len(clients)] for i in range(len(clients))]
            started = time.time()
            answers = await asyncio.gather(
                *(
                    self.ask(
                        c,
                        {
                            "cmd": "start",
                            "port": port,
                            "clients": share,
                            "policy": self.policy,
                            "concurrency": self.args.connect_concurrency,
                            "compression": None if self.args.no_compression else "deflate",
                            "timeout": self.args.phase_timeout,
                        },
                        self.args.phase_timeout + 30,
                    )
                    for c, share in zip(clients, shares, strict=True)
                )
            )
            result["connect_seconds"] = time.time() - started
            connected = sum(a["ok"] for a in answers)
            if connected != len(specs):
                failures = _sum_dicts(a["failures"] for a in answers)
                raise RuntimeError(f"only {connected} of {len(specs)} connected: {failures}")
            # Let the connect wave's own queue changes settle, and the machine calm down.
            await asyncio.sleep(self.args.settle)
            result["load_before"] = await self.wait_quiet([server, *clients])
            await asyncio.gather(*(self.ask(c, {"cmd": "arm"}, 60) for c in clients))
            busy0 = system_busy_ns()
            own0 = self.own_cpu([server, *clients])

            t_term = time.time()
            server.send_signal(signal.SIGTERM)
            await asyncio.wait_for(server.wait(), 60)
            t_exit = time.time()
            self.procs.remove(server)
            server = await start(port, log, *extra)
            t_start = time.time()
            t_listen = await self.wait_listening(port, server, log)
            t_ready = await self.wait_ready(port) if kind == "office" else t_listen
            replies = await asyncio.gather(
                *(
                    self.ask(
                        c,
                        {"cmd": "collect", "timeout": self.args.phase_timeout},
                        self.args.phase_timeout + 60,
                    )
                    for c in clients
                )
            )
            own_cpu = self.own_cpu([server, *clients]) - own0
            window = time.time() - t_term
            foreign = (system_busy_ns() - busy0) / 1e9 - own_cpu
            agents = [a for r in replies for a in r["agents"]]
            result |= self.summarise(agents, t_term, t_listen, data)
            result |= {
                "stop_s": t_exit - t_term,
                "listen_s": t_listen - t_term,
                "ready_s": t_ready - t_term,
                "restart_s": t_start - t_term,
                "foreign_cpu_share": max(0.0, foreign) / window,
            }
        except Exception as exc:  # one failed case must not lose the others
            result["error"] = f"{type(exc).__name__}: {str(exc)[-1500:]}"
        finally:
            for c in clients:
                with contextlib.suppress(Exception):
                    await self.ask(c, {"cmd": "quit"}, 20)
                await self.stop(c, grace=10)
            if server is not None:
                await self.stop(server, grace=40)
            if log.exists():
                errors = [
                    line
                    for line in log.read_text(errors="replace").splitlines()
                    if "ERROR" in line or "Traceback" in line or "WARNING" in line
                ]
                result["server_log_lines"] = len(errors)
                result["server_log_sample"] = errors[:5]
        return result

    @staticmethod
    def own_cpu(procs) -> float:
        """CPU of this script, its ended children (the stopped server) and `procs`."""
        total = process_total_cpu_ns(os.getpid(), children=True)
        for p in procs:
            # /proc/<pid>/stat: with the threads that ended (Django's hand-offs are many).
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += process_total_cpu_ns(p.pid)
        return total / 1e9

    def client_specs(self, data: dict) -> list[dict]:
        specs = [{"kind": "status", "path": "/ws/status/"} for _ in range(self.args.watchers)]
        specs += [
            {
                "kind": "waiting",
                "id": c["id"],
                "cookie": c["cookie"],
                "path": f"/ws/warteraum/{c['id']}/",
            }
            for c in data["citizens"]
        ]
        specs += [
            {"kind": "console", "cookie": s["cookie"], "path": "/ws/konsole/"}
            for s in data["staff"]
        ]
        random.Random(4).shuffle(specs)  # each client process a mix, as browsers are
        return specs

    @staticmethod
    def summarise(agents: list[dict], t_term: float, t_listen: float, data: dict) -> dict:
        out: dict = {}
        expected = {c["id"]: c["position"] for c in data["citizens"]}
        for kind in ("status", "waiting", "console", "all"):
            mine = [a for a in agents if kind in ("all", a["kind"])]
            if not mine:
                continue
            backs = sorted(a["back_at"] - t_term for a in mine if a["back_at"] is not None)
            # From the handshake to the first message: what admitting it cost the server.
            admission = sorted(
                a["back_at"] - a["opened_at"]
                for a in mine
                if a["back_at"] is not None and a["opened_at"] is not None
            )
            # Until the new process listens, an attempt finds nothing (refused) or the
            # old process on its way out; after that, every attempt should succeed. A
            # refusal always means that nothing listened (a full backlog drops a SYN, it
            # does not refuse it), even when a busy client process notes it late.
            during: dict[str, int] = {}
            failures: dict[str, int] = {}
            failed_when: dict[str, list[float]] = {}  # seconds after the SIGTERM
            for a in mine:
                for at, what, started in a["failed_at"]:
                    # An attempt begun before the new process listened reached the old
                    # one on its way out, or nothing, however late a busy client noted it.
                    early = started < t_listen or at < t_listen
                    bucket = during if early or what == "refused" else failures
                    bucket[what] = bucket.get(what, 0) + 1
                    if bucket is failures:
                        failed_when.setdefault(what, []).append(at - t_term)
                        failed_when.setdefault(what + " started", []).append(started - t_term)
            refused = sum(during.values())
            out[kind] = {
                "clients": len(mine),
                "back": len(backs),
                "last_s": backs[-1] if len(backs) == len(mine) else float("inf"),
                "p50_s": statistics.median(backs) if backs else float("nan"),
                "p99_s": backs[min(len(backs) - 1, int(0.99 * len(backs)))]
                if backs
                else float("nan"),
                "attempts": sum(a["attempts"] for a in mine),
                "admission_p50_s": statistics.median(admission) if admission else float("nan"),
                "admission_max_s": admission[-1] if admission else float("nan"),
                "refused": refused,
                "failed": sum(failures.values()),
                "failures": failures,
                # When the failures after it listened were noted: first, median, last.
                "failed_when": {
                    what: [round(min(t), 1), round(statistics.median(t), 1), round(max(t), 1)]
                    for what, t in failed_when.items()
                },
                "during_restart": during,
                "finals": sum(1 for a in mine if a["final"]),
            }
        citizens = [a for a in agents if a["kind"] == "waiting"]
        moved = [a for a in citizens if a["before"] is None or a["after"] != a["before"]]
        wrong = [a for a in citizens if a["after"] != expected.get(a["id"])]
        out["places"] = {
            "citizens": len(citizens),
            "changed": len(moved),
            "not_as_seeded": len(wrong),
            "examples": [(a["id"][:6], a["before"], a["after"], a["final"]) for a in moved[:3]],
        }
        return out


def fmt(x, digits: int = 1) -> str:
    if x is None or x != x or x in (float("inf"), float("-inf")):
        return "–"
    return f"{x:,.{digits}f}"


def report(results: list[dict], args, version: str, target: float) -> str:
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, {versions()}; {version}; {args.watchers:,} watchers, "
        f"{args.citizens:,} citizens, {args.staff} consoles, "
        f"{args.client_processes} client processes, "
        f"{'no compression' if args.no_compression else 'permessage-deflate'}; "
        f"clients reconnect as {args.socket_js or 'the measured socket.js'} does",
        "",
        "| server | round | all back after SIGTERM | status last / p50 | waiting rooms last "
        "| consoles last | listening again | /readyz 200 | failed before it listened "
        "| failed | places changed | load before / during |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['kind']} | {r['round']} | {r['error'][:200]} |||||||||| ")
            continue
        a, s = r["all"], r["status"]
        w, c = r.get("waiting", {}), r.get("console", {})
        failed = ", ".join(f"{k} {v}" for k, v in a["failures"].items()) or "0"
        during = ", ".join(f"{k} {v:,}" for k, v in a["during_restart"].items()) or "0"
        lines.append(
            f"| {r['kind']} | {r['round']} | {fmt(a['last_s'])} s "
            f"| {fmt(s['last_s'])} / {fmt(s['p50_s'])} s | {fmt(w.get('last_s'))} s "
            f"| {fmt(c.get('last_s'))} s | {fmt(r['listen_s'])} s | {fmt(r['ready_s'])} s "
            f"| {during} | {failed} | {r['places']['changed']} "
            f"| {r['load_before']:.2f} / {r['foreign_cpu_share']:.2f} |"
        )
    office = [r["all"]["last_s"] for r in results if r["kind"] == "office" and "error" not in r]
    bare = [r["all"]["last_s"] for r in results if r["kind"] == "bare" and "error" not in r]
    if office and bare:
        lines += [
            "",
            f"All back: office {', '.join(fmt(x) for x in office)} s against the bare server's "
            f"{', '.join(fmt(x) for x in bare)} s: "
            f"{statistics.median(office) / statistics.median(bare):.2f}× the reference "
            f"(medians); target: under {target:.0f} s, no failed connection, no place lost.",
        ]
    return "\n".join(lines)


def versions() -> str:
    import importlib.metadata as md

    names = ("uvicorn", "websockets", "django", "channels", "channels-redis", "psycopg")
    return ", ".join(f"{n} {md.version(n)}" for n in names)


async def controller(args) -> int:
    limit = raise_nofile(args.watchers + args.citizens + args.staff + 4096)
    if limit < args.watchers + args.citizens + args.staff + 256:
        print(f"open-file limit {limit} is too low", file=sys.stderr)
        return 2
    storm = Storm(args)
    results: list[dict] = []
    try:
        print(f"preparing {storm.name} in {storm.tmp} ...", file=sys.stderr, flush=True)
        data = await storm.prepare()
        (storm.tmp / "bare.json").write_text(
            json.dumps(
                {
                    "board": await board_text(storm),
                    "positions": {c["id"]: c["position"] for c in data["citizens"]},
                }
            )
        )
        for round_no in range(1, args.rounds + 1):
            for kind in ("bare", "office") if round_no % 2 else ("office", "bare"):
                if kind not in args.servers:
                    continue
                print(f"round {round_no}: {kind} ...", file=sys.stderr, flush=True)
                result = await storm.case(kind, data, round_no)
                print(f"  -> {json.dumps(result)[:3000]}", file=sys.stderr, flush=True)
                results.append(result)
    finally:
        await storm.stop_all()
        await asyncio.to_thread(storm.drop_database)
        if not args.keep_tmp:
            shutil.rmtree(storm.tmp, ignore_errors=True)
    print("\n" + report(results, args, storm.version, args.target) + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    ok = all(
        "error" not in r
        and r["all"]["last_s"] <= args.target
        and r["all"]["failed"] == 0
        and r["places"]["changed"] == 0
        for r in results
        if r["kind"] == "office"
    )
    return 0 if ok else 1


async def board_text(storm: Storm) -> str:
    """The real board's text, so the bare server sends the same bytes."""
    code = "from buergerbuero.live.announce import board_text; print('RESULT ' + board_text())"
    out = await storm.run(PYTHON, storm.manage, "shell", "-c", code, timeout=120)
    return next(x for x in out.splitlines() if x.startswith("RESULT "))[len("RESULT ") :]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watchers", type=int, default=10_000)
    parser.add_argument("--citizens", type=int, default=1_000)
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1, help="storms per server (interleaved)")
    parser.add_argument(
        "--servers", nargs="+", choices=["bare", "office"], default=["bare", "office"]
    )
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--connect-concurrency", type=int, default=64)
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--quiet", type=float, default=0.15)
    parser.add_argument("--quiet-wait", type=float, default=90.0)
    parser.add_argument("--target", type=float, default=30.0)
    parser.add_argument("--phase-timeout", type=float, default=120.0)
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_DEFAULT)
    parser.add_argument("--redis-url", default=REDIS_URL_DEFAULT)
    parser.add_argument(
        "--socket-js",
        help="read the clients' reconnect policy from this socket.js (default: the measured one)",
    )
    parser.add_argument("--json")
    parser.add_argument("--keep-tmp", action="store_true")
    parser.add_argument("--_client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_uvloop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_bare", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args._client or args._bare:
        coro = bare_main(int(args._bare[0]), args._bare[1]) if args._bare else client_main()
        run_loop(coro, args._uvloop)
        return 0
    return asyncio.run(controller(args))


if __name__ == "__main__":
    sys.exit(main())
