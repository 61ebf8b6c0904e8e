"""Daily statistics: exact figures from a day's rows, in the department's local day."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from buergerbuero.bookings.models import Booking, BookingStatus
from buergerbuero.calls.models import Room
from buergerbuero.privacy.models import DailyStatistic
from buergerbuero.privacy.statistics import day_figures, record_day
from buergerbuero.waiting.models import EntryState, QueueEntry

from ..factories import make_booking, make_queue_entry, make_room

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2025, 3, 10)


def at(hour, minute=0, day=DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def entry(department, created, state, resolved=None) -> QueueEntry:
    return make_queue_entry(
        department,
        created_at=created,
        display_name="",
        state=state,
        seen_at=created,
        resolved_at=resolved,
    )


def room(department, created, ended) -> Room:
    return make_room(department, created_at=created, ended_at=ended)


def booking(kind, starts, status=BookingStatus.BOOKED, queue_entry=None) -> Booking:
    return make_booking(kind, starts, display_name="", status=status, queue_entry=queue_entry)


@pytest.fixture
def busy_day(make_kind):
    kind = make_kind()
    department = kind.department
    entry(department, at(9), EntryState.ADMITTED, at(9, 5))
    entry(department, at(10), EntryState.ADMITTED, at(10, 20))
    entry(department, at(11), EntryState.DECLINED, at(11, 1))
    gone = entry(department, at(12), EntryState.LEFT, at(12, 30))
    entry(department, at(13), EntryState.EXPIRED, at(13, 2))
    entry(department, at(23, 59), EntryState.WAITING)
    # The evening before, local time: another day, although the same day in UTC.
    entry(department, at(23, 59, DAY - timedelta(days=1)), EntryState.ADMITTED, at(0, 10))
    room(department, at(9, 5), at(9, 25))
    room(department, at(10, 20), at(10, 30))
    room(department, at(14), None)
    booking(kind, at(8))
    booking(kind, at(9), BookingStatus.NO_SHOW)
    booking(kind, at(10), BookingStatus.CANCELLED)
    booking(kind, at(12), BookingStatus.WAITING, queue_entry=gone)
    booking(kind, at(8, day=DAY + timedelta(days=1)))
    return department


EXPECTED = {
    "knocks": 6,
    "admitted": 2,
    "declined": 1,
    "left": 1,
    "expired": 1,
    "wait_seconds_total": 5 * 60 + 20 * 60,
    "consultations": 2,
    "consultation_seconds_total": 20 * 60 + 10 * 60,
    "bookings": 4,
    "cancelled": 1,
    # Marked by staff, and checked in but left before being admitted.
    "no_shows": 2,
}


def test_day_figures_count_the_departments_local_day(busy_day):
    assert day_figures(busy_day, DAY) == EXPECTED


def test_record_day_is_idempotent_and_averages_follow(busy_day):
    record_day(busy_day, DAY)
    statistic = record_day(busy_day, DAY)
    assert DailyStatistic.objects.count() == 1
    assert {field: getattr(statistic, field) for field in EXPECTED} == EXPECTED
    assert (statistic.average_wait_seconds, statistic.average_consultation_seconds) == (
        750.0,
        900.0,
    )


def test_an_empty_day_has_no_averages(make_department):
    statistic = record_day(make_department(), DAY)
    assert (statistic.knocks, statistic.average_wait_seconds) == (0, None)
    assert statistic.average_consultation_seconds is None


def test_day_on_which_the_clocks_change_has_23_hours(make_department):
    department = make_department()
    spring = date(2025, 3, 30)
    entry(department, at(0, 30, spring), EntryState.LEFT, at(0, 40, spring))
    entry(department, at(23, 30, spring), EntryState.LEFT, at(23, 40, spring))
    entry(
        department,
        at(0, 0, spring + timedelta(days=1)),
        EntryState.LEFT,
        at(0, 1, spring + timedelta(days=1)),
    )
    assert day_figures(department, spring)["knocks"] == 2
