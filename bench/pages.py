#!/usr/bin/env python
"""Throughput of status.json and the overview page against a view that does nothing.

Self-contained: makes a throw-away SQLite office (migrate + seed_demo), starts one real
uvicorn process with BENCH_TRIVIAL_VIEW=1 (which mounts /bench/trivial/), waits until the
server's ticker has put the board in its status hub, then loads each page with 50
concurrent connections (`wrk`, a C load generator from Debian's packages), the three
pages interleaved, several rounds. Reports requests per second, p99 latency and each
page's throughput as a share of the trivial view's, as a Markdown table
(docs/benchmarks.md, "Pages").

    .venv/bin/python bench/pages.py                    # = make bench-pages
    .venv/bin/python bench/pages.py --rounds 5 --seconds 5 --connections 50

Goal: status.json at least 0.5 x and the overview at least 0.25 x the trivial view.

The machine is shared: before each measurement it waits until other programs use less
than --quiet of a core, and a measurement during which they used more than
--disturbed of a core is measured again; if a page cannot be measured undisturbed, the
script reports nothing and exits with 1. The server, the database and the code measured
(a copy of src/) are set up and torn down by status_fanout.Bench, as for the board's
benchmark.
"""

# A benchmark driver: blocking reads of /proc between measurements are fine.
# ruff: noqa: ASYNC240

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

from status_fanout import (
    HOST,
    TICK_SECONDS,
    Bench,
    free_port,
    have_uvloop,
    process_total_cpu_ns,
    system_busy_ns,
)

PAGES = {
    "trivial view": "/bench/trivial/",
    "status.json": "/status.json",
    "overview": "/",
}
GOALS = {"status.json": 0.5, "overview": 0.25}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(out: str) -> dict:
    """Requests per second and the 99th percentile (ms) from `wrk --latency`."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    if rps is None or p99 is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rps.group(1)),
        "p99_ms": float(p99.group(1)) * UNITS[p99.group(2)],
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


async def load(url: str, args, server_pid: int) -> dict:
    """One wrk run; also how much CPU other programs used meanwhile (share of a core)."""
    proc = await asyncio.create_subprocess_exec(
        args.wrk,
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{args.seconds}s",
        "--latency",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    t0 = time.monotonic()
    own0 = process_total_cpu_ns(server_pid) + process_total_cpu_ns(os.getpid(), children=True)
    foreign0 = system_busy_ns() - own0
    await proc.wait()
    # wrk has been reaped: its time is now among this process's children's.
    own1 = process_total_cpu_ns(server_pid) + process_total_cpu_ns(os.getpid(), children=True)
    foreign = (system_busy_ns() - own1 - foreign0) / 1e9 / (time.monotonic() - t0)
    out = (await proc.stdout.read()).decode()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed:\n{out}")
    return parse_wrk(out) | {"foreign_share": max(0.0, foreign)}


async def wait_for_first_board(port: int) -> None:
    """Until the ticker has put the board in the hub: its first tick falls on the next
    multiple of ten seconds of the wall clock."""
    await asyncio.sleep(TICK_SECONDS - time.time() % TICK_SECONDS + 1.0)


async def measure(args) -> int:
    bench = Bench(args)
    results: dict[str, list[dict]] = {name: [] for name in PAGES}
    try:
        print(f"preparing the database in {bench.tmp} ...", file=sys.stderr)
        await bench.prepare_database()
        env = dict(bench.env("memory", "bench:pages"), BENCH_TRIVIAL_VIEW="1")
        port = free_port()
        log_path = bench.tmp / "server.log"
        server = await bench.start_server(port, env, log_path)
        await bench.wait_ready(port, server, log_path)
        await wait_for_first_board(port)
        base = f"http://{HOST}:{port}"
        for path in PAGES.values():  # warm-up, not counted
            await load(base + path, argparse.Namespace(**{**vars(args), "seconds": 2}), server.pid)
        names = list(PAGES)
        for n in range(args.rounds):
            # Interleaved, and each round starting elsewhere, so a slow minute of the
            # machine does not fall on one page only.
            for name in names[n % len(names) :] + names[: n % len(names)]:
                for _attempt in range(args.attempts):
                    share = await bench.wait_quiet([server])
                    run = await load(base + PAGES[name], args, server.pid)
                    if run["bad"] or run["socket_errors"]:
                        raise RuntimeError(f"{name}: failed requests: {run}")
                    print(
                        f"round {n + 1} {name}: {run['rps']:.0f} req/s, p99 "
                        f"{run['p99_ms']:.1f} ms, others {run['foreign_share']:.2f} core "
                        f"(before: {share:.2f})",
                        file=sys.stderr,
                        flush=True,
                    )
                    if run["foreign_share"] <= args.disturbed:
                        results[name].append(run)
                        break
                else:
                    print(
                        f"refusing to report: {name} could not be measured without other "
                        f"programs using more than {args.disturbed} of a core "
                        f"({args.attempts} attempts)",
                        file=sys.stderr,
                    )
                    return 1
        if "Traceback" in log_path.read_text():
            print(log_path.read_text()[-3000:], file=sys.stderr)
            return 1
    finally:
        await bench.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    report(args, results, bench.version)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    trivial = statistics.median(r["rps"] for r in results["trivial view"])
    met = all(
        statistics.median(r["rps"] for r in results[name]) >= goal * trivial
        for name, goal in GOALS.items()
    )
    return 0 if met else 3


def report(args, results: dict[str, list[dict]], version: str) -> None:
    wrk_version = os.popen(f"{args.wrk} -v 2>&1").read().split("\n")[0].strip()  # noqa: S605
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, uvicorn loop {args.loop}, {wrk_version}; one server "
        f"process, SQLite, demo data; {args.connections} connections, {args.rounds} rounds "
        f"of {args.seconds} s per page, interleaved; medians of the rounds\n{version}\n"
    )
    trivial = statistics.median(r["rps"] for r in results["trivial view"])
    print("| page | req/s | p99 | share of the trivial view | goal |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        p99 = statistics.median(r["p99_ms"] for r in runs)
        goal = f"≥ {GOALS[name]:.2f}" if name in GOALS else ""
        print(f"| {name} | {rps:,.0f} | {p99:,.1f} ms | {rps / trivial:.2f} | {goal} |")
    print()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5, help="per page and round")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.1,
        help="before each page, wait (up to 2 min) until other programs use less than "
        "this share of a core",
    )
    parser.add_argument(
        "--disturbed",
        type=float,
        default=0.1,
        help="measure a page again if other programs used more than this share of a core",
    )
    parser.add_argument("--attempts", type=int, default=5)
    parser.add_argument(
        "--loop",
        default="uvloop" if have_uvloop() else "auto",
        choices=["auto", "asyncio", "uvloop"],
    )
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--keep-tmp", action="store_true")
    args = parser.parse_args(argv)
    # What status_fanout.Bench reads from its own options.
    args.ws, args.gc_log = "auto", False
    return args


def main() -> int:
    args = parse_args()
    if shutil.which(args.wrk) is None:
        print("wrk not found: apt-get install wrk (or make bench-pages)", file=sys.stderr)
        return 2
    return asyncio.run(measure(args))


if __name__ == "__main__":
    sys.exit(main())
