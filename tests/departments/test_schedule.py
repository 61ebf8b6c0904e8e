"""Weekly schedules as pure functions: open or closed, the next opening, the next change.

Weekdays: 0 = Monday ... 6 = Sunday. Minutes since local midnight; 1440 is "until midnight".
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buergerbuero.departments.schedule import Range, current_interval, is_open, next_opening

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def next_change(ranges, zone, now):
    """The next opening or closing instant after `now`: the end of the current opening
    while open, the next opening while closed."""
    interval = current_interval(ranges, zone, now)
    return interval[1] if interval is not None else next_opening(ranges, zone, now)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# 2026-11-23 is a Monday; Berlin is on UTC+1 in November.
MONDAY_MORNING = [Range(MON, 8 * 60, 12 * 60)]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (berlin(2026, 11, 23, 7, 59), False),
        (berlin(2026, 11, 23, 8, 0), True),
        (berlin(2026, 11, 23, 11, 59, 59), True),
        (berlin(2026, 11, 23, 12, 0), False),
        (berlin(2026, 11, 24, 9, 0), False),  # Tuesday
    ],
)
def test_is_open_monday_morning_range(local, expected):
    assert is_open(MONDAY_MORNING, BERLIN, local.astimezone(UTC)) is expected


def test_is_open_empty_schedule_is_never_open():
    assert is_open([], BERLIN, utc(2026, 11, 23, 10, 0)) is False
    assert next_opening([], BERLIN, utc(2026, 11, 23, 10, 0)) is None
    assert next_change([], BERLIN, utc(2026, 11, 23, 10, 0)) is None


def test_is_open_range_until_midnight_includes_last_minute():
    ranges = [Range(FRI, 20 * 60, 1440)]
    assert is_open(ranges, BERLIN, berlin(2026, 11, 27, 23, 59, 59)) is True
    assert is_open(ranges, BERLIN, berlin(2026, 11, 28, 0, 0)) is False
    assert next_change(ranges, BERLIN, berlin(2026, 11, 27, 21, 0)) == berlin(2026, 11, 28, 0, 0)


def test_next_change_adjacent_ranges_merge_across_midnight():
    # Sunday evening into Monday morning: also across the end of the week.
    ranges = [Range(SUN, 22 * 60, 1440), Range(MON, 0, 2 * 60)]
    sunday_late = berlin(2026, 11, 29, 23, 0)
    assert is_open(ranges, BERLIN, sunday_late) is True
    assert is_open(ranges, BERLIN, berlin(2026, 11, 30, 0, 0)) is True
    # No closing at midnight: the two ranges are one opening.
    assert next_change(ranges, BERLIN, sunday_late) == berlin(2026, 11, 30, 2, 0).astimezone(UTC)
    assert next_opening(ranges, BERLIN, sunday_late) == berlin(2026, 12, 6, 22, 0).astimezone(UTC)


def test_next_change_overlapping_ranges_merge():
    ranges = [Range(TUE, 8 * 60, 12 * 60), Range(TUE, 11 * 60, 14 * 60)]
    assert next_change(ranges, BERLIN, berlin(2026, 11, 24, 9, 0)) == berlin(2026, 11, 24, 14, 0)


def test_next_opening_just_after_closing_is_a_week_later():
    assert next_opening(MONDAY_MORNING, BERLIN, berlin(2026, 11, 23, 12, 0)) == berlin(
        2026, 11, 30, 8, 0
    )


def test_next_opening_before_opening_is_the_same_day():
    assert next_opening(MONDAY_MORNING, BERLIN, berlin(2026, 11, 23, 7, 59)) == berlin(
        2026, 11, 23, 8, 0
    )


def test_next_opening_while_open_is_the_following_opening():
    ranges = [Range(MON, 8 * 60, 12 * 60), Range(THU, 14 * 60, 18 * 60)]
    assert next_opening(ranges, BERLIN, berlin(2026, 11, 23, 9, 0)) == berlin(2026, 11, 26, 14, 0)


def test_next_opening_always_open_schedule_is_none():
    always = [Range(day, 0, 1440) for day in range(7)]
    assert is_open(always, BERLIN, utc(2026, 11, 23, 10, 0)) is True
    assert next_opening(always, BERLIN, utc(2026, 11, 23, 10, 0)) is None


def test_next_opening_from_every_day_of_the_week_finds_monday():
    for offset in range(7):
        now = berlin(2026, 11, 23, 13, 0) + timedelta(days=offset)  # after Monday's closing
        assert next_opening(MONDAY_MORNING, BERLIN, now) == berlin(2026, 11, 30, 8, 0)


def test_next_opening_answers_in_utc():
    result = next_opening(MONDAY_MORNING, BERLIN, utc(2026, 11, 24, 12, 0))
    assert result == utc(2026, 11, 30, 7, 0)
    assert result.tzinfo is UTC


# --- Summer time: the wall-clock hours stay, the UTC instants move ------------------------
# Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
SUNDAY_RANGES = [Range(SUN, 1 * 60, 4 * 60), Range(SUN, 8 * 60, 12 * 60)]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 28, 23, 59), False),
        (utc(2026, 3, 29, 0, 0), True),  # 01:00 CET
        (utc(2026, 3, 29, 0, 59), True),  # 01:59 CET, the last minute before the jump
        (utc(2026, 3, 29, 1, 0), True),  # 03:00 CEST
        (utc(2026, 3, 29, 1, 59), True),  # 03:59 CEST
        (utc(2026, 3, 29, 2, 0), False),  # 04:00 CEST
        (utc(2026, 3, 29, 5, 59), False),  # 07:59 CEST
        (utc(2026, 3, 29, 6, 0), True),  # 08:00 CEST
        (utc(2026, 3, 29, 9, 59), True),
        (utc(2026, 3, 29, 10, 0), False),  # 12:00 CEST
    ],
)
def test_is_open_spring_forward_sunday(now, expected):
    assert is_open(SUNDAY_RANGES, BERLIN, now) is expected


def test_next_opening_spring_forward_sunday_instants():
    # The Sunday before: CET all day.
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 3, 22, 3, 0)) == utc(2026, 3, 22, 7, 0)
    # The night range is one hour shorter in real time, the morning range one hour earlier in UTC.
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 0, 0)
    assert next_change(SUNDAY_RANGES, BERLIN, utc(2026, 3, 29, 0, 0)) == utc(2026, 3, 29, 2, 0)
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 3, 29, 2, 0)) == utc(2026, 3, 29, 6, 0)
    assert next_change(SUNDAY_RANGES, BERLIN, utc(2026, 3, 29, 6, 0)) == utc(2026, 3, 29, 10, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 10, 24, 22, 59), False),
        (utc(2026, 10, 24, 23, 0), True),  # 01:00 CEST
        (utc(2026, 10, 25, 0, 30), True),  # 02:30 CEST, first pass
        (utc(2026, 10, 25, 1, 30), True),  # 02:30 CET, second pass
        (utc(2026, 10, 25, 2, 59), True),  # 03:59 CET
        (utc(2026, 10, 25, 3, 0), False),  # 04:00 CET
        (utc(2026, 10, 25, 6, 59), False),  # 07:59 CET
        (utc(2026, 10, 25, 7, 0), True),  # 08:00 CET
        (utc(2026, 10, 25, 11, 0), False),  # 12:00 CET
    ],
)
def test_is_open_fall_back_sunday(now, expected):
    assert is_open(SUNDAY_RANGES, BERLIN, now) is expected


def test_next_opening_fall_back_sunday_instants():
    # The Sunday before: CEST all day.
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 10, 18, 3, 0)) == utc(2026, 10, 18, 6, 0)
    # The night range is one hour longer in real time, the morning range one hour later in UTC.
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 10, 24, 12, 0)) == utc(2026, 10, 24, 23, 0)
    assert next_change(SUNDAY_RANGES, BERLIN, utc(2026, 10, 24, 23, 0)) == utc(2026, 10, 25, 3, 0)
    assert next_opening(SUNDAY_RANGES, BERLIN, utc(2026, 10, 25, 3, 0)) == utc(2026, 10, 25, 7, 0)
    assert next_change(SUNDAY_RANGES, BERLIN, utc(2026, 10, 25, 7, 0)) == utc(2026, 10, 25, 11, 0)


def test_next_opening_range_inside_spring_forward_gap_opens_when_the_gap_ends():
    # 02:30 does not exist on 2026-03-29; the first real instant after it is 03:00 CEST.
    ranges = [Range(SUN, 2 * 60 + 30, 3 * 60 + 30)]
    assert next_opening(ranges, BERLIN, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 0)
    assert is_open(ranges, BERLIN, utc(2026, 3, 29, 1, 0)) is True
    assert is_open(ranges, BERLIN, utc(2026, 3, 29, 1, 29)) is True
    assert next_change(ranges, BERLIN, utc(2026, 3, 29, 1, 0)) == utc(2026, 3, 29, 1, 30)


def test_next_change_range_closing_inside_spring_forward_gap_closes_when_the_gap_ends():
    ranges = [Range(SUN, 1 * 60, 2 * 60 + 30)]
    assert next_change(ranges, BERLIN, utc(2026, 3, 29, 0, 0)) == utc(2026, 3, 29, 1, 0)
    assert is_open(ranges, BERLIN, utc(2026, 3, 29, 0, 59)) is True
    assert is_open(ranges, BERLIN, utc(2026, 3, 29, 1, 0)) is False


def test_is_open_other_zone_uses_its_own_wall_clock():
    new_york = ZoneInfo("America/New_York")
    # Monday 08:00 in New York (EST, UTC-5) is 13:00 UTC.
    assert is_open(MONDAY_MORNING, new_york, utc(2026, 11, 23, 13, 0)) is True
    assert is_open(MONDAY_MORNING, new_york, utc(2026, 11, 23, 8, 0)) is False


# --- Properties ---------------------------------------------------------------------------
ZONES = [BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]


@st.composite
def ranges_strategy(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    result = []
    for _ in range(count):
        opens = draw(st.integers(min_value=0, max_value=1439))
        closes = draw(st.integers(min_value=opens + 1, max_value=1440))
        result.append(Range(draw(st.integers(min_value=0, max_value=6)), opens, closes))
    return result


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
TICK = timedelta(microseconds=1)


@settings(max_examples=300, deadline=None)
@given(ranges=ranges_strategy(), zone=st.sampled_from(ZONES), now=instants)
def test_next_opening_property_is_later_and_open(ranges, zone, now):
    opening = next_opening(ranges, zone, now)
    if opening is None:
        # Only an office that is open now and stays open for the whole look-ahead.
        assert is_open(ranges, zone, now) is True
        return
    assert opening > now
    assert is_open(ranges, zone, opening) is True
    assert is_open(ranges, zone, opening - TICK) is False
    if not is_open(ranges, zone, now):
        # Closed until then: the next change is that opening.
        assert next_change(ranges, zone, now) == opening


@settings(max_examples=300, deadline=None)
@given(ranges=ranges_strategy(), zone=st.sampled_from(ZONES), now=instants)
def test_next_change_property_flips_the_state(ranges, zone, now):
    change = next_change(ranges, zone, now)
    assert change is not None
    assert change > now
    before = is_open(ranges, zone, now)
    assert is_open(ranges, zone, change - TICK) is before
    assert is_open(ranges, zone, change) is not before
