"""Slot computation against schedules, holidays, closures, parallel staff and DST."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from buergerbuero.bookings.slots import Rules, bookable_intervals, cells, free_slots
from buergerbuero.departments.schedule import Range

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def rules(minutes=30, buffer=0, parallel=1, notice=0, horizon=28):
    return Rules(
        timedelta(minutes=minutes),
        timedelta(minutes=buffer),
        parallel,
        timedelta(minutes=notice),
        horizon,
    )


def local(*args):
    return datetime(*args, tzinfo=BERLIN)


def starts(slots):
    return [s.astimezone(BERLIN).strftime("%a %d.%m. %H:%M") for s, _seat in slots]


# Monday 2026-11-23, 07:00 local: the week ahead.
NOW = local(2026, 11, 23, 7, 0)


def test_free_slots_follow_the_schedule_with_buffer():
    intervals = bookable_intervals([Range(MON, 9 * 60, 11 * 60)], BERLIN, NOW, 6, set(), [])
    assert starts(free_slots(intervals, rules(30, buffer=10), {}, NOW, BERLIN)) == [
        "Mon 23.11. 09:00",
        "Mon 23.11. 09:40",
        "Mon 23.11. 10:20",
    ]


def test_free_slots_respect_notice_and_horizon():
    intervals = bookable_intervals(
        [Range(d, 9 * 60, 10 * 60) for d in range(7)], BERLIN, NOW, 3, set(), []
    )
    got = starts(free_slots(intervals, rules(30, notice=150, horizon=2), {}, NOW, BERLIN))
    # 07:00 + 150 min = 09:30: Monday 09:00 is too soon; the horizon ends on Wednesday.
    assert got == [
        "Mon 23.11. 09:30",
        "Tue 24.11. 09:00",
        "Tue 24.11. 09:30",
        "Wed 25.11. 09:00",
        "Wed 25.11. 09:30",
    ]


def test_public_holidays_are_not_bookable():
    # 2026-12-25 and 26 are holidays in NRW; Christmas Eve is not.
    now = local(2026, 12, 21, 7, 0)
    ranges = [Range(d, 9 * 60, 10 * 60) for d in range(7)]
    holidays = {date(2026, 12, 25), date(2026, 12, 26)}
    intervals = bookable_intervals(ranges, BERLIN, now, 7, holidays, [])
    days = sorted(
        {
            s.astimezone(BERLIN).date().day
            for s, _ in free_slots(intervals, rules(60), {}, now, BERLIN)
        }
    )
    assert days == [21, 22, 23, 24, 27, 28]


def test_closures_cut_out_time():
    intervals = bookable_intervals(
        [Range(MON, 9 * 60, 12 * 60)],
        BERLIN,
        NOW,
        6,
        set(),
        [(local(2026, 11, 23, 10, 0), local(2026, 11, 23, 11, 0))],
    )
    assert starts(free_slots(intervals, rules(30), {}, NOW, BERLIN)) == [
        "Mon 23.11. 09:00",
        "Mon 23.11. 09:30",
        "Mon 23.11. 11:00",
        "Mon 23.11. 11:30",
    ]


def test_booked_cells_block_one_seat_and_parallel_staff_add_seats():
    intervals = bookable_intervals([Range(MON, 9 * 60, 10 * 60)], BERLIN, NOW, 6, set(), [])
    taken = set(cells(local(2026, 11, 23, 9, 0), timedelta(minutes=30)))
    assert starts(free_slots(intervals, rules(30), {0: taken}, NOW, BERLIN)) == ["Mon 23.11. 09:30"]
    two = free_slots(intervals, rules(30, parallel=2), {0: taken}, NOW, BERLIN)
    assert [(s.astimezone(BERLIN).strftime("%H:%M"), seat) for s, seat in two] == [
        ("09:00", 1),
        ("09:30", 0),
    ]


def test_a_longer_booking_overlapping_a_slot_blocks_it():
    intervals = bookable_intervals([Range(MON, 9 * 60, 10 * 60)], BERLIN, NOW, 6, set(), [])
    # A 45-minute appointment from 09:00 (another kind) overlaps the 09:30 slot.
    taken = set(cells(local(2026, 11, 23, 9, 0), timedelta(minutes=45)))
    assert starts(free_slots(intervals, rules(30), {0: taken}, NOW, BERLIN)) == []


def test_slots_keep_wall_clock_times_across_daylight_saving_changes():
    ranges = [Range(SUN, 1 * 60, 4 * 60), Range(SUN, 9 * 60, 10 * 60)]
    # Spring forward, 2026-03-29: 02:00-03:00 does not exist; 01:00-04:00 lasts two hours.
    spring_now = local(2026, 3, 28, 12, 0)
    spring = free_slots(
        bookable_intervals(ranges, BERLIN, spring_now, 2, set(), []),
        rules(60),
        {},
        spring_now,
        BERLIN,
    )
    assert [s.astimezone(BERLIN).strftime("%H:%M") for s, _ in spring] == [
        "01:00",
        "03:00",
        "09:00",
    ]
    assert spring[2][0] == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST
    # Fall back, 2026-10-25: 02:00-03:00 happens twice; 01:00-04:00 lasts four hours.
    fall_now = local(2026, 10, 24, 12, 0)
    fall = free_slots(
        bookable_intervals(ranges, BERLIN, fall_now, 2, set(), []), rules(60), {}, fall_now, BERLIN
    )
    assert len([s for s, _ in fall if s < datetime(2026, 10, 25, 8, 0, tzinfo=UTC)]) == 4
    assert fall[-1][0] == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET


@given(
    minutes=st.sampled_from([15, 20, 30, 45, 60]),
    buffer=st.sampled_from([0, 5, 10]),
    parallel=st.integers(1, 3),
    offset_hours=st.integers(0, 24 * 7),
)
def test_free_slots_never_overlap_on_a_seat(minutes, buffer, parallel, offset_hours):
    now = NOW + timedelta(hours=offset_hours)
    ranges = [Range(d, 8 * 60, 16 * 60) for d in (MON, WED, FRI)]
    intervals = bookable_intervals(ranges, BERLIN, now, 10, set(), [])
    slots = free_slots(intervals, rules(minutes, buffer, parallel), {}, now, BERLIN)
    for (a, _), (b, _) in itertools.pairwise(slots):
        assert b - a >= timedelta(minutes=minutes + buffer)
    assert all(s >= now for s, _ in slots)


def test_a_holiday_inside_an_around_the_clock_opening_is_not_bookable():
    # Open Sunday and Monday around the clock: one merged interval across midnight.
    # Monday 2027-04-05 is Easter Monday.
    now = local(2027, 4, 3, 12, 0)
    ranges = [Range(SUN, 0, 1440), Range(MON, 0, 1440)]
    intervals = bookable_intervals(ranges, BERLIN, now, 3, {date(2027, 4, 5)}, [])
    days = {
        s.astimezone(BERLIN).date() for s, _ in free_slots(intervals, rules(60), {}, now, BERLIN)
    }
    assert days == {date(2027, 4, 4)}
