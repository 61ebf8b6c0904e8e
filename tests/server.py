"""A real uvicorn serving this checkout, for the browser tests and the server-log test.

Both start `uvicorn buergerbuero.asgi:application` in a process of its own with a log file
of its own and wait until /status.json answers; what differs (the database, the flags,
what is read from the log afterwards) is up to the caller.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """The test run's environment, with the office's files in `var_dir` and this
    checkout's code on the path."""
    return {
        **os.environ,
        "BB_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "buergerbuero.settings",
        "PYTHONPATH": str(ROOT / "src"),
        **overrides,
    }


def manage(env: dict[str, str], *args: str, **run_options) -> None:
    """Run a manage.py command in `env`; a failing command fails the test."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        **run_options,
    )


class ChildProcess:
    """A server the tests start: `process` and its open `_log`; stopping is the same for all."""

    process: subprocess.Popen | None = None
    _log = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class Uvicorn(ChildProcess):
    """uvicorn on 127.0.0.1 with `flags` added, writing stdout and stderr to `log_path`
    (appended, so a restart keeps what was logged before); restartable on the same port."""

    def __init__(self, env: dict[str, str], flags: list[str], log_path: Path, probe_headers=None):
        self.env = env
        self.flags = flags
        self.log_path = log_path
        log_path.touch()
        self.probe_headers = probe_headers or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self._log = None

    def start(self, timeout: float = 30) -> None:
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "buergerbuero.asgi:application",
                "--app-dir",
                str(ROOT / "src"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.flags,
            ],
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        probe = urllib.request.Request(self.url + "/status.json", headers=self.probe_headers)
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(probe, timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        "uvicorn did not start:\n" + self.log_path.read_text()
                    ) from None
                time.sleep(0.2)
