"""A department with exactly known waits, consultations and appointments around
2025-03-10 09:00 UTC (10:00 in Berlin)."""

from datetime import UTC, datetime, timedelta

import pytest

from buergerbuero.bookings.models import BookingStatus
from buergerbuero.waiting.models import EntryState

from ..factories import make_booking, make_queue_entry, make_room

NINE = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
TEN = NINE + timedelta(hours=1)


def at(minutes: int) -> datetime:
    return NINE + timedelta(minutes=minutes)


def entry(department, knocked, state, resolved=None):
    return make_queue_entry(
        department,
        created_at=at(knocked),
        display_name="Name that must not appear",
        topic="Topic that must not appear",
        state=state,
        seen_at=at(knocked),
        resolved_at=None if resolved is None else at(resolved),
    )


@pytest.fixture
def busy_hour(make_kind):
    kind = make_kind()
    department = kind.department
    entry(department, 0, EntryState.ADMITTED, 5)  # waited 5 min
    entry(department, 10, EntryState.ADMITTED, 30)  # 20 min
    entry(department, 20, EntryState.ADMITTED, 21)  # 1 min
    entry(department, 40, EntryState.DECLINED, 45)
    gone = entry(department, 50, EntryState.LEFT, 70)  # resolved in the next hour
    entry(department, 55, EntryState.EXPIRED, 62)
    entry(department, 90, EntryState.WAITING)
    make_room(department, created_at=at(5), ended_at=at(25))  # 20 min
    make_room(department, created_at=at(30), ended_at=at(75))  # 45 min, ends at 10:15
    make_room(department, created_at=at(21), ended_at=None)  # still running
    for minutes, status, queue_entry in [
        (0, BookingStatus.NO_SHOW, None),
        (30, BookingStatus.CANCELLED, None),
        (15, BookingStatus.BOOKED, None),
        (45, BookingStatus.WAITING, gone),  # checked in, then left: a no-show
    ]:
        make_booking(
            kind, at(minutes), display_name="Booker", status=status, queue_entry=queue_entry
        )
    return department


NINE_FIGURES = {
    "knocks": 6,
    "admitted": 3,
    "declined": 1,
    "left": 0,
    "expired": 0,
    "consultations": 1,
    "bookings": 4,
    "cancelled": 1,
    "no_shows": 2,
    "wait_seconds": {"60": 1, "300": 1, "1200": 1},
    "consultation_seconds": {"1200": 1},
}
TEN_FIGURES = {
    "knocks": 1,
    "admitted": 0,
    "declined": 0,
    "left": 1,
    "expired": 1,
    "consultations": 1,
    "bookings": 0,
    "cancelled": 0,
    "no_shows": 0,
    "wait_seconds": {},
    "consultation_seconds": {"2700": 1},
}
