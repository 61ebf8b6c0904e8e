"""A browser that hangs up while the server closes its socket is not an error."""

from uvicorn.protocols.utils import ClientDisconnected

from buergerbuero.live.protocol import CLOSE_GONE, ProtocolConsumer


async def test_closing_a_socket_whose_browser_is_gone_is_quiet():
    sent = []

    async def gone(message):
        sent.append(message)
        raise ClientDisconnected()

    consumer = ProtocolConsumer()
    consumer.base_send = gone
    await consumer.close(code=CLOSE_GONE)  # must not raise
    assert consumer.closed_by_us is True
    assert sent == [{"type": "websocket.close", "code": CLOSE_GONE}]
    await consumer.send_json({"type": "pong"})  # after our close: nothing more is sent
    assert len(sent) == 1
