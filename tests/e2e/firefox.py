"""Firefox pages for the browser tests, driven through tests/e2e/firefox_bridge.mjs.

A FirefoxPage offers the few operations the cross-engine tests need, named as in
Playwright where they overlap (goto, reload, url, evaluate, wait_for_timeout), so the
flows' poll() and wait_for_media() work on both engines. Selectors are puppeteer's: CSS,
or `::-p-aria(Name[role="button"])` for what a screen reader would announce.
"""

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
XVFB = "Xvfb"
E2E = Path(__file__).parent
BRIDGE = E2E / "firefox_bridge.mjs"
PUPPETEER = E2E / "node_modules" / "puppeteer-core" / "package.json"


def require_firefox() -> None:
    """Fail (never skip) when the browser or its driver is missing: `make browser` installs both."""
    missing = []
    if not Path(FIREFOX).exists() and not shutil.which(FIREFOX):
        missing.append(f"Firefox ({FIREFOX}: apt-get install firefox-esr)")
    if not shutil.which(XVFB):
        missing.append("Xvfb (apt-get install xvfb)")
    if not shutil.which("node"):
        missing.append("node (apt-get install npm)")
    if not PUPPETEER.exists():
        missing.append("puppeteer-core (PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/e2e)")
    if missing:
        pytest.fail("missing for the Firefox tests: " + ", ".join(missing) + "; run `make browser`")


class BridgeError(AssertionError):
    pass


class Firefox:
    """One firefox-esr process (for a test module); each page has a browser context of its own.

    It runs on a virtual screen (Xvfb) rather than headless: headless Firefox has no screen
    to share, and getDisplayMedia() fails there with NotFoundError.
    """

    def __init__(self, log_path: Path):
        require_firefox()
        self.log = log_path.open("w")
        # Xvfb picks a free display number itself and writes it to the pipe (-displayfd).
        read_end, write_end = os.pipe()
        self.xvfb = subprocess.Popen(
            [XVFB, "-displayfd", str(write_end), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=self.log,
            stderr=self.log,
        )
        os.close(write_end)
        with os.fdopen(read_end) as display:
            number = display.readline().strip()
        if not number:
            raise BridgeError(f"Xvfb did not start; see {log_path}")
        self.process = subprocess.Popen(
            ["node", str(BRIDGE)],
            cwd=E2E,
            env={
                **os.environ,
                "FIREFOX": FIREFOX,
                "DISPLAY": f":{number}",
                "PUPPETEER_SKIP_DOWNLOAD": "1",
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        ready = self._read()
        if "ready" not in ready:
            raise BridgeError(f"Firefox did not start: {ready}; see {log_path}")
        self.version = ready["ready"]

    def _read(self, timeout: float = 90.0) -> dict:
        # One request at a time, one line per reply: nothing waits in the pipe's buffer
        # when select() is asked. A reply that never comes (a page script that never
        # settles) ends the browser rather than the whole test run.
        # (The bridge answers an operation that hangs itself, after 45 s: this is for a
        # bridge that hangs.)
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self._end()
            raise BridgeError(f"no answer from Firefox within {timeout}s; see {self.log.name}")
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self._end()
            raise BridgeError(
                f"the Firefox bridge ended (exit {self.process.returncode}); see {self.log.name}"
            )
        return json.loads(line)

    def _end(self) -> None:
        """A bridge that hangs or ended: killed, its pipes closed (so no unclosed file is
        reported against a later test), and every later call fails at once, saying so."""
        self.process.kill()
        self.process.wait(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout):
            # (A request may still be buffered for the bridge that is gone.)
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]

    def call(self, op: str, **request):
        if self.process.returncode is not None:
            raise BridgeError(f"the Firefox bridge has ended; see {self.log.name}")
        try:
            self.process.stdin.write(json.dumps({"op": op, **request}) + "\n")  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError:
            self._end()
            raise BridgeError(f"the Firefox bridge has ended; see {self.log.name}") from None
        reply = self._read()
        if not reply["ok"]:
            raise BridgeError(f"Firefox {op} failed: {reply['error']}")
        return reply["value"]

    def new_page(self, base_url: str) -> "FirefoxPage":
        return FirefoxPage(self, self.call("newPage", baseURL=base_url))

    def close(self) -> None:
        if self.process.returncode is None:
            try:
                self.process.stdin.close()  # type: ignore[union-attr]
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()  # type: ignore[union-attr]
        self.xvfb.terminate()
        self.xvfb.wait(timeout=10)
        self.log.close()


class FirefoxPage:
    def __init__(self, firefox: Firefox, page_id: int):
        self.firefox = firefox
        self.id = page_id

    def _call(self, op: str, **request):
        return self.firefox.call(op, page=self.id, **request)

    def goto(self, url: str) -> None:
        self._call("goto", url=url)

    def add_init_script(self, script: str) -> None:
        """`script` (a statement block) runs in every document of this page first."""
        self._call("addInitScript", script=script)

    def reload(self) -> None:
        self._call("reload")

    @property
    def url(self) -> str:
        return self._call("url")

    def evaluate(self, script: str, arg=None):
        return self._call("evaluate", script=script, arg=arg)

    def wait_for_timeout(self, milliseconds: float) -> None:
        time.sleep(milliseconds / 1000)

    def click(self, selector: str) -> None:
        self._call("click", selector=selector)

    def fill(self, selector: str, value: str) -> None:
        self._call("fill", selector=selector, value=value)

    def press(self, key: str) -> None:
        self._call("press", key=key)

    @property
    def console_errors(self) -> list[str]:
        return self._call("errors")

    @property
    def requests(self) -> list[str]:
        """Every URL this page asked for (documents, scripts, styles, media, fetches)."""
        return self._call("requests")

    def close(self) -> None:
        self._call("closePage")

    def wait_until(self, script: str, arg=None, timeout: float = 15.0):
        """Evaluate `script` (awaited) until it yields a truthy value; return it."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(script, arg)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not true in Firefox within {timeout}s: {script[:100]}")
            time.sleep(0.2)

    def text_of(self, selector: str) -> str | None:
        return self.evaluate(
            "(s) => { const e = document.querySelector(s); return e && e.textContent.trim(); }",
            selector,
        )

    def expect_text(self, selector: str, text: str, timeout: float = 15.0) -> None:
        """The element's whole text becomes exactly `text`."""
        try:
            self.wait_until(
                "([s, t]) => document.querySelector(s)?.textContent.trim() === t",
                [selector, text],
                timeout,
            )
        except AssertionError:
            raise AssertionError(
                f"{selector} in Firefox says {self.text_of(selector)!r}, not {text!r}"
            ) from None

    def expect_url(self, pattern: str, timeout: float = 15.0) -> str:
        import re

        deadline = time.monotonic() + timeout
        while not re.search(pattern, url := self.url):
            if time.monotonic() > deadline:
                raise AssertionError(f"Firefox is at {url}, not at {pattern}")
            time.sleep(0.2)
        return url
