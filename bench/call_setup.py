#!/usr/bin/env python
"""Call set-up: from the admit click to video on both sides, against the P2P floor.

One command, three kinds of run, interleaved in one headless Chromium (Debian's, with fake
camera and microphone, one fresh browser context per page, everything on 127.0.0.1):

  floor, warm  Two floor pages (bench/call_floor/) that already hold getUserMedia({video,
               audio}); page A is in the room of a bare relay (bench/call_floor/relay.py,
               no framework, under uvicorn like the office). t0 right before page B opens
               its socket; B offers to A, candidates trickle.
  floor, cold  The same, but t0 before either page asks for the camera.
  product      The real office on a copy of src/ (throw-away SQLite, migrate, seed_demo,
               one uvicorn process, in-memory channel layer, as `make run`). A staff member
               signs in and sets themselves available; a citizen knocks through the knock
               page with its device check and waits 0.5 s in the waiting room. t0 right
               before the click on "Hereinbitten: <name>" in the console.

Every run ends when both pages decode the other's video (`framesDecoded > 0` in an
`inbound-rtp` video stat), polled every 10 ms with page.evaluate. An init script records
every RTCPeerConnection a page makes in `window.__bbPeers`, so the poll finds the call
wherever it is: on the page that was there at t0, or on one it navigated to (an evaluate
cut off by a navigation is simply repeated). A run that does not decode within
--run-timeout stops the benchmark with what each page showed.

The machine is shared (2 cores): before each run it waits, at most --quiet-wait seconds,
until other programs use less than --quiet of a core, and a run during which they used
more than --disturbed-ms of CPU is measured again. If a kind cannot get --runs undisturbed
runs within its attempts, the script reports no figures and exits with 3 (--accept-load
reports them anyway, with the load it saw). The office's setup, its copy of the code and
its teardown are status_fanout.Bench's, as for the board's and the pages' benchmarks.

    .venv/bin/python bench/call_setup.py            # = make bench-call; 20 runs of each
    .venv/bin/python bench/call_setup.py --runs 5 --json /tmp/call.json
"""

# A benchmark driver: its blocking reads of /proc and small files happen outside the
# timed windows; `git` is found on PATH like any developer tool.
# ruff: noqa: ASYNC109, ASYNC230, ASYNC240, S310

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

from status_fanout import (
    HOST,
    PYTHON,
    ROOT,
    UVICORN,
    Bench,
    commit_measured,
    free_port,
    have_uvloop,
    process_total_cpu_ns,
    system_busy_ns,
)

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The browser tests' flags (tests/e2e/conftest.py), for all three kinds alike.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KINDS = ("floor-warm", "floor-cold", "product")
LABELS = {"floor-warm": "floor, warm", "floor-cold": "floor, cold", "product": "product"}

OFFICE = "bench-call"
OFFICE_NAME = "Bench-Amt"
PASSWORD = secrets.token_urlsafe(16)
# The office in its default language, German: what a citizen and a staff member read.
UI = {
    "user": "Benutzername",
    "password": "Passwort",
    "log_in": "Anmelden",
    "console": "Mitarbeiterkonsole",
    "to_waiting_room": "Zum Warteraum",
    "devices_work": "Kamera und Mikrofon funktionieren.",
    "your_name": "Ihr Name",
    "knock": "Anklopfen",
    "waiting_room": f"Warteraum: {OFFICE_NAME}",
    "admit": "Hereinbitten: {name}",
}

