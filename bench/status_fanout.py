#!/usr/bin/env python
"""How long one status-board change takes to reach N idle watchers of /ws/status/.

Self-contained: makes a throw-away SQLite office (migrate + seed_demo), starts the real
ASGI application under uvicorn, opens N WebSocket watchers from separate client
processes, changes a department's name in the database and waits until every watcher
has a board that shows the new name. Prints a Markdown table (docs/benchmarks.md).

    .venv/bin/python bench/status_fanout.py        # 1,000 and 5,000; memory, redis, redis x2
    .venv/bin/python bench/status_fanout.py --clients 1000 5000 10000 --mode memory redis

Modes:
  memory   one uvicorn process, no REDIS_URL. Nothing crosses processes, so the change is
           picked up by the server's own ticker (every 10 s, on the wall clock). Reported:
           from the tick instant (hh:mm:s0.05) to each watcher, and first-to-last spread.
  redis    REDIS_URL set. A separate process changes the name and calls
           buergerbuero.live.announce.status_board(), which publishes once to Redis; each
           uvicorn process's subscriber writes it to its own watchers. Reported: from
           that call to each watcher. `--redis-processes 1 2` runs it with one server
           and with two (clients split across both ports: one publish reaches both).

Each case starts fresh servers, waits for their first tick (so the board is cached),
connects the watchers, then measures `--repeat` changes and reports the median. The code
measured is a copy of src/ taken at the start (the working tree may change meanwhile).
A change during which other programs on the machine used CPU is measured again.

Everything listens on 127.0.0.1 only; every process started here is stopped in a
`finally`. Each wait has a deadline, so a broken server fails the case, not the script.
The internal `--_client` mode is the watcher process, driven by JSON lines on stdin.
"""

# A benchmark driver, not server code: its few blocking reads of /proc and small files
# happen between measurements; `git` is found on PATH like any developer tool.
# ruff: noqa: ASYNC109, ASYNC230, ASYNC240, S603, S607

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
UVICORN = str(VENV_BIN / "uvicorn")
REDIS_URL_DEFAULT = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"
TICK_SECONDS = 10  # buergerbuero.live.ticker.TICK_SECONDS; ticks fall on s0.05 of the wall clock
TICK_OFFSET = 0.05


def raise_nofile(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def have_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def run_loop(coro, uvloop_wanted: bool):
    """Run `coro` to its end on uvloop when asked for (and installed), else asyncio's."""
    if uvloop_wanted:
        import uvloop

        return uvloop.run(coro)
    return asyncio.run(coro)


# A benchmark's helper processes (watchers, consoles, storm clients) are this same script
# started with a hidden flag; the controller talks to each over its stdin and stdout, one
# JSON line per command and one per answer.


async def start_helpers(script: str, flag: str, count: int, cwd, limit: int = 1 << 24) -> list:
    helpers = []
    for _ in range(count):
        helpers.append(
            await asyncio.create_subprocess_exec(
                PYTHON,
                script,
                flag,
                *(["--_uvloop"] if have_uvloop() else []),
                cwd=cwd,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=limit,
            )
        )
    return helpers


async def helper_pipe(limit: int = 1 << 24):
    """A helper process's side: a reader of its commands (stdin) and a function that
    writes one answer."""
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=limit)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)

    def answer(obj: dict) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    return stdin, answer


async def ask(proc, command: dict, timeout: float) -> dict:
    proc.stdin.write((json.dumps(command) + "\n").encode())
    await proc.stdin.drain()
    line = await asyncio.wait_for(proc.stdout.readline(), timeout)
    if not line:
        raise RuntimeError(f"helper process {proc.pid} died")
    return json.loads(line)


# --- watcher process ------------------------------------------------------------------


