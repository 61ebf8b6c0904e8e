"""A real uvicorn server whose SIGTERM goes through live/shutdown.py, as under `uvicorn`:
its own signal handler first, ours in front of it (installed at the lifespan's start)."""

import asyncio
import contextlib
import signal
from dataclasses import dataclass

import uvicorn

from buergerbuero.live import shutdown


@dataclass
class Served:
    server: uvicorn.Server
    serving: asyncio.Task
    port: int


@contextlib.asynccontextmanager
async def stopping_server(app):
    """Serve `app` on a free port; the test raises SIGTERM and awaits `serving`. The
    process's signal handlers are put back afterwards."""
    before = {sig: signal.getsignal(sig) for sig in shutdown.SIGNALS}
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    )
    # The server's own serve() minus its signal capture, which would re-raise the
    # SIGTERM at the test process once the server is down.
    serving = asyncio.create_task(server._serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn sets a flag, no event
                await asyncio.sleep(0.01)
        for sig in shutdown.SIGNALS:
            signal.signal(sig, server.handle_exit)
        uninstall = shutdown.install(asyncio.get_running_loop())
        try:
            yield Served(server, serving, server.servers[0].sockets[0].getsockname()[1])
        finally:
            uninstall()
    finally:
        if not serving.done():
            server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(serving, 10)
        for sig, handler in before.items():
            signal.signal(sig, handler)
