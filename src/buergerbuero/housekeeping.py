"""The office's periodic work, in one place for every way it is run.

The per-process ticker (live/ticker.py) calls `run_due_work` every ten seconds; a
management command or a test may call it too. It only calls domain actions, each of
which announces what it changed.
"""

from buergerbuero.bookings.mails import send_due as send_due_mails
from buergerbuero.calls.actions import end_abandoned_rooms
from buergerbuero.privacy.purge import purge_if_due
from buergerbuero.waiting.actions import expire_stale


def run_due_work() -> None:
    """Expire waiting citizens whose browser is gone, end consultations whose staff side is
    gone, send due mails."""
    expire_stale()
    end_abandoned_rooms()
    send_due_mails()


def run_purge_if_due() -> None:
    """Purge personal data whose retention has ended (at most hourly per process). Kept
    apart so that a long purge never delays what citizens see."""
    purge_if_due()