async def client_main() -> None:
    """A pool of watchers; commands and answers are JSON lines on stdin/stdout."""
    import websockets
    from websockets.asyncio.client import connect

    raise_nofile(1 << 20)
    stdin, answer = await helper_pipe()

    sockets: list = []
    groups: list[str] = []  # which server each socket watches (bench/status_reference.py)
    tasks: list[asyncio.Task] = []
    # `also`: a second text to look for after arming (bench/status_stall.py uses it to see
    # in which order two broadcasts reached each watcher).
    state = {"marker": None, "got": {}, "also": None, "also_got": {}, "target": 0, "closed": {}}
    all_in = asyncio.Event()

    async def watch(index: int, ws) -> None:
        try:
            async for message in ws:
                marker, also = state["marker"], state["also"]
                if marker is not None and index not in state["got"] and marker in message:
                    state["got"][index] = time.time()
                if also is not None and index not in state["also_got"] and also in message:
                    state["also_got"][index] = time.time()
                if len(state["got"]) >= state["target"] and (
                    also is None or len(state["also_got"]) >= state["target"]
                ):
                    all_in.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            state["closed"][groups[index]] = state["closed"].get(groups[index], 0) + 1

    async def open_one(url: str, compression: str | None, gate, max_size: int) -> object:
        # On a loaded machine a handshake now and then fails (the listen queue is full):
        # a browser would try again, and so does a watcher, twice.
        for attempt in range(3):
            try:
                return await open_once(url, compression, gate, max_size)
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5 + attempt)
        raise AssertionError("unreachable")

    async def open_once(url: str, compression: str | None, gate, max_size: int) -> object:
        async with gate:
            ws = await connect(
                url,
                compression=compression,
                ping_interval=None,
                open_timeout=30,
                max_queue=4,
                max_size=max_size,
            )
            first = await asyncio.wait_for(ws.recv(), 30)
            if '"type":"status"' not in first:
                raise RuntimeError(f"unexpected first message {first[:80]!r}")
            return ws

    while True:
        line = await stdin.readline()
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "connect":
            urls, count = command["urls"], command["count"]
            gate = asyncio.Semaphore(command.get("concurrency", 64))
            compression = command.get("compression")
            max_size = command.get("max_size", 1 << 20)
            started = time.time()
            results = await asyncio.gather(
                *(open_one(urls[i % len(urls)], compression, gate, max_size) for i in range(count)),
                return_exceptions=True,
            )
            errors = [repr(r) for r in results if isinstance(r, BaseException)]
            group = command.get("group", "")
            for ws in results:
                if not isinstance(ws, BaseException):
                    tasks.append(asyncio.create_task(watch(len(sockets), ws)))
                    sockets.append(ws)
                    groups.append(group)
            answer(
                {
                    "ok": groups.count(group),
                    "failed": len(errors),
                    "errors": errors[:3],
                    "seconds": time.time() - started,
                }
            )
        elif command["cmd"] == "arm":
            state["marker"], state["got"] = command["marker"], {}
            state["also"], state["also_got"] = command.get("also"), {}
            group = command.get("group", "")
            state["target"] = groups.count(group) - state["closed"].get(group, 0)
            all_in.clear()
            answer({"armed": state["target"]})
        elif command["cmd"] == "collect":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_in.wait(), command["timeout"])
            reply = {
                "times": list(state["got"].values()),
                "expected": state["target"],
                "closed": sum(state["closed"].values()),
            }
            if state["also"] is not None:
                got, also_got = state["got"], state["also_got"]
                reply["pairs"] = [(got.get(i), also_got.get(i)) for i in range(len(sockets))]
            answer(reply)
        elif command["cmd"] == "quit":
            break
    # Watchers vanish the way browser tabs do; the kernel closes the sockets on exit.
    answer({"bye": True})
    os._exit(0)


# --- controller -----------------------------------------------------------------------


@dataclass
class Case:
    mode: str  # "memory" or "redis"
    processes: int
    clients: int


@dataclass
class Result:
    case: Case
    ok: bool = False
    note: str = ""
    connected: int = 0
    connect_seconds: float = 0.0
    received: int = 0
    last_ms: float = float("nan")  # reference -> last watcher
    spread_ms: float = float("nan")  # first watcher -> last watcher
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    kib_per_conn: float = float("nan")
    loop_cpu_us_per_client: float = float("nan")
    extra: dict = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main_thread_cpu_ns(pid: int) -> int:
    # schedstat of the thread-group leader = the thread running uvicorn's event loop.
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0])


