"""The status socket on a real uvicorn started with docs/deploy.md's command line, and
a real `websockets` client that offers permessage-deflate, as every browser does."""

import json
import shlex
from pathlib import Path

import pytest
from websockets.sync.client import connect

from ..server import ROOT, Uvicorn, manage, server_env


def deploy_flags() -> list[str]:
    """The uvicorn flags of docs/deploy.md's systemd unit, less the application, the
    code's directory, the host and the port (which every test server sets itself)."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    start = text.index("ExecStart=")
    lines = []
    for line in text[start:].splitlines():
        lines.append(line.rstrip("\\").strip())
        if not line.rstrip().endswith("\\"):
            break
    argv = shlex.split(" ".join(lines).removeprefix("ExecStart="))
    flags, skip = [], 0
    for arg in argv[2:]:  # the uvicorn binary and the application
        if skip:
            skip -= 1
        elif arg in ("--app-dir", "--host", "--port"):
            skip = 1
        else:
            flags.append(arg)
    return flags


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    var = tmp_path_factory.mktemp("status-server")
    env = server_env(var)
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
        env.pop(name, None)
    manage(env, "migrate", "--no-input", "-v0")
    server = Uvicorn(env, deploy_flags(), Path(var) / "server.log")
    server.start()
    yield server
    server.stop()


def test_deploy_flags_are_read_from_the_unit():
    flags = deploy_flags()
    assert flags[flags.index("--ws-per-message-deflate") + 1] == "false"
    assert "--lifespan" in flags


def test_status_socket_negotiates_no_compression_with_the_deploy_flags(deployed):
    with connect(f"ws://127.0.0.1:{deployed.port}/ws/status/", compression="deflate") as status:
        assert "permessage-deflate" in status.request.headers["Sec-WebSocket-Extensions"]
        assert status.response.headers.get("Sec-WebSocket-Extensions") is None
        assert status.protocol.extensions == []
        board = json.loads(status.recv(timeout=5))
    assert board["type"] == "status"
