"""Staff sessions end after STAFF_SESSION_IDLE_SECONDS without activity, sliding.

Activity is any request of the logged-in browser and any message on a staff member's
sockets, their heartbeats included: an open console is a staff member waiting for knocks,
and a consultation is work however quiet its socket. So the timeout ends sessions whose
pages are closed (a forgotten login, a copied cookie); an unattended desk with an open
console is the workstation's screen lock's job (docs/security.md). Citizens have no login,
and their sessions are never touched here.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError

ACTIVE_KEY = "bb_staff_active"
# Activity alone writes the session at most this often; the timeout may thus run up to
# this much later than STAFF_SESSION_IDLE_SECONDS after the last activity.
REFRESH_SECONDS = 60


def _now(now: float | None) -> int:
    return int(time.time() if now is None else now)


def idle_expired(session, now: float | None = None) -> bool:
    last = session.get(ACTIVE_KEY)
    return last is not None and _now(now) - last > settings.STAFF_SESSION_IDLE_SECONDS


def mark_active(session, now: float | None = None) -> None:
    now = _now(now)
    last = session.get(ACTIVE_KEY)
    if last is None or now - last >= REFRESH_SECONDS:
        session[ACTIVE_KEY] = now


def mark_active_stored(session, now: float | None = None) -> None:
    """From a long-lived socket: write the stored session afresh, not the socket's copy,
    which is as old as the connection and would undo what page requests wrote since."""
    now = _now(now)
    session[ACTIVE_KEY] = now  # the socket's copy too, should a consumer save it
    store = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
    last = store.get(ACTIVE_KEY)
    if store.session_key is None:
        return  # logged out or expired meanwhile: nothing to keep alive
    if last is not None and now - last < REFRESH_SECONDS:
        return
    store[ACTIVE_KEY] = now
    try:
        store.save()
    except UpdateError:  # deleted between our read and write
        return
