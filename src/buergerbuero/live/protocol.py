"""The base of every Channels consumer here: size cap, JSON, schema, error replies.

A handler is looked up by the message's `type` ("media-state" -> `on_media_state`).
A client's message can produce an error reply, never a crash or a closed server. Every
reply is a model of `outgoing.py`; its sentences are in the language of the person's
pages (their language cookie, else their browser's languages).

When the channel layer (Redis) cannot be reached, a socket is refused or closed with 1013
("try again later") and one WARNING is logged, not a traceback per socket: the browser
backs off (socket.js) and, once Redis answers, reconnects and joins its groups afresh (a
restarted Redis has forgotten them). A channel-layer event the consumer cannot answer
(the database or Redis failing meanwhile) leaves the socket open.
"""

import contextlib
import json
import logging
from functools import cached_property
from types import SimpleNamespace

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import TypeAdapter, ValidationError
from redis.exceptions import RedisError

from buergerbuero.errors import DomainError
from buergerbuero.outage import Outage

from . import outgoing
from .schemas import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

# Close codes in the application range (4000-4999), so the client knows not to retry.
CLOSE_FORBIDDEN = 4403
CLOSE_GONE = 4410
# The same participant's newer socket took the call over (another window or device).
CLOSE_MOVED = 4409
# Not in that range: the browser comes back, later (socket.js backs off).
CLOSE_TRY_AGAIN = 1013
# A console not heard for CONSOLE_SILENCE_SECONDS (live/console_consumer.py): its member
# was set offline; a browser that was merely slow comes back (and chooses anew).
CLOSE_NOT_HEARD = 4000

# What channels-redis raises when Redis is gone (redis-py wraps the socket's errors).
LAYER_ERRORS = (RedisError,)
layer_outage = Outage(
    log, "the channel layer (Redis)", "refusing sockets with 1013 until it answers again"
)


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
    # The channel-layer groups this socket is in (`join`, `leave_groups`).
    joined: list[str]

    @cached_property
    def language(self) -> str:
        return language_of(self.scope)

    async def __call__(self, scope, receive, send) -> None:
        self.joined = []
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as error:
            # Receiving from the channel layer failed under an open socket: Redis went
            # away. Its groups may be gone with it, so the browser is sent away to come
            # back (backing off) and join them afresh.
            layer_outage.failed(error)
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})

    async def dispatch(self, message) -> None:
        # Every sentence this socket sends (errors, refusals) in the person's language.
        with translation.override(self.language):
            if message["type"].startswith("websocket."):
                await self.dispatch_socket(message)
            else:
                await self.dispatch_event(message)

    async def dispatch_socket(self, message) -> None:
        """Connect, receive, disconnect. A database that is away while a socket opens
        refuses it with 1013 (the browser backs off and comes back), and while it closes
        costs one warning line: never a 500 handshake or a traceback."""
        if self.closed_by_us and message["type"] == "websocket.receive":
            # Sent before the browser heard our close (a call that moved to another
            # window, a console closed as silent): it asks a socket that is gone.
            return
        try:
            await self._run_handler(message)
        except DatabaseError as error:
            log.warning("%s: database unavailable (%s)", message["type"], error)
            if message["type"] == "websocket.connect":
                with contextlib.suppress(Exception):  # it may have been accepted already
                    await self.accept()
                await self.close(code=CLOSE_TRY_AGAIN)

    async def dispatch_event(self, event) -> None:
        """A channel-layer event (`queue.changed`, `forward`, `relay`). When answering it
        fails on the database or the channel layer, the socket stays open: the next event,
        or the browser's next connection, brings it up to date. A socket we closed handles
        none: whatever it would read or send is for a browser that is gone (a waiting
        room's own leaving makes its department's queue change)."""
        if self.closed_by_us:
            return
        try:
            await self._run_handler(event)
        except (DatabaseError, *LAYER_ERRORS) as error:
            log.warning("could not answer %s: %s: %s", event["type"], type(error).__name__, error)

    async def _run_handler(self, message) -> None:
        """Channels' dispatch without its `aclose_old_connections` before every message: a
        trip to the one thread that all sockets of the process share, for every message
        and every relayed event (a call's set-up relays dozens). Every database call here
        goes through `database_sync_to_async`, which closes stale connections on its own
        trip (docs/benchmarks.md, "Call set-up")."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def join(self, group_names: list[str]) -> bool:
        """Join the socket's groups, before accepting it, so that no change between its
        first message and its first event is missed. False when the channel layer cannot
        be reached: the socket is then refused with 1013 and the browser tries again later."""
        try:
            for name in group_names:
                await self.channel_layer.group_add(name, self.channel_name)
        except LAYER_ERRORS as error:
            layer_outage.failed(error)
            # Accepted only to close: a rejected handshake would reach the browser as 1006.
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN)
            return False
        layer_outage.recovered()
        self.joined = list(group_names)
        return True

    async def leave_groups(self) -> bool:
        """Leave the joined groups; whether there were any. Without Redis there is nothing
        to leave: its groups expire, and a restarted Redis has none."""
        joined, self.joined = self.joined, []
        with self.layer_may_fail():
            for name in joined:
                await self.channel_layer.group_discard(name, self.channel_name)
        return bool(joined)

    @contextlib.contextmanager
    def layer_may_fail(self):
        """For what only tells others (a peer's leaving): lost when Redis is down."""
        try:
            yield
        except LAYER_ERRORS as error:
            layer_outage.failed(error)

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
        except (DatabaseError, *LAYER_ERRORS) as error:
            # The database or the channel layer is unreachable or overloaded: nothing the
            # client did wrong, and nothing is lost (waiting places are not expired for the
            # time the office could not hear them, housekeeping.Hearing). One line, no
            # traceback.
            log.warning(
                "handler %s: unavailable (%s: %s)", message.type, type(error).__name__, error
            )
            if isinstance(error, DatabaseError):
                self.database_was_unavailable = True
            else:
                layer_outage.failed(error)
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
