"""Staff sessions on sockets: the same idle timeout and second-factor rule as pages.

Sits inside AuthMiddlewareStack. A staff session that a page request would end is ended
here too (flushed, so the participant ids it holds go with it) and the consumer sees
nobody logged in; a live one is kept alive by what arrives on the socket.
"""

import time

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from buergerbuero.staff import idle, second_factor


def _end_if_due(user, session) -> bool:
    if idle.idle_expired(session) or second_factor.lacks_second_factor(user, session):
        session.flush()
        return True
    return False


class StaffSessionGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            return await self.app(scope, receive, send)
        session = scope["session"]
        if await database_sync_to_async(_end_if_due)(user, session):
            return await self.app({**scope, "user": AnonymousUser()}, receive, send)
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
                await database_sync_to_async(idle.mark_active_stored)(session)
            return message

        return await self.app(scope, receive_and_keep_alive, send)
