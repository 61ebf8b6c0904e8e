"""socket.js's reconnection policy, in Chromium: the back-off grows with jitter to its
ceiling, a connection that is closed at once (the server's 1013 while Redis is down)
does not reset it, one that stayed open for a while does, and 4400-4499 ends it.

The page is socket.js itself on a page of its own; Playwright plays the WebSocket
server (`route_web_socket`) and the clock (paused, advanced by the test), so the delays
are the browser's own timers, read exactly.
"""

import time

import pytest

from ..server import ROOT

pytestmark = pytest.mark.e2e

ORIGIN = "http://127.0.0.1:9"  # nothing listens: every request is answered by the test
SOCKET_JS = (ROOT / "src" / "buergerbuero" / "static" / "bb" / "socket.js").read_text()
PAGE = """<!doctype html><title>socket.js</title>
<script type="module">
  import { connectSocket } from "/static/bb/socket.js";
  window.events = [];
  // Each attempt, at the (fake) time the reconnect timer fired.
  const RealWebSocket = window.WebSocket;
  window.WebSocket = class extends RealWebSocket {
    constructor(...args) {
      window.events.push(["attempt", Date.now()]);
      super(...args);
    }
  };
  connectSocket("/ws/test/", {
    onOpen() { window.events.push(["open", Date.now()]); },
    onClose(event, final) { window.events.push(["close", Date.now(), event.code, final]); },
  });
</script>"""
CEILING_MS = 30_000
STEP_MS = 500


class Connections(list):
    """The page's connections so far; while `refuse` is set, each new one is handed to
    the (absent) server at ORIGIN and fails before opening, as against a stopped process."""

    refuse = False


@pytest.fixture
def socket_page(browser):
    """The page, and the connections it opened (Playwright's WebSocketRoute each)."""
    context = browser.new_context()
    context.route(
        f"{ORIGIN}/**",
        lambda route: route.fulfill(
            content_type="text/javascript" if route.request.url.endswith(".js") else "text/html",
            body=SOCKET_JS if route.request.url.endswith(".js") else PAGE,
        ),
    )
    page = context.new_page()
    connections = Connections()

    def route(ws) -> None:
        connections.append(ws)
        if connections.refuse:
            ws.connect_to_server()  # nothing listens there: refused
        # otherwise accepted, with the test playing the server

    page.route_web_socket("**/ws/test/", route)
    page.clock.install(time=1_000_000)
    page.clock.pause_at(1_001_000)
    page.goto(f"{ORIGIN}/")
    yield page, connections
    context.close()


def events(page, kind: str) -> list:
    return page.evaluate("(kind) => window.events.filter((e) => e[0] === kind)", kind)


def wait_for(page, kind: str, count: int) -> list:
    """Until there are `count` events of `kind` (they arrive in real time)."""
    deadline = time.monotonic() + 10
    while True:
        found = events(page, kind)
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, page.evaluate("window.events")
        time.sleep(0.02)


def cut(page, connections, code: int = 1013, after_ms: int = 0) -> None:
    """The server closes the page's open connection `after_ms` after it opened (0: at
    once, as it does while Redis is down)."""
    attempts = len(events(page, "attempt"))
    wait_for(page, "open", attempts)
    if after_ms:
        page.clock.run_for(after_ms)
    connections[-1].close(code=code)
    wait_for(page, "close", attempts)


def next_attempt(page) -> float:
    """Let the reconnect timer fire; its delay after the last close, in ms.

    The clock moves in half-second steps and stops as soon as the attempt is made: moved
    on in one go, it could run on past the new connection's opening by more than the 10 s
    after which socket.js counts a connection as stable (the opening happens in real time,
    while the fake clock runs), and reset the back-off the test is measuring."""
    closes = events(page, "close")
    deadline = time.monotonic() + 30
    while len(events(page, "attempt")) <= len(closes):
        assert time.monotonic() < deadline, page.evaluate("window.events")
        page.clock.run_for(STEP_MS)
    attempts = wait_for(page, "attempt", len(closes) + 1)
    return attempts[-1][1] - closes[-1][1]


