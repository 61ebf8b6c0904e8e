"""Who is on a socket, with the same idle timeout and second-factor rule as pages.

Channels' `AuthMiddleware`, with the staff session's check in the same trip to the
database thread as the user's look-up (one trip less per staff socket: that thread is
shared by every socket of the process, docs/benchmarks.md "Call set-up"). A staff
session that a page request would end is ended here too (flushed, so the participant ids
it holds go with it) and the consumer sees nobody logged in; a live one is kept alive by
what arrives on the socket.
"""

import time
from typing import Any, cast

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib.auth.models import AnonymousUser

from buergerbuero.staff import idle, second_factor

from .beside import write_beside


def _end_if_due(user, session) -> bool:
    if idle.idle_expired(session) or second_factor.lacks_second_factor(user, session):
        session.flush()
        return True
    return False


def _user_of(scope):
    """The session's user as Channels finds it, or nobody when the staff session is over."""
    # The function under Channels' database_sync_to_async: called in our own trip.
    user = cast(Any, get_user).func(scope)
    if user.is_authenticated and _end_if_due(user, scope["session"]):
        return AnonymousUser()
    return user


class StaffSessionAuth(AuthMiddleware):
    def __init__(self, inner, opening=database_sync_to_async):
        super().__init__(inner)
        # Where the look-up runs: the database thread, or beside it for a call's sockets
        # (opening_reads.py).
        self.opening = opening

    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await self.opening(_user_of)(scope)

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        self.populate_scope(scope)
        await self.resolve_scope(scope)
        app = cast(Any, self.inner)  # an ASGI 3 application; the stubs allow ASGI 2 too
        if not scope["user"].is_authenticated:
            return await app(scope, receive, send)
        session = scope["session"]
        # Due when the stored mark is a minute old, as on pages: mostly not at the first
        # message, since the page that opened this socket marked the session just now,
        # and that message would otherwise wait for the database (at admission: the call's
        # first signalling, docs/benchmarks.md "Call set-up").
        last = session.get(idle.ACTIVE_KEY)
        age = time.time() - last if last is not None else float(idle.REFRESH_SECONDS)
        refreshed_at = time.monotonic() - age

        async def receive_and_keep_alive():
            nonlocal refreshed_at
            message = await receive()
            due = time.monotonic() - refreshed_at >= idle.REFRESH_SECONDS
            if message["type"] == "websocket.receive" and due:
                refreshed_at = time.monotonic()
                # Beside the message, not before it: after a restart the database thread
                # is seconds behind, and a console whose answers to the server's pings
                # wait that long is closed as silent.
                write_beside(
                    idle.mark_active_stored,
                    session,
                    failing="could not mark a staff session active",
                )
            return message

        return await app(scope, receive_and_keep_alive, send)


def StaffSessionAuthStack(inner, opening=database_sync_to_async):
    return CookieMiddleware(SessionMiddleware(StaffSessionAuth(inner, opening)))
