"""A stopping process stops accepting connections before it tells its sockets to come
back: otherwise the first browsers to return reach it again, wait in its accept queue and
are dropped when it exits (docs/benchmarks.md, "Reconnect storm")."""

import asyncio
import signal

from buergerbuero.live import connections, shutdown

from .stopping import stopping_server


async def nothing(scope, receive, send) -> None:
    pass


async def test_a_stopping_server_refuses_connections_before_its_sockets_are_told(monkeypatch):
    monkeypatch.setattr(shutdown, "_draining", False)
    while_telling: list[str] = []

    async with stopping_server(nothing) as served:

        async def restart_all() -> int:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
            except ConnectionRefusedError:
                while_telling.append("refused")
            else:
                while_telling.append("accepted")
                writer.close()
            return 0

        monkeypatch.setattr(connections, "restart_all", restart_all)
        signal.raise_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            await served.serving

    assert while_telling == ["refused"]
    assert served.server.should_exit  # and uvicorn was handed the signal after the telling