def process_cpu_ns(pid: int) -> int:
    total = 0
    # A thread (or the process) may end between listing and reading: ENOENT or ESRCH.
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += int((task / "schedstat").read_text().split()[0])
    return total


TICK_NS = 1e9 / os.sysconf("SC_CLK_TCK")


def process_total_cpu_ns(pid: int, children: bool = False) -> int:
    """CPU time of a process from /proc/<pid>/stat, including threads that have ended
    (which `process_cpu_ns` no longer sees; a server's short-lived worker threads are
    many), and with `children` the reaped child processes. Tick precision."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int((utime + stime + ((cutime + cstime) if children else 0)) * TICK_NS)


def system_busy_ns() -> int:
    """CPU time all programs on the machine have used, without interrupt time: the
    kernel's loopback TCP work for our own sockets is counted there, not in any process."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields
    return int((user + nice + system + steal) * TICK_NS)


class Processes:
    """The child processes a benchmark starts (`self.procs`); each is stopped in the end,
    by SIGTERM and, after a grace period, SIGKILL."""

    procs: list[asyncio.subprocess.Process]
    STOP_GRACE = 15.0
    STOP_ALL_GRACE = 5.0

    async def run_to_end(self, *argv, cwd, env, timeout: float) -> str:
        """Run a command to its end; its output, or RuntimeError with the output's end."""
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.procs.append(proc)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        finally:
            await self.stop(proc)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[1:3]} failed:\n{out.decode(errors='replace')[-3000:]}")
        return out.decode()

    async def stop(self, proc: asyncio.subprocess.Process, grace: float | None = None) -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), self.STOP_GRACE if grace is None else grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    async def stop_all(self) -> None:
        for proc in list(self.procs):
            await self.stop(proc, grace=self.STOP_ALL_GRACE)


