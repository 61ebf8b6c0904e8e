"""Every HTTP request and every WebSocket connection gets an id for its log lines
(logs.request_id): the incoming `X-Request-ID` when it is a safe token (nginx's
`$request_id`, a load balancer's), a new random one otherwise. An HTTP response carries
it back in `X-Request-ID`, so a citizen's "it said error" can be matched to a log line.

At the ASGI edge, so the line uvicorn writes for the request or handshake, Django's and
the consumers' lines all carry it: the context variable is copied into the threads
of sync views and `database_sync_to_async`.
"""

from buergerbuero import logs

HEADER = b"x-request-id"


class RequestIds:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        incoming = dict(scope.get("headers", [])).get(HEADER, b"").decode("latin-1")
        current = logs.new_request_id(incoming)
        token = logs.request_id.set(current)
        try:
            if scope["type"] == "websocket":
                # Nothing to add to a socket's messages: the server's own `send` goes on,
                # so the status board writes to it without a wrapper per message.
                return await self.app(scope, receive, send)
            return await self.app(scope, receive, _with_id(send, current))
        finally:
            logs.request_id.reset(token)


def _with_id(send, current: str):
    async def send_with_id(message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
            message = {**message, "headers": [*headers, (HEADER, current.encode())]}
        await send(message)

    return send_with_id
