"""The base of every Channels consumer here: size cap, JSON, schema, error replies.

A handler is looked up by the message's `type` ("media-state" -> `on_media_state`).
A client's message can produce an error reply, never a crash or a closed server. Every
reply is a model of `outgoing.py`; its sentences are in the language of the person's
pages (their language cookie, else their browser's languages).
"""

import contextlib
import json
import logging
from functools import cached_property
from types import SimpleNamespace

from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import TypeAdapter, ValidationError

from buergerbuero.errors import DomainError

from . import outgoing
from .schemas import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

# Close codes in the application range (4000-4999), so the client knows not to retry.
CLOSE_FORBIDDEN = 4403
CLOSE_GONE = 4410


def language_of(scope) -> str:
    """The language Django's LocaleMiddleware would pick for this browser's pages."""
    headers = dict(scope.get("headers", []))
    request = SimpleNamespace(
        COOKIES=scope.get("cookies", {}),
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
    )
    return translation.get_language_from_request(request)  # type: ignore[arg-type]


class ProtocolConsumer(AsyncWebsocketConsumer):
    schema: TypeAdapter
    closed_by_us = False
    # Set when a handler found the database unreachable; a consumer may resynchronise its
    # client once a later message gets through (WaitingConsumer.on_ping).
    database_was_unavailable = False

    @cached_property
    def language(self) -> str:
        return language_of(self.scope)

    async def dispatch(self, message) -> None:
        # Every sentence this socket sends (errors, refusals) in the person's language.
        with translation.override(self.language):
            await super().dispatch(message)

    async def close(self, code=None, reason=None) -> None:
        self.closed_by_us = True
        # The browser may already be gone (it hung up as we closed): nothing left to tell it.
        with contextlib.suppress(OSError):
            await super().close(code=code, reason=reason)

    async def send_message(self, message: outgoing.Out) -> None:
        await self.send_json(message.dump())

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
        await self.send_message(outgoing.Error(code=code, message=message, **extra))

    async def refuse(self, code: str, message: str, close_code: int = CLOSE_FORBIDDEN) -> None:
        """Accept only to say why, then close: browsers see no reason on a rejected handshake."""
        await self.accept()
        await self.send_error(code, message)
        await self.close(code=close_code)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if text_data is None:
            await self.send_error("bad_message", _("Only text messages are accepted."))
            return
        if len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.send_error(
                "too_large",
                _("Messages are limited to %(bytes)s bytes.") % {"bytes": MAX_MESSAGE_BYTES},
            )
            return
        try:
            message = self.schema.validate_json(text_data)
        except ValidationError as error:
            await self.send_error(
                "invalid", _("The message does not match the protocol."), details=_brief(error)
            )
            return
        handler = getattr(self, "on_" + message.type.replace("-", "_"))
        try:
            await handler(message)
        except DomainError as error:
            await self.send_error(error.code, str(error), request=message.type)
        except DatabaseError as error:
            # The database is unreachable or overloaded: nothing the client did wrong, and
            # nothing is lost (waiting places are not expired for the time the office
            # could not hear them, housekeeping.Hearing). One line, no traceback.
            log.warning("handler %s: database unavailable (%s)", message.type, error)
            self.database_was_unavailable = True
            await self.send_error(
                "unavailable",
                _("The office cannot be reached for a moment. Please keep this page open."),
                request=message.type,
            )
        except Exception:
            log.exception("handler %s failed", message.type)
            await self.send_error(
                "internal", _("Something went wrong; please try again."), request=message.type
            )

    async def forward(self, event) -> None:
        """Channel-layer events prepared by live.announce for this client."""
        await self.send_json(event["payload"])


def _brief(error: ValidationError) -> list[outgoing.ErrorDetail]:
    return [
        outgoing.ErrorDetail(loc=".".join(str(p) for p in e["loc"]), msg=e["msg"])
        for e in error.errors()[:5]
    ]
