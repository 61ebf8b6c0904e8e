"""The probes of a real uvicorn process: /healthz answers at once, /readyz is 200 while the
lifespan's ticker starts and stays 200 once it has ticked; a process whose ticker never
started (no lifespan) is not ready."""

import json
import secrets
import time
import urllib.error
import urllib.request

import pytest

from ..server import Uvicorn, manage, server_env


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.fixture
def server(tmp_path):
    """uvicorn on a migrated SQLite database of its own (Redis as the run has it);
    server(flags) starts one."""
    env = server_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'probes.sqlite3'}",
        REDIS_PREFIX=f"bbprobe{secrets.token_hex(4)}",
        STATUS_PUBSUB_CHANNEL=f"bb:probe:{secrets.token_hex(4)}",
    )
    manage(env, "migrate", "--no-input", "-v0")
    started = []

    def start(flags: list[str]) -> Uvicorn:
        process = Uvicorn(env, ["--log-level", "warning", *flags], tmp_path / f"{len(started)}.log")
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.stop()
        assert "Traceback" not in process.log_path.read_text()


def test_readyz_turns_ready_once_the_ticker_ticked(server):
    office = server([])
    assert get(office.url + "/healthz") == (200, {"status": "ok"})
    seen = []
    deadline = time.monotonic() + 15  # a tick every 10 s, on the wall clock
    while not seen or seen[-1][1]["checks"]["ticker"] != "running":
        assert time.monotonic() < deadline, seen
        seen.append(get(office.url + "/readyz"))
        time.sleep(0.2)
    # Ready from the start (the ticker is starting), and still ready once it has ticked.
    assert {status for status, _body in seen} == {200}
    assert {body["checks"]["ticker"] for _status, body in seen} <= {"starting", "running"}
    assert seen[-1][1]["checks"]["database"] == "ok"
    assert seen[-1][1]["checks"]["migrations"] == "ok"


def test_readyz_not_ready_without_the_lifespan_ticker(server):
    office = server(["--lifespan", "off"])
    assert get(office.url + "/healthz") == (200, {"status": "ok"})
    status, body = get(office.url + "/readyz")
    assert (status, body["failed"], body["checks"]["ticker"]) == (503, ["ticker"], "not started")
