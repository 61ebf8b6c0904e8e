"""End-to-end fixtures: a real uvicorn server on its own database and headless Chromium.

The server runs the configuration of the surrounding test run: SQLite with the in-memory
channel layer, or PostgreSQL (a fresh database) with Redis when DATABASE_URL/REDIS_URL
are set. Chromium comes from Debian (`make browser`); a missing browser fails the run.
"""

import collections
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from playwright.sync_api import expect

from ..server import ROOT, Uvicorn, manage, server_env
from .flows import OFFICE, PASSWORD, sign_off

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
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

pytestmark = pytest.mark.e2e

# A line in the page's console for each call message that passes its sockets (type, and
# for signalling what it carries), so that a failure's report (flows.wait_for_media) shows
# how far a call's set-up got on each side.
SOCKET_TRACE = """(() => {
  const CALL = new Set(['welcome', 'peer-joined', 'peer-gone', 'peer-left', 'moved', 'signal', 'admitted', 'ended']);
  const line = (way, data) => {
    try {
      const m = JSON.parse(data);
      if (!CALL.has(m.type)) return;
      const what = m.description ? m.description.type : m.candidate ? 'candidate' : '';
      console.debug(`socket ${way} ${m.type} ${what} ${m.to || m.from || ''} ${(performance.now() / 1000).toFixed(2)}s`);
    } catch {}
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) { line('out', data); return send.call(this, data); };
  const listen = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, handler, options) {
    if (type === 'message') listen.call(this, 'message', (event) => line('in', event.data));
    return listen.call(this, type, handler, options);
  };
})();"""


def _database_url(tmp_path: Path):
    """A database of the server's own, and how to drop it afterwards."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path / 'e2e.sqlite3'}", lambda: None
    import psycopg

    name = f"bb_e2e_{secrets.token_hex(4)}"
    admin_url = urlunparse(urlparse(base)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunparse(urlparse(base)._replace(path=f"/{name}")), drop


class OfficeServer:
    """uvicorn on a database of its own, with the demo data and the e2e staff; restartable
    on the same port and database."""

    def __init__(self, tmp_path: Path, extra_env: dict | None = None, flags=None):
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.tmp_path = tmp_path
        self.database_url, self._drop_database = _database_url(tmp_path)
        self.env = server_env(
            tmp_path,
            **{
                "DATABASE_URL": self.database_url,
                "REDIS_PREFIX": f"bbe2e{secrets.token_hex(4)}",
                "STATUS_PUBSUB_CHANNEL": f"bb:e2e:{secrets.token_hex(4)}",
                "PYTHONWARNINGS": "default",
                "E2E_STAFF_PASSWORD": PASSWORD,
                # All browsers of the suite share 127.0.0.1: per-client limits would count
                # every test's knocks and bookings together (limits have their own tests).
                "RATE_KNOCK": "1000",
                "RATE_BOOK": "1000",
                "RATE_INVITATION": "1000",
                **(extra_env or {}),
            },
        )
        self.log_path = tmp_path / "server.log"
        self.uvicorn = Uvicorn(self.env, flags or ["--log-level", "warning"], self.log_path)
        self.url = self.uvicorn.url
        # The browsers' pages come from this address: their personal sockets must open.
        self.env["WEBSOCKET_ALLOWED_ORIGINS"] = self.url
        manage(self.env, "migrate", "--no-input", "-v0")
        manage(self.env, "seed_demo", stdout=subprocess.DEVNULL)
        manage(self.env, "shell", "-c", (Path(__file__).parent / "server_data.py").read_text())

    def start(self) -> None:
        self.uvicorn.start()

    def stop(self) -> None:
        self.uvicorn.stop()

    def close(self, name: str) -> None:
        self.stop()
        server_log = self.log_path.read_text()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}-server.log").write_text(server_log)
        self._drop_database()
        assert "Traceback" not in server_log, "the server logged a traceback:\n" + server_log


@pytest.fixture(scope="session")
def office_server(tmp_path_factory):
    server = OfficeServer(tmp_path_factory.mktemp("e2e-server"))
    server.start()
    try:
        yield server.url
    finally:
        server.close("e2e")


@pytest.fixture
def own_server(tmp_path):
    """A server of the test's own, for restarts or other settings: own_server(env), or
    own_server(env, flags) with uvicorn flags instead of `--log-level warning`."""
    servers = []

    def make(extra_env=None, flags=None):
        server = OfficeServer(tmp_path / f"server{len(servers)}", extra_env, flags)
        servers.append(server)
        server.start()
        return server

    yield make
    for index, server in enumerate(servers):
        server.close(f"e2e-own-{index}")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser_denying_media(browser):
    """Chromium that answers camera/microphone requests as a person clicking "Block"."""
    args = [a for a in BROWSER_ARGS if a != "--use-fake-ui-for-media-stream"]
    denying = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield denying
    denying.close()


def base_url_of(pages) -> str | None:
    for page in pages:
        if page.url.startswith("http"):
            parts = urlparse(page.url)
            return f"{parts.scheme}://{parts.netloc}"
    return None


def _wait_until_closed(base_url: str, timeout: float = 5.0) -> None:
    """Until the test office shows closed again (staff signed off), so the next test
    starts from a closed office; gives up quietly when someone else keeps it open."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/status.json", timeout=2) as response:
                rows = json.load(response)["departments"]
        except OSError:
            return
        if all(row["state"] == "closed" for row in rows if row["slug"] == OFFICE):
            return
        time.sleep(0.2)


# Chromium's own PDF viewer, part of the browser: a document opened in a tab shows in it,
# with style sheets from the browser's own resources (no network behind either).
BUILT_IN_PDF_VIEWER = (
    "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/",
    "chrome://resources/",
)


def _ours(url: str) -> bool:
    """Asked of the test office, or of nobody: a blob: URL (a document received in a call,
    opened in a tab) is the page's own memory, named after the page's origin."""
    if url.startswith(BUILT_IN_PDF_VIEWER):
        return True
    return urlparse(url.removeprefix("blob:")).hostname == "127.0.0.1"


def _leave_the_queue(page) -> None:
    """Best effort, twice: a page that could not give its place up (its socket between
    connections on a loaded machine, or showing something else for a moment) is loaded
    afresh and asked again; later tests sharing the office must find nobody waiting."""
    for attempt in range(2):
        try:
            if attempt:
                page.reload()
            leave = page.locator("#leave-queue")
            if not leave.is_visible():
                if attempt or page.locator("#final-message").is_visible():
                    return  # no place to give up
                continue  # the page between states: as it loads afresh
            leave.click()
            expect(page.locator("#final-message")).to_be_visible()
            return
        except Exception as error:  # the test's own outcome is what counts
            print(f"could not leave the queue at {page.url}: {error}")


@pytest.fixture
def new_page(browser, office_server):
    """A page in a context of its own (own cookies: one person each); in English unless
    `locale` says otherwise (the browser's Accept-Language)."""
    contexts = []

    def make(viewport=None, base_url=None, on=None, locale="en-US", **options):
        context = (on or browser).new_context(
            base_url=base_url or office_server,
            locale=locale,
            viewport=viewport or {"width": 1280, "height": 800},
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        context.add_init_script(SOCKET_TRACE)
        page = context.new_page()
        page.console_errors = []
        # Everything the page said, the last 120 lines, for a failure's report (flows.py).
        page.console_log = collections.deque(maxlen=120)
        page.on("console", lambda m: page.console_log.append(f"{m.type}: {m.text}"))
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        context.on("request", lambda request: requested.append(request.url))
        context.on("websocket", lambda socket: requested.append(socket.url))
        return page

    requested: list[str] = []
    yield make
    staff_pages = [p for c in contexts for p in c.pages if getattr(p, "is_staff", False)]
    for page in staff_pages:
        try:
            sign_off(page)
        except Exception as error:  # the test's own outcome is what counts
            print(f"could not sign off staff at {page.url}: {error!r}"[:3000])
    if staff_pages:
        _wait_until_closed(base_url_of(staff_pages) or office_server)
    # A citizen still waiting leaves the queue, as a person closing the tab would not: the
    # next test must not find them there for the grace period.
    for page in [p for c in contexts for p in c.pages if "/warteraum/" in p.url]:
        _leave_the_queue(page)
    for context in contexts:
        context.close()
    # No page may ever ask another host for anything (DSGVO: everything is served by us).
    foreign = [url for url in requested if not _ours(url)]
    assert foreign == [], f"requests to other hosts: {foreign}"