# Runs before any script of every page: keeps each RTCPeerConnection the page makes, so
# the measurement does not depend on how a page holds its call (window.bbCall today), and
# notes when each step of the set-up first happened (wall-clock ms, the same clock as the
# script's t0): sockets opened and messages by type, both ways; the connection's signalling,
# ICE and DTLS states; the first remote track. These are the "where the time goes" table.
RECORD_PEERS = """(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__bbPeers) return;
  window.__bbPeers = [];
  window.__bbMarks = {};
  const mark = (label) => {
    const marks = window.__bbMarks;  // emptied by the script right before t0
    if (!(label in marks)) marks[label] = performance.timeOrigin + performance.now();
  };
  const kind = (m) => (m.type || 'signal')
    + (m.description ? ' ' + m.description.type : m.candidate ? ' candidate' : '');
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(url, protocols) {
      super(url, protocols);
      const path = new URL(url, location.href).pathname.split('/').slice(0, 3).join('/');
      mark(`socket ${path} new`);
      this.addEventListener('open', () => mark(`socket ${path} open`));
      this.addEventListener('message', (event) => {
        try { mark(`${path} <- ${kind(JSON.parse(event.data))}`); } catch { /* not JSON */ }
      });
      this.__path = path;
    }
    send(data) {
      try { mark(`${this.__path} -> ${kind(JSON.parse(data))}`); } catch { /* not JSON */ }
      super.send(data);
    }
  };
  // The page's own work: main-thread tasks of 50 ms or more (start, duration).
  window.__bbLong = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__bbLong.push([performance.timeOrigin + e.startTime, e.duration]);
      }
    }).observe({ type: 'longtask' });
  } catch { /* no long-task timing */ }
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__bbPeers.push(this);
      mark('peer connection created');
      const on = (event, label) => this.addEventListener(event, () => mark(label()));
      on('signalingstatechange', () => `signalling ${this.signalingState}`);
      on('iceconnectionstatechange', () => `ice ${this.iceConnectionState}`);
      on('connectionstatechange', () => `connection ${this.connectionState}`);
      this.addEventListener('track', () => mark('remote track'));
    }
  };
})();"""

MARKS = "() => window.__bbMarks || {}"
LONG_TASKS = "() => window.__bbLong || []"

# Not page.wait_for_function: it takes the returned Promise as truthy at once.
DECODING = """async () => {
  for (const pc of window.__bbPeers || []) {
    if (pc.connectionState === 'closed') continue;
    try {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) return true;
      }
    } catch { /* closed meanwhile */ }
  }
  return false;
}"""

PEER_REPORT = """async () => Promise.all((window.__bbPeers || []).map(async (pc) => {
  const inbound = [...(await pc.getStats().catch(() => new Map())).values()]
    .filter((s) => s.type === 'inbound-rtp')
    .map((s) => `${s.kind} frames ${s.framesDecoded ?? '-'} bytes ${s.bytesReceived}`);
  const states = `${pc.connectionState}/${pc.iceConnectionState}/${pc.signalingState}`;
  return `${states} ${inbound.join(', ')}`;
}))"""

# An evaluate that a navigation cuts off: poll the page (or its successor) again.
NAVIGATING = ("Execution context was destroyed", "navigat", "Cannot find context", "detached")


@dataclass
class Run:
    kind: str
    ms: float  # t0 -> both pages decode
    first_ms: float  # t0 -> the first of the two decodes
    sides: dict  # side -> ms
    foreign_ms: float  # CPU other programs used during the timed window
    others_before: float  # share of a core other programs used just before the run
    disturbed: bool = False
    marks: dict = field(default_factory=dict)  # side -> {step: ms after t0}
    long_tasks: dict = field(default_factory=dict)  # side -> ms in main-thread tasks >= 50 ms


class RunFailed(RuntimeError):
    """A run that never decoded, or whose set-up broke: the benchmark stops."""