class Bench(Processes):
    def __init__(self, args):
        self.args = args
        self.tmp = copy_of_the_code("bb-bench-")
        self.version = source_version()
        self.src = self.tmp / "src"
        self.manage = str(self.tmp / "manage.py")
        self.base_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
        self.base_env.update(
            DATABASE_URL=f"sqlite:///{self.tmp / 'bench.sqlite3'}",
            BB_VAR_DIR=str(self.tmp),
            DEBUG="0",
            PYTHONUNBUFFERED="1",
            PYTHONPATH=str(self.src),
        )
        self.procs: list[asyncio.subprocess.Process] = []
        self.names = 0

    def env(self, mode: str, channel: str) -> dict:
        env = dict(self.base_env, STATUS_PUBSUB_CHANNEL=channel, REDIS_PREFIX=channel)
        if mode == "redis":
            env["REDIS_URL"] = self.args.redis_url
        return env

    async def run(self, *argv, env, timeout: float) -> str:
        return await self.run_to_end(*argv, cwd=ROOT, env=env, timeout=timeout)

    async def prepare_database(self) -> None:
        env = self.env("memory", "bench:prepare")
        await self.run(PYTHON, self.manage, "migrate", "--no-input", env=env, timeout=180)
        await self.run(PYTHON, self.manage, "seed_demo", env=env, timeout=120)

    async def start_server(self, port: int, env: dict, log_path: Path):
        app = "buergerbuero.asgi:application"
        if self.args.gc_log:
            # The same application, with the collector's pauses logged (bench/_gc_probe.py).
            app = "_gc_probe:application"
            env = dict(
                env,
                BB_BENCH_GC_LOG=str(self.tmp / f"gc-{port}.log"),
                PYTHONPATH=f"{env['PYTHONPATH']}{os.pathsep}{Path(__file__).resolve().parent}",
            )
        argv = [
            UVICORN,
            app,
            "--app-dir",
            str(self.src),
            "--host",
            HOST,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if not getattr(self.args, "office_deflate", False):
            # As docs/deploy.md runs it: no permessage-deflate (docs/architecture.md).
            argv += ["--ws-per-message-deflate", "false"]
        if self.args.loop != "auto":
            argv += ["--loop", self.args.loop]
        if self.args.ws != "auto":
            argv += ["--ws", self.args.ws]
        log = open(log_path, "wb")  # noqa: SIM115 - closed with the process below
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        log.close()
        self.procs.append(proc)
        return proc

    async def wait_ready(self, port: int, proc, log_path: Path, timeout: float = 60) -> str:
        """Until one watcher gets a board from this server (which also warms it up)."""
        from websockets.asyncio.client import connect

        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                break
            try:
                async with connect(f"ws://{HOST}:{port}/ws/status/", open_timeout=5) as ws:
                    return await asyncio.wait_for(ws.recv(), 10)
            except (OSError, TimeoutError, Exception) as exc:
                last = exc
                await asyncio.sleep(0.2)
        raise RuntimeError(
            f"server on {port} not ready ({last!r}):\n{log_path.read_text()[-2000:]}"
        )

    async def start_clients(self, count: int) -> list:
        clients = await start_helpers(__file__, "--_client", count, ROOT)
        self.procs.extend(clients)
        return clients

    ask = staticmethod(ask)

    async def trigger(self, env: dict, name: str) -> dict:
        """Rename the first department and announce it, from a separate Django process."""
        code = f"""
import json, time
from buergerbuero.departments.models import Department
from buergerbuero.live.announce import status_board
from buergerbuero.office.status import board
from buergerbuero.live import statusboard
department = Department.objects.filter(is_active=True).order_by("pk").first()
# Warm up what a long-running server process would have warm: the board query and, with
# Redis, the connection; so the timing below is the announcement, not this process's start.
board()
if statusboard.settings.REDIS_URL:
    statusboard._redis().ping()
# Stay clear of the servers' own ticks (s0.05 of every ten seconds): in Redis mode the
# publish, not a tick that happens to see the new row first, must be what is measured.
deadline = time.time() + 30
while not 3.0 <= time.time() % {TICK_SECONDS} <= 7.0 and time.time() < deadline:
    time.sleep(0.02)
department.name = {name!r}
department.save(update_fields=["name"])
t_call = time.time()
status_board()
t_done = time.time()
print("RESULT " + json.dumps({{"t_call": t_call, "t_done": t_done}}), flush=True)
# Stay idle while the watchers receive it: this process's own exit is not part of it.
time.sleep(1.5)
"""
        out = await self.run(PYTHON, self.manage, "shell", "-c", code, env=env, timeout=120)
        line = next(x for x in out.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT ") :])

    async def cpu_rates(self, servers, clients, seconds: float) -> dict:
        """Event-loop CPU per wall-clock second of servers and watcher processes when idle."""
        before = time.time(), [main_thread_cpu_ns(p.pid) for p in servers + clients]
        await asyncio.sleep(seconds)
        after = time.time(), [main_thread_cpu_ns(p.pid) for p in servers + clients]
        rates = [(a - b) / (after[0] - before[0]) for a, b in zip(after[1], before[1], strict=True)]
        return {"server": sum(rates[: len(servers)]), "clients": sum(rates[len(servers) :])}

    def gc_summary(self, runs: list[dict]) -> str:
        pauses = []  # (end time, generation, ms) of every logged collection of this case
        for log in self.tmp.glob("gc-*.log"):
            for line in log.read_text().splitlines():
                end, generation, ms = line.split()
                pauses.append((float(end), int(generation), float(ms)))
            log.unlink()
        full = [p for p in pauses if p[1] == 2]
        during = [  # pauses that overlap a measured change, from its reference to its last watcher
            p
            for p in pauses
            if any(p[0] - p[2] / 1000 <= r["last_at"] and p[0] >= r["ref"] for r in runs)
        ]
        if not pauses:
            return " GC: no pause of 10 ms or more"
        longest = max(full, key=lambda p: p[2])[2] if full else 0
        return (
            f" GC: {len(full)} full collections, longest {longest:,.0f} ms; "
            f"{len(during)} pauses ≥10 ms ({sum(p[2] for p in during):,.0f} ms) inside the "
            f"{len(runs)} measured changes"
        )

    async def wait_quiet(self, procs, limit: float | None = None) -> float:
        """Up to `limit` seconds (`--quiet-wait`) until other programs use under a share
        of a core; returns the share last seen."""
        own = [p.pid for p in procs] + [os.getpid()]
        wait = getattr(self.args, "quiet_wait", 120.0) if limit is None else limit
        deadline = time.monotonic() + wait
        while True:
            t0, busy0 = time.monotonic(), system_busy_ns() - sum(process_cpu_ns(p) for p in own)
            await asyncio.sleep(1.0)
            busy1 = system_busy_ns() - sum(process_cpu_ns(p) for p in own)
            share = (busy1 - busy0) / 1e9 / (time.monotonic() - t0)
            if share < self.args.quiet or time.monotonic() > deadline:
                return share

    async def measure_once(
        self, case: Case, env, channel, servers, clients, idle, fire=None, group: str = ""
    ) -> dict:
        """One change to `case.clients` watchers. `fire(marker)`, if given, makes the change
        instead of the office's trigger (the bare reference server's); `group`: which of
        the watcher processes' sockets are expected to get it."""
        self.names += 1
        marker = f"Bench {channel[-12:]}-{self.names}"
        arm = {"cmd": "arm", "marker": marker, "group": group}
        await asyncio.gather(*(self.ask(c, arm, 30) for c in clients))
        pids = [p.pid for p in servers + clients]
        own = [*pids, os.getpid()]
        samples: list[tuple[float, list[int], int]] = []
        stop = asyncio.Event()

        async def sample() -> None:
            # Event-loop CPU of every process, every 10 ms, so the fan-out's own window
            # can be cut out afterwards (reading /proc costs the controller a little).
            for _ in range(int(self.args.phase_timeout * 200)):
                samples.append(
                    (
                        time.time(),
                        [main_thread_cpu_ns(pid) for pid in pids],
                        system_busy_ns() - sum(process_cpu_ns(pid) for pid in own),
                    )
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.01)
                    return

        sampler = asyncio.create_task(sample())
        try:
            trig = await (fire(marker) if fire is not None else self.trigger(env, marker))
            answers = await asyncio.gather(
                *(
                    self.ask(
                        c,
                        {"cmd": "collect", "timeout": self.args.phase_timeout},
                        self.args.phase_timeout + 30,
                    )
                    for c in clients
                )
            )
            await asyncio.sleep(0.05)
        finally:
            stop.set()
            await sampler
        times = sorted(t for a in answers for t in a["times"])
        if case.mode == "memory":
            # The ticker's first run after the change: the next wall-clock tick.
            ref = (trig["t_call"] // TICK_SECONDS + 1) * TICK_SECONDS + TICK_OFFSET
        else:
            ref = trig["t_call"]
        run = {
            "received": len(times),
            "publish_ms": (trig["t_done"] - trig["t_call"]) * 1000,
            "last_ms": float("inf"),
            "spread_ms": float("nan"),
            "p50_ms": float("nan"),
            "p99_ms": float("nan"),
            "loop_cpu_us": float("nan"),
        }
        if times:
            latencies = [(t - ref) * 1000 for t in times]
            before = max(
                (x for x in samples if x[0] <= ref), default=samples[0], key=lambda x: x[0]
            )
            after = min(
                (x for x in samples if x[0] >= times[-1]), default=samples[-1], key=lambda x: x[0]
            )
            window = after[0] - before[0]
            cpu = [a - b for a, b in zip(after[1], before[1], strict=True)]
            server_cpu = sum(cpu[: len(servers)]) - idle["server"] * window
            client_cpu = sum(cpu[len(servers) :]) - idle["clients"] * window
            # CPU that neither the servers, the watchers nor this script used while the
            # watchers waited: another program on the machine.
            foreign = max(0, after[2] - before[2]) / 1e6
            run |= {
                "ref": ref,
                "last_at": times[-1],
                "foreign_cpu_ms": foreign,
                "last_ms": latencies[-1] if len(times) == case.clients else float("inf"),
                "first_ms": latencies[0],
                "spread_ms": (times[-1] - times[0]) * 1000,
                "p50_ms": statistics.median(latencies),
                "p90_ms": latencies[len(latencies) * 9 // 10],
                "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
                "loop_cpu_us": server_cpu / 1000 / len(times),
                "watcher_cpu_us": client_cpu / 1000 / len(times),
            }
        print(f"    run: {run}", file=sys.stderr, flush=True)
        return run

    async def case(self, case: Case) -> Result:
        result = Result(case)
        channel = f"bench:status:{secrets.token_hex(6)}"
        env = self.env(case.mode, channel)
        servers, clients = [], []
        try:
            ports = [free_port() for _ in range(case.processes)]
            logs = [self.tmp / f"uvicorn-{p}.log" for p in ports]
            if self.args.cold:
                # Start just after a tick, so the watchers arrive well before the first one.
                await asyncio.sleep(
                    (TICK_SECONDS + 0.2 - time.time() % TICK_SECONDS) % TICK_SECONDS
                )
            for port, log in zip(ports, logs, strict=True):
                servers.append(await self.start_server(port, env, log))
            for port, proc, log in zip(ports, servers, logs, strict=True):
                await self.wait_ready(port, proc, log)
            if not self.args.cold:
                # After the first tick every process has the board cached (hub.last_text),
                # so a watcher's initial snapshot needs no query (docs/benchmarks.md).
                await asyncio.sleep(TICK_SECONDS - time.time() % TICK_SECONDS + 0.5)
            rss_before = sum(rss_kib(p.pid) for p in servers)
            threads_before = sum(process_cpu_ns(p.pid) - main_thread_cpu_ns(p.pid) for p in servers)

            clients = await self.start_clients(min(self.args.client_processes, case.clients))
            urls = [f"ws://{HOST}:{p}/ws/status/" for p in ports]
            shares = [case.clients // len(clients)] * len(clients)
            shares[0] += case.clients - sum(shares)
            started = time.time()
            answers = await asyncio.gather(
                *(
                    self.ask(
                        c,
                        {
                            "cmd": "connect",
                            "urls": urls,
                            "count": n,
                            "concurrency": self.args.connect_concurrency,
                            "compression": None if self.args.no_compression else "deflate",
                        },
                        timeout=self.args.phase_timeout,
                    )
                    for c, n in zip(clients, shares, strict=True)
                )
            )
            result.connect_seconds = time.time() - started
            threads_after = sum(process_cpu_ns(p.pid) - main_thread_cpu_ns(p.pid) for p in servers)
            # Work outside the event loop while connecting: the board queries that
            # database_sync_to_async runs when no snapshot is cached yet.
            result.extra["connect_sync_thread_cpu_s"] = (threads_after - threads_before) / 1e9
            result.connected = sum(a["ok"] for a in answers)
            failed = sum(a["failed"] for a in answers)
            if failed:
                errors = [e for a in answers for e in a["errors"]]
                result.note = f"{failed} connects failed, e.g. {errors[:1]}"
            await asyncio.sleep(1.0)  # let the server settle before reading its memory
            rss_after = sum(rss_kib(p.pid) for p in servers)
            result.kib_per_conn = (rss_after - rss_before) / max(result.connected, 1)
            result.extra |= {"rss_before_mib": rss_before / 1024, "rss_after_mib": rss_after / 1024}
            # Idle CPU (uvicorn's keepalive pings, the ticker, Redis polling) is subtracted
            # from the change window, so the figure is what the fan-out itself costs.
            idle = await self.cpu_rates(servers, clients, 3.0)

            # This machine may be shared: a change during which another program took CPU
            # is measured again (up to twice as many changes in all) and left out.
            runs, disturbed = [], []
            for _ in range(3 * self.args.repeat):
                if len(runs) >= self.args.repeat:
                    break
                await self.wait_quiet(servers + clients)
                run = await self.measure_once(case, env, channel, servers, clients, idle)
                quiet = run.get("foreign_cpu_ms", 0) <= self.args.disturbed_ms
                (runs if quiet else disturbed).append(run)
            if not runs:
                runs = disturbed
                result.note += f" all {len(runs)} changes shared the CPUs with another program"
            elif disturbed:
                result.note += f" ({len(disturbed)} disturbed changes left out)"
            runs.sort(key=lambda run: run["last_ms"])
            median = runs[len(runs) // 2]
            for key in ("last_ms", "spread_ms", "p50_ms", "p99_ms", "received"):
                setattr(result, key, median[key])
            result.loop_cpu_us_per_client = median["loop_cpu_us"]
            result.extra |= {
                "median_run": median,
                "last_ms_all": [r["last_ms"] for r in runs],
                "last_ms_disturbed": [r["last_ms"] for r in disturbed],
            }
            if self.args.gc_log:
                result.note += self.gc_summary(runs)
            result.ok = all(r["received"] == result.connected == case.clients for r in runs)
            missing = max(result.connected - r["received"] for r in runs)
            if missing:
                result.note += f" {missing} watchers never got it"
        except Exception as exc:  # one failed case must not lose the others
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            detail = lines[0] if len(lines) < 2 else f"{lines[0]} … {lines[-1]}"
            result.note = f"{type(exc).__name__}: {detail}"[:240].replace("|", "/")
        finally:
            for c in clients:
                with contextlib.suppress(Exception):
                    await self.ask(c, {"cmd": "quit"}, 10)
                await self.stop(c, grace=10)
            for s in servers:
                await self.stop(s, grace=30)
        return result


def git(*argv: str) -> str:
    """A git command's output in the checkout; "?" when git is missing or says nothing."""
    import subprocess

    try:
        out = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.stdout.strip() or "?"


def copy_of_the_code(prefix: str) -> Path:
    """A new temporary directory holding a copy of src/ and manage.py: a benchmark measures
    one fixed copy of the code, since the working tree may change during a run."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copytree(ROOT / "src", tmp / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "manage.py", tmp / "manage.py")
    return tmp


def commit_measured() -> str:
    """Which code a benchmark measured: the commit, and whether src/ differed from it."""
    dirty = (
        " (with uncommitted changes)" if git("status", "--porcelain", "--", "src") != "?" else ""
    )
    return f"commit {git('rev-parse', '--short', 'HEAD')}{dirty}"


def source_version() -> str:
    """Which code was measured: the commit, and the status hub's file as it was on disk."""
    hub = "src/buergerbuero/live/statusboard.py"
    dirty = " (uncommitted changes)" if git("status", "--porcelain", "--", hub) != "?" else ""
    blob = git("hash-object", hub)[:10]
    return f"commit {git('rev-parse', '--short', 'HEAD')}; {hub} blob {blob}{dirty}"


def fmt(x: float, digits: int = 0) -> str:
    if x != x or x in (float("inf"), float("-inf")):  # nan, or a run that did not finish
        return "–"
    return f"{x:,.{digits}f}"


def table(results: list[Result]) -> str:
    rows = [
        "| mode | server processes | watchers | every watcher had it after "
        "| p50 | p99 | first→last | loop CPU per watcher | memory per idle connection "
        "| connecting them took | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ref = "tick" if r.case.mode == "memory" else "publish"
        lasts = [x for x in r.extra.get("last_ms_all", []) if x == x]
        spread = ""
        if len(lasts) > 1:
            spread = f" ({fmt(min(lasts))}–{fmt(max(lasts))})"
        note = r.note.strip() or ("" if r.ok else "incomplete")
        rows.append(
            f"| {r.case.mode}, from {ref} | {r.case.processes} | {r.case.clients:,} "
            f"| {fmt(r.last_ms)} ms{spread} | {fmt(r.p50_ms)} ms | {fmt(r.p99_ms)} ms "
            f"| {fmt(r.spread_ms)} ms | {fmt(r.loop_cpu_us_per_client, 1)} µs "
            f"| {fmt(r.kib_per_conn, 1)} KiB | {fmt(r.connect_seconds, 1)} s | {note} |"
        )
    return "\n".join(rows)


async def controller(args) -> int:
    limit = raise_nofile(max(args.clients) + 4096)
    if limit < max(args.clients) + 256:
        print(
            f"open-file limit {limit} is too low for {max(args.clients)} watchers", file=sys.stderr
        )
        return 2
    cases = []
    for n in args.clients:
        for mode in args.mode:
            for processes in args.redis_processes if mode == "redis" else [1]:
                cases.append(Case(mode, processes, n))
    if "redis" in args.mode:
        import redis

        try:
            redis.Redis.from_url(args.redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            print(f"no Redis at {args.redis_url} ({exc}); try --mode memory", file=sys.stderr)
            return 2

    bench = Bench(args)
    results: list[Result] = []
    try:
        print(f"preparing the database in {bench.tmp} ...", file=sys.stderr)
        await bench.prepare_database()
        deadline = time.monotonic() + args.time_budget
        for case in cases:
            if time.monotonic() > deadline:
                results.append(Result(case, note="skipped: time budget spent"))
                continue
            print(f"case {case} ...", file=sys.stderr, flush=True)
            result = await bench.case(case)
            print(f"  -> {result}", file=sys.stderr, flush=True)
            results.append(result)
    finally:
        await bench.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    header = (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, loop {args.loop}, ws {args.ws}, "
        f"compression {'off' if args.no_compression else 'permessage-deflate'}, "
        f"{args.client_processes} watcher processes{', cold start' if args.cold else ''}; "
        f"median of {args.repeat} changes (range of 'every watcher' in brackets) during which "
        f"other programs used at most {args.disturbed_ms:.0f} ms of CPU"
    )
    print(f"\n{header}\n{bench.version}\n\n{table(results)}\n")
    if args.json:
        Path(args.json).write_text(
            json.dumps([r.__dict__ | {"case": r.case.__dict__} for r in results], indent=1)
        )
    return 0 if all(r.ok for r in results) else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients", type=int, nargs="+", help="watcher counts (1000 5000; --reference: 10000)"
    )
    parser.add_argument(
        "--mode", nargs="+", choices=["memory", "redis"], default=["memory", "redis"]
    )
    parser.add_argument(
        "--redis-processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="uvicorn processes in Redis mode (default: 1 and 2)",
    )
    parser.add_argument("--redis-url", default=REDIS_URL_DEFAULT)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=64,
        help="handshakes in flight per watcher process",
    )
    parser.add_argument(
        "--loop",
        default="uvloop" if have_uvloop() else "auto",
        choices=["auto", "asyncio", "uvloop"],
    )
    parser.add_argument(
        "--ws", default="auto", choices=["auto", "websockets", "websockets-sansio", "wsproto"]
    )
    parser.add_argument(
        "--no-compression",
        action="store_true",
        help="watchers do not offer permessage-deflate (browsers do)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="connect the watchers before the servers' first tick (no cached board)",
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.1,
        help="before each change, wait (up to --quiet-wait) until other programs use less than "
        "this share of a core",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="how long to wait for that before measuring anyway (the load is reported)",
    )
    parser.add_argument(
        "--disturbed-ms",
        type=float,
        default=50.0,
        help="measure a change again if other programs used more CPU than this meanwhile",
    )
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="log the servers' garbage-collector pauses and report them in the note",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="undisturbed changes per case; the table shows the median (by last watcher)",
    )
    parser.add_argument("--phase-timeout", type=float, default=120.0)
    parser.add_argument(
        "--time-budget",
        type=float,
        default=1200.0,
        help="start no new case after this many seconds",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="the office against a bare websockets broadcast server, interleaved, the same "
        "watcher processes (bench/status_reference.py); defaults: 10,000 watchers, 10 "
        "changes each",
    )
    parser.add_argument(
        "--reference-compression",
        default="none",
        choices=["none", "deflate"],
        help="whether the bare server accepts permessage-deflate (default: no, as the notes "
        "measured it)",
    )
    parser.add_argument(
        "--office-deflate",
        action="store_true",
        help="start uvicorn with its default permessage-deflate (docs/deploy.md turns it off)",
    )
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--keep-tmp", action="store_true")
    parser.add_argument("--_client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_uvloop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients is None:
        args.clients = [10000] if args.reference else [1000, 5000]
    if args.repeat is None:
        args.repeat = 10 if args.reference else 3
    return args


def main() -> int:
    args = parse_args()
    if args._client:
        run_loop(client_main(), args._uvloop)
        return 0
    if args.reference:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import status_reference

        return asyncio.run(status_reference.compare(args))
    return asyncio.run(controller(args))


if __name__ == "__main__":
    sys.exit(main())
