"""The base of every Channels consumer here: size cap, JSON, schema, error replies.

A handler is looked up by the message's `type` ("media-state" -> `on_media_state`).
A client's message can produce an error reply, never a crash or a closed server.
"""

import contextlib
import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer
from pydantic import TypeAdapter, ValidationError

from buergerbuero.errors import DomainError

from .schemas import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

# Close codes in the application range (4000-4999), so the client knows not to retry.
CLOSE_FORBIDDEN = 4403
CLOSE_GONE = 4410


class ProtocolConsumer(AsyncWebsocketConsumer):
    schema: TypeAdapter
    closed_by_us = False

    async def close(self, code=None, reason=None) -> None:
        self.closed_by_us = True
        await super().close(code=code, reason=reason)

    async def send_json(self, payload: dict) -> None:
        if self.closed_by_us:
            # Events already queued for this socket (e.g. the queue change its own "leave"
            # caused) must not follow our close frame: the server refuses a send after close.
            return
        # The browser may go away while we answer (uvicorn's ClientDisconnected is an
        # OSError); its disconnect handler cleans up.
        with contextlib.suppress(OSError):
            await self.send(text_data=json.dumps(payload, separators=(",", ":")))

    async def send_error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def refuse(self, code: str, message: str, close_code: int = CLOSE_FORBIDDEN) -> None:
        """Accept only to say why, then close: browsers see no reason on a rejected handshake."""
        await self.accept()
        await self.send_error(code, message)
        await self.close(code=close_code)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if text_data is None:
            await self.send_error("bad_message", "Only text messages are accepted.")
            return
        if len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.send_error(
                "too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes."
            )
            return
        try:
            message = self.schema.validate_json(text_data)
        except ValidationError as error:
            await self.send_error(
                "invalid", "The message does not match the protocol.", details=_brief(error)
            )
            return
        handler = getattr(self, "on_" + message.type.replace("-", "_"))
        try:
            await handler(message)
        except DomainError as error:
            await self.send_error(error.code, str(error), request=message.type)
        except Exception:
            log.exception("handler %s failed", message.type)
            await self.send_error(
                "internal", "Something went wrong; please try again.", request=message.type
            )

    async def forward(self, event) -> None:
        """Channel-layer events prepared by live.announce for this client."""
        await self.send_json(event["payload"])


def _brief(error: ValidationError) -> list[dict]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in error.errors()[:5]
    ]
