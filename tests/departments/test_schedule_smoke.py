from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from buergerbuero.departments import schedule

BERLIN = ZoneInfo("Europe/Berlin")


def test_next_opening_on_a_closed_evening():
    ranges = [schedule.Range(3, 8 * 60, 12 * 60)]  # Thursday 08:00-12:00
    now = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # Tuesday 22:00 in Berlin
    assert schedule.next_opening(ranges, BERLIN, now) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert schedule.is_open(ranges, BERLIN, now) is False
