"""A production-like office for fault tests: a PostgreSQL cluster of the test's own (so it
can be stopped), Redis, and several uvicorn processes started as docs/deploy.md says,
plus citizens that knock over HTTP and wait on real WebSockets.

The cluster is made with Debian's pg_createcluster on a free port and dropped afterwards;
a machine without it fails the test loudly.
"""

import asyncio
import contextlib
import http.cookiejar
import json
import re
import secrets
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets

from ..server import ROOT, Uvicorn, free_port, manage, server_env

PG_VERSION = "15"


class OwnPostgres:
    """A PostgreSQL cluster of our own, on a free port, trust auth on loopback."""

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


@dataclass
class Office:
    """Several uvicorn processes on one database and one Redis."""

    processes: list[Uvicorn]
    env: dict[str, str]
    logs: list[Path]

    def log_text(self) -> str:
        return "\n".join(path.read_text() for path in self.logs)

    def shell(self, code: str) -> str:
        result = subprocess.run(
            [*manage_command(), "shell", "--verbosity", "0", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def manage_command() -> list[str]:
    return [sys.executable, str(ROOT / "manage.py")]


def start_office(tmp_path: Path, database_url: str, count: int = 2, **settings: str) -> Office:
    env = server_env(
        tmp_path,
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:6379/14",
        REDIS_PREFIX=f"bbfault{secrets.token_hex(3)}",
        STATUS_PUBSUB_CHANNEL=f"bb:fault:{secrets.token_hex(3)}",
        **settings,
    )
    manage(env, "migrate", "--no-input", stdout=subprocess.DEVNULL)
    processes, logs = [], []
    for index in range(count):
        log = tmp_path / f"uvicorn-{index}.log"
        # As docs/deploy.md starts them: no access log (it would hold citizens' addresses).
        process = Uvicorn(dict(env), ["--no-access-log"], log)
        process.env["SITE_URL"] = process.url
        process.env["CSRF_TRUSTED_ORIGINS"] = process.url
        process.start()
        processes.append(process)
        logs.append(log)
    return Office(processes, env, logs)


OPEN_DEPARTMENT = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from buergerbuero.departments.models import Department, OpeningHours
from buergerbuero.staff.models import StaffProfile
department = Department.objects.create(slug="wohngeld", name="Wohngeld")
OpeningHours.objects.bulk_create(
    OpeningHours(department=department, weekday=d, opens_minute=0, closes_minute=1440)
    for d in range(7)
)
user = get_user_model().objects.create_user("clerk", password="pw-for-fault-tests")
profile = StaffProfile.objects.create(user=user, seen_at=timezone.now())
profile.departments.set([department], through_defaults={"presence": "available"})
"""


def keep_staff_present(office: Office) -> None:
    office.shell(
        "from django.utils import timezone\n"
        "from buergerbuero.staff.models import Membership, StaffProfile\n"
        "Membership.objects.update(presence='available')\n"
        "StaffProfile.objects.update(seen_at=timezone.now())"
    )


@dataclass
class Citizen:
    base_url: str
    entry_id: str = ""
    opener: urllib.request.OpenerDirector = field(init=False)
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    received: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def knock_form(self, slug: str) -> str:
        """GET the knock page; returns its CSRF token."""
        page = self.opener.open(f"{self.base_url}/fachbereich/{slug}/anklopfen/", timeout=30)
        html = page.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def knock(self, slug: str, token: str, name: str) -> tuple[int, str]:
        """POST the knock; (status, Location or body)."""
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "display_name": name})
        request = urllib.request.Request(
            f"{self.base_url}/fachbereich/{slug}/anklopfen/",
            data=data.encode(),
            headers={"Referer": f"{self.base_url}/", "Accept-Language": "en"},
        )
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location") or error.read().decode()
        if response.status == 302:
            return response.status, response.headers["Location"]
        return response.status, response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    async def wait(self, ping_seconds: float, stop: asyncio.Event) -> None:
        """The waiting room page: open the socket, ping, remember every message."""
        url = self.base_url.replace("http://", "ws://") + f"/ws/warteraum/{self.entry_id}/"
        headers = {"Cookie": self.cookie_header(), "Accept-Language": "en"}
        async with websockets.connect(url, origin=self.base_url, additional_headers=headers) as ws:

            async def reader():
                async for text in ws:
                    self.received.append(json.loads(text))

            reading = asyncio.create_task(reader())
            try:
                while not stop.is_set():
                    await ws.send('{"type":"ping"}')
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), ping_seconds)
            finally:
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reading


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp
