#!/usr/bin/env python
"""The status board against a bare `websockets` broadcast server, in one run.

    .venv/bin/python bench/status_fanout.py --reference              # 10,000 watchers, 10 each
    .venv/bin/python bench/status_fanout.py --reference --clients 1000 --repeat 10

Both servers run at once, on the same cores, and the SAME watcher processes hold N
watchers of each (offering permessage-deflate, as browsers do):

- the office: `uvicorn buergerbuero.asgi:application` with uvloop and the flags of
  docs/deploy.md that matter here (`--ws-per-message-deflate false`; `--office-deflate`
  leaves uvicorn's default on), on a throw-away SQLite office and Redis, one process. A
  change is made as in `status_fanout.py --mode redis`: a separate Django process renames
  a department and calls `status_board()`, which computes the board and publishes it;
  timed from that call.
- the reference: this file's `--_server` mode, the bare library as the notes measured it
  (`websockets.asyncio.server.serve`, uvloop, no compression unless
  `--reference-compression deflate`, its default keepalive). It serves the office's own
  board text, read from the office at the start; a change is the same text with the
  first department renamed, handed to it over a pipe and sent with
  `websockets.broadcast()`; timed from the write to the pipe. (The office's time
  includes computing the board and the Redis hop, a few milliseconds the reference does
  not pay.)

The changes alternate (office, reference, reference, office, ...) so a slow phase of the
machine hits both. Before each, the run waits (at most 2 minutes; `--quiet`) until other
programs use less than a tenth of a core; a change during which they used more than
`--disturbed-ms` of CPU is measured again, and reported apart. Reported: for each server
the median and the slowest of the undisturbed changes (time until every watcher had it),
memory per idle watcher (RSS growth while the N watchers connected, divided by N), and
the office's ratios against the reference with the issue's targets (1.5x).

Exit status: 0 when both targets are met, 3 when one is missed, 1 when it could not
measure (a server failed, watchers did not connect, or no undisturbed change).
"""

# A benchmark driver: its one blocking write (the --json file) comes after measuring.
# ruff: noqa: ASYNC240

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

import status_fanout as fanout

TARGET = 1.5


# --- the bare server --------------------------------------------------------------------


async def server_main(port: int, compression: str | None) -> None:
    """Serves the board it was given on stdin to every watcher; each further line on
    stdin is a new board, broadcast at once; answers one line per board."""
    import websockets
    from websockets.asyncio.server import serve

    fanout.raise_nofile(1 << 20)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    watchers: set = set()
    board = {"text": json.loads(await stdin.readline())["text"]}

    async def handler(ws) -> None:
        await ws.send(board["text"])
        watchers.add(ws)
        try:
            await ws.wait_closed()
        finally:
            watchers.discard(ws)

    async with serve(handler, fanout.HOST, port, compression=compression, backlog=4096):
        sys.stdout.write(json.dumps({"listening": port}) + "\n")
        sys.stdout.flush()
        while line := await stdin.readline():
            board["text"] = json.loads(line)["text"]
            websockets.broadcast(watchers, board["text"])
            sys.stdout.write(json.dumps({"sent": len(watchers)}) + "\n")
            sys.stdout.flush()


# --- the comparison ------------------------------------------------------------------


def renamed(board: str, name: str) -> str:
    """The board with its first department renamed: the reference's change."""
    data = json.loads(board)
    data["departments"][0]["name"] = name
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


async def start_reference(bench: fanout.Bench, port: int, board: str):
    argv = [fanout.PYTHON, __file__, "--_server", str(port)]
    argv += ["--compression", bench.args.reference_compression]
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=fanout.ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 24,
    )
    bench.procs.append(proc)
    proc.stdin.write((json.dumps({"text": board}) + "\n").encode())
    await proc.stdin.drain()
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    if not line:
        raise RuntimeError("the reference server did not start")
    return proc


