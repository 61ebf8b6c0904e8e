#!/usr/bin/env python
"""Knock -> staff alert: how long after a citizen's knock its console shows them, and
whether every knock reaches its console at all.

Self-contained: a throw-away PostgreSQL database (`alert_bench_<random>`) and Redis
(db 12 by default, keys under a random prefix, deleted afterwards), the real office under
uvicorn (one process, then two with Redis between them), 20 departments that are always
open with 50 citizens already waiting in each (1,000), 20 staff members (one per
department) signed in, each with a console open over a real WebSocket from a separate
client process and set available. Then citizens knock over real HTTP from fresh clients
(a new connection each, GET the knock form for its CSRF cookie and token, POST it,
follow nothing) at 10, 20 and 50 knocks a second, open loop (a knock starts on time
whether or not the ones before it have finished), departments round robin.

Measured for each knock: from its POST's response (the 302 to the waiting room) to the
first console message that carries that citizen's entry on the console of its
department. Negative values happen (the server announces before it answers the POST)
and are kept. A knock whose citizen has not reached the console 5 s after the response
is lost. Also reported: the POST's own round trip, console messages and snapshots,
`over capacity` lines in the server log.

Reference, measured in the same run just before each step, at the same rate from fresh
clients: the round trip of a view that does nothing (`/bench/trivial/`, mounted by
BENCH_TRIVIAL_VIEW=1 on the same server). The alert's p99 is given as a ratio of it.

Quiet CPU: before each step it waits (at most --quiet-wait seconds) until other programs
use less than --quiet of a core, and reports how much they used during the step.

    .venv/bin/python bench/knock_alert.py
    .venv/bin/python bench/knock_alert.py --rates 50 --processes 2 --seconds 10

Everything listens on 127.0.0.1; every process, the database and the Redis keys are
removed in `finally`. The internal `--_consoles` mode is the console client process.
"""

# A benchmark driver, not server code: blocking reads of /proc and small files happen
# between measurements.
# ruff: noqa: ASYNC109, ASYNC240

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import quote

from status_fanout import (
    HOST,
    PYTHON,
    Bench,
    free_port,
    have_uvloop,
    helper_pipe,
    process_total_cpu_ns,
    run_loop,
    start_helpers,
    system_busy_ns,
)

DEPARTMENTS = 20
WAITING_EACH = 50
LOST_AFTER = 5.0
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

SEED = """
import json, sys
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import Membership, StaffProfile
from buergerbuero.waiting.models import QueueEntry

now = timezone.now()
out = []
for n in range({departments}):
    department = Department.objects.create(
        slug=f"bench-{{n}}", name=f"Bench department {{n}}", time_zone="Europe/Berlin",
        holiday_country="",
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(department=department, weekday=d, opens_minute=0, closes_minute=24 * 60)
        for d in range(7)
    )
    QueueEntry.objects.bulk_create(
        QueueEntry(
            department=department, display_name=f"Seeded {{n}}-{{i}}", topic="",
            language="de", seen_at=now, created_at=now - timedelta(minutes=60 - i),
        )
        for i in range({waiting})
    )
    user = get_user_model().objects.create_user(username=f"bench{{n}}", password=None)
    profile = StaffProfile.objects.create(user=user, seen_at=now)
    profile.departments.set([department], through_defaults={{"role": "staff"}})
    client = Client()
    client.force_login(user)
    out.append({{"department": department.pk, "slug": department.slug,
                 "session": client.cookies["sessionid"].value}})
print("SEED " + json.dumps(out), flush=True)
"""

RESET = """
from buergerbuero.waiting.models import QueueEntry
print("RESET", QueueEntry.objects.filter(display_name__startswith="Knock ").delete())
"""


# --- console client process -----------------------------------------------------------