def test_back_off_grows_with_jitter_to_the_ceiling_when_each_connection_closes_at_once(
    socket_page,
):
    page, connections = socket_page
    delays = []
    for _ in range(9):
        cut(page, connections)
        delays.append(next_attempt(page))
    bases = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
    ratios = [delay / base for delay, base in zip(delays, bases, strict=True)]
    assert all(0.75 <= r <= 1.25 for r in ratios), delays
    # Spread, not the base itself every time (nine equal draws: practically impossible).
    assert len({round(r, 3) for r in ratios}) > 1, delays
    # Every connection did open (and was closed by the server with 1013).
    assert len(events(page, "open")) == 10
    assert {tuple(e[2:]) for e in events(page, "close")} == {(1013, False)}


def test_back_off_starts_again_only_after_a_connection_stayed_open(socket_page):
    page, connections = socket_page
    for _ in range(3):
        cut(page, connections)
        next_attempt(page)  # 0.5, 1, 2 s
    cut(page, connections, after_ms=9_000)  # open for 9 s: not yet stable
    delay = next_attempt(page)
    assert 0.75 * 4_000 <= delay <= 1.25 * 4_000, delay
    cut(page, connections, code=1001, after_ms=10_000)  # open for 10 s: stable
    delay = next_attempt(page)
    assert 0.75 * 500 <= delay <= 1.25 * 500, delay


def test_no_reconnection_after_4400_to_4499(socket_page):
    page, connections = socket_page
    cut(page, connections, code=1013)
    next_attempt(page)
    cut(page, connections, code=4410)
    page.clock.run_for(CEILING_MS * 2)
    time.sleep(0.3)
    assert [e[0] for e in page.evaluate("window.events")] == ["attempt", "open", "close"] * 2
    assert events(page, "close")[-1][2:] == [4410, True]


def test_a_service_restart_brings_the_page_back_after_a_spread_pause(socket_page):
    """1012 ("service restart", after the server's `reconnect`): back within 3 s, each
    page after its own random pause, so a stopped process's sockets do not return at once."""
    page, connections = socket_page
    delays = []
    for _ in range(6):
        cut(page, connections, code=1012, after_ms=10_000)  # each open long enough: stable
        delays.append(next_attempt(page))
    assert all(250 <= delay <= 3000 for delay in delays), delays
    assert len({round(delay) for delay in delays}) > 1, delays
    assert {tuple(e[2:]) for e in events(page, "close")} == {(1012, False)}


def test_while_a_restarted_server_is_not_back_the_page_retries_every_few_seconds(socket_page):
    """After a 1012 the attempts that find no server come at most RESTART_RETRY_MS ±25 %
    apart (not 8, 16, 30 s: those made a process that took 10 s to restart wait another
    8-20 s for its pages, docs/benchmarks.md "Reconnect storm"), each page its own draw;
    after RESTART_PATIENCE_MS the usual back-off takes over again."""
    page, connections = socket_page
    cut(page, connections, code=1012, after_ms=10_000)
    connections.refuse = True
    restarted = events(page, "close")[-1][1]
    first = next_attempt(page)
    assert 250 <= first <= 3000, first
    delays = []
    while True:
        wait_for(page, "close", len(events(page, "attempt")))
        assert events(page, "close")[-1][2:] == [1006, False]
        delays.append(next_attempt(page))
        if events(page, "attempt")[-1][1] - delays[-1] - restarted >= 60_000:
            break  # this one was drawn after the patience had run out
    within, after = delays[:-1], delays[-1]
    assert all(delay <= 1.25 * 4_000 for delay in within), delays
    # The back-off still grows at first (0.5 s doubling), then stays spread around 4 s.
    assert within[0] <= 1.25 * 1_000, delays
    assert all(delay >= 0.75 * 4_000 for delay in within[3:]), delays
    assert len({round(delay) for delay in within[3:]}) > 1, delays
    assert after >= 0.75 * CEILING_MS, delays
    assert len(events(page, "open")) == 1
