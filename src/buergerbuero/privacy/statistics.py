"""Anonymous daily figures per department, recomputed from the rows of that day.

The rows themselves are anonymised, never deleted (their state and times carry no
name), so recomputing a whole day is exact and idempotent: it can run before, during
and after a purge, in several processes at once, and always yields the same figures.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction

from buergerbuero.bookings.models import Booking, BookingStatus
from buergerbuero.bookings.progress import progress
from buergerbuero.calls.models import Room
from buergerbuero.departments.models import Department
from buergerbuero.waiting.models import EntryState, QueueEntry

from .models import DailyStatistic


def local_day(moment: datetime, department: Department) -> date:
    return moment.astimezone(department.zone).date()


def day_bounds(department: Department, day: date) -> tuple[datetime, datetime]:
    zone = department.zone
    begin = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return begin, end


def _seconds(spans: Iterable[tuple[datetime, datetime]]) -> int:
    # Two server processes' clocks may disagree by a moment; a span is never negative.
    return round(sum(max(0.0, (end - begin).total_seconds()) for begin, end in spans))


def day_figures(department: Department, day: date) -> dict[str, int]:
    """What happened that day: knocks by the day they were made, consultations by the
    day they began, bookings by the day of the appointment."""
    begin, end = day_bounds(department, day)
    entries = list(
        QueueEntry.objects.filter(
            department=department, created_at__gte=begin, created_at__lt=end
        ).values_list("state", "created_at", "resolved_at")
    )
    rooms = list(
        Room.objects.filter(
            department=department, created_at__gte=begin, created_at__lt=end, ended_at__isnull=False
        ).values_list("created_at", "ended_at")
    )
    bookings = list(
        Booking.objects.filter(
            department=department, starts_at__gte=begin, starts_at__lt=end
        ).select_related("queue_entry", "queue_entry__room")
    )
    states = [state for state, _created, _resolved in entries]
    progresses = [progress(booking) for booking in bookings]
    return {
        "knocks": len(entries),
        "admitted": states.count(EntryState.ADMITTED),
        "declined": states.count(EntryState.DECLINED),
        "left": states.count(EntryState.LEFT),
        "expired": states.count(EntryState.EXPIRED),
        "wait_seconds_total": _seconds(
            (created, resolved)
            for state, created, resolved in entries
            if state == EntryState.ADMITTED and resolved is not None
        ),
        "consultations": len(rooms),
        # Only ended rooms were read (ended_at__isnull=False).
        "consultation_seconds_total": _seconds(
            (created, ended) for created, ended in rooms if ended is not None
        ),
        "bookings": len(bookings),
        "cancelled": progresses.count(BookingStatus.CANCELLED),
        "no_shows": progresses.count(BookingStatus.NO_SHOW),
    }


def record_day(department: Department, day: date) -> DailyStatistic:
    figures = day_figures(department, day)
    try:
        with transaction.atomic():
            statistic, _created = DailyStatistic.objects.update_or_create(
                department=department, day=day, defaults=figures
            )
    except IntegrityError:
        # Another process's purge created the row a moment ago: same figures, same row.
        DailyStatistic.objects.filter(department=department, day=day).update(**figures)
        statistic = DailyStatistic.objects.get(department=department, day=day)
    return statistic


def record_days(department: Department, moments: Iterable[datetime]) -> int:
    """Record every local day one of `moments` falls on; returns how many days."""
    days = {local_day(moment, department) for moment in moments}
    for day in sorted(days):
        record_day(department, day)
    return len(days)