def own_pids() -> list[int]:
    """This process and all its descendants: the browser, Playwright's driver, servers."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    pids, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children.get(pid, [])
    return pids


def others_busy_ns() -> int:
    """CPU all programs used, less ours. A process of ours that ended was reaped by one of
    ours (Chromium's zygote, Playwright, this script): its time moved to that one's
    children's time, which is counted."""
    own = 0
    for pid in own_pids():
        with contextlib.suppress(OSError, IndexError, ValueError):
            own += process_total_cpu_ns(pid, children=True)
    return system_busy_ns() - own


async def wait_quiet(limit: float, quiet: float) -> float:
    """Up to `limit` seconds until other programs use under `quiet` of a core; the share
    seen last."""
    deadline = time.monotonic() + limit
    while True:
        t0, busy0 = time.monotonic(), others_busy_ns()
        await asyncio.sleep(1.0)
        share = max(0.0, (others_busy_ns() - busy0) / 1e9 / (time.monotonic() - t0))
        if share < quiet or time.monotonic() > deadline:
            return share


class CallBench:
    def __init__(self, args, browser, office: str, relay: str):
        self.args = args
        self.browser = browser
        self.office = office
        self.relay = relay
        self.rooms = 0
        self.staff_used = 0

    async def context(self, base_url: str):
        context = await self.browser.new_context(
            base_url=base_url, locale="de-DE", viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(15_000)
        await context.add_init_script(RECORD_PEERS)
        return context

    async def decoded_at(self, context, deadline: float) -> float:
        """When a page of `context` first decoded remote video (perf_counter)."""
        while True:
            for page in list(context.pages):
                try:
                    # Bounded: a page that hangs must not hold the run past its deadline.
                    left = max(0.1, deadline - time.perf_counter())
                    if await asyncio.wait_for(page.evaluate(DECODING), left):
                        return time.perf_counter()
                except TimeoutError:
                    pass
                except Exception as error:  # Playwright's Error: navigation is expected
                    if not any(text in str(error) for text in NAVIGATING):
                        raise
            if time.perf_counter() > deadline:
                raise TimeoutError
            await asyncio.sleep(0.010)

    async def timed(self, kind: str, sides: dict, start) -> Run:
        """Take t0, `start()` the call, poll every side until it decodes."""
        for context in sides.values():
            for page in context.pages:
                await page.evaluate("() => { window.__bbMarks = {}; }")
        others0 = others_busy_ns()
        t0 = time.perf_counter()
        t0_wall = time.time() * 1000
        deadline = t0 + self.args.run_timeout
        await start()
        waits = {side: self.decoded_at(context, deadline) for side, context in sides.items()}
        try:
            ends = dict(zip(waits, await asyncio.gather(*waits.values()), strict=True))
        except TimeoutError:
            raise RunFailed(
                f"{kind}: no decoded video on both sides within {self.args.run_timeout:g} s"
                f":\n{await self.describe(sides)}"
            ) from None
        foreign = (others_busy_ns() - others0) / 1e6
        ms = {side: (end - t0) * 1000 for side, end in ends.items()}
        run = Run(kind, max(ms.values()), min(ms.values()), ms, max(0.0, foreign), 0.0)
        for side, context in sides.items():
            steps: dict = {}
            for page in context.pages:
                with contextlib.suppress(Exception):
                    for label, at in (await page.evaluate(MARKS)).items():
                        steps[label] = min(steps.get(label, at - t0_wall), at - t0_wall)
            steps["video decoded"] = ms[side]
            run.marks[side] = steps
            # Main-thread tasks of 50 ms or more between t0 and this side's first picture.
            busy = 0.0
            for page in context.pages:
                with contextlib.suppress(Exception):
                    for start, duration in await page.evaluate(LONG_TASKS):
                        if t0_wall <= start <= t0_wall + ms[side]:
                            busy += duration
            run.long_tasks[side] = busy
        return run

    async def describe(self, sides: dict) -> str:
        lines = []
        for side, context in sides.items():
            for page in context.pages:
                try:
                    peers = await page.evaluate(PEER_REPORT)
                except Exception as error:  # a report, never a second failure
                    peers = [f"({error})"]
                lines.append(f"  {side}: {page.url} peers: {peers or 'none'}")
        return "\n".join(lines)

    async def floor(self, cold: bool) -> Run:
        self.rooms += 1
        room = f"room-{self.rooms}-{secrets.token_hex(3)}"
        contexts = [await self.context(self.relay), await self.context(self.relay)]
        try:
            a, b = [await c.new_page() for c in contexts]
            await asyncio.gather(a.goto("/"), b.goto("/"))
            await asyncio.gather(*(p.wait_for_function("() => window.floor") for p in (a, b)))
            if cold:

                async def start() -> None:
                    # Both at once, as both pages of the office ask once admitted.
                    await asyncio.gather(
                        a.evaluate("room => { floor.start(room); }", room),
                        b.evaluate("room => { floor.start(room); }", room),
                    )
            else:
                await asyncio.gather(a.evaluate("floor.media()"), b.evaluate("floor.media()"))
                await a.evaluate("room => floor.join(room)", room)

                async def start() -> None:
                    await b.evaluate("room => { floor.join(room); }", room)

            sides = {"A": contexts[0], "B": contexts[1]}
            return await self.timed("floor-cold" if cold else "floor-warm", sides, start)
        finally:
            for context in contexts:
                await context.close()

    async def product(self) -> Run:
        from playwright.async_api import expect

        number = self.staff_used
        self.staff_used += 1
        if number >= self.args.staff_members:
            raise RunFailed("more product runs than staff members (--runs + --extra-attempts + 1)")
        staff_context = await self.context(self.office)
        citizen_context = await self.context(self.office)
        try:
            staff = await staff_context.new_page()
            await staff.goto("/konsole/anmelden/")
            await staff.get_by_label(UI["user"]).fill(f"bench-staff-{number}")
            await staff.get_by_label(UI["password"]).fill(PASSWORD)
            await staff.get_by_role("button", name=UI["log_in"]).click()
            await expect(staff.get_by_role("heading", name=UI["console"])).to_be_visible()
            await staff.locator("#presence input[value=available]").check()
            await self.office_open()

            citizen = await citizen_context.new_page()
            await citizen.goto(f"/fachbereich/{OFFICE}/")
            await citizen.get_by_role("link", name=UI["to_waiting_room"]).click()
            await expect(citizen.locator("#device-message")).to_have_text(UI["devices_work"])
            name = f"Bürgerin {number}"
            await citizen.get_by_label(UI["your_name"]).fill(name)
            await citizen.get_by_role("button", name=UI["knock"]).click()
            await expect(citizen.get_by_role("heading", name=UI["waiting_room"])).to_be_visible()
            admit = staff.get_by_role("button", name=UI["admit"].format(name=name))
            await expect(admit).to_be_visible()
            await expect(admit).to_be_enabled()
            await asyncio.sleep(0.5)  # the citizen waits a moment

            sides = {"staff": staff_context, "citizen": citizen_context}
            # Checked above; `force` spares the click Playwright's actionability checks
            # (several round trips and two animation frames) that the floor's start
            # does not pay either. It is still a real mouse click on the button.
            return await self.timed("product", sides, lambda: admit.click(force=True))
        finally:
            await self.hang_up(staff_context)
            for context in (staff_context, citizen_context):
                await context.close()

    async def office_open(self, timeout: float = 15.0) -> None:
        """Until the public board shows the department open (the presence has arrived)."""

        def state() -> str:
            with urllib.request.urlopen(self.office + "/status.json", timeout=5) as response:
                rows = json.load(response)["departments"]
            return next(row["state"] for row in rows if row["slug"] == OFFICE)

        deadline = time.monotonic() + timeout
        while await asyncio.to_thread(state) == "closed":
            if time.monotonic() > deadline:
                raise RunFailed("the office stayed closed after the staff member set available")
            await asyncio.sleep(0.1)

    async def hang_up(self, context) -> None:
        """End the call and go offline, best effort: each run has a staff member of its
        own, so a call left open keeps nobody from the next run."""
        for page in context.pages:
            with contextlib.suppress(Exception):
                hang_up = page.locator("#hang-up")
                if await hang_up.is_visible():
                    await hang_up.click(timeout=3_000)
                    await page.wait_for_url("**/konsole/", timeout=5_000)
                await page.locator("#presence input[value=offline]").check(timeout=3_000)

    async def run(self, kind: str) -> Run:
        others = await wait_quiet(self.args.quiet_wait, self.args.quiet)
        try:
            if kind == "product":
                run = await self.product()
            else:
                run = await self.floor(cold=kind == "floor-cold")
        except RunFailed:
            raise
        except Exception as error:  # a step of the set-up (Playwright, the office) broke
            raise RunFailed(f"{kind}: {type(error).__name__}: {error}") from error
        run.others_before = others
        run.disturbed = run.foreign_ms > self.args.disturbed_ms
        return run


async def start_relay(bench: Bench, args) -> tuple[asyncio.subprocess.Process, str]:
    """The floor's relay under uvicorn, with the options status_fanout.Bench gives the office."""
    port = free_port()
    argv = [UVICORN, "relay:app", "--app-dir", str(HERE / "call_floor"), "--host", HOST]
    argv += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    if args.loop != "auto":
        argv += ["--loop", args.loop]
    log = open(bench.tmp / "relay.log", "wb")  # noqa: SIM115 - closed with the process below
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, stdout=log, stderr=asyncio.subprocess.STDOUT
    )
    log.close()
    bench.procs.append(proc)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            await asyncio.to_thread(lambda: urllib.request.urlopen(url + "/", timeout=2).read())
            return proc, url
        except OSError:
            if proc.returncode is not None or time.monotonic() > deadline:
                log_text = (bench.tmp / "relay.log").read_text()
                raise RunFailed(f"the floor's relay did not start:\n{log_text}") from None
            await asyncio.sleep(0.1)


async def start_office(bench: Bench, args) -> tuple[asyncio.subprocess.Process, str, Path]:
    await bench.prepare_database()
    port = free_port()
    url = f"http://{HOST}:{port}"
    env = dict(
        bench.env("memory", f"bench:call:{secrets.token_hex(4)}"),
        # Every browser here is 127.0.0.1: per-client limits would count all runs' knocks.
        RATE_KNOCK="100000",
        WEBSOCKET_ALLOWED_ORIGINS=url,
        BB_BENCH_OFFICE=OFFICE,
        BB_BENCH_OFFICE_NAME=OFFICE_NAME,
        BB_BENCH_PASSWORD=PASSWORD,
        BB_BENCH_STAFF=str(args.staff_members),
    )
    data = (HERE / "call_setup_data.py").read_text()
    await bench.run(PYTHON, bench.manage, "shell", "-c", data, env=env, timeout=120)
    log_path = bench.tmp / "office.log"
    proc = await bench.start_server(port, env, log_path)
    await bench.wait_ready(port, proc, log_path)
    return proc, url, log_path


def percentile(values: list[float], q: float) -> float:
    """Linear between the closest ranks; with 20 runs p99 lies between the two slowest."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(runs: list[Run]) -> dict:
    values = [r.ms for r in runs]
    return {
        "runs": len(values),
        "median": statistics.median(values),
        "p90": percentile(values, 0.90),
        "p99": percentile(values, 0.99),
        "min": min(values),
        "max": max(values),
        "sides": {side: statistics.median(r.sides[side] for r in runs) for side in runs[0].sides},
    }


def steps(runs: list[Run]) -> list[str]:
    """Median time after t0 of every step seen in at least half of a kind's runs, per side,
    in the order they happen: where the time between the click and the picture goes."""
    lines = []
    for side in runs[0].sides:
        seen: dict[str, list[float]] = {}
        for run in runs:
            for label, ms in run.marks.get(side, {}).items():
                seen.setdefault(label, []).append(ms)
        common = {k: statistics.median(v) for k, v in seen.items() if len(v) * 2 >= len(runs)}
        for label, ms in sorted(common.items(), key=lambda item: item[1]):
            lines.append(f"| {side} | {label} | {ms:.0f} ms |")
    return lines


def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}"


def report(args, kept: dict[str, list[Run]], seen: list[Run], versions: str) -> str:
    stats = {kind: summary(runs) for kind, runs in kept.items()}
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {machine()}",
        versions,
        f"{args.runs} runs of each kind, interleaved, after one uncounted round; "
        "t0 -> both pages decode video",
        "",
        "| kind | runs | median | p90 | p99 | min | max | median per side |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, s in stats.items():
        sides = ", ".join(f"{side} {ms:.0f}" for side, ms in s["sides"].items())
        lines.append(
            f"| {LABELS[kind]} | {s['runs']} | {s['median']:.0f} ms | {s['p90']:.0f} ms "
            f"| {s['p99']:.0f} ms | {s['min']:.0f} ms | {s['max']:.0f} ms | {sides} |"
        )
    product = stats["product"]["median"]
    rounds = [p.ms / w.ms for p, w in zip(kept["product"], kept["floor-warm"], strict=False)]
    lines += [
        "",
        f"product / floor, warm: **{product / stats['floor-warm']['median']:.2f}×** "
        f"(median of the per-round ratios {statistics.median(rounds):.2f}×); "
        f"product / floor, cold: **{product / stats['floor-cold']['median']:.2f}×**",
    ]
    for kind, runs in kept.items():
        lines += [
            "",
            f"Where the time goes ({LABELS[kind]}, medians after t0):",
            "",
            "| side | step | median |",
            "|---|---|---:|",
            *steps(runs),
        ]
        for side in runs[0].sides:
            busy = statistics.median(r.long_tasks.get(side, 0.0) for r in runs)
            lines.append(f"| {side} | main-thread tasks of 50 ms or more, in all | {busy:.0f} ms |")
    before = [r.others_before for r in seen]
    during = [r.foreign_ms for r in seen]
    disturbed = sum(r.disturbed for r in seen)
    lines.append(
        f"Other programs: before the runs median {statistics.median(before):.2f}, at most "
        f"{max(before):.2f} of a core; during the timed windows median "
        f"{statistics.median(during):.0f} ms, at most {max(during):.0f} ms of CPU; "
        f"{disturbed} of {len(seen)} runs over {args.disturbed_ms:.0f} ms"
        + (" (kept: --accept-load)" if args.accept_load and disturbed else " measured again")
    )
    return "\n".join(lines)


async def interleaved(args, calls: CallBench, started: float) -> tuple[dict, list[Run]]:
    """The counted runs, kinds interleaved and each round starting with another kind, so
    a slow minute of the machine does not fall on one kind only. A disturbed run is
    measured again in a later round (kept with --accept-load)."""
    kept: dict[str, list[Run]] = {kind: [] for kind in KINDS}
    seen: list[Run] = []
    attempts = dict.fromkeys(KINDS, 0)
    for number in itertools.count():
        order = KINDS[number % 3 :] + KINDS[: number % 3]
        for kind in [k for k in order if len(kept[k]) < args.runs]:
            spent = time.monotonic() - started > args.time_budget * 60
            if spent or attempts[kind] >= args.runs + args.extra_attempts:
                return kept, seen
            attempts[kind] += 1
            run = await calls.run(kind)
            seen.append(run)
            again = run.disturbed and not args.accept_load
            if not again:
                kept[kind].append(run)
            sides = ", ".join(f"{side} {ms:.0f}" for side, ms in run.sides.items())
            print(
                f"{LABELS[kind]} {len(kept[kind])}/{args.runs}: {run.ms:.0f} ms ({sides}); "
                f"others {run.others_before:.2f} core before, {run.foreign_ms:.0f} ms during"
                f"{' - disturbed, measured again' if again else ''}",
                file=sys.stderr,
                flush=True,
            )
        if all(len(runs) >= args.runs for runs in kept.values()):
            return kept, seen
    raise AssertionError("unreachable")


async def measure(args) -> int:
    from playwright.async_api import async_playwright

    # What status_fanout.Bench reads from its own options.
    args.ws, args.gc_log = "auto", False
    bench = Bench(args)
    started = time.monotonic()
    try:
        print(f"preparing the office in {bench.tmp} ...", file=sys.stderr, flush=True)
        _office, office_url, office_log = await start_office(bench, args)
        _relay, relay_url = await start_relay(bench, args)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
            )
            calls = CallBench(args, browser, office_url, relay_url)
            for kind in KINDS:  # warm-up: caches, the office's first queries, Chromium's
                run = await calls.run(kind)
                print(f"warm-up {LABELS[kind]}: {run.ms:.0f} ms", file=sys.stderr, flush=True)
            kept, seen = await interleaved(args, calls, started)
            versions = (
                f"Chromium {browser.version} (Debian, {CHROMIUM}), Playwright "
                f"{package_version('playwright')}, Python {platform.python_version()}, Django "
                f"{package_version('django')}, Channels {package_version('channels')}, uvicorn "
                f"{package_version('uvicorn')} (loop {args.loop}); SQLite, in-memory channel "
                f"layer; {commit_measured()}"
            )
            await browser.close()
        server_log = office_log.read_text()
        if "Traceback" in server_log:
            print(f"the office logged a traceback:\n{server_log[-4000:]}", file=sys.stderr)
            return 1
    except RunFailed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    finally:
        await bench.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in seen], indent=1))
    short = [k for k in KINDS if len(kept[k]) < args.runs]
    if short:
        before = max((r.others_before for r in seen), default=0.0)
        during = max((r.foreign_ms for r in seen), default=0.0)
        print(
            f"\nrefusing to report: {', '.join(LABELS[k] for k in short)} got fewer than "
            f"{args.runs} runs during which other programs used at most {args.disturbed_ms:.0f}"
            f" ms of CPU (at most {args.runs + args.extra_attempts} attempts each, "
            f"{args.time_budget:.0f} min); they used up to "
            f"{before:.2f} of a core before a run and {during:.0f} ms during one. "
            "Try again when the machine is quieter, or with --accept-load to report with "
            "the load noted.",
            file=sys.stderr,
        )
        return 3
    minutes = (time.monotonic() - started) / 60
    print(f"\n{report(args, kept, seen, versions)}\nTook {minutes:.1f} min.\n")
    return 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="counted runs of each kind (20)")
    parser.add_argument(
        "--run-timeout",
        type=float,
        default=20.0,
        help="seconds from t0 until both pages must decode video, or the benchmark fails",
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.1,
        help="before each run, wait until other programs use less than this share of a core",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=10.0, help="... but at most this many seconds"
    )
    parser.add_argument(
        "--disturbed-ms",
        type=float,
        default=50.0,
        help="measure a run again if other programs used more CPU than this during it",
    )
    parser.add_argument(
        "--extra-attempts",
        type=int,
        help="disturbed runs measured again per kind before the script refuses to report "
        "(default: twice --runs)",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        default=30.0,
        help="minutes: start no new run after this; kinds still short are not reported",
    )
    parser.add_argument(
        "--accept-load",
        action="store_true",
        help="keep disturbed runs and report, with the load seen, instead of refusing",
    )
    parser.add_argument(
        "--loop",
        default="uvloop" if have_uvloop() else "auto",
        choices=["auto", "asyncio", "uvloop"],
        help="uvicorn's event loop, for the office and the relay alike",
    )
    parser.add_argument("--json", help="also write every run here")
    parser.add_argument("--keep-tmp", action="store_true")
    args = parser.parse_args(argv)
    if args.extra_attempts is None:
        args.extra_attempts = 2 * args.runs
    # One staff member per product run: the counted ones, the measured-again ones, warm-up.
    args.staff_members = args.runs + args.extra_attempts + 1
    return args


def main() -> int:
    args = parse_args()
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 2
    return asyncio.run(measure(args))


if __name__ == "__main__":
    sys.exit(main())
