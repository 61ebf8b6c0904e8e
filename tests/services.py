"""Servers of a test's own, on free ports, that the test may stop and start again: a
PostgreSQL cluster (tests/faults) and a Redis (tests/live/test_redis_restart.py,
tests/faults/test_several_processes.py). Each fails the test loudly when its programs are
missing or it does not come up."""

import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .server import free_port

PG_VERSION = "15"
REDIS_SERVER = "/usr/bin/redis-server"


class OwnPostgres:
    """A PostgreSQL cluster of our own (Debian's pg_createcluster), trust auth on loopback;
    pg_ctlcluster waits until it accepts connections."""

    def __init__(self, max_connections: int = 100):
        if shutil.which("pg_createcluster") is None:
            raise RuntimeError("pg_createcluster is missing: install postgresql-common")
        self.name = f"bbfault{secrets.token_hex(3)}"
        self.port = free_port()
        subprocess.run(
            [
                "pg_createcluster",
                PG_VERSION,
                self.name,
                "--port",
                str(self.port),
                "--",
                "--auth-local=trust",
                "--auth-host=trust",
            ],
            check=True,
            capture_output=True,
        )
        conf = Path(f"/etc/postgresql/{PG_VERSION}/{self.name}/postgresql.conf")
        with conf.open("a") as settings:
            settings.write(f"\nmax_connections = {max_connections}\nfsync = off\n")
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.name, action, *extra],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", PG_VERSION, self.name], check=False, capture_output=True
        )


class OwnRedis:
    """redis-server on a free port (the same one after a restart), without persistence: a
    restart forgets everything. start() returns once it answers PING."""

    def __init__(self, log_path: Path, port: int | None = None):
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [
                    *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start:\n" + self.log_path.read_text())
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
