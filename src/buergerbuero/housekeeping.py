"""The office's periodic work, in one place for every way it is run.

The per-process ticker (live/ticker.py) calls `run_due_work` every ten seconds; a
management command or a test may call it too. It only calls domain actions, each of
which announces what it changed.

Expiring a waiting citizen or ending a consultation means "nobody has heard from them for
the grace period". While the database cannot be reached, their pings cannot be recorded,
so time without the database must not count against them: a process expires nobody until
it has reached the database without a break for a whole grace period (after a start as
after an outage), by which time every page still open has pinged again.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection

from buergerbuero.bookings.mails import send_due as send_due_mails
from buergerbuero.calls.actions import end_abandoned_rooms
from buergerbuero.privacy.purge import purge_if_due
from buergerbuero.statistics.aggregate import run_if_due as aggregate_if_due
from buergerbuero.waiting.actions import end_unanswered_admissions, expire_stale

log = logging.getLogger(__name__)


class Hearing:
    """Since when this process has reached the database without a break."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.since: float | None = None

    def heard(self) -> None:
        if self.since is None:
            self.since = self.clock()

    def lost(self) -> None:
        self.since = None

    def unbroken_for(self, seconds: float) -> bool:
        return self.since is not None and self.clock() - self.since >= seconds


hearing = Hearing()


def run_due_work() -> None:
    """Expire waiting citizens whose browser is gone, end consultations whose staff side is
    gone or whose citizen never arrived (all only on an unbroken hearing, above), send due
    mails."""
    try:
        connection.ensure_connection()
        hearing.heard()
        if hearing.unbroken_for(settings.QUEUE_GRACE_SECONDS):
            # A page in the background keeps its place longer; time without the database
            # must not count against it either.
            expire_stale(background=hearing.unbroken_for(settings.QUEUE_BACKGROUND_GRACE_SECONDS))
        if hearing.unbroken_for(settings.ROOM_ABANDON_SECONDS):
            end_abandoned_rooms()
        if hearing.unbroken_for(settings.CALL_NO_SHOW_SECONDS):
            end_unanswered_admissions()
        send_due_mails()
    except DatabaseError:
        hearing.lost()
        raise


def run_purge_if_due() -> None:
    """Bring the anonymous statistics up to date (every ten minutes, by one process of
    all: statistics/aggregate.py), then purge personal data whose retention has ended (at
    most hourly per process). Kept apart so that neither ever delays what citizens see."""
    aggregate_if_due()
    purge_if_due()
