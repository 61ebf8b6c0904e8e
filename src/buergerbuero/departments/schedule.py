"""Weekly opening schedules: is a department open at an instant, and when does it open next.

Pure functions over (weekday, opens_minute, closes_minute) triples in a local time zone.
Local wall-clock times are turned into instants day by day, so a change to or from
summer time moves the instants, never the wall-clock hours the county published.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# Far enough to find the next opening of any schedule with at least one range.
LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class Range:
    weekday: int
    opens_minute: int
    closes_minute: int


def _local_instant(day, minute: int, zone: ZoneInfo) -> datetime:
    """The instant of `minute` after local midnight of `day` (1440 = next midnight)."""
    if minute >= MINUTES_PER_DAY:
        return _local_instant(day + timedelta(days=1), minute - MINUTES_PER_DAY, zone)
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    instant = local.astimezone(UTC)
    landed = instant.astimezone(zone)
    if landed.replace(tzinfo=None) != local.replace(tzinfo=None):
        # A wall-clock time inside a spring-forward gap does not exist: it lands on the
        # first real instant after the gap (otherwise a range inside the gap would be
        # empty, and a range starting in it would open late).
        offset = landed.utcoffset()
        while (instant - timedelta(minutes=1)).astimezone(zone).utcoffset() == offset:
            instant -= timedelta(minutes=1)
    return instant


def open_intervals(
    ranges: Iterable[Range], zone: ZoneInfo, start: datetime, days: int
) -> list[tuple[datetime, datetime]]:
    """Opening intervals (UTC) of the local days from the day before `start` on."""
    ranges = list(ranges)
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    intervals = []
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        for r in ranges:
            if r.weekday == day.weekday():
                intervals.append(
                    (
                        _local_instant(day, r.opens_minute, zone),
                        _local_instant(day, r.closes_minute, zone),
                    )
                )
    intervals.sort()
    return _merge(intervals)


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in intervals:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


Interval = tuple[datetime, datetime]


def subtract(intervals: Iterable[Interval], closed: Iterable[Interval]) -> list[Interval]:
    """`intervals` without the parts covered by `closed` (closures, holidays)."""
    closed = sorted(closed)
    result = []
    for begin, end in intervals:
        pieces = [(begin, end)]
        for c_begin, c_end in closed:
            pieces = [
                part
                for b, e in pieces
                for part in ((b, min(e, c_begin)), (max(b, c_end), e))
                if part[0] < part[1]
            ]
        result.extend(pieces)
    return result


def whole_days(days: Iterable[date], zone: ZoneInfo) -> list[Interval]:
    """Local calendar days (public holidays) as closed intervals from midnight to midnight."""
    return [
        (_local_instant(day, 0, zone), _local_instant(day, MINUTES_PER_DAY, zone)) for day in days
    ]


def _lookahead(now: datetime, closed: list[Interval]) -> int:
    """Days to look ahead: a week past the end of the last closure still running."""
    last = max((end for _begin, end in closed), default=now)
    return LOOKAHEAD_DAYS + max(0, (last - now).days + 1)


def current_interval(
    ranges: Iterable[Range], zone: ZoneInfo, now: datetime, closed: Iterable[Interval] = ()
) -> Interval | None:
    for begin, end in subtract(open_intervals(ranges, zone, now, 2), closed):
        if begin <= now < end:
            return begin, end
    return None


def is_open(
    ranges: Iterable[Range], zone: ZoneInfo, now: datetime, closed: Iterable[Interval] = ()
) -> bool:
    return current_interval(ranges, zone, now, closed) is not None


def next_opening(
    ranges: Iterable[Range], zone: ZoneInfo, now: datetime, closed: Iterable[Interval] = ()
) -> datetime | None:
    """The next instant after `now` at which a closed office opens (None: never), after
    any closure or holiday in `closed`."""
    closed = list(closed)
    for begin, _end in subtract(open_intervals(ranges, zone, now, _lookahead(now, closed)), closed):
        if begin > now:
            return begin
    return None
