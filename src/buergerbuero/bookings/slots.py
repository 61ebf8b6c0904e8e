"""Free appointment slots: the opening schedule minus holidays, closures and bookings.

Pure functions; times are aware datetimes in UTC, days and holidays are the
department's local dates. Slots start on the clock at the kind's rhythm (every 15
minutes: 08:00, 08:15, 08:30 …), counted from the department's local midnight, so the
offer reads like a timetable whatever the opening time or a closure's end. The buffer is
kept between bookings, not added to every step: each booking holds its cells plus the
buffer after it, and a slot is offered only if its own cells and buffer are free, which
keeps the buffer to the booking before it and to the one after it alike.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from buergerbuero.departments import schedule

from .models import CELL_MINUTES

CELL = timedelta(minutes=CELL_MINUTES)


@dataclass(frozen=True)
class Rules:
    duration: timedelta
    buffer: timedelta
    parallel: int
    min_notice: timedelta
    horizon_days: int
    rhythm: timedelta


def cells(start: datetime, length: timedelta) -> list[datetime]:
    """The cell starts a booking of `length` from `start` occupies."""
    count = -(-int(length.total_seconds()) // (CELL_MINUTES * 60))
    return [start + CELL * i for i in range(count)]


def bookable_intervals(
    ranges: Iterable[schedule.Range],
    zone: ZoneInfo,
    now: datetime,
    days: int,
    holidays: set[date],
    closures: Iterable[tuple[datetime, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Opening intervals of the coming `days`, minus holidays and closures."""
    days_open = [
        (begin, end)
        for begin, end in _split_at_midnight(
            schedule.open_intervals(ranges, zone, now, days + 1), zone
        )
        if begin.astimezone(zone).date() not in holidays
    ]
    return schedule.subtract(days_open, closures)


def _split_at_midnight(intervals, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Merged opening intervals may run across midnight (open around the clock); a
    holiday is a local calendar day, so each day's part is judged on its own."""
    pieces = []
    for begin, end in intervals:
        while True:
            local = begin.astimezone(zone)
            midnight = datetime.combine(
                local.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone
            )
            midnight = midnight.astimezone(begin.tzinfo)
            if midnight >= end:
                pieces.append((begin, end))
                break
            pieces.append((begin, midnight))
            begin = midnight
    return pieces


def free_slots(
    intervals: list[tuple[datetime, datetime]],
    rules: Rules,
    occupied: dict[int, set[datetime]],
    now: datetime,
    zone: ZoneInfo,
) -> list[tuple[datetime, int]]:
    """(start, seat) of every free slot: the appointment fits in the opening interval,
    respects the notice and the horizon, and one seat has all its cells free (the
    appointment and the buffer after it)."""
    earliest = now + rules.min_notice
    last_day = now.astimezone(zone).date() + timedelta(days=rules.horizon_days)
    held = rules.duration + rules.buffer
    free = []
    for begin, end in intervals:
        start = on_rhythm(max(begin, earliest), rules.rhythm, zone)
        while start + rules.duration <= end:
            if start.astimezone(zone).date() > last_day:
                break
            needed = cells(start, held)
            for seat in range(rules.parallel):
                if not occupied.get(seat, set()).intersection(needed):
                    free.append((start, seat))
                    break
            start += rules.rhythm
    return free


def on_rhythm(moment: datetime, rhythm: timedelta, zone: ZoneInfo) -> datetime:
    """The first start at or after `moment` on the department's clock: a whole number of
    `rhythm` steps after its local midnight (wall time, so 08:00 stays 08:00 on the day
    the clocks change; every rhythm divides the hour the clocks move by)."""
    local = moment.astimezone(zone)
    # Same tzinfo on both sides: the difference is wall-clock time since midnight.
    since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -(-since_midnight // rhythm)
    return moment + (steps * rhythm - since_midnight)