async def connect_group(bench, clients, url: str, group: str, n: int, server) -> dict:
    """N watchers of one server from the watcher processes; its RSS growth per watcher."""
    rss_before = fanout.rss_kib(server.pid)
    shares = [n // len(clients)] * len(clients)
    shares[0] += n - sum(shares)
    started = time.time()
    answers = await asyncio.gather(
        *(
            bench.ask(
                c,
                {
                    "cmd": "connect",
                    "urls": [url],
                    "count": k,
                    "group": group,
                    "concurrency": bench.args.connect_concurrency,
                    "compression": None if bench.args.no_compression else "deflate",
                },
                timeout=bench.args.phase_timeout,
            )
            for c, k in zip(clients, shares, strict=True)
        )
    )
    seconds = time.time() - started
    connected = sum(a["ok"] for a in answers)
    if connected != n:
        errors = [e for a in answers for e in a["errors"]]
        raise RuntimeError(f"{group}: {connected} of {n} watchers connected, e.g. {errors[:1]}")
    await asyncio.sleep(2.0)  # let the server settle before reading its memory
    rss_after = fanout.rss_kib(server.pid)
    return {
        "connect_s": seconds,
        "kib_per_watcher": (rss_after - rss_before) / n,
        "rss_mib": rss_after / 1024,
    }


def summary(runs: list[dict]) -> dict:
    lasts = sorted(r["last_ms"] for r in runs)
    return {
        "n": len(lasts),
        "median_ms": statistics.median(lasts) if lasts else float("nan"),
        "slowest_ms": lasts[-1] if lasts else float("nan"),
        "all_ms": [round(x, 1) for x in lasts],
    }


async def compare_case(bench: fanout.Bench, n: int) -> dict:
    args = bench.args
    channel = f"bench:status:{secrets.token_hex(6)}"
    env = bench.env("redis", channel)
    office_case = fanout.Case("redis", 1, n)
    reference_case = fanout.Case("reference", 1, n)
    servers, clients = [], []
    try:
        port, ref_port = fanout.free_port(), fanout.free_port()
        log = bench.tmp / f"uvicorn-{port}.log"
        office = await bench.start_server(port, env, log)
        servers.append(office)
        board = await bench.wait_ready(port, office, log)
        reference = await start_reference(bench, ref_port, board)
        servers.append(reference)
        # After the first tick the office has the board cached (status_fanout's docstring).
        await asyncio.sleep(fanout.TICK_SECONDS - time.time() % fanout.TICK_SECONDS + 0.5)
        clients = await bench.start_clients(args.client_processes)
        office_url = f"ws://{fanout.HOST}:{port}/ws/status/"
        ref_url = f"ws://{fanout.HOST}:{ref_port}/ws/status/"
        memory = {
            "office": await connect_group(bench, clients, office_url, "office", n, office),
            "reference": await connect_group(bench, clients, ref_url, "reference", n, reference),
        }
        print(f"  memory: {memory}", file=sys.stderr, flush=True)
        idle = {
            "office": await bench.cpu_rates([office], clients, 3.0),
            "reference": await bench.cpu_rates([reference], clients, 3.0),
        }

        async def fire_reference(marker: str) -> dict:
            text = renamed(board, marker)
            t_call = time.time()
            reference.stdin.write((json.dumps({"text": text}) + "\n").encode())
            await reference.stdin.drain()
            await asyncio.wait_for(reference.stdout.readline(), 60)
            return {"t_call": t_call, "t_done": time.time()}

        runs: dict[str, list] = {"office": [], "reference": []}
        disturbed: dict[str, list] = {"office": [], "reference": []}
        loads: list[float] = []
        order = ["office", "reference"]
        deadline = time.monotonic() + args.time_budget
        attempts = 0
        while min(len(r) for r in runs.values()) < args.repeat:
            if time.monotonic() > deadline or attempts >= 4 * args.repeat:
                break
            attempts += 1
            for who in order:
                if len(runs[who]) >= args.repeat:
                    continue
                loads.append(await bench.wait_quiet(servers + clients))
                server = office if who == "office" else reference
                run = await bench.measure_once(
                    office_case if who == "office" else reference_case,
                    env,
                    channel,
                    [server],
                    clients,
                    idle[who],
                    fire=None if who == "office" else fire_reference,
                    group=who,
                )
                quiet = run.get("foreign_cpu_ms", 0) <= args.disturbed_ms
                (runs if quiet else disturbed)[who].append(run)
                print(
                    f"  {who}: every watcher after {run['last_ms']:.0f} ms "
                    f"({'quiet' if quiet else 'disturbed'}, other programs "
                    f"{run.get('foreign_cpu_ms', 0):.0f} ms CPU)",
                    file=sys.stderr,
                    flush=True,
                )
            order.reverse()
        result = {
            "watchers": n,
            "memory": memory,
            "office": summary(runs["office"]),
            "reference": summary(runs["reference"]),
            "disturbed": {k: [round(r["last_ms"], 1) for r in v] for k, v in disturbed.items()},
            "with_disturbed": {k: summary(runs[k] + disturbed[k]) for k in runs},
            "load_before": [round(x, 2) for x in loads],
            "missing": {k: max((n - r["received"] for r in v), default=0) for k, v in runs.items()},
        }
        return result
    finally:
        for c in clients:
            with contextlib.suppress(Exception):
                await bench.ask(c, {"cmd": "quit"}, 10)
            await bench.stop(c, grace=10)
        for s in servers:
            if s.stdin is not None:
                s.stdin.close()
            await bench.stop(s, grace=30)


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report(args, bench: fanout.Bench, results: list[dict]) -> tuple[str, bool]:
    f = fanout.fmt
    rows = [
        "| watchers | server | every watcher had it: median | slowest | changes "
        "| with the disturbed ones: median | slowest | changes "
        "| memory per idle watcher | connecting took |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios = [
        "| watchers | slowest, office / reference | median | memory "
        "| slowest, with the disturbed | median, with the disturbed | targets |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    met = True
    for r in results:
        for who in ("office", "reference"):
            s, m, a = r[who], r["memory"][who], r["with_disturbed"][who]
            rows.append(
                f"| {r['watchers']:,} | {who} | {f(s['median_ms'])} ms | {f(s['slowest_ms'])} ms "
                f"| {s['n']} | {f(a['median_ms'])} ms | {f(a['slowest_ms'])} ms | {a['n']} "
                f"| {f(m['kib_per_watcher'], 1)} KiB | {f(m['connect_s'], 1)} s |"
            )
        slow = ratio(r["office"]["slowest_ms"], r["reference"]["slowest_ms"])
        med = ratio(r["office"]["median_ms"], r["reference"]["median_ms"])
        mem = ratio(
            r["memory"]["office"]["kib_per_watcher"], r["memory"]["reference"]["kib_per_watcher"]
        )
        a_slow = ratio(
            r["with_disturbed"]["office"]["slowest_ms"],
            r["with_disturbed"]["reference"]["slowest_ms"],
        )
        a_med = ratio(
            r["with_disturbed"]["office"]["median_ms"],
            r["with_disturbed"]["reference"]["median_ms"],
        )
        ok = slow <= TARGET and mem <= TARGET and r["office"]["n"] >= args.repeat
        ok = ok and not any(r["missing"].values())
        met &= ok
        verdict = "met" if ok else "missed"
        ratios.append(
            f"| {r['watchers']:,} | {f(slow, 2)}× | {f(med, 2)}× | {f(mem, 2)}× "
            f"| {f(a_slow, 2)}× | {f(a_med, 2)}× "
            f"| {verdict} (≤ {TARGET}× slowest and memory, over ≥ {args.repeat} quiet changes) |"
        )
    loads = [x for r in results for x in r["load_before"]]
    header = (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, loop {args.loop}; watchers offer "
        f"{'nothing' if args.no_compression else 'permessage-deflate'}; office "
        f"{'with' if args.office_deflate else 'without'} permessage-deflate, reference "
        f"compression {args.reference_compression}; {args.client_processes} watcher "
        f"processes; other programs' CPU before each change: "
        f"{min(loads, default=0):.2f}–{max(loads, default=0):.2f} of a core"
    )
    detail = "\n".join(
        f"- {r['watchers']:,}: office {r['office']['all_ms']} ms, reference "
        f"{r['reference']['all_ms']} ms; disturbed, left out: {r['disturbed']}"
        for r in results
    )
    text = f"{header}\n{bench.version}\n\n" + "\n".join(rows) + "\n\n" + "\n".join(ratios)
    return text + "\n\n" + detail + "\n", met


async def compare(args) -> int:
    # Per process: a server holds N sockets, each watcher process 2N / its count.
    need = max(max(args.clients), 2 * max(args.clients) // args.client_processes) + 256
    limit = fanout.raise_nofile(need + 4096)
    if limit < need:
        print(f"open-file limit {limit} is too low", file=sys.stderr)
        return 1
    import redis

    try:
        redis.Redis.from_url(args.redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        print(f"no Redis at {args.redis_url} ({exc})", file=sys.stderr)
        return 1
    bench = fanout.Bench(args)
    results = []
    try:
        print(f"preparing the database in {bench.tmp} ...", file=sys.stderr)
        await bench.prepare_database()
        for n in args.clients:
            print(f"{n} watchers of each ...", file=sys.stderr, flush=True)
            try:
                results.append(await compare_case(bench, n))
            except Exception as exc:  # report what was measured; this case failed
                print(f"  failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                return 1
    finally:
        await bench.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    text, met = report(args, bench, results)
    print("\n" + text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if any(r["office"]["n"] == 0 or r["reference"]["n"] == 0 for r in results):
        # The table above shows the disturbed changes; they decide nothing.
        print("no undisturbed change for one of the servers", file=sys.stderr)
        return 1
    return 0 if met else 3


if __name__ == "__main__" and "--_server" in sys.argv:
    port = int(sys.argv[sys.argv.index("--_server") + 1])
    compression = sys.argv[sys.argv.index("--compression") + 1]
    import uvloop

    uvloop.run(server_main(port, None if compression == "none" else compression))