async def consoles_main() -> None:
    """Opens the consoles given on stdin, records when each entry id first reaches each
    console; answers JSON lines."""
    from websockets.asyncio.client import connect

    stdin, answer = await helper_pipe()

    seen: dict[int, dict[str, float]] = {}  # department -> entry id -> first arrival
    counts: dict[str, int] = {"messages": 0, "snapshots": 0, "bytes": 0, "closed": 0}
    sockets = []

    async def open_console(console: dict):
        ws = await connect(
            console["url"],
            origin=console["origin"],
            additional_headers={"Cookie": f"sessionid={console['session']}"},
            open_timeout=30,
            max_size=1 << 24,
            ping_interval=None,
        )
        opening = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if opening.get("type") != "queues":
            raise RuntimeError(f"console opened with {opening}")
        # Set available (after a reconnect too: the member is still at the desk).
        await ws.send('{"type":"presence","presence":"available"}')
        return ws, opening

    def record(department: int, message: dict, now: float) -> None:
        first = seen.setdefault(department, {})
        if message.get("type") == "queues":
            counts["snapshots"] += 1
        for key in ("waiting", "added"):
            for row in message.get(key) or ():
                first.setdefault(row["id"], now)

    async def listen(console: dict, ws) -> None:
        """Like console.js: when the server closes the socket, open it again (after a
        second) and start from the snapshot it sends; each reopening is counted."""
        department = console["department"]
        while True:
            try:
                async for text in ws:
                    counts["messages"] += 1
                    counts["bytes"] += len(text)
                    record(department, json.loads(text), time.time())
            except Exception as error:
                counts["error"] = repr(error)[:200]
            counts["closed"] += 1
            await asyncio.sleep(1.0)
            try:
                ws, opening = await open_console(console)
            except Exception as error:
                counts["error"] = repr(error)[:200]
                continue
            sockets.append(ws)
            record(department, opening, time.time())

    async def ping(ws) -> None:
        # As console.js does, so the member stays present (and the session alive).
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(15)
                await ws.send('{"type":"ping"}')

    tasks = []
    while True:
        line = await stdin.readline()
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "open":
            for console in command["consoles"]:
                ws, _ = await open_console(console)
                await asyncio.wait_for(ws.recv(), 30)  # the update for the presence
                sockets.append(ws)
                tasks.append(asyncio.create_task(listen(console, ws)))
                tasks.append(asyncio.create_task(ping(ws)))
            answer({"ok": len(sockets)})
        elif command["cmd"] == "report":
            answer({"seen": seen, "counts": counts})
            for department in seen.values():
                department.clear()
            counts.update(messages=0, snapshots=0, bytes=0, closed=0)
        elif command["cmd"] == "quit":
            break
    for task in tasks:
        task.cancel()
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()
    answer({"bye": True})


# --- HTTP from fresh clients ----------------------------------------------------------


async def http(port: int, request: bytes) -> tuple[int, dict[str, list[str]], bytes]:
    """One request on a new connection (Connection: close): status, headers, body."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if "chunked" in ",".join(headers.get("transfer-encoding", [])):
        body = dechunk(body)
    return status, headers, body


def dechunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def get(port: int, path: str, address: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
        f"Accept-Language: de\r\nX-Forwarded-For: {address}\r\n\r\n"
    ).encode()


async def knock(port: int, slug: str, name: str) -> dict:
    """A fresh citizen knocks: form, then POST. Times of the POST's send and response."""
    # A client address of its own, as citizens have: the knock rate limit counts per address.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"
    path = f"/fachbereich/{slug}/anklopfen/"
    status, headers, body = await http(port, get(port, path, address))
    if status != 200:
        return {"error": f"form {status}"}
    token = CSRF_INPUT.search(body)
    cookies = [c.split(";", 1)[0] for c in headers.get("set-cookie", [])]
    csrf = next((c for c in cookies if c.startswith("csrftoken=")), None)
    if token is None or csrf is None:
        return {"error": "no CSRF token"}
    form = (
        f"csrfmiddlewaretoken={quote(token.group(1).decode())}"
        f"&display_name={quote(name)}&topic=Bench"
    ).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
        f"Origin: http://{HOST}:{port}\r\nReferer: http://{HOST}:{port}{path}\r\n"
        f"Cookie: {csrf}\r\nAccept-Language: de\r\nX-Forwarded-For: {address}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n"
    ).encode() + form
    sent = time.time()
    status, headers, _ = await http(port, request)
    answered = time.time()
    location = (headers.get("location") or [""])[0]
    match = re.search(r"/warteraum/([^/]+)/", location)
    if status != 302 or match is None:
        return {"error": f"knock {status}"}
    return {"entry": match.group(1), "sent": sent, "answered": answered}


async def trivial(port: int) -> dict:
    sent = time.time()
    status, _, _ = await http(port, get(port, "/bench/trivial/", "10.0.0.1"))
    return {"ms": (time.time() - sent) * 1000, "ok": status == 200}


async def open_loop(rate: float, seconds: float, make) -> list:
    """Start make(i) every 1/rate seconds for `seconds`; all results."""
    count = round(rate * seconds)
    start = time.monotonic() + 0.05
    tasks = []
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(make(i)))
    return await asyncio.gather(*tasks, return_exceptions=True)


# --- the run --------------------------------------------------------------------------


def cpu_of(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            total += process_total_cpu_ns(pid)
    return total


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class KnockBench(Bench):
    def __init__(self, args):
        super().__init__(args)
        self.database = f"alert_bench_{secrets.token_hex(4)}"
        self.prefix = f"alert-bench-{secrets.token_hex(4)}"
        admin = args.postgres_url
        self.database_url = admin.rsplit("/", 1)[0] + "/" + self.database
        self.base_env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=args.redis_url,
            REDIS_PREFIX=self.prefix,
            STATUS_PUBSUB_CHANNEL=f"{self.prefix}:status",
            BENCH_TRIVIAL_VIEW="1",
            TRUST_X_FORWARDED_FOR="1",
            MAX_WAITING_PER_DEPARTMENT="100000",
            # Nobody's waiting room is open in this run; their places must not expire.
            QUEUE_GRACE_SECONDS="86400",
            QUEUE_BACKGROUND_GRACE_SECONDS="86400",
            # channels_redis reports dropped events ("over capacity") at INFO.
            LOG_LEVEL="INFO",
        )

    def env(self, mode: str, channel: str) -> dict:
        return dict(self.base_env)

    def measure_source(self, source: Path) -> None:
        """Measure another checkout's code (e.g. main, as the before figure)."""
        shutil.rmtree(self.src)
        shutil.copytree(source, self.src, ignore=shutil.ignore_patterns("__pycache__"))
        self.version = f"source {source}"

    def _admin(self):
        import psycopg

        return psycopg.connect(self.args.postgres_url, autocommit=True, connect_timeout=5)

    async def prepare(self) -> list[dict]:
        with self._admin() as db:
            db.execute(f'CREATE DATABASE "{self.database}"')
        env = self.base_env
        await self.run(PYTHON, self.manage, "migrate", "--no-input", env=env, timeout=300)
        code = SEED.format(departments=DEPARTMENTS, waiting=WAITING_EACH)
        out = await self.run(PYTHON, self.manage, "shell", "-c", code, env=env, timeout=180)
        line = next(x for x in out.splitlines() if x.startswith("SEED "))
        return json.loads(line[len("SEED ") :])

    async def reset(self) -> None:
        await self.run(PYTHON, self.manage, "shell", "-c", RESET, env=self.base_env, timeout=120)

    def backends(self) -> list[int]:
        with self._admin() as db:
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
            ).fetchall()
        return [row[0] for row in rows]

    def drop(self) -> None:
        import redis

        with contextlib.suppress(Exception):
            r = redis.Redis.from_url(self.args.redis_url)
            keys = list(r.scan_iter(f"{self.prefix}*", count=1000))
            if keys:
                r.delete(*keys)
        with contextlib.suppress(Exception), self._admin() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    async def wait_http(self, port: int, proc, log: Path, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.returncode is None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                if (await trivial(port))["ok"]:
                    return
            await asyncio.sleep(0.3)
        raise RuntimeError(f"server on {port} not ready:\n{log.read_text()[-2000:]}")

    async def step(self, rate, seconds, ports, departments, console_proc, servers) -> dict:
        """One rate: reference first, then the knocks; returns the figures."""
        own = [p.pid for p in servers] + [console_proc.pid, os.getpid()]
        quiet_share = await self.wait_quiet([*servers, console_proc], limit=self.args.quiet_wait)
        backends = self.backends()

        ref = await open_loop(rate, min(seconds, 5), lambda i: trivial(ports[i % len(ports)]))
        ref_ms = [r["ms"] for r in ref if isinstance(r, dict) and r["ok"]]

        run_id = secrets.token_hex(3)
        t0 = time.monotonic()
        start_cpu = {pid: cpu_of([pid]) for pid in own + backends}
        busy0 = system_busy_ns()
        server_pids = [p.pid for p in servers]

        def make(i: int):
            d = departments[i % len(departments)]
            return knock(ports[i % len(ports)], d["slug"], f"Knock {run_id} {i}")

        knocks = await open_loop(rate, seconds, make)
        elapsed = time.monotonic() - t0
        await asyncio.sleep(LOST_AFTER + 0.5)
        # Our database's backends (pooled, so most live through the step) are ours too.
        busy1 = system_busy_ns()
        ours = sum(
            cpu_of([pid]) - start_cpu.get(pid, 0) for pid in set(own + backends + self.backends())
        )
        foreign = (busy1 - busy0 - ours) / 1e9 / (time.monotonic() - t0)
        server_cpu = sum(cpu_of([pid]) - start_cpu[pid] for pid in server_pids)
        database_cpu = sum(
            cpu_of([pid]) - start_cpu.get(pid, 0) for pid in set(backends + self.backends())
        )
        report = await self.ask(console_proc, {"cmd": "report"}, 60)
        seen = {int(k): v for k, v in report["seen"].items()}
        latencies, lost, errors = [], 0, []
        post_ms = []
        for i, k in enumerate(knocks):
            if not isinstance(k, dict) or "error" in k:
                errors.append(repr(k)[:120])
                continue
            post_ms.append((k["answered"] - k["sent"]) * 1000)
            department = departments[i % len(departments)]["department"]
            arrived = seen.get(department, {}).get(k["entry"])
            if arrived is None or arrived - k["answered"] > LOST_AFTER:
                lost += 1
                continue
            latencies.append((arrived - k["answered"]) * 1000)
        # Lost for the target; whether they came at all, later: the console is asked again.
        lost_ids = {
            k["entry"]
            for i, k in enumerate(knocks)
            if isinstance(k, dict)
            and "entry" in k
            and k["entry"] not in seen.get(departments[i % len(departments)]["department"], {})
        }
        await asyncio.sleep(self.args.late_wait)
        later = await self.ask(console_proc, {"cmd": "report"}, 60)
        came_later = {e for ids in later["seen"].values() for e in ids} & lost_ids
        return {
            "rate": rate,
            "late": len(came_later),
            # Not at the console 5 s after the response, nor at the first report, nor
            # `--late-wait` seconds later.
            "never": len(lost_ids - came_later),
            "knocks": len(knocks),
            "achieved_rate": len(knocks) / elapsed,
            "errors": len(errors),
            "error_examples": errors[:3],
            "lost": lost,
            "alert_p50_ms": pct(latencies, 0.5),
            "alert_p99_ms": pct(latencies, 0.99),
            "alert_max_ms": max(latencies, default=float("nan")),
            "post_p50_ms": pct(post_ms, 0.5),
            "post_p99_ms": pct(post_ms, 0.99),
            "ref_p50_ms": pct(ref_ms, 0.5),
            "ref_p99_ms": pct(ref_ms, 0.99),
            "console_messages": report["counts"]["messages"],
            "console_snapshots": report["counts"]["snapshots"],
            "console_closed": report["counts"]["closed"],
            "console_kib": report["counts"]["bytes"] / 1024,
            # CPU time hardly depends on how busy the machine is, unlike the latencies:
            # the figure to compare code by when the machine is shared.
            "server_cpu_ms_per_knock": server_cpu / 1e6 / max(1, len(knocks)),
            "database_cpu_ms_per_knock": database_cpu / 1e6 / max(1, len(knocks)),
            "others_before": quiet_share,
            "others_during": max(0.0, foreign),
        }

    async def case(self, processes: int, departments: list[dict]) -> dict:
        ports = [free_port() for _ in range(processes)]
        origins = [f"http://{HOST}:{p}" for p in ports]
        env = dict(self.base_env, SITE_URL=origins[0], WEBSOCKET_ALLOWED_ORIGINS=",".join(origins))
        servers, logs, console_proc = [], [], None
        result: dict = {"processes": processes, "steps": []}
        try:
            for port in ports:
                log = self.tmp / f"uvicorn-{processes}-{port}.log"
                logs.append(log)
                servers.append(await self.start_server(port, env, log))
            for port, proc, log in zip(ports, servers, logs, strict=True):
                await self.wait_http(port, proc, log)
            (console_proc,) = await start_helpers(__file__, "--_consoles", 1, Path(__file__).parent)
            self.procs.append(console_proc)
            consoles = [
                {
                    "department": d["department"],
                    "session": d["session"],
                    "url": f"ws://{HOST}:{ports[n % processes]}/ws/konsole/",
                    "origin": origins[n % processes],
                }
                for n, d in enumerate(departments)
            ]
            opened = await self.ask(console_proc, {"cmd": "open", "consoles": consoles}, 120)
            if opened.get("ok") != len(consoles):
                raise RuntimeError(f"consoles: {opened}")
            # Warm-up, not counted: every process has served the pages and the announcements.
            await open_loop(
                5,
                2,
                lambda i: knock(ports[i % processes], departments[i]["slug"], f"Knock warm {i}"),
            )
            await asyncio.sleep(1)
            await self.ask(console_proc, {"cmd": "report"}, 60)
            for rate in self.args.rates:
                await self.reset()
                step = await self.step(
                    rate, self.args.seconds, ports, departments, console_proc, servers
                )
                text = "".join(log.read_text(errors="replace") for log in logs)
                step["over_capacity_lines"] = text.count("over capacity") - sum(
                    s["over_capacity_lines"] for s in result["steps"]
                )
                step["missed_lines"] = text.count("missed announcements") - sum(
                    s["missed_lines"] for s in result["steps"]
                )
                result["steps"].append(step)
                print(
                    f"  {processes} process(es), {rate}/s: {json.dumps(step)}",
                    file=sys.stderr,
                    flush=True,
                )
            result["log_tail"] = [
                line for log in logs for line in log.read_text(errors="replace").splitlines()[-5:]
            ]
        finally:
            if console_proc is not None:
                with contextlib.suppress(Exception):
                    await self.ask(console_proc, {"cmd": "quit"}, 10)
                await self.stop(console_proc, grace=10)
            for server in servers:
                await self.stop(server, grace=30)
        return result


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def table(results: list[dict]) -> str:
    rows = [
        "| processes | rate asked (done) | knocks | lost | alert p50 / p99 / max ms | "
        "POST p50 / p99 ms | trivial view p50 / p99 ms | alert p99 ÷ trivial p99 | "
        "console msgs (snapshots) | over capacity / resyncs | CPU ms per knock: server, "
        "PostgreSQL | others' CPU before / during |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for s in result["steps"]:
            failed = f" ({s['errors']} failed)" if s["errors"] else ""
            closed = f", {s['console_closed']} closed" if s.get("console_closed") else ""
            ratio = s["alert_p99_ms"] / s["ref_p99_ms"] if s["ref_p99_ms"] > 0 else float("nan")
            late = f" ({s.get('never', '?')} never)"
            rows.append(
                f"| {result['processes']} | {s['rate']}/s ({s['achieved_rate']:.1f}) | "
                f"{s['knocks']}{failed} | "
                f"{s['lost']}{late} | {fmt(s['alert_p50_ms'])} / {fmt(s['alert_p99_ms'])} / "
                f"{fmt(s['alert_max_ms'])} | {fmt(s['post_p50_ms'])} / {fmt(s['post_p99_ms'])} | "
                f"{fmt(s['ref_p50_ms'])} / {fmt(s['ref_p99_ms'])} | {ratio:.2f} | "
                f"{s['console_messages']} ({s['console_snapshots']}{closed}) | "
                f"{s['over_capacity_lines']} / {s.get('missed_lines', 0)} | "
                f"{s['server_cpu_ms_per_knock']:.1f}, {s['database_cpu_ms_per_knock']:.1f} | "
                f"{s['others_before']:.2f} / "
                f"{s['others_during']:.2f} core |"
            )
    return "\n".join(rows)


async def controller(args) -> int:
    bench = KnockBench(args)
    if args.src:
        bench.measure_source(Path(args.src))
    results = []
    try:
        print(
            f"database {bench.database}, redis prefix {bench.prefix}, in {bench.tmp}",
            file=sys.stderr,
        )
        departments = await bench.prepare()
        for processes in args.processes:
            print(f"{processes} process(es) ...", file=sys.stderr, flush=True)
            results.append(await bench.case(processes, departments))
    finally:
        await bench.stop_all()
        bench.drop()
        if not args.keep_tmp:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    header = (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, loop {args.loop}; {DEPARTMENTS} departments x "
        f"{WAITING_EACH} waiting, one console each; {args.seconds:.0f} s per rate; "
        f"PostgreSQL + Redis"
    )
    print(f"\n{header}\n{bench.version}\n\n{table(results)}\n")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    ok = all(s["lost"] == 0 and s["errors"] == 0 for r in results for s in r["steps"])
    return 0 if ok else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 50])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=10.0, help="knocking time per rate")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--loop",
        default="uvloop" if have_uvloop() else "auto",
        choices=["auto", "asyncio", "uvloop"],
    )
    parser.add_argument(
        "--quiet", type=float, default=0.1, help="wait for others under this share of a core"
    )
    parser.add_argument("--quiet-wait", type=float, default=60.0, help="but at most this long")
    parser.add_argument("--src", help="measure this src/ directory instead of this checkout's")
    parser.add_argument(
        "--late-wait", type=float, default=10.0, help="then ask whether lost alerts came later"
    )
    parser.add_argument("--json")
    parser.add_argument("--keep-tmp", action="store_true")
    parser.add_argument(
        "--gc-log",
        action="store_true",
        help="log the servers' collector pauses of 10 ms or more (bench/_gc_probe.py)",
    )
    parser.add_argument("--_consoles", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_uvloop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.ws = "auto"
    return args


def main() -> int:
    args = parse_args()
    if args._consoles:
        run_loop(consoles_main(), args._uvloop)
        return 0
    return run_loop(controller(args), args.loop == "uvloop")


if __name__ == "__main__":
    sys.exit(main())
